#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_job_info
short_description: List Veeam jobs of every kind (VM, Veeam Agent, file share) through Enterprise Manager
version_added: 0.1.0
description:
  - Returns the jobs that Veeam Backup Enterprise Manager knows on all its backup servers (VM backup, replica and
    backup copy jobs, Veeam Agent backup jobs and file share backup jobs), optionally narrowed by name, id, backup
    server, job type or kind, with their newest session and their schedule and objects on request.
  - Never changes anything.
  - Look-ups use the Enterprise Manager query service with a server-side filter, one query per kind, so their cost
    does not grow with the number of jobs; listing every job is one streamed request for the VM jobs and one paged
    query for each other kind.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.job_selector
  - seedops.veeam_em.job_selector.job_type
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.info_module
options:
  include_last_session:
    description:
      - Add RV(jobs[].last_session), the newest session (run) of each job. Fetched in bulk, not one request per job.
    type: bool
    default: false
  details:
    description:
      - Add RV(jobs[].schedule) (the job's schedule options) and RV(jobs[].includes) (the objects in the job).
    type: bool
    default: false
seealso:
  - module: seedops.veeam_em.veeam_em_job_start
  - name: Enterprise Manager REST API, jobs
    description: The Veeam documentation of the job resources this module reads.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/jobs.html
"""

EXAMPLES = r"""
- name: List all jobs
  seedops.veeam_em.veeam_em_job_info:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/em01-ca.pem
  register: all_jobs

- name: One job by name, with its newest session
  seedops.veeam_em.veeam_em_job_info:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    name: SQL Replication
    include_last_session: true
  register: sql

- name: Report the jobs whose last run failed (connection options set once for the whole group)
  module_defaults:
    group/seedops.veeam_em.veeam_em:
      url: https://em01.example.com:9398
      username: CORP\backupadmin
      password: "{{ vault_em_password }}"
      ca_path: /etc/pki/em01-ca.pem
  block:
    - name: Read every job with its newest session
      seedops.veeam_em.veeam_em_job_info:
        include_last_session: true
      register: report

    - name: Show the failed ones
      ansible.builtin.debug:
        msg: "{{ item.name }} on {{ item.backup_server }}: {{ item.last_session.failure_message }}"
      loop: "{{ report.jobs | selectattr('last_session') | selectattr('last_session.result', 'eq', 'Failed') | list }}"
      loop_control:
        label: "{{ item.name }}"

- name: Backup copy jobs of one backup server, with schedule and objects
  seedops.veeam_em.veeam_em_job_info:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    backup_server: vbr01.corp.example.com
    job_type: [BackupCopy]
    details: true
"""

RETURN = r"""
jobs:
  description: The matching jobs; an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The job's GUID.
      type: str
      sample: b04c217b-0538-4650-bec4-19deff4ea1ac
    uid:
      description: The job's UID.
      type: str
      sample: urn:veeam:Job:b04c217b-0538-4650-bec4-19deff4ea1ac
    name:
      description: Job name.
      type: str
      sample: SQL Replication
    kind:
      description: V(vm), V(agent) (a Veeam Agent backup job) or V(file_share) (a file share backup job).
      type: str
      sample: vm
    job_type:
      description:
        - Enterprise Manager's own job type. V(Backup), V(Replica), V(BackupCopy) or V(ImmediateBackupCopy) for kind
          V(vm); V(AgentBackup) for kind V(agent); V(NasBackup) for kind V(file_share).
      type: str
      sample: Replica
    platform:
      description: V(VMware), V(HyperV), V(vCloud) or V(CustomPlatform) for VM jobs; V(AgentForWindows) or V(AgentForLinux)
        for agent jobs; V(null) for file share jobs.
      type: str
      sample: VMware
    description:
      description: Job description (empty string when none).
      type: str
    backup_server:
      description: Name of the backup server that owns the job.
      type: str
      sample: srv02.tech.local
    backup_server_id:
      description: GUID of that backup server.
      type: str
    schedule_configured:
      description: Whether the job has a schedule.
      type: bool
    schedule_enabled:
      description: Whether the schedule is enabled (can be V(true) without a configured schedule).
      type: bool
    next_run:
      description: Next scheduled run, ISO 8601 in UTC; V(null) when none.
      type: str
      sample: "2026-12-01T17:00:00Z"
    href:
      description: The job's URL in the Enterprise Manager API.
      type: str
    last_session:
      description:
        - Newest session (run) of the job; V(null) when the job never ran (in the last 30 days Enterprise Manager keeps).
      returned: when O(include_last_session=true)
      type: dict
      contains:
        id:
          description: Session GUID.
          type: str
        uid:
          description: Session UID.
          type: str
        name:
          description: Session name, C(<job name>@<start time>).
          type: str
        job_uid:
          description: UID of the job.
          type: str
        job_name:
          description: Name of the job.
          type: str
        job_type:
          description: Type of the job as the session records it.
          type: str
        state:
          description: V(Starting), V(Working), V(Stopping), V(Pausing), V(Resuming) or V(Stopped).
          type: str
        result:
          description: V(Success), V(Warning) or V(Failed); V(null) while the session runs.
          type: str
        progress:
          description: Progress in percent.
          type: int
        creation_time:
          description: Start time, ISO 8601 in UTC.
          type: str
        end_time:
          description: End time, ISO 8601 in UTC; V(null) while the session runs.
          type: str
        failure_message:
          description:
            - Why the session failed or warned; V(null) when none.
            - When Enterprise Manager leaves it empty on a finished run that failed or warned, the modules that
              follow the run fill it in from the reasons of the run's task sessions (one per object).
          type: str
        is_retry:
          description: Whether the session is an automatic retry.
          type: bool
        href:
          description: The session's URL in the Enterprise Manager API.
          type: str
    schedule:
      description:
        - The job's schedule options (C(JobScheduleOptions) with snake_case keys); V(null) when EM has none.
        - Booleans and integers are typed as the Enterprise Manager documentation types them; every other value is text
          (a name of digits keeps its leading zeros). Fields that may repeat (C(days), C(months)) are always lists.
      returned: when O(details=true)
      type: dict
    includes:
      description: The objects in the job (C(ObjectInJob) entries with snake_case keys).
      returned: when O(details=true)
      type: list
      elements: dict
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import job_selector_argument_spec
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_info import run_job_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    module = VeeamEmModule(
        argument_spec=dict(
            job_selector_argument_spec(job_type=True),
            include_last_session=dict(type="bool", default=False),
            details=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    run_job_info(module)


if __name__ == "__main__":
    main()
