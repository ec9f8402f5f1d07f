#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_repository_info
short_description: List Veeam backup repositories, with capacity and free space, through Enterprise Manager
version_added: 0.2.0
description:
  - Returns the backup repositories of the backup servers that Veeam Backup Enterprise Manager manages, with their
    capacity and free space in bytes, optionally narrowed by O(name) and O(backup_server).
  - Never changes anything. One query, filtered on the server, whatever the number of repositories.
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
      - Only the repository of this exact name (case-sensitive).
    type: str
  backup_server:
    description:
      - Only the repositories of this backup server, as Enterprise Manager shows it (compared without regard to case).
    type: str
seealso:
  - module: seedops.veeam_em.veeam_em_backup_server_info
  - name: Enterprise Manager REST API, repositories
    description: The Veeam documentation of the repository resource.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/repositories_id.html
"""

EXAMPLES = r"""
- name: Read the repositories of one backup server
  seedops.veeam_em.veeam_em_repository_info:
    url: https://em01.example.com:9398
    username: CORP\backupviewer
    password: "{{ vault_em_password }}"
    backup_server: vbr01.corp.example.com
  register: repos

- name: Fail when a repository has less than 10 % free space
  ansible.builtin.assert:
    that: item.free_space > item.capacity * 0.1
    fail_msg: "{{ item.name }} has {{ (item.free_space / 1024 ** 3) | round(1) }} GiB free"
  loop: "{{ repos.repositories }}"
  loop_control:
    label: "{{ item.name }}"
"""

RETURN = r"""
repositories:
  description: The repositories; an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The repository's GUID.
      type: str
    uid:
      description: The repository's UID, C(urn:veeam:Repository:<GUID>).
      type: str
    name:
      description: Name of the repository.
      type: str
      sample: Backup Volume 01
    kind:
      description: Type of the repository as Enterprise Manager names it, for example V(WindowsLocal), V(LinuxLocal),
        V(CifsShare), V(DDBoost), V(Cloud), V(HPStoreOnce), V(ExaGrid).
      type: str
      sample: WindowsLocal
    capacity:
      description: Total space in bytes.
      type: int
    free_space:
      description: Free space in bytes.
      type: int
    backup_server:
      description: Name of the backup server the repository belongs to.
      type: str
    backup_server_id:
      description: GUID of that backup server.
      type: str
    href:
      description: The repository's URL in the Enterprise Manager API.
      type: str
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._infrastructure import run_repository_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    module = VeeamEmModule(argument_spec=dict(name=dict(type="str"), backup_server=dict(type="str")),
                           supports_check_mode=True)
    run_repository_info(module)


if __name__ == "__main__":
    main()
