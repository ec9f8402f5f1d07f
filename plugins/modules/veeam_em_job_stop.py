#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_job_stop
short_description: Stop running Veeam jobs through Enterprise Manager and wait until they have stopped
version_added: 0.2.0
description:
  - Selects one job (O(name) or O(id)) or every job that matches O(backup_server), O(job_type) and O(kind), and stops
    each selected job whose newest session runs, through Veeam Backup Enterprise Manager. At least one selector is
    required, so that no call stops every job by accident.
  - Jobs that are not running are not touched. When none of the selected jobs runs, nothing is sent and C(changed) is
    false.
  - The Stop link of each running job is posted once (a job without one is stopped through its running session's Stop
    link). With O(wait=true) the module then follows all of them together until every session is V(Stopped), so
    stopping 20 jobs takes about as long as stopping one.
  - 'An immediate backup copy job (JobType V(ImmediateBackupCopy), what VBR 12 and 13 create for every new backup copy
    job) offers no Stop link, and its own session (JobType V(ImmediateBackupCopy), not one of its
    V(ImmediateBackupCopyWorker) sessions) stays V(Working) at Progress 0 for as long as the job is enabled. That
    session is its newest, so the job counts as running (M(seedops.veeam_em.veeam_em_job_info) shows it so too) and a
    stop that selects it posts that session''s Stop link once and waits until it is V(Stopped). This is deliberate:
    VBR refuses an upgrade while any job runs, backup copy jobs included. The copy job then copies nothing until it
    is started again (M(seedops.veeam_em.veeam_em_job_start) syncs it); select by O(job_type) or O(name) to leave it
    alone.'
  - When O(timeout) runs out, the task fails with C(changed=true), a message naming the jobs that have not stopped yet,
    and RV(stopped) as last seen.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.job_selector
  - seedops.veeam_em.job_selector.job_type
  - seedops.veeam_em.wait
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.no_diff
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module reads the jobs and their newest sessions and sends no stop; C(changed) says whether a
        job would be stopped, and RV(stopped) lists those jobs with their running sessions.
notes:
  - Stopping jobs needs an account with the Enterprise Manager Portal Administrator role.
  - Reading the newest sessions costs one query per 40 selected jobs, whatever the length of their history.
seealso:
  - module: seedops.veeam_em.veeam_em_job_schedule
  - module: seedops.veeam_em.veeam_em_job_info
  - name: Enterprise Manager REST API, stopping a job
    description: The Veeam documentation of the stop action.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_jobs_id_actionstop.html
"""

EXAMPLES = r"""
- name: Stop everything that runs on one backup server before its upgrade, and wait until it has stopped
  seedops.veeam_em.veeam_em_job_stop:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/em01-ca.pem
    backup_server: vbr01.corp.example.com
    timeout: 1800
  register: stop

- name: Show what was stopped
  ansible.builtin.debug:
    msg: "{{ stop.stopped | map(attribute='job_name') | list }}"

- name: Stop one job without waiting
  seedops.veeam_em.veeam_em_job_stop:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    name: Fileserver Backup
    wait: false
"""

RETURN = r"""
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "2 job(s) stopped: 'DB Backup', 'Fileserver Backup'."
jobs:
  description: The selected jobs, the same dicts as RV(seedops.veeam_em.veeam_em_job_info#module:jobs).
  returned: always
  type: list
  elements: dict
stopped:
  description: One entry per job that this task stopped (or would stop, in check mode), as last seen.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: The job's GUID.
      type: str
    job_name:
      description: The job's name.
      type: str
    task:
      description: The stop task, the same dict as RV(seedops.veeam_em.veeam_em_job_start#module:task); V(null) in check
        mode or when the answer to the stop was lost.
      type: dict
    session:
      description: The job's session, the same dict as RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].last_session).
      type: dict
elapsed:
  description: Seconds the module spent, from its start to its answer.
  returned: always
  type: float
  sample: 8.4
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import some_jobs_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_stop import run_job_stop
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    run_job_stop(VeeamEmModule(**some_jobs_action()))


if __name__ == "__main__":
    main()
