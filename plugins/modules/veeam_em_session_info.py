#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_session_info
short_description: Report Veeam job sessions (runs), VM by VM, through Enterprise Manager
version_added: 0.2.0
description:
  - Returns job sessions (runs) of every kind of job, newest first, narrowed by job, backup server, kind, result,
    state and age, with the processed objects (VMs, computers, shares) of each session on request.
  - Every filter is applied by Enterprise Manager's query service, so the number of requests follows the number of
    matching sessions (pages of 100), never the size of the history. Task sessions come in bulk, one query for up to 40
    sessions, never one request per session.
  - Works under a Portal User account, which may read sessions but not jobs; the job filters therefore go into the
    session query itself.
  - Never changes anything.
author:
  - seedops (@seedops)
extends_documentation_fragment:
  - seedops.veeam_em.connection
  - seedops.veeam_em.attributes
  - seedops.veeam_em.attributes.info_module
options:
  job_name:
    description:
      - Only sessions of the job of this exact name.
    type: str
  job_id:
    description:
      - Only sessions of the job with this GUID or UID.
    type: str
  backup_server:
    description:
      - Only sessions of jobs on this backup server, as Enterprise Manager shows it.
    type: str
  kind:
    description:
      - Only sessions of jobs of these kinds; all kinds by default (see RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].kind)).
    type: list
    elements: str
    choices: [vm, agent, file_share]
  result:
    description:
      - Only sessions that ended with one of these results.
    type: list
    elements: str
    choices: [Success, Warning, Failed]
  state:
    description:
      - Only sessions in one of these states.
    type: list
    elements: str
    choices: [Starting, Working, Stopping, Pausing, Resuming, Stopped]
  since:
    description:
      - Only sessions created at or after this time.
      - An ISO 8601 time such as V(2026-11-30T18:00:00Z) (UTC when it has no zone), or an age counted back from now on
        the controller's clock, such as V(30m), V(24h), V(7d) (units V(s), V(m), V(h), V(d), V(w)).
    type: str
  limit:
    description:
      - The most sessions to return (the newest ones).
    type: int
    default: 100
  include_tasks:
    description:
      - Add RV(sessions[].tasks), one entry per processed object, with its result and reason.
    type: bool
    default: false
seealso:
  - module: seedops.veeam_em.veeam_em_job_info
  - name: Enterprise Manager REST API, backup job sessions
    description: The Veeam documentation of the session query this module uses.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/get_query_backupjobsession.html
"""

EXAMPLES = r"""
- name: Every VM that failed last night, with the reason
  seedops.veeam_em.veeam_em_session_info:
    url: https://em01.example.com:9398
    username: CORP\backupviewer
    password: "{{ vault_em_password }}"
    result: [Failed, Warning]
    since: 24h
    include_tasks: true
  register: night

- name: Show them as a table
  ansible.builtin.debug:
    msg: >-
      {% for session in night.sessions %}{% for task in session.tasks if task.result != 'Success' %}
      {{ session.job_name }} | {{ task.name }} | {{ task.result }} | {{ task.reason }}
      {% endfor %}{% endfor %}

- name: The last 10 runs of one job
  seedops.veeam_em.veeam_em_session_info:
    url: https://em01.example.com:9398
    username: CORP\backupviewer
    password: "{{ vault_em_password }}"
    job_name: DB Backup
    limit: 10
"""

RETURN = r"""
sessions:
  description:
    - The matching sessions, newest first; an empty list when none matches.
    - Each has the keys of RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].last_session) (documented there), and
      those below.
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: GUID of the job.
      type: str
    kind:
      description: V(vm), V(agent) or V(file_share).
      type: str
    backup_server:
      description: Name of the backup server that ran the session.
      type: str
    tasks:
      description: One entry per processed object (VM, computer or share).
      returned: when O(include_tasks=true)
      type: list
      elements: dict
      contains:
        name:
          description: The object's name.
          type: str
        session_name:
          description: The task session's own name, C(<object>@<start time>).
          type: str
        state:
          description: V(Pending), V(InProgress) or V(Completed).
          type: str
        result:
          description: V(Success), V(Warning) or V(Failed).
          type: str
        reason:
          description: Why the object failed or warned; V(null) when none.
          type: str
        progress:
          description: Progress in percent, where Enterprise Manager gives it.
          type: int
        creation_time:
          description: Start time, ISO 8601 in UTC.
          type: str
        end_time:
          description: End time, ISO 8601 in UTC.
          type: str
        total_size:
          description: Size in bytes, where Enterprise Manager gives it.
          type: int
        job_session_uid:
          description: UID of the session the task belongs to.
          type: str
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule
from ansible_collections.seedops.veeam_em.plugins.module_utils._session_info import RESULTS, STATES, run_session_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import KIND_NAMES


def main():
    module = VeeamEmModule(
        argument_spec=dict(
            job_name=dict(type="str"),
            job_id=dict(type="str"),
            backup_server=dict(type="str"),
            kind=dict(type="list", elements="str", choices=list(KIND_NAMES)),
            result=dict(type="list", elements="str", choices=list(RESULTS)),
            state=dict(type="list", elements="str", choices=list(STATES)),
            since=dict(type="str"),
            limit=dict(type="int", default=100),
            include_tasks=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("job_name", "job_id")],
        supports_check_mode=True,
    )
    run_session_info(module)


if __name__ == "__main__":
    main()
