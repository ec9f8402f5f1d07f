#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_vm_backup
short_description: Quick backup of one VM through Enterprise Manager, and wait for it to start or to complete
version_added: 0.2.0
description:
  - Runs a quick backup of one VM through Veeam Backup Enterprise Manager, that is an incremental run, by the job that
    processes the VM, of that VM alone, and waits as O(wait) and O(wait_for) ask, with the same semantics as
    P(seedops.veeam_em.veeam_em_job_start#module).
  - The VM is found through the hierarchy roots (C(/query?type=HierarchyRoot)) and the lookup service (C(/lookup)),
    which Enterprise Manager opens to the Portal User role, so a change pipeline does not need a Portal Administrator
    account. The request is C(POST /backupServers/{id}?action=quickbackup) with the VM's hierarchy reference, sent to
    the QuickBackup link of the backup server's entity (one C(/query?type=BackupServer) reads it).
  - A VM that no job processes fails with "Quick backup needs a job that processes the VM", and nothing is sent. The
    module checks the job's objects where the account may read them and else (a Portal User) the VM's restore points.
  - A name that matches several VMs fails, listing them; set O(backup_server) to choose.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.wait
  - seedops.veeam_em.wait.wait_for
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.no_diff
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module finds the VM and checks that a job processes it, and sends no backup.
options:
  vm_name:
    description:
      - Exact name of the VM.
    type: str
    required: true
  backup_server:
    description:
      - Name of the backup server whose hierarchy holds the VM, when the name exists on several.
    type: str
notes:
  - If the answer to the quick backup request is lost, the module cannot tell whether the backup started (it does not
    know the job), so it fails with C(changed=true) and says how to check; it never sends the request twice.
seealso:
  - module: seedops.veeam_em.veeam_em_restore_point_info
  - name: Enterprise Manager REST API, quick backup
    description: The Veeam documentation of the quick backup request.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_backupservers_id_quickbackup.html
"""

EXAMPLES = r"""
- name: Back up the VM before patching it, and wait until the backup has ended
  seedops.veeam_em.veeam_em_vm_backup:
    url: https://em01.example.com:9398
    username: CORP\changepipeline
    password: "{{ vault_em_password }}"
    vm_name: "{{ inventory_hostname_short }}"
    wait_for: completion
    timeout: 3600
  delegate_to: localhost
  register: quick
"""

RETURN = r"""
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
vm:
  description: The VM; V(null) when not found.
  returned: always
  type: dict
  contains:
    name:
      description: The VM's name.
      type: str
    hierarchy_ref:
      description: The VM's hierarchy reference, for example C(urn:VMware:Vm:<root id>.vm-80225).
      type: str
    backup_server:
      description: The backup server whose hierarchy holds the VM.
      type: str
task:
  description: The quick backup task as last seen, the same dict as RV(seedops.veeam_em.veeam_em_job_start#module:task)
    (operation V(QuickBackup)); V(null) when nothing was sent.
  returned: always
  type: dict
session:
  description: The job session of the quick backup as last seen, the same dict as
    RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].last_session); V(null) unless O(wait_for=completion).
  returned: always
  type: dict
elapsed:
  description: Seconds the module spent, from its start to its answer.
  returned: always
  type: float
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import wait_argument_spec
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule
from ansible_collections.seedops.veeam_em.plugins.module_utils._vm_backup import run_vm_backup


def main():
    module = VeeamEmModule(
        argument_spec=dict(wait_argument_spec(), vm_name=dict(type="str", required=True), backup_server=dict(type="str")),
        supports_check_mode=True,
    )
    run_vm_backup(module)


if __name__ == "__main__":
    main()
