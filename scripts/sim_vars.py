#!/usr/bin/env python
"""Read the EM simulator's state file (see docs/dev/contracts.md) for scripts/with-simulator.sh.

  sim_vars.py --check STATE        exit 0 when STATE holds complete JSON with url and ca_path
  sim_vars.py --shell STATE        print EM_SIM_URL=... and EM_SIM_CA_PATH=... as shell assignments
  sim_vars.py [--prefix P] --write FILE STATE
                                   write FILE: YAML variables for playbooks and ansible-test integration,
                                   named P + url, ca_path, username, password, portal_user, portal_password
                                   (P defaults to veeam_em_)
"""

import json
import os
import shlex
import sys

# The simulator's default accounts (docs/dev/contracts.md).
ACCOUNTS = {
    'username': 'admin',
    'password': 'Secr3t&P@ss:word',
    'portal_user': 'portaluser',
    'portal_password': 'User&P@ss:1',
}


def load(state_file):
    with open(state_file, encoding='utf-8') as handle:
        state = json.load(handle)
    if not state.get('url') or not state.get('ca_path'):
        raise ValueError('state file without url/ca_path')
    # ca_path relative to the simulator's working directory (the repository root) -> absolute
    state['ca_path'] = os.path.abspath(state['ca_path'])
    return state


def main(argv):
    prefix = 'veeam_em_'
    if len(argv) >= 2 and argv[0] == '--prefix':
        prefix, argv = argv[1], argv[2:]
    if len(argv) == 2 and argv[0] == '--check':
        try:
            load(argv[1])
        except (OSError, ValueError):
            return 1
        return 0
    if len(argv) == 2 and argv[0] == '--shell':
        state = load(argv[1])
        print('EM_SIM_URL=%s' % shlex.quote(state['url']))
        print('EM_SIM_CA_PATH=%s' % shlex.quote(state['ca_path']))
        return 0
    if len(argv) == 3 and argv[0] == '--write':
        state = load(argv[2])
        data = {'url': state['url'], 'ca_path': state['ca_path']}
        data.update(ACCOUNTS)
        data = {prefix + key: value for key, value in data.items()}
        os.makedirs(os.path.dirname(os.path.abspath(argv[1])), exist_ok=True)
        with open(argv[1], 'w', encoding='utf-8') as handle:
            handle.write('# Written by scripts/sim_vars.py for the running EM simulator; do not commit.\n')
            # JSON is YAML: every value is quoted, so '&', ':' and '@' in passwords stay literal.
            for key, value in data.items():
                handle.write('%s: %s\n' % (key, json.dumps(value)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
