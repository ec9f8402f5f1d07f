#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_restore_point_info
short_description: Read the restore points of VMs, and how old the newest one is, through Enterprise Manager
version_added: 0.2.0
description:
  - Returns the restore points of the VMs named in O(vm_name), newest first, and for each requested VM its newest
    restore point and its age, the evidence a change window needs before patching a host.
  - A VM without any restore point is returned in RV(vms) with RV(vms[].newest) V(null); that is not a failure.
  - Names match exactly, although Enterprise Manager's query service compares them without regard to case.
  - The names are sent to the query service in chunks of 40 OR-ed names, so 500 VMs cost about a dozen queries plus the
    pages of matching restore points, never one query per VM.
  - Works under a Portal User account. Never changes anything.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.info_module
options:
  vm_name:
    description:
      - Exact names of the VMs (as the restore points record them, the VM's display name).
    type: list
    elements: str
    required: true
  backup_server:
    description:
      - Only restore points created on this backup server.
    type: str
  newest_only:
    description:
      - Return only the newest restore point of each VM in RV(restore_points).
    type: bool
    default: false
  since:
    description:
      - Only restore points created at or after this time, as in O(seedops.veeam_em.veeam_em_session_info#module:since).
    type: str
seealso:
  - module: seedops.veeam_em.veeam_em_session_info
  - name: Enterprise Manager REST API, VM restore points
    description: The Veeam documentation of the restore point query this module uses.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_vmrestorepoint.html
"""

EXAMPLES = r"""
- name: How old is the newest restore point of each web server?
  seedops.veeam_em.veeam_em_restore_point_info:
    url: https://em01.example.com:9398
    username: CORP\backupviewer
    password: "{{ vault_em_password }}"
    vm_name: "{{ groups['webservers'] }}"
    newest_only: true
  register: points

- name: Fail for a VM without a restore point of the last 24 hours
  ansible.builtin.assert:
    that: item.age_seconds is not none and item.age_seconds < 86400
    fail_msg: "{{ item.name }}: newest restore point {{ item.newest.creation_time | default('none') }}"
  loop: "{{ points.vms }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
restore_points:
  description: The matching restore points, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: GUID of the VM restore point.
      type: str
    uid:
      description: UID of the VM restore point.
      type: str
    name:
      description: Name, C(<VM>@<time>).
      type: str
    vm_name:
      description: The VM's name.
      type: str
    creation_time:
      description: When the restore point was created, ISO 8601 in UTC.
      type: str
    point_type:
      description: V(Full), V(Increment) or V(ReverseIncrement).
      type: str
    algorithm:
      description: V(Full), V(Incremental), V(ReversedIncremental) or V(SyntheticFull).
      type: str
    backup_server:
      description: Name of the backup server that holds it.
      type: str
    restore_point:
      description: Name of the restore point (of the backup) that the VM restore point belongs to.
      type: str
    restore_point_id:
      description: GUID of that restore point.
      type: str
    href:
      description: The VM restore point's URL in the Enterprise Manager API.
      type: str
vms:
  description: One entry per requested VM name, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The VM name as requested.
      type: str
    newest:
      description: The VM's newest restore point (a dict as in RV(restore_points)), V(null) when it has none.
      type: dict
    age_seconds:
      description: Seconds since the newest restore point was created, on the controller's clock; V(null) when none.
      type: int
    count:
      description: How many restore points were found for the VM.
      type: int
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule
from ansible_collections.seedops.veeam_em.plugins.module_utils._restore_points import run_restore_point_info


def main():
    module = VeeamEmModule(
        argument_spec=dict(
            vm_name=dict(type="list", elements="str", required=True),
            backup_server=dict(type="str"),
            newest_only=dict(type="bool", default=False),
            since=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    run_restore_point_info(module)


if __name__ == "__main__":
    main()
