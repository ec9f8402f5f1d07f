#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_job_start
short_description: Start a Veeam job through Enterprise Manager and wait for it to start or to complete
version_added: 0.1.0
description:
  - Finds a job of any kind by name or id (a VM backup, replica or backup copy job, a Veeam Agent backup job or a file
    share backup job), starts it through Veeam Backup Enterprise Manager with the start link that job offers (a
    backup copy job through its Sync action, a file share job through its own path link) and waits, as asked, until
    Enterprise Manager has started it or until the run has ended.
  - Exactly one of O(name) and O(id) is required.
  - A job that is already running is not started again; the module reports that run with C(changed=false).
  - 'What each combination waits for and returns:'
  - 'O(wait=false): returns right after Enterprise Manager accepted the start and one more look at the task. RV(task)
    is the task handle (usually state V(Running)), RV(session) is V(null), C(changed=true). Whether Enterprise
    Manager refuses the start later cannot be known then; if it already refused it because another run had begun,
    C(changed=false) and RV(session) is that run.'
  - 'O(wait=true), O(wait_for=start) (the default): waits until the start is confirmed, and RV(confirmed_by) says
    how. Either the start task is V(Finished) with a successful result (RV(confirmed_by=task), RV(session) is
    V(null)), or the task already shows a successful result while still in V(OperationFinished) (Enterprise Manager
    has not yet collected the data, and leaves a sync task there for good) and the job''s new session is visible
    (RV(confirmed_by=task_result_and_session), RV(session) is that session). Fails if the task reports failure.'
  - 'O(wait=true), O(wait_for=completion): after the task, finds the session that this start created and waits
    until it is V(Stopped). Result V(Failed) fails the task (with C(changed=true) and the session''s failure
    message in RV(msg)); V(Warning) succeeds with an Ansible warning; V(Success) succeeds.'
  - 'Immediate backup copy jobs (JobType V(ImmediateBackupCopy), what VBR 12 and 13 create for every new backup copy
    job) are started through their Sync link and run as worker sessions, one per source job, each named
    C(<Job>\<Source>) with a job UID of its own. The module ties them to the job by name: a session of type
    V(ImmediateBackupCopyWorker) on the job''s backup server whose job name starts with C(<Job>\) and that was not
    there before the sync (the documentation gives no other link between them). The job counts as running while one
    of its workers runs; the copy job''s own session, which stays V(Working) at progress 0 for as long as the job is
    enabled, does not count. O(wait_for=completion) waits until every new worker has stopped and reports the worst
    result of them in RV(session), all of them in RV(worker_sessions).'
  - 'Job already running: no start request is sent, C(changed=false) and RV(session) is that run; with
    O(wait_for=completion) the module waits for that run to end and reports its result.'
  - 'Automatic retries: Veeam Backup & Replication retries a failed scheduled run by itself, as the job''s retry
    options say (RetrySpecified, RetryTimes, RetryTimeout), each retry a new session with C(is_retry=true);
    it does not retry a run started manually, and a start through Enterprise Manager counts as manual. When the run
    that the module followed ends V(Failed), RV(retry) says whether VBR will retry it: never a run this task
    started; a run it joined as already running if the job''s retry options are on and retries are left (Enterprise
    Manager does not say who started a run: a run started by hand in the console is not retried either). The module
    does not wait for retries itself; the user guide shows a recipe with M(seedops.veeam_em.veeam_em_session_info).'
  - 'When O(timeout) runs out the task fails with C(changed=true) if the start was sent, a message that says
    "Timed out after N s" and what it was waiting for, and the last RV(task) and RV(session) seen, so that a later
    task can keep tracking them.'
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.job_selector
  - seedops.veeam_em.wait
  - seedops.veeam_em.wait.wait_for
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.no_diff
attributes:
  check_mode:
    support: full
    details:
      - In check mode the module logs on, reads the job and its newest session, and logs off; it sends no start.
        C(changed) says whether the job would be started.
notes:
  - Starting a job needs an account with the Enterprise Manager Portal Administrator role.
  - Enterprise Manager learns about runs from the backup servers when it collects their data, by default every 15
    minutes. A new session, and the end of a run, may show only after the next collection. With
    O(wait_for=completion) set O(timeout) to the job's longest run plus two collection intervals (for example run
    time + 1800 s) and O(poll_interval) to 30 or 60 seconds; the default O(timeout=900) suits O(wait_for=start) only
    when the task or the new session shows within one collection interval.
  - Enterprise Manager expires an idle logon session after 15 minutes; during long waits the module keeps it alive by
    polling and logs on again if it expired anyway.
seealso:
  - module: seedops.veeam_em.veeam_em_job_info
  - name: Enterprise Manager REST API, starting a job
    description: The Veeam documentation of the start action and its task.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_jobs_id_actionstart.html
"""

EXAMPLES = r"""
- name: Back up the database server before patching, and stop if the backup fails
  seedops.veeam_em.veeam_em_job_start:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/em01-ca.pem
    name: DB Backup
    backup_server: vbr01.corp.example.com
    wait_for: completion
    timeout: 7200
    poll_interval: 30
  register: backup

- name: Report how it ended
  ansible.builtin.debug:
    msg: "{{ backup.session.name }}: {{ backup.session.result }} after {{ backup.elapsed }} s"

- name: Start several jobs, each once it is accepted (connection options set once)
  module_defaults:
    group/seedops.veeam_em.veeam_em:
      url: https://em01.example.com:9398
      username: CORP\backupadmin
      password: "{{ vault_em_password }}"
      ca_path: /etc/pki/em01-ca.pem
  block:
    - name: Start the nightly jobs
      seedops.veeam_em.veeam_em_job_start:
        name: "{{ item }}"
      loop:
        - Fileserver Backup
        - Exchange Backup
        - SQL Replication

- name: Fire and forget; keep the task handle
  seedops.veeam_em.veeam_em_job_start:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    id: 5658281f-625e-4627-89dd-d2a0c48be99e
    wait: false
  register: started

- name: Would the job be started? (check mode sends nothing)
  seedops.veeam_em.veeam_em_job_start:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    name: DB Backup
  check_mode: true
  register: would

- name: Join tonight's scheduled run of DB Backup (it is already running) and report its end
  seedops.veeam_em.veeam_em_job_start:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    name: DB Backup
    wait_for: completion
    timeout: 7200
    poll_interval: 60
  register: nightly
  ignore_errors: true

- name: If it failed and VBR will retry it, wait out the retries (newest session of the job, until one ends well)
  seedops.veeam_em.veeam_em_session_info:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    job_id: "{{ nightly.job.id }}"
    since: "{{ nightly.session.creation_time }}"
    limit: "{{ nightly.retry.times + 1 }}"
  register: runs
  until: >-
    runs.sessions[0].state == 'Stopped' and (runs.sessions[0].result != 'Failed'
    or (runs.sessions | selectattr('is_retry') | list | length) >= nightly.retry.times)
  retries: "{{ nightly.retry.times * (nightly.retry.timeout_minutes + 90) }}"
  delay: 60
  when: nightly is failed and nightly.retry.will_retry | default(false)
"""

RETURN = r"""
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "Job 'DB Backup' ran: session DB Backup@2026-11-29 20:00:24.003406 ended with result Success."
job:
  description:
    - The job, the same dict as an element of RV(seedops.veeam_em.veeam_em_job_info#module:jobs) (its keys are
      documented there).
    - V(null) when the job was not found (or the module failed before it looked).
  returned: always
  type: dict
task:
  description: The Enterprise Manager task of the start, as last seen; V(null) when no start was sent.
  returned: always
  type: dict
  contains:
    id:
      description: Task id, for example V(task-3).
      type: str
    href:
      description:
        - The task's URL. Enterprise Manager keeps a task only within the logon session that created it, so it cannot
          be polled after the module has logged off; follow the run with
          P(seedops.veeam_em.veeam_em_job_info#module) and O(seedops.veeam_em.veeam_em_job_info#module:include_last_session=true).
      type: str
    state:
      description: V(Running), V(OperationFinished) or V(Finished).
      type: str
    operation:
      description: V(StartJob) (VM and agent jobs), V(StartJobSync) for a backup copy job, V(StartNasJob) for a file share
        job.
      type: str
    success:
      description: Whether the task succeeded; V(null) while it runs.
      type: bool
    message:
      description: The task's message.
      type: str
session:
  description:
    - The job session (run) as last seen, the same dict as RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].last_session)
      (its keys are documented there).
    - V(null) when not known (O(wait_for=start) or O(wait=false)).
  returned: always
  type: dict
confirmed_by:
  description:
    - What confirmed that the start took effect. V(task) the start task reached V(Finished) with a successful
      result; V(task_result_and_session) the task showed a successful result while still in V(OperationFinished) and
      the job's new session was visible; V(session) the answer to the start request or its task was lost, and the
      job's new session showed the start.
    - V(null) when nothing was started by this task (the job was already running, check mode), or when with
      O(wait=false) the task had not finished at the one look.
  returned: always
  type: str
  choices: [task, task_result_and_session, session]
  sample: task
worker_sessions:
  description:
    - For an immediate backup copy job followed with O(wait_for=completion), every worker session of this sync, as
      last seen (the same dicts as RV(session)); RV(session) is the one with the worst result.
    - V(null) for every other job and wait.
  returned: always
  type: list
  elements: dict
retry:
  description:
    - Whether Veeam Backup & Replication will retry the followed run by itself, when that run ended V(Failed).
      V(null) in every other case (the run succeeded, warned, is still running, was not waited for, or the wait timed
      out).
    - RV(retry.specified), RV(retry.times) and RV(retry.timeout_minutes) are the job's retry options
      (JobScheduleOptions RetryOptions in the job entity, its RetrySpecified, RetryTimes, RetryTimeout), V(null) when the
      entity holds none (an immediate backup copy job's schedule has no retry options).
  returned: always
  type: dict
  contains:
    specified:
      description: RetrySpecified, whether the job's automatic retries are on.
      type: bool
    times:
      description: RetryTimes, how many times VBR retries a failed scheduled run.
      type: int
    timeout_minutes:
      description: RetryTimeout, the minutes VBR waits after a failure before it retries (the documentation gives no
        unit; the VBR console sets it in minutes).
      type: int
    will_retry:
      description:
        - V(false) for a run that this task started (a manual start, which VBR never retries), when the job's retries
          are off, and for a run that was its last retry.
        - V(true) for a run that this task joined as already running while the job's retries are on and retries are
          left; VBR then starts a new session with C(is_retry=true) after RV(retry.timeout_minutes) (unless
          someone had started the run by hand, which Enterprise Manager does not show).
        - V(null) when that cannot be known (no retry options; a joined retry whose earlier retries could not be read).
      type: bool
  sample:
    specified: true
    times: 3
    timeout_minutes: 10
    will_retry: true
elapsed:
  description: Seconds the module spent, from its start to its answer.
  returned: always
  type: float
  sample: 42.31
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import one_job_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_start import run_job_start
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    run_job_start(VeeamEmModule(**one_job_action()))


if __name__ == "__main__":
    main()
