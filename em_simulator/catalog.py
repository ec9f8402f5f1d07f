"""Backup servers, repositories and jobs: indexes, pre-rendered XML and cached list bodies.

The job entity does not carry run state (em_api.md §4), so each job's XML is
rendered once and re-rendered only when a job setting that shows in it changes.
Big list bodies are cached per base URL and dropped when any job changes.

Jobs come in three kinds (model.KINDS): VM jobs (/jobs, query type Job), Veeam Agent
backup jobs (/agents/jobs, AgentBackupJob) and file share backup jobs (/nas/jobs,
NasJob). Every kind has its own indexes; `jobs`, `jobs_by_name_ci` and
`jobs_by_server` are the VM kind's, as they always were.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any, Callable

from . import xmlout
from .clock import UTC, Clock, fmt_utc_whole
from .datasets import Dataset
from .model import KIND_AGENT, KIND_NAS, KIND_VM, KINDS, BackupServer, Job, Repository


class KindIndex:
    """The jobs of one kind and their look-up indexes."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.jobs: list[Job] = []
        self.by_name_ci: dict[str, list[Job]] = {}  # casefolded name
        self.by_server: dict[str, list[Job]] = {}

    def add(self, job: Job) -> None:
        job.index = len(self.jobs)
        self.jobs.append(job)
        self.by_name_ci.setdefault(job.name.casefold(), []).append(job)
        self.by_server.setdefault(job.server.id, []).append(job)


class Catalog:
    def __init__(self, dataset: Dataset, clock: Clock, settings: dict[str, Any]) -> None:
        self.clock = clock
        self.servers = list(dataset.servers)
        self.servers_by_id = {s.id: s for s in self.servers}
        self.repositories = list(dataset.repositories)
        for i, repo in enumerate(self.repositories):
            repo.index = i
        self.repositories_by_id = {r.id: r for r in self.repositories}
        self.all_jobs = list(dataset.jobs)
        self.kinds = {k: KindIndex(k) for k in KINDS}
        self.jobs_by_id: dict[str, Job] = {}  # every kind (the GUIDs differ)
        self.jobs_by_name: dict[str, list[Job]] = {}  # exact name, every kind (per-job overrides)
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], bytes] = {}
        self._immediate_copy_sync = bool(settings.get("immediate_copy_sync"))
        self._agent_uid_type = settings.get("agent_job_uid_type") or KINDS[KIND_AGENT].uid_type
        now_wall = clock.wall(clock.now())
        for job in self.all_jobs:
            if job.kind == KIND_AGENT:
                job.uid_type = self._agent_uid_type
            job.next_run_wall = _next_run(job, now_wall)
            job.defaults = {"duration_s": job.duration_s, "outcome": job.outcome,
                            "failure_message": job.failure_message, "related_link": job.related_link,
                            "schedule_enabled": job.schedule_enabled, "retry_specified": job.retry_specified,
                            "retry_times": job.retry_times, "retry_timeout": job.retry_timeout}
            self.kinds[job.kind].add(job)
            self.jobs_by_id[job.id] = job
            self.jobs_by_name.setdefault(job.name, []).append(job)
            self._render(job)
        vm = self.kinds[KIND_VM]
        # The VM kind's indexes under their historical names.
        self.jobs = vm.jobs
        self.jobs_by_name_ci = vm.by_name_ci
        self.jobs_by_server = vm.by_server

    # ---------------------------------------------------------------- render
    def _render(self, job: Job) -> None:
        next_run = None
        if job.next_run_wall is not None and job.schedule_configured and job.schedule_enabled:
            next_run = fmt_utc_whole(_dt.datetime.fromtimestamp(job.next_run_wall, UTC))
        job.ref_xml = xmlout.job_ref_body(job)
        if job.kind == KIND_AGENT:
            job.entity_xml = xmlout.agent_job_entity(job, next_run)
        elif job.kind == KIND_NAS:
            job.entity_xml = xmlout.nas_job_entity(job, next_run)
        else:
            job.entity_xml = xmlout.job_entity(job, next_run, self._immediate_copy_sync)
        job.query_fields = {
            "uid": job.uid,
            "name": job.name,
            "description": job.description,
            "nextrun": job.next_run_wall if next_run else None,
            "jobtype": job.job_type,
            "platform": job.platform,
            "scheduleconfigured": job.schedule_configured,
            "scheduleenabled": job.schedule_enabled,
            "backupserveruid": job.server.uid,
            "backupservername": job.server.name,
        }

    def changed(self, jobs: list[Job]) -> None:
        with self._lock:
            for job in jobs:
                self._render(job)
            self._cache.clear()

    def set_immediate_copy_sync(self, value: bool) -> None:
        if value != self._immediate_copy_sync:
            self._immediate_copy_sync = value
            self.changed([j for j in self.jobs if j.job_type == "ImmediateBackupCopy"])

    def set_agent_uid_type(self, value: str) -> None:
        if value != self._agent_uid_type:
            self._agent_uid_type = value
            agents = self.kinds[KIND_AGENT].jobs
            for job in agents:
                job.uid_type = value
            self.changed(agents)

    def restore_defaults(self) -> None:
        dirty = []
        for job in self.all_jobs:
            if any(getattr(job, k) != v for k, v in job.defaults.items()):
                for k, v in job.defaults.items():
                    setattr(job, k, v)
                dirty.append(job)
        if dirty:
            self.changed(dirty)

    # ---------------------------------------------------------------- lookup
    def job(self, job_id: str, kind: str | None = KIND_VM) -> Job | None:
        """The job with this GUID, of this kind (None = any kind)."""
        job = self.jobs_by_id.get(job_id.lower())
        if job is None or (kind is not None and job.kind != kind):
            return None
        return job

    def server(self, server_id: str) -> BackupServer | None:
        return self.servers_by_id.get(server_id.lower())

    def repository(self, repo_id: str) -> Repository | None:
        return self.repositories_by_id.get(repo_id.lower())

    # ----------------------------------------------------------------- cache
    def cached(self, key: str, base: str, build: Callable[[], str]) -> bytes:
        """Body for `key` with BASE replaced by `base`, built at most once per
        base until the next change."""
        with self._lock:
            body = self._cache.get((key, base))
            if body is None:
                if len(self._cache) >= 16:  # Host headers vary little; bound the memory anyway
                    self._cache.clear()
                body = build().replace(xmlout.BASE, base).encode("utf-8")
                self._cache[(key, base)] = body
            return body


def _next_run(job: Job, now_wall: float) -> float | None:
    if not job.has_next_run or job.daily_time is None:
        return None
    hh, mm = (int(x) for x in job.daily_time.split(":"))
    now = _dt.datetime.fromtimestamp(now_wall, UTC)
    local_midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    candidate = local_midnight + _dt.timedelta(hours=hh - job.utc_offset_h, minutes=mm)
    while candidate <= now:
        candidate += _dt.timedelta(days=1)
    while candidate - _dt.timedelta(days=1) > now:
        candidate -= _dt.timedelta(days=1)
    return candidate.timestamp()
