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

# The three kinds of job EM serves, each from its own collection and query type
# (query_type.md: Job, AgentBackupJob, NasJob).
KIND_VM, KIND_AGENT, KIND_NAS = "vm", "agent", "nas"
# get_agents_jobs_id.md: JobType "AgentBackup", Platform AgentForLinux or AgentForWindows.
AGENT_BACKUP = "AgentBackup"
AGENT_PLATFORMS = ("AgentForWindows", "AgentForLinux")
# get_query_backupjobsession.md: a file share job's sessions have JobType "NasBackup"; the
# NASJob entity itself has no JobType element (get_nas_jobs_id.md).
NAS_BACKUP = "NasBackup"
# get_query_backupjobsession.md and get_backupsessions_id.md: the seven JobType values of a
# BackupJobSession, plus Replica (get_query_replicajobsession.md). The first four keep the
# order the simulator always used, so that < and > on JobType compare as before.
SESSION_JOB_TYPES = (BACKUP, REPLICA, BACKUP_COPY, IMMEDIATE_COPY, "ImmediateBackupCopyWorker", AGENT_BACKUP,
                     "AgentManagement", NAS_BACKUP)


@dataclass(frozen=True)
class JobKind:
    """What differs between the kinds: names, paths and Task Operations."""
    name: str
    uid_type: str  # urn:veeam:<uid_type>:<guid>
    collection: str  # path below /api
    entity_tag: str  # root element of the entity
    entity_type: str  # its Type attribute
    ref_type: str  # Type of its EntityRef / Ref
    list_tag: str  # root element of the ?format=Entity list (mapping_link_types_to_xml_schema.md)
    label: str  # for messages
    operations: tuple[tuple[str, str], ...]  # action -> Task Operation

    def operation(self, action: str) -> str | None:
        return dict(self.operations).get(action)


KINDS = {k.name: k for k in (
    # get_jobs_id.md, post_jobs_id_action*.md. clone is listed as a known action only: it answers 501.
    JobKind(KIND_VM, "Job", "jobs", "Job", "Job", "JobReference", "Jobs", "Job",
            (("start", "StartJob"), ("stop", "StopJob"), ("retry", "RetryJob"), ("sync", "StartJobSync"),
             ("toggleScheduleEnabled", "UpdateJob"), ("clone", "CloneJob"))),
    # agents_jobs_id.md, post_agents_jobs_id_action*.md (start is "StartJob", not StartAgentJob).
    JobKind(KIND_AGENT, "AgentBackupJob", "agents/jobs", "AgentBackupJob", "AgentBackupJob",
            "AgentBackupJobReference", "AgentBackupJobs", "Agent backup job",
            (("start", "StartJob"), ("stop", "StopAgentJob"), ("retry", "RetryAgentJob"),
             ("toggleScheduleEnabled", "UpdateJob"))),
    # nas_jobs_id.md (root <NASJob Type="NasJob">), post_nas_jobs_id_action*.md.
    JobKind(KIND_NAS, "NasJob", "nas/jobs", "NASJob", "NasJob", "NasJobReference", "NASJobs",
            "File share backup job",
            (("start", "StartNasJob"), ("stop", "StopNasJob"), ("retry", "RetryNasJob"),
             ("toggleScheduleEnabled", "UpdateJob"))),
)}

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
class Repository:
    """A backup repository (repositories_id.md): sizes in bytes, Kind from get_repositories_id.md."""
    id: str
    name: str
    server: BackupServer
    capacity: int
    free_space: int
    kind: str = "WindowsLocal"
    index: int = 0

    @property
    def uid(self) -> str:
        return f"urn:veeam:Repository:{self.id}"


@dataclass(eq=False)
class ObjectInJob:
    """An object a job processes: a VM (ObjectInJob), a protection group or computer
    (ObjectInAgentBackupJob) or a share path (NASObject, `name` = FileOrFolder)."""
    id: str
    name: str
    hierarchy_ref: str
    display_name: str | None = None
    order: int = 0
    file_server_uid: str = ""  # NASObject only


@dataclass(eq=False)
class Job:
    id: str
    name: str
    job_type: str  # AgentBackup for agent jobs, NasBackup (the session JobType) for file share jobs
    platform: str  # "" for file share jobs (their entity has no Platform)
    server: BackupServer
    description: str = ""
    kind: str = KIND_VM
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
    # RetryOptions of JobScheduleOptions (jobs_id.md, agents_jobs_id.md, nas_jobs_id.md samples: 3 retries,
    # RetryTimeout 10, RetrySpecified true). jobscheduleoptions.md gives no unit for RetryTimeout; the VBR
    # console's "Wait before each retry attempt for: N minutes" says minutes (Guess). ImmediateBackupCopy
    # jobs have no RetryOptions (get_jobs_id.md examples 2 and 3: ImmediateCopyMode only).
    retry_specified: bool = True
    retry_times: int = 3
    retry_timeout: int = 10
    # File share jobs: the backup repository their StorageOptions name (nas_jobs_id.md).
    repository: Repository | None = None
    # The type in the UID (urn:veeam:<uid_type>:<guid>); the catalog sets it from the kind
    # and the agent_job_uid_type setting.
    uid_type: str = ""
    # Filled in by the dataset loader.
    index: int = 0
    defaults: dict[str, Any] = field(default_factory=dict)
    next_run_wall: float | None = None
    ref_xml: str = ""
    entity_xml: str = ""
    query_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.uid_type:
            self.uid_type = KINDS[self.kind].uid_type

    @property
    def uid(self) -> str:
        return f"urn:veeam:{self.uid_type}:{self.id}"

    @property
    def spec(self) -> JobKind:
        return KINDS[self.kind]

    @property
    def collection(self) -> str:
        return KINDS[self.kind].collection

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
    # VBR's scheduler (or VBR's own automatic retry) started this run, not a client through EM: only such
    # runs get automatic retries (VBR user guide, "Job Retry"). retry_number: which automatic retry it is.
    scheduled: bool = False
    retry_number: int = 0
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
