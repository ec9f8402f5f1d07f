#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_backup_server_info
short_description: List the Veeam backup servers that Enterprise Manager manages
version_added: 0.2.0
description:
  - Returns the backup servers (Veeam Backup & Replication servers) connected to Veeam Backup Enterprise Manager, with
    their version, optionally only the one named O(name).
  - Never changes anything. One query, filtered on the server, whatever the number of backup servers.
  - Works with every Enterprise Manager role, the Portal User role included.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.info_module
options:
  name:
    description:
      - Only the backup server of this name, as Enterprise Manager shows it (compared without regard to case).
    type: str
seealso:
  - module: seedops.veeam_em.veeam_em_repository_info
  - name: Enterprise Manager REST API, backup servers
    description: The Veeam documentation of the backup server resource.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/backupservers_id.html
"""

EXAMPLES = r"""
- name: Which Veeam versions run on the backup servers?
  seedops.veeam_em.veeam_em_backup_server_info:
    url: https://em01.example.com:9398
    username: CORP\backupviewer
    password: "{{ vault_em_password }}"
  register: servers

- name: Show them
  ansible.builtin.debug:
    msg: "{{ servers.backup_servers | items2dict(key_name='name', value_name='version') }}"
"""

RETURN = r"""
backup_servers:
  description: The backup servers; an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The backup server's GUID.
      type: str
    uid:
      description: The backup server's UID, C(urn:veeam:BackupServer:<GUID>).
      type: str
    name:
      description: Name of the backup server in Enterprise Manager.
      type: str
      sample: vbr01.corp.example.com
    description:
      description: Description given in Enterprise Manager (empty string when none).
      type: str
    port:
      description: Port Enterprise Manager collects data from (9392 by default).
      type: int
      sample: 9392
    version:
      description: Version of Veeam Backup & Replication on the server.
      type: str
      sample: 13.0.1.1071
    href:
      description: The backup server's URL in the Enterprise Manager API.
      type: str
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._infrastructure import run_backup_server_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    module = VeeamEmModule(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)
    run_backup_server_info(module)


if __name__ == "__main__":
    main()
