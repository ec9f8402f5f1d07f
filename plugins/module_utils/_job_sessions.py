# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job sessions (one run of a job): the JobSession resource, the newest session of jobs in bulk.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._query import PAGE_SIZE, filter_all, filter_any, iter_query, query
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


# get_jobs_id.md: an immediate backup copy job (VBR 12 and 13 create every new backup copy job as one).
IMMEDIATE_COPY = "ImmediateBackupCopy"
# get_query_backupjobsession.md (13.1): its runs are sessions of this JobType, one per source job, named
# "<Job>\<Source>" and with a JobUid of their own (a hidden worker job), not the copy job's.
WORKER_JOB_TYPE = "ImmediateBackupCopyWorker"
# One query page of the newest worker sessions of a backup server: the worker sessions a sync starts are
# among them unless more than this many other workers started on that server since.
WORKER_PAGE = 100


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


def newest_sessions(em, job, limit):
    """The job's ``limit`` newest sessions, newest first (one request of one page)."""
    session_type = session_type_for(job.job_type)
    return [JobSession(element) for element in query(em, session_type, session_type, filter_any("JobUid", [job.uid]),
                                                     sort_desc="CreationTime", limit=limit)]


def latest_sessions(em, jobs):
    """{job uid: newest JobSession} for many jobs, in bulk (jobs that never ran are absent).

    Bounded whatever the depth of the history: each query reads one page only (newest first) of the sessions of
    at most UIDS_PER_QUERY jobs. A page that is not full was the whole answer, so every job of the query without
    a session on it never ran. A full page names the newest session of at least one job; the jobs still missing
    are asked again on their own (their older or rarer sessions, or none). Each request settles at least one job,
    so a look-up costs at most one request per UIDS_PER_QUERY jobs plus one per job, and usually one or two
    requests per UIDS_PER_QUERY jobs; never one per page of history.
    """
    newest = {}
    by_type = {}
    for job in jobs:
        by_type.setdefault(session_type_for(job.job_type), set()).add(job.uid)
    for session_type, uids in sorted(by_type.items()):
        ordered = sorted(uids)
        pending = [(ordered[start:start + UIDS_PER_QUERY], PAGE_SIZE)
                   for start in range(0, len(ordered), UIDS_PER_QUERY)]
        while pending:
            chunk, page_size = pending.pop(0)
            complete = _first_page(em, session_type, chunk, page_size, newest)
            missing = [uid for uid in chunk if uid not in newest]
            if complete or not missing:
                continue
            if len(missing) == len(chunk):
                # A full page without any of these jobs (not an answer EM gives): ask job by job, one session each.
                pending.extend(([uid], 1) for uid in missing)
                continue
            # Asked again on its own, one job needs one session only.
            pending.append((missing, PAGE_SIZE if len(missing) > 1 else 1))
    return newest


def _first_page(em, session_type, chunk, page_size, newest):
    """Read one page of the chunk's sessions, newest first, keeping each job's first; True when it was all."""
    seen = 0
    missing = set(chunk) - set(newest)
    for element in iter_query(em, session_type, session_type, filter_any("JobUid", chunk), sort_desc="CreationTime",
                              page_size=page_size):
        seen += 1
        job_uid = _xml.child_text(element, "JobUid")
        if job_uid in missing:
            newest[job_uid] = JobSession(element)
            missing.discard(job_uid)
        if seen >= page_size or not missing:
            # Stop before the generator fetches the next page.
            return not missing
    return True


class JobRuns(object):
    """How the runs of one job show in EM: its newest session, and whether it runs (``before`` below is a
    ``snapshot()``).

    A job's runs are the sessions with its UID, newest first. ``WorkerRuns`` covers immediate copy jobs.
    """

    def __init__(self, em, job):
        self.em = em
        self.job = job

    def snapshot(self):
        return latest_session(self.em, self.job)

    def running(self, before):
        """The run going on in ``before`` (a JobSession), or None."""
        return before if is_running(before) else None

    def new_runs(self, before):
        """The runs that were not there in ``before``, newest first (empty while none shows)."""
        current = latest_session(self.em, self.job)
        return [current] if is_new(current, before) else []

    def refresh(self, runs):
        """The given runs read again (one request each)."""
        return [get_session(self.em, run.href) for run in runs]


class WorkerRuns(JobRuns):
    """The runs of an immediate backup copy job: its worker sessions (``before`` is a list of them).

    The docs tie a worker to its copy job only by name: JobType ImmediateBackupCopyWorker and a Name (and
    JobName) "<Job>\\<Source>" (get_query_backupjobsession.md, 13.1); its JobUid is its own and the sync
    task has no Related link (post_jobs_id_actionsync.md). So a worker of this job is a session of that
    JobType on the job's backup server whose JobName starts with "<Job>\\". The copy job's own session
    (JobType ImmediateBackupCopy) stays Working for hours at Progress 0 (real v12 traffic): it is not a
    run and is never read here.
    """

    def snapshot(self):
        server_uid = "urn:veeam:BackupServer:%s" % self.job.data["backup_server_id"] \
            if self.job.data.get("backup_server_id") else None
        query_filter = filter_all("JobType==%s" % WORKER_JOB_TYPE,
                                  filter_any("BackupServerUid", [server_uid]) if server_uid else None)
        prefix = (self.job.name or "") + "\\"
        found = query(self.em, DEFAULT_SESSION_TYPE, DEFAULT_SESSION_TYPE, query_filter, sort_desc="CreationTime",
                      limit=WORKER_PAGE)
        return [session for session in (JobSession(element) for element in found)
                if (session.data["job_name"] or session.data["name"] or "").startswith(prefix)]

    def running(self, before):
        running = [session for session in before or () if is_running(session)]
        return running[0] if running else None

    def new_runs(self, before):
        known = set(session.uid for session in before or ())
        # Sessions older than the newest one seen before cannot be new (both times are EM's own clock).
        newest = max([session.data["creation_time"] or "" for session in before or ()] or [""])
        return [session for session in self.snapshot()
                if session.uid not in known and (session.data["creation_time"] or "") >= newest]


def job_runs(em, job):
    """The JobRuns of a job: WorkerRuns for an immediate backup copy job."""
    return WorkerRuns(em, job) if job.job_type == IMMEDIATE_COPY else JobRuns(em, job)


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
