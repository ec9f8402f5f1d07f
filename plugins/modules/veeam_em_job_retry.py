#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: veeam_em_job_retry
short_description: Retry a failed Veeam job through Enterprise Manager and wait for the retry to start or to complete
version_added: 0.2.0
description:
  - Finds one job of any kind by name or id and, when its newest session is V(Stopped) with result V(Failed), posts the
    job's Retry link through Veeam Backup Enterprise Manager. Enterprise Manager retries a job only when it finished
    with the Failed status, so in every other case the module sends nothing and returns C(changed=false) with a
    RV(msg) that says why (the job is running, its last result was V(Success) or V(Warning), or it never ran).
  - Exactly one of O(name) and O(id) is required.
  - The wait options mean the same as in P(seedops.veeam_em.veeam_em_job_start#module), and so do the return values.
  - A job that offers no Retry link fails, naming the actions the job offers.
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
      - In check mode the module reads the job and its newest session and sends no retry; C(changed) says whether the
        job would be retried.
notes:
  - Retrying a job needs an account with the Enterprise Manager Portal Administrator role.
seealso:
  - module: seedops.veeam_em.veeam_em_job_start
  - module: seedops.veeam_em.veeam_em_job_info
  - name: Enterprise Manager REST API, retrying a job
    description: The Veeam documentation of the retry action.
    link: https://helpcenter.veeam.com/docs/vbr/em_rest/post_jobs_id_actionretry.html
"""

EXAMPLES = r"""
- name: Retry the nightly backup if its last run failed, and wait for the retry to end
  seedops.veeam_em.veeam_em_job_retry:
    url: https://em01.example.com:9398
    username: CORP\backupadmin
    password: "{{ vault_em_password }}"
    ca_path: /etc/pki/em01-ca.pem
    name: Nightly Backup
    wait_for: completion
    timeout: 7200
  register: retry

- name: Say why nothing was retried
  ansible.builtin.debug:
    msg: "{{ retry.msg }}"
  when: retry is not changed
"""

RETURN = r"""
msg:
  description: What happened, or why nothing was sent, in one sentence.
  returned: always
  type: str
  sample: "The last run of job 'Nightly Backup' (session Nightly Backup@2026-11-29 20:00:24) ended with result Success,
    not Failed, so there is nothing to retry; nothing was sent."
job:
  description: The job, the same dict as RV(seedops.veeam_em.veeam_em_job_info#module:jobs); V(null) when not found.
  returned: always
  type: dict
task:
  description: The retry task as last seen, the same dict as RV(seedops.veeam_em.veeam_em_job_start#module:task);
    V(null) when no retry was sent.
  returned: always
  type: dict
session:
  description:
    - The job session as last seen, the same dict as RV(seedops.veeam_em.veeam_em_job_info#module:jobs[].last_session).
    - The retry's session with O(wait_for=completion); the newest session when nothing was sent; else V(null).
  returned: always
  type: dict
elapsed:
  description: Seconds the module spent, from its start to its answer.
  returned: always
  type: float
  sample: 12.5
"""

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import one_job_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_retry import run_job_retry
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    run_job_retry(VeeamEmModule(**one_job_action()))


if __name__ == "__main__":
    main()
