# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Listing jobs: the logic behind veeam_em_job_info.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import latest_sessions
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector


def read_jobs(em, selector, params):
    jobs = selector.find_all(em, details=params["details"])
    if params["include_last_session"]:
        newest = latest_sessions(em, jobs)
        for job in jobs:
            session = newest.get(job.uid)
            job.data["last_session"] = session.data if session is not None else None
    return dict(changed=False, jobs=[job.data for job in jobs])


def run_job_info(module):
    """veeam_em_job_info's one call: check the options, log on, list, log off, exit."""
    module.run(lambda em, selector: read_jobs(em, selector, module.params),
               prepare=lambda: JobSelector.from_params(module.params), always=dict(jobs=None))
