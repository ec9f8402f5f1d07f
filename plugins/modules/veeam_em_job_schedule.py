#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_job_schedule
short_description: Enable or disable the schedules of Veeam jobs through Enterprise Manager
version_added: 0.2.0
description:
  - Selects one job (O(name) or O(id)) or every job that matches O(backup_server), O(job_type) and O(kind), and brings
    the schedule of each to O(enabled). At least one selector is required.
  - Enterprise Manager offers only a blind toggle, so the module reads each job's schedule state first and toggles only
    the jobs that differ. It waits until Enterprise Manager has confirmed each toggle, then reads the toggled jobs again
    to verify them; when a concurrent change made a toggle land the wrong way, it toggles that job once more and says
    so in a warning.
  - A job whose schedule is not configured cannot run on schedule either way; the module warns about it and leaves it
    alone.
  - RV(changed_jobs) lists the ids this task toggled, so that a later task can put back exactly those (see the
    maintenance window guide).
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.job_selector
  - seedops.veeam_em.job_selector.job_type
  - seedops.veeam_em.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode nothing is sent; RV(jobs) and the diff show the schedules as they would be.
  diff_mode:
    support: full
    details:
      - The diff shows C(schedule_enabled) of each selected job (by id) before and after.
options:
  enabled:
    description:
      - V(true) enables the schedules, V(false) disables them.
    type: bool
    required: true
notes:
  - Toggling a schedule needs an account with the Enterprise Manager Portal Administrator role.
seealso:
  - module: seedops.veeam_em.veeam_em_job_stop
  - module: seedops.veeam_em.veeam_em_job_info
  - name: Enterprise Manager REST API, toggling a job's schedule
    description: The Veeam documentation of the toggleScheduleEnabled action.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_jobs_id_actiontogglescheduleenabled.html
"""

EXAMPLES = r"""
- name: Disable every schedule on the backup server, and keep which ones were on
  seedops.veeam_em.veeam_em_job_schedule:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    backup_server: vbr01.corp.example.com
    enabled: false
  register: disabled

- name: Later, enable exactly the schedules that the first task disabled
  seedops.veeam_em.veeam_em_job_schedule:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    id: "{{ item }}"
    enabled: true
  loop: "{{ disabled.changed_jobs }}"
"""

RETURN = r"""
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "The schedules of 3 job(s) were disabled."
jobs:
  description: The selected jobs after the change (as they would be, in check mode), the same dicts as
    RV(seedops.veeam_em.veeam_em_job_info#module:jobs).
  returned: always
  type: list
  elements: dict
changed_jobs:
  description: The ids (GUIDs) of the jobs whose schedule this task toggled (or would toggle, in check mode).
  returned: always
  type: list
  elements: str
  sample: [5658281f-625e-4627-89dd-d2a0c48be99e]
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import some_jobs_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_schedule import run_job_schedule
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    run_job_schedule(VeeamEmModule(**some_jobs_action(wait=False, enabled=dict(type="bool", required=True))))


if __name__ == "__main__":
    main()
