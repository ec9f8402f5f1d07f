# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job sessions (one run of a job): the JobSession resource, the newest session of jobs in bulk.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_any, iter_query, query
from ansible_collections.seedops.veeam_em.plugins.module_utils._resource import Resource
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

STOPPED = "Stopped"
# Replica jobs have ReplicaJobSessions; every other job type EM lists has BackupJobSessions (em_api.md 8).
DEFAULT_SESSION_TYPE = "BackupJobSession"
_SESSION_TYPE_BY_JOB_TYPE = {"Replica": "ReplicaJobSession"}
# Every job session type: the types a Task's Related link may point to.
SESSION_TYPES = (DEFAULT_SESSION_TYPE,) + tuple(sorted(set(_SESSION_TYPE_BY_JOB_TYPE.values())))
# Job UIDs OR-ed in one query: keeps the URL well below common 8 KiB limits (a UID term is ~60 bytes).
UIDS_PER_QUERY = 40
# Above this many jobs, one unfiltered pass over the sessions (newest first) costs fewer requests than
# UIDS_PER_QUERY-sized filtered queries.
BULK_SCAN_THRESHOLD = 400


def session_type_for(job_type):
    return _SESSION_TYPE_BY_JOB_TYPE.get(job_type, DEFAULT_SESSION_TYPE)


class JobSession(Resource):
    """One run of a job, with the links EM gives it (Stop, Retry ... where offered)."""

    def __init__(self, element):
        super(JobSession, self).__init__(element, session_to_dict(element))

    @property
    def state(self):
        return self.data["state"]

    @property
    def result(self):
        return self.data["result"]

    @property
    def stopped(self):
        return self.data["state"] == STOPPED


def session_to_dict(element):
    result = _xml.child_text(element, "Result")
    return {
        "id": _xml.id_from_uid(element.get("UID")) or _xml.id_from_href(element.get("Href")),
        "uid": element.get("UID"),
        "name": element.get("Name"),
        "job_uid": _xml.child_text(element, "JobUid"),
        "job_name": _xml.child_text(element, "JobName"),
        "job_type": _xml.child_text(element, "JobType"),
        "state": _xml.child_text(element, "State"),
        # A running session reports Result "None" (em_api.md 8): that is "no result yet", i.e. null.
        "result": None if result in (None, "", "None") else result,
        "progress": _xml.to_int(_xml.child_text(element, "Progress")),
        "creation_time": _xml.utc_time(_xml.child_text(element, "CreationTimeUTC")),
        "end_time": _xml.utc_time(_xml.child_text(element, "EndTimeUTC")),
        "failure_message": _xml.child_text(element, "FailureMessage") or None,
        "is_retry": _xml.to_bool(_xml.child_text(element, "IsRetry")),
        "href": element.get("Href"),
    }


def is_running(session):
    return session is not None and not session.stopped


def is_new(session, before):
    """Whether ``session`` is a run that was not there when ``before`` was the newest one.

    Comparing ids rather than times makes this immune to clock skew between Ansible and Enterprise Manager.
    """
    return session is not None and (before is None or session.uid != before.uid)


def latest_session(em, job):
    """The newest session of one job (one request), or None when the job never ran."""
    session_type = session_type_for(job.job_type)
    found = query(em, session_type, session_type, filter_any("JobUid", [job.uid]), sort_desc="CreationTime", limit=1)
    return JobSession(found[0]) if found else None


def latest_sessions(em, jobs):
    """{job uid: newest JobSession} for many jobs, in bulk (jobs that never ran are absent)."""
    newest = {}
    by_type = {}
    for job in jobs:
        by_type.setdefault(session_type_for(job.job_type), set()).add(job.uid)
    for session_type, uids in sorted(by_type.items()):
        if len(uids) > BULK_SCAN_THRESHOLD:
            _scan(em, session_type, None, uids, newest)
        else:
            ordered = sorted(uids)
            for start in range(0, len(ordered), UIDS_PER_QUERY):
                chunk = ordered[start:start + UIDS_PER_QUERY]
                _scan(em, session_type, filter_any("JobUid", chunk), set(chunk), newest)
    return newest


def _scan(em, session_type, query_filter, wanted, newest):
    # Newest first, so the first session seen of a job is its newest; stop once every job has one.
    missing = set(wanted) - set(newest)
    for element in iter_query(em, session_type, session_type, query_filter, sort_desc="CreationTime"):
        job_uid = _xml.child_text(element, "JobUid")
        if job_uid in missing:
            newest[job_uid] = JobSession(element)
            missing.discard(job_uid)
            if not missing:
                return


def get_session(em, href):
    return JobSession(em.get(href))


def session_type_of(session):
    """The query type of a session, from its UID (urn:veeam:BackupJobSession:<guid>)."""
    parts = (session.uid or "").split(":")
    return parts[2] if len(parts) == 4 else DEFAULT_SESSION_TYPE


def get_sessions_by_uid(em, sessions):
    """{uid: fresh JobSession} for known sessions, in bulk: one query per UIDS_PER_QUERY sessions of a type."""
    by_type = {}
    for session in sessions:
        by_type.setdefault(session_type_of(session), set()).add(session.uid)
    fresh = {}
    for session_type, uids in sorted(by_type.items()):
        ordered = sorted(uids)
        for start in range(0, len(ordered), UIDS_PER_QUERY):
            for element in iter_query(em, session_type, session_type, filter_any("UID", ordered[start:start + UIDS_PER_QUERY])):
                session = JobSession(element)
                fresh[session.uid] = session
    return fresh
