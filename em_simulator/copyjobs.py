"""Immediate backup copy jobs as EM 12 and 13 show them: worker sessions and the perpetual parent session.

get_jobs_id.md (examples 2 and 3): an ImmediateBackupCopy job has a Sync link and no Start link.
get_query_backupjobsession.md (13.1) lists the JobType ImmediateBackupCopyWorker, "child immediate backup
copy job session that processes restore points of a specific source backup job"; its sample names such
sessions "<Job>\\<Source>" and gives them a JobUid of their own, not the copy job's. Real v12 traffic also
shows the copy job's own session (JobType ImmediateBackupCopy) staying Working for hours at Progress 0.

Guesses (settings copy_worker_sessions, copy_parent_session, copy_parent_age_s in config.py):
- a sync starts one worker per source job (the copy job's linked jobs), all at once;
- a worker's job is a hidden job: JobUid urn:veeam:Job:<its own GUID>, JobName "<Job>\\<Source>", the copy
  job's backup server; /jobs does not list it and GET /jobs/{its id} is 404;
- a worker runs the copy job's duration and ends with its outcome (per-job overrides of the copy job apply);
- the copy job "runs" (a sync is refused as already running) while one of its workers runs; the parent
  session does not count;
- the parent session started copy_parent_age_s before the start (or the last reset) and never ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .datasets import guid
from .model import IMMEDIATE_COPY, Job, JobSession

if TYPE_CHECKING:
    from .state import SimState

WORKER = "ImmediateBackupCopyWorker"
# Long enough to outlast any test; its progress stays 0 (int(100 * 6 h / 10**9 s)).
_PARENT_DURATION_S = 1e9
_NEVER = float("inf")


def uses_workers(state: "SimState", job: Job) -> bool:
    return job.job_type == IMMEDIATE_COPY and bool(state.settings["copy_worker_sessions"])


def source_names(state: "SimState", copy: Job) -> list[str]:
    """The copy job's source jobs by name: a linked job include names the source job's UID."""
    names = []
    for obj in copy.includes:
        guid_part = obj.name.rsplit(":", 1)[-1]
        source = state.catalog.job(guid_part, None) if obj.name.startswith("urn:veeam:") else None
        names.append(source.name if source is not None else obj.name)
    return names or [copy.name]


def worker_job(state: "SimState", copy: Job, source: str) -> Job:
    wid = guid("worker", copy.id, source)
    job = state.hidden_jobs.get(wid)
    if job is None:
        job = Job(id=wid, name=f"{copy.name}\\{source}", job_type=WORKER, platform=copy.platform,
                  server=copy.server, description="", schedule_configured=False, schedule_enabled=False,
                  daily_time=None, has_next_run=False)
        state.hidden_jobs[wid] = job
        state.hidden_jobs_by_name_ci.setdefault(job.name.casefold(), []).append(job)
    return job


def running_workers(state: "SimState", copy: Job, now: float) -> list[JobSession]:
    found = []
    for source in source_names(state, copy):
        latest = state.latest_session(worker_job(state, copy, source))
        if latest is not None and latest.status(now).running:
            found.append(latest)
    return found


def start_workers(state: "SimState", copy: Job, now: float) -> list[JobSession]:
    """One new worker session per source job; the copy job's outcome and duration."""
    started = []
    for source in source_names(state, copy):
        worker = worker_job(state, copy, source)
        worker.duration_s, worker.outcome, worker.failure_message = copy.duration_s, copy.outcome, copy.failure_message
        started.append(state._start_session(worker, now, is_retry=False, count=False))
    return started


def add_parent_sessions(state: "SimState", now: float) -> None:
    """The perpetual parent session of every immediate copy job, hidden unless copy_parent_session is on."""
    state.parent_sessions = []
    for job in state.catalog.jobs:
        if job.job_type != IMMEDIATE_COPY:
            continue
        # Part of the dataset, like its history: the same id after every reset (a run a client starts gets a new
        # one per reset instead), so that reads before and after a reset compare.
        s = state._add_session(job, guid("parent", job.id), now - state.settings["copy_parent_age_s"],
                               _PARENT_DURATION_S, "Success", "", False)
        state.parent_sessions.append(s)
    show_parent_sessions(state, state.settings["copy_parent_session"])


def show_parent_sessions(state: "SimState", on: bool) -> None:
    for s in state.parent_sessions:
        s.visible_m = 0.0 if on else _NEVER
