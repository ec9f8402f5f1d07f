# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared job selector options, checked before anything is sent, and the jobs they select.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

``name`` (exact) or ``id`` select one job; without them, modules that act on several jobs (stop, schedule)
select every job matching ``backup_server``, ``job_type`` and ``kind``, and at least one of those must be
given, so that no call acts on all jobs by accident (the argument spec's required_one_of says so too).
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._input_checks import refuse_empty
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import find_jobs, find_one_job, normalize_job_id


class JobSelector(object):
    def __init__(self, name=None, job_id=None, backup_server=None, job_types=None, kinds=None, several=False):
        refuse_empty((("name", name, "job name"), ("id", job_id, "job id (GUID or UID)"),
                      ("backup_server", backup_server, "backup server name")))
        if job_id is not None:
            normalize_job_id(job_id)
        if several and not (name or job_id or backup_server or job_types or kinds):
            raise VeeamEmInputError("Select the jobs to act on with name, id, backup_server, job_type or kind; "
                                    "acting on every job needs at least one of them, so that it never happens by "
                                    "accident.")
        self.name = name
        self.job_id = job_id
        self.backup_server = backup_server
        self.job_types = list(job_types or [])
        self.kinds = list(kinds or [])
        self.several = several

    @classmethod
    def from_params(cls, params, several=False):
        return cls(params.get("name"), params.get("id"), params.get("backup_server"), params.get("job_type"),
                   params.get("kind"), several=several)

    def find_one(self, em):
        return find_one_job(em, name=self.name, job_id=self.job_id, backup_server=self.backup_server,
                            kinds=self.kinds)

    def find_all(self, em, details=False):
        return find_jobs(em, name=self.name, job_id=self.job_id, backup_server=self.backup_server,
                         job_types=self.job_types, kinds=self.kinds, details=details)

    def select(self, em):
        """One job by name or id (a typed error when there is not exactly one), else every matching job."""
        if self.name or self.job_id:
            return [self.find_one(em)]
        return self.find_all(em)
