"""The mutable world: logon sessions, job sessions, tasks, settings, counters, faults.

One re-entrant lock guards it; request handlers are short, so contention is low.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import math
import secrets
import threading
import uuid
from collections import OrderedDict
from operator import attrgetter
from typing import Any, Iterator

from . import copyjobs
from .catalog import Catalog
from .clock import Clock, fmt_session_name_wall
from .config import (JOB_OVERRIDE_KEYS, ROLE_ADMIN, SimulatorConfig, User, validate_job_override,
                     validate_setting)
from .counters import Counters
from .datasets import Dataset, build_default, build_generated, guid
from .faults import FaultBook
from .model import (BACKUP, BACKUP_COPY, IMMEDIATE_COPY, KIND_VM, REPLICA, Job, JobSession, LogonSession,
                    Task)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Loading deep history creates a few hundred thousand objects at once; the cyclic collector would
    scan them again and again (it halves the start-up time of 10,000 jobs x 30 sessions)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# A session whose run ended this long ago is taken as settled (margin for the float sums of task slices).
_SETTLE_MARGIN_S = 1.0
_by_creation_key = attrgetter("creation_wall", "index")


def _settle_m(s: JobSession) -> float:
    """The monotonic time after which nothing of the session changes with time alone: it is visible and
    has ended (model.JobSession.status; its task sessions end by then, protection.Protection.task_status)."""
    natural = s.start_m + s.starting_s + s.duration_s
    end = s.stop_m + s.stopping_s if s.stop_m is not None and s.stop_m < natural else natural
    return max(s.visible_m, end) + _SETTLE_MARGIN_S


class ActionError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_ACTION_NAMES = {"start": "start", "stop": "stop", "retry": "retry", "sync": "sync",
                 "togglescheduleenabled": "toggleScheduleEnabled", "clone": "clone"}


class SimState:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.lock = threading.RLock()
        self.settings: dict[str, Any] = config.tunables()
        self.users = {u.name.casefold(): u for u in config.users}
        with _no_gc():
            self.dataset: Dataset = (build_generated(config.jobs, config.servers, config.sessions_per_job)
                                     if config.dataset == "generated" else build_default())
            self.catalog = Catalog(self.dataset, self.clock, self.settings)
            self.counters = Counters()
            self.faults = FaultBook()
            self.epoch = 0
            # The query service's answers (handlers/query.py), dropped by every mutation (mutated()).
            self.version = 0
            self.query_cache: OrderedDict[Any, tuple[float, list[Any]]] = OrderedDict()
            self._load_dynamic()
            # VMs, hierarchy roots, task sessions and restore points, derived from the jobs and sessions.
            from .protection import Protection
            self.protection = Protection(self)

    # ------------------------------------------------------------- lifecycle
    def _load_dynamic(self) -> None:
        now = self.clock.now()
        self.sessions: dict[str, JobSession] = {}
        self.sessions_by_job: dict[str, list[JobSession]] = {}
        self.session_list: list[JobSession] = []
        # Sessions that may still change with time (running, or not yet visible), by id.
        self._unsettled: dict[str, JobSession] = {}
        # Per session kind: (creation times, sessions) sorted by creation time then creation order.
        self._by_creation: dict[str, tuple[list[float], list[JobSession]]] = {}
        # Scheduled runs that may still fail, for VBR's automatic retries (setting scheduled_retry), by id.
        self._retry_watch: dict[str, JobSession] = {}
        for seed in sorted(self.dataset.seeds, key=lambda s: -s.age_s):
            seeded = self._add_session(seed.job, seed.id, now - seed.age_s, seed.duration_s, seed.outcome,
                                       seed.failure_message, seed.is_retry)
            # The dataset's runs are its jobs' scheduled runs; only those still running can fail from now on.
            seeded.scheduled = True
            if seeded.id in self._unsettled:
                self._retry_watch[seeded.id] = seeded
        # Collection lag (setting collection_interval_s) counts its collections from here.
        self.loaded_m = now
        # The hidden jobs of immediate copy workers (copyjobs.py), by GUID and by casefolded name.
        self.hidden_jobs: dict[str, Job] = {}
        self.hidden_jobs_by_name_ci: dict[str, list[Job]] = {}
        self.parent_sessions: list[JobSession] = []
        copyjobs.add_parent_sessions(self, now)
        self.tasks: dict[int, Task] = {}
        self._task_seq = 0
        self._run_seq = 0
        self.logons_by_token: dict[str, LogonSession] = {}
        self.logons_by_id: dict[str, LogonSession] = {}
        # Every session token issued since start or reset, so tests can search outputs for them.
        self.issued_tokens: list[str] = []

    def reset(self) -> None:
        """Contract: counters to zero, faults cleared, job state back to the
        dataset, logon sessions dropped. Settings and per-job overrides go back to
        the values the simulator was started with."""
        with self.lock:
            self.counters.reset()
            self.faults.clear()
            self.settings = self.config.tunables()
            self.catalog.set_immediate_copy_sync(self.settings["immediate_copy_sync"])
            self.catalog.set_agent_uid_type(self.settings["agent_job_uid_type"])
            self.catalog.restore_defaults()
            self.epoch += 1
            with _no_gc():
                self._load_dynamic()
            self.protection.reset()
            self.mutated()

    # ------------------------------------------------- query-service caches
    def mutated(self) -> None:
        """Every change of what a query may answer (a session added or stopped, a reset, settings, job overrides,
        and, as a safety net, every request other than GET: app.App) passes here: cached answers are dropped."""
        self.version += 1
        self.query_cache.clear()

    def stable_until(self, now: float, dynamic: bool) -> float:
        """The monotonic time until which, without a mutation, a query answered at `now` stays the same.
        `dynamic`: the query reads values that change with time alone (State, Result, EndTime, restore points);
        such an answer is kept only while no session is running or waiting to become visible. Otherwise only
        visibility changes with time (model.JobSession.visible)."""
        # Under collection lag the answer is the state as of the last collection, so it can change at the next one.
        until = self.next_collection(now) if self.settings["collection_interval_s"] > 0 else math.inf
        for sid, s in list(self._unsettled.items()):
            if _settle_m(s) <= now:
                del self._unsettled[sid]
                continue
            if dynamic:
                return now
            if s.visible_m > now:
                until = min(until, s.visible_m)
        return until

    def sessions_by_creation(self, kind: str) -> tuple[list[float], list[JobSession]]:
        """The sessions of one kind sorted by creation time (then creation order), with their times, for a
        bisect (CreationTime comparisons in the query service)."""
        found = self._by_creation.get(kind)
        if found is None:
            ordered = sorted((s for s in self.session_list if s.kind == kind), key=_by_creation_key)
            found = self._by_creation[kind] = ([s.creation_wall for s in ordered], ordered)
        return found

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        settings = dict(settings)
        jobs = settings.pop("jobs", None) or {}
        if not isinstance(jobs, dict):
            raise ValueError("'jobs' must map job names to settings")
        checked = {k: validate_setting(k, v) for k, v in settings.items()}
        checked_jobs = {name: self._check_job_overrides(name, o) for name, o in jobs.items()}
        with self.lock:
            self.settings.update(checked)
            self.mutated()
            if "immediate_copy_sync" in checked:
                self.catalog.set_immediate_copy_sync(checked["immediate_copy_sync"])
            if "agent_job_uid_type" in checked:
                self.catalog.set_agent_uid_type(checked["agent_job_uid_type"])
            if "copy_parent_session" in checked:
                copyjobs.show_parent_sessions(self, checked["copy_parent_session"])
            for name, overrides in checked_jobs.items():
                self._apply_job_overrides(name, overrides)
            return dict(self.settings)

    def set_job(self, name: str, overrides: dict[str, Any]) -> None:
        checked = self._check_job_overrides(name, overrides)
        with self.lock:
            self._apply_job_overrides(name, checked)

    def _check_job_overrides(self, name: str, overrides: Any) -> dict[str, Any]:
        if name not in self.catalog.jobs_by_name:
            raise KeyError(f"no job named {name!r}")
        if not isinstance(overrides, dict):
            raise ValueError(f"settings for job {name!r} must be an object")
        return {k: validate_job_override(k, v) for k, v in overrides.items()}

    def _apply_job_overrides(self, name: str, overrides: dict[str, Any]) -> None:
        self.mutated()
        jobs = self.catalog.jobs_by_name[name]
        rerender = False
        for job in jobs:
            for key, value in overrides.items():
                assert key in JOB_OVERRIDE_KEYS
                if key in ("schedule_enabled", "retry_specified", "retry_times", "retry_timeout") \
                        and getattr(job, key) != value:
                    rerender = True
                setattr(job, key, value)
        if rerender:
            self.catalog.changed(jobs)

    # --------------------------------------------------------- logon sessions
    def check_credentials(self, name: str, password: str) -> User | None:
        user = self.users.get(name.casefold())
        if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
            return None
        return user

    def logon(self, user: User) -> LogonSession:
        now = self.clock.now()
        # em_api.md §2: the token is opaque base64 and is NOT the SessionId GUID.
        token = base64.b64encode(secrets.token_bytes(16)).decode()
        ls = LogonSession(session_id=str(uuid.uuid4()), token=token, user=user.name, role=user.role,
                          created_m=now, last_seen_m=now)
        with self.lock:
            self.logons_by_token[token] = ls
            self.logons_by_id[ls.session_id] = ls
            self.issued_tokens.append(token)
        self.counters.bump("logons")
        return ls

    def authenticate(self, token: str | None) -> tuple[LogonSession | None, str]:
        """Return (session, "") or (None, reason) with reason missing|unknown|expired."""
        if not token:
            return None, "missing"
        with self.lock:
            ls = self.logons_by_token.get(token)
            if ls is None:
                return None, "unknown"
            now = self.clock.now()
            if ls.expired or now - ls.last_seen_m > self.settings["idle_timeout_s"]:
                self._drop_logon(ls, expired=True)
                return None, "expired"
            ls.last_seen_m = now
            return ls, ""

    def _drop_logon(self, ls: LogonSession, expired: bool) -> None:
        self.logons_by_token.pop(ls.token, None)
        self.logons_by_id.pop(ls.session_id, None)
        # em_api.md §7: tasks exist "within the currently existing logon session".
        for num in [n for n, t in self.tasks.items() if t.owner == ls.session_id]:
            del self.tasks[num]
        if expired:
            self.counters.bump("expired_sessions")
        else:
            self.counters.bump("logoffs")

    def expire_token(self, token: str | None) -> None:
        with self.lock:
            ls = self.logons_by_token.get(token or "")
            if ls is not None:
                ls.expired = True

    def expire_all(self) -> int:
        with self.lock:
            live = [ls for ls in self.logons_by_token.values() if not ls.expired]
            for ls in live:
                ls.expired = True
            return len(live)

    def logoff(self, ls: LogonSession, session_id: str) -> bool:
        with self.lock:
            if session_id.lower() != ls.session_id:
                return False
            self._drop_logon(ls, expired=False)
            return True

    def live_logons(self) -> list[LogonSession]:
        with self.lock:
            now = self.clock.now()
            timeout = self.settings["idle_timeout_s"]
            for ls in list(self.logons_by_token.values()):
                if ls.expired or now - ls.last_seen_m > timeout:
                    self._drop_logon(ls, expired=True)
            return list(self.logons_by_token.values())

    def counters_snapshot(self) -> dict[str, Any]:
        return self.counters.snapshot(len(self.live_logons()))

    @staticmethod
    def is_admin(ls: LogonSession) -> bool:
        return ls.role == ROLE_ADMIN

    # ----------------------------------------------------------- job sessions
    def _add_session(self, job: Job, sid: str, start_m: float, duration_s: float, outcome: str,
                     failure_message: str, is_retry: bool) -> JobSession:
        name = f"{job.name}@{fmt_session_name_wall(self.clock.wall(start_m))}"
        s = JobSession(id=sid, job=job, name=name, start_m=start_m,
                       creation_wall=self.clock.wall(start_m),
                       starting_s=self.settings["session_starting_s"], duration_s=duration_s,
                       outcome=outcome, failure_message=failure_message, is_retry=is_retry,
                       index=len(self.session_list))
        self.sessions[sid] = s
        self.sessions_by_job.setdefault(job.id, []).append(s)
        self.session_list.append(s)
        if _settle_m(s) > self.clock.now():
            # A new run always (its visible_m is set by the caller, later under the same lock).
            self._unsettled[sid] = s
        by_creation = self._by_creation.get(s.kind) if self._by_creation else None
        if by_creation is not None:
            if by_creation[0] and by_creation[0][-1] > s.creation_wall:
                del self._by_creation[s.kind]
            else:
                by_creation[0].append(s.creation_wall)
                by_creation[1].append(s)
        self.mutated()
        return s

    def latest_session(self, job: Job) -> JobSession | None:
        # The perpetual parent session of an immediate copy job (copyjobs.py) is not a run of its own.
        for s in reversed(self.sessions_by_job.get(job.id) or ()):
            if s not in self.parent_sessions:
                return s
        return None

    def hidden_job(self, job_id: str) -> Job | None:
        return self.hidden_jobs.get(job_id.lower())

    def shown_now(self, now: float) -> float:
        """The moment whose job sessions EM shows at ``now``: its last collection (settings
        collection_interval_s, time_scale), or ``now`` itself without collection lag."""
        interval = self.settings["collection_interval_s"] / self.settings["time_scale"]
        if interval <= 0:
            return now
        return self.loaded_m + ((now - self.loaded_m) // interval) * interval

    def next_collection(self, after: float) -> float:
        """The first collection after ``after`` (``after`` itself without collection lag)."""
        interval = self.settings["collection_interval_s"] / self.settings["time_scale"]
        if interval <= 0:
            return after
        return self.loaded_m + ((after - self.loaded_m) // interval + 1) * interval

    def session(self, sid: str) -> JobSession | None:
        return self.sessions.get(sid.lower())

    def _start_session(self, job: Job, now: float, is_retry: bool, count: bool = True) -> JobSession:
        self._run_seq += 1
        sid = guid("run", self.epoch, job.id, self._run_seq)
        message = job.failure_message
        if job.outcome != "Success" and not message:
            message = ("Error: simulated failure" if job.outcome == "Failed"
                       else "Warning: simulated warning")
        s = self._add_session(job, sid, now, job.duration_s, job.outcome, message, is_retry)
        s.visible_m = now + self.settings["session_visible_after_s"]
        if count:
            self.counters.start(job.name, job.kind)
        return s

    # ------------------------------------------------------------- the schedule
    def scheduled_run(self, name: str, server: str | None = None, kind: str | None = None,
                      overrides: dict[str, Any] | None = None) -> JobSession:
        """A run that the job's schedule starts now (POST /_sim/scheduled-run): not through EM, so VBR may
        retry it (setting scheduled_retry). ``overrides``: duration_s, outcome, failure_message of this run only."""
        checked = {k: validate_job_override(k, v) for k, v in (overrides or {}).items()}
        unknown = set(checked) - {"duration_s", "outcome", "failure_message"}
        if unknown:
            raise ValueError(f"a scheduled run takes duration_s, outcome and failure_message, not {', '.join(sorted(unknown))}")
        with self.lock:
            jobs = [j for j in self.catalog.jobs_by_name.get(name, [])
                    if (server is None or j.server.name == server) and (kind is None or j.kind == kind)]
            if len(jobs) != 1:
                raise KeyError(f"{len(jobs)} jobs named {name!r}; give server or kind" if jobs
                               else f"no job named {name!r}")
            job = jobs[0]
            now = self.clock.now()
            latest = self.latest_session(job)
            if latest is not None and latest.status(now).running:
                raise ValueError(f"job {name!r} is running; its schedule would not start it again")
            outcome = checked.get("outcome", job.outcome)
            message = checked.get("failure_message", job.failure_message if outcome == job.outcome else "")
            s = self._run_by_vbr(job, now, checked.get("duration_s", job.duration_s), outcome, message, 0)
            self.counters.bump("scheduled_runs")
            return s

    def _run_by_vbr(self, job: Job, start_m: float, duration_s: float, outcome: str, message: str,
                    retry_number: int) -> JobSession:
        self._run_seq += 1
        sid = guid("scheduled", self.epoch, job.id, self._run_seq)
        if outcome != "Success" and not message:
            message = "Error: simulated failure" if outcome == "Failed" else "Warning: simulated warning"
        s = self._add_session(job, sid, start_m, duration_s, outcome, message, retry_number > 0)
        s.scheduled = True
        s.retry_number = retry_number
        s.visible_m = start_m + self.settings["session_visible_after_s"]
        self._retry_watch[s.id] = s
        return s

    def _retry_due(self, s: JobSession, now: float) -> float | None:
        """When VBR retries the scheduled run ``s`` (monotonic time), or None when it never does."""
        status = s.status(now)
        job = s.job
        if (not self.settings["scheduled_retry"] or status.result != "Failed" or status.end_m is None
                # VBR user guide, "Job Retry": a run stopped manually is not retried.
                or s.stop_m is not None
                or job.job_type == IMMEDIATE_COPY or not job.retry_specified or s.retry_number >= job.retry_times):
            return None
        return status.end_m + job.retry_timeout * 60.0 / self.settings["time_scale"]

    def run_schedule(self) -> None:
        """Start the automatic retries that have come due (setting scheduled_retry). Called before every
        request, so that each retry exists, at its own start time, before anything can read the sessions."""
        if not self._retry_watch:
            return
        with self.lock:
            now = self.clock.now()
            # A retry that started in the past (no request came since it was due) may be due for its own retry.
            while self._start_due_retries(now):
                pass

    def _start_due_retries(self, now: float) -> bool:
        started = False
        for sid, s in list(self._retry_watch.items()):
            if s.status(now).running:
                continue
            due = self._retry_due(s, now)
            if due is not None and due > now:
                continue
            del self._retry_watch[sid]
            if due is None:
                continue
            latest = self.latest_session(s.job)
            if latest is not None and latest is not s and latest.status(now).running:
                continue  # Guess: a retry that comes due while the job runs is dropped.
            self._run_by_vbr(s.job, due, s.job.duration_s, s.job.outcome, s.job.failure_message,
                             s.retry_number + 1)
            self.counters.bump("automatic_retries")
            started = True
        return started

    # ------------------------------------------------------------------ tasks
    def _new_task(self, ls: LogonSession, operation: str, success: bool, message: str,
                  related: JobSession | None, now: float) -> Task:
        # Guess (unknown #8): one global task-N counter, reset by reset().
        self._task_seq += 1
        t = Task(num=self._task_seq, owner=ls.session_id, operation=operation, created_m=now,
                 running_s=self.settings["task_running_s"], collect_s=self.settings["task_collect_s"],
                 success=success, message=message, related=related)
        if self.settings["collection_interval_s"] > 0:
            # The operation's data reaches EM with the first collection after the operation.
            done = now + t.running_s
            t.collect_s = max(t.collect_s, self.next_collection(done) - done)
        if related is not None:
            # Finished means "the EM database contains the operation data" (em_api.md 7): a task that links
            # its session does not finish before EM shows that session.
            t.collect_s = max(t.collect_s, self.settings["session_visible_after_s"] - t.running_s)
        self.tasks[t.num] = t
        return t

    def task_for(self, ls: LogonSession, task_id: str) -> Task | None:
        tid = task_id.lower()
        if not tid.startswith("task-") or not tid[5:].isdigit():
            return None
        t = self.tasks.get(int(tid[5:]))
        if t is None or t.owner != ls.session_id:
            return None
        return t

    def tasks_of(self, ls: LogonSession) -> list[Task]:
        with self.lock:
            return [t for t in self.tasks.values() if t.owner == ls.session_id]

    def delete_task(self, ls: LogonSession, task_id: str) -> bool:
        with self.lock:
            t = self.task_for(ls, task_id)
            if t is None:
                return False
            del self.tasks[t.num]
            return True

    # ---------------------------------------------------------------- actions
    def job_action(self, ls: LogonSession, job: Job, action: str) -> Task:
        """start, stop, retry, sync, toggleScheduleEnabled on a job of any kind; the Task Operation
        names are each kind's documented ones (model.KINDS)."""
        spec = job.spec
        name = _ACTION_NAMES.get(action.lower())
        if name is None or spec.operation(name) is None:
            supported = ", ".join(a for a, _op in spec.operations)
            raise ActionError(400, f"Unknown action '{action}'. Supported actions: {supported}.")
        if name == "clone":
            raise ActionError(501, "The clone action is not implemented by the simulator.")
        with self.lock:
            self.counters.action(name, job.kind)
            now = self.clock.now()
            s = self.settings
            if job.kind == KIND_VM:
                allowed = {
                    "start": (BACKUP, REPLICA),
                    "stop": (BACKUP, REPLICA),
                    "retry": (BACKUP, REPLICA),
                    "sync": (BACKUP_COPY, IMMEDIATE_COPY) if s["immediate_copy_sync"] else (BACKUP_COPY,),
                    "toggleScheduleEnabled": (BACKUP, REPLICA, BACKUP_COPY, IMMEDIATE_COPY),
                }[name]
                if job.job_type not in allowed:
                    # Guess: the docs only say which links a job type has (get_jobs_id.md).
                    raise ActionError(s["wrong_action_status"],
                                      f"The '{name}' action is not available for job \"{job.name}\" "
                                      f"of type {job.job_type}.")
            operation = spec.operation(name) or ""
            if name == "toggleScheduleEnabled":
                # em_api.md §6: a blind toggle, Operation UpdateJob, Message "Ok" (the same for
                # post_agents_jobs_id_actiontogglescheduleenabled.md and the /nas/jobs page).
                job.schedule_enabled = not job.schedule_enabled
                self.catalog.changed([job])
                self.mutated()
                return self._new_task(ls, operation, True, "Ok", None, now)
            latest = self.latest_session(job)
            running = latest is not None and latest.status(now).running
            workers = copyjobs.uses_workers(self, job)
            if workers:
                running = bool(copyjobs.running_workers(self, job, now))
            if name in ("start", "sync", "retry") and running:
                return self._refuse(ls, operation, s["start_when_running"],
                                    f'Job "{job.name}" is already running.', now)
            if name == "retry" and (latest is None or latest.status(now).result != "Failed"):
                return self._refuse(ls, operation, s["retry_when_not_failed"],
                                    f'Job "{job.name}" cannot be retried: its last session did not fail.', now)
            if name == "stop":
                if not running or latest is None:
                    return self._refuse(ls, operation, s["stop_when_idle"],
                                        f'Job "{job.name}" is not running.', now)
                self._stop_session(latest, now)
                return self._new_task(ls, operation, True, f'Job "{job.name}" triggered to stop.', None, now)
            if workers:
                # copyjobs.py: the sync runs as worker sessions; the documented sync task has no Related link.
                copyjobs.start_workers(self, job, now)
                self.counters.start(job.name, job.kind)
                related = None
            else:
                session = self._start_session(job, now, is_retry=(name == "retry"))
                related = session if job.related_link and self.settings["start_task_related_link"] else None
            message = {
                "start": f'Job "{job.name}" triggered to start.',
                "retry": f'Job "{job.name}" triggered to retry.',
                # em_api.md §6: the documented sync result Message is "OperationFinished".
                "sync": "OperationFinished",
            }[name]
            task = self._new_task(ls, operation, True, message, related, now)
            if name == "sync" and s["sync_task_rests"]:
                # post_jobs_id_actionsync.md: the task rests in OperationFinished (setting sync_task_rests).
                task.collect_s = float("inf")
                task.related = None
            return task

    def session_stop(self, ls: LogonSession, session: JobSession) -> Task:
        with self.lock:
            self.counters.action("stopSession", session.job.kind)
            now = self.clock.now()
            if not session.status(now).running:
                return self._refuse(ls, "StopJobSession", self.settings["stop_when_idle"],
                                    f'Job Session "{session.name}" is not running.', now)
            self._stop_session(session, now)
            return self._new_task(ls, "StopJobSession", True,
                                  f'Job Session "{session.name}" triggered to stop.', None, now)

    def _stop_session(self, session: JobSession, now: float) -> None:
        session.stop_m = now
        session.stopping_s = self.settings["session_stopping_s"]
        session.stop_result = self.settings["stop_result"]
        session.stop_message = self.settings["stop_failure_message"] if session.stop_result != "Success" else ""
        self._unsettled[session.id] = session
        self.mutated()

    def _refuse(self, ls: LogonSession, operation: str, mode: str, message: str, now: float) -> Task:
        # Guess (unknowns #5-#7): either an immediate 400 Error or a 202 Task that
        # ends Finished with Success="false" and this message.
        if mode == "error_400":
            raise ActionError(400, message)
        return self._new_task(ls, operation, False, message, None, now)
