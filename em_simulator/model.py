"""The simulated objects and the rules that derive their state from time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# em_api.md §4: the four job types /jobs returns.
BACKUP = "Backup"
REPLICA = "Replica"
BACKUP_COPY = "BackupCopy"
IMMEDIATE_COPY = "ImmediateBackupCopy"
JOB_TYPES = (BACKUP, REPLICA, BACKUP_COPY, IMMEDIATE_COPY)

# em_api.md §8: the documented session states and results.
STARTING, STOPPING, WORKING, PAUSING, RESUMING, STOPPED = (
    "Starting", "Stopping", "Working", "Pausing", "Resuming", "Stopped")
SESSION_STATES = (STARTING, STOPPING, WORKING, PAUSING, RESUMING, STOPPED)
# em_api.md §5: "Result order is Success < Warning < Failed". Guess: None (a running
# session, CDP sample) comes first, as VBR numbers it -1.
SESSION_RESULTS = ("None", "Success", "Warning", "Failed")
PLATFORMS = ("VMware", "HyperV", "vCloud", "CustomPlatform")

TASK_RUNNING, TASK_OP_FINISHED, TASK_FINISHED = "Running", "OperationFinished", "Finished"


@dataclass(eq=False)
class BackupServer:
    id: str
    name: str
    description: str = ""
    port: int = 9392
    version: str = "13.0.1.1071"
    wcf_port: int = 9405
    thumbprint: str = ""

    @property
    def uid(self) -> str:
        return f"urn:veeam:BackupServer:{self.id}"


@dataclass(eq=False)
class ObjectInJob:
    id: str
    name: str
    hierarchy_ref: str
    display_name: str | None = None
    order: int = 0


@dataclass(eq=False)
class Job:
    id: str
    name: str
    job_type: str
    platform: str
    server: BackupServer
    description: str = ""
    schedule_configured: bool = True
    schedule_enabled: bool = True
    # Daily schedule "HH:MM" in the server's local time and its UTC offset in
    # hours; NextRun is derived from it (None = no NextRun element).
    daily_time: str | None = "22:00"
    utc_offset_h: int = 1
    has_next_run: bool = True
    includes: list[ObjectInJob] = field(default_factory=list)
    # Full (default dataset) or compact (generated dataset) JobScheduleOptions and
    # JobInfo bodies.
    rich: bool = True
    # Behaviour when started by a client.
    duration_s: float = 5.0
    outcome: str = "Success"
    failure_message: str = ""
    related_link: bool = True
    # Filled in by the dataset loader.
    index: int = 0
    defaults: dict[str, Any] = field(default_factory=dict)
    next_run_wall: float | None = None
    ref_xml: str = ""
    entity_xml: str = ""
    query_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        return f"urn:veeam:Job:{self.id}"

    @property
    def is_replica(self) -> bool:
        return self.job_type == REPLICA

    @property
    def session_kind(self) -> str:
        return "replica" if self.is_replica else "backup"


@dataclass(eq=False)
class JobSession:
    id: str
    job: Job
    name: str
    start_m: float
    creation_wall: float
    starting_s: float
    duration_s: float
    outcome: str
    failure_message: str
    is_retry: bool = False
    stop_m: float | None = None
    stopping_s: float = 0.0
    stop_result: str = "Failed"
    stop_message: str = ""
    index: int = 0  # creation order, used by the query service
    visible_m: float = 0.0  # before this monotonic time the API does not show the session

    def visible(self, now: float) -> bool:
        return now >= self.visible_m

    @property
    def is_replica(self) -> bool:
        return self.job.is_replica

    @property
    def kind(self) -> str:
        return self.job.session_kind

    @property
    def type_name(self) -> str:
        return "ReplicaJobSession" if self.is_replica else "BackupJobSession"

    @property
    def uid(self) -> str:
        return f"urn:veeam:{self.type_name}:{self.id}"

    @property
    def collection(self) -> str:
        return "replicaSessions" if self.is_replica else "backupSessions"

    def status(self, now: float) -> "SessionStatus":
        run_start = self.start_m + self.starting_s
        natural_end = run_start + self.duration_s
        if self.stop_m is not None and self.stop_m < natural_end:
            progress = _progress(self.stop_m, run_start, self.duration_s)
            end = self.stop_m + self.stopping_s
            if now >= end:
                return SessionStatus(STOPPED, self.stop_result, progress, end, self.stop_message)
            if now >= self.stop_m:
                return SessionStatus(STOPPING, "None", progress, None, "")
        if now < run_start:
            return SessionStatus(STARTING, "None", 0, None, "")
        if now < natural_end:
            return SessionStatus(WORKING, "None", _progress(now, run_start, self.duration_s), None, "")
        message = self.failure_message if self.outcome != "Success" else ""
        return SessionStatus(STOPPED, self.outcome, 100, natural_end, message)


def _progress(now: float, run_start: float, duration: float) -> int:
    if duration <= 0:
        return 99
    return max(0, min(99, int(100 * (now - run_start) / duration)))


@dataclass(frozen=True)
class SessionStatus:
    state: str
    result: str
    progress: int
    end_m: float | None
    failure_message: str

    @property
    def running(self) -> bool:
        return self.state != STOPPED


@dataclass(eq=False)
class Task:
    num: int
    owner: str  # SessionId of the logon session that created it (em_api.md §7)
    operation: str
    created_m: float
    running_s: float
    collect_s: float
    success: bool
    message: str
    related: JobSession | None = None

    @property
    def task_id(self) -> str:
        return f"task-{self.num}"

    def state(self, now: float) -> str:
        if now < self.created_m + self.running_s:
            return TASK_RUNNING
        if now < self.created_m + self.running_s + self.collect_s:
            return TASK_OP_FINISHED
        return TASK_FINISHED


@dataclass(eq=False)
class LogonSession:
    session_id: str
    token: str
    user: str
    role: str
    created_m: float
    last_seen_m: float
    expired: bool = False
