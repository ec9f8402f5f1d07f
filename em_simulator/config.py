"""Start-up configuration and the tunable settings of the simulator.

Everything the EM documentation leaves open (the "Unknowns" list at the end of
/work/shared/reference/em_api.md) is a named setting here, so a test can switch
to the other plausible behaviour without editing code.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = "http://www.veeam.com/ent/v1.0"

# em_api.md §2: the three EM roles a REST account can hold. Only the Portal
# Administrator may see /jobs and act on jobs (§3 "Permissions").
ROLE_ADMIN = "Portal Administrator"
ROLE_USER = "Portal User"
ROLE_RESTORE = "Restore Operator"
ROLES = (ROLE_ADMIN, ROLE_USER, ROLE_RESTORE)


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str = ROLE_ADMIN

    @classmethod
    def parse(cls, spec: str) -> "User":
        """Parse NAME:PASSWORD:ROLE; the password may itself contain colons."""
        name, sep, rest = spec.partition(":")
        password, sep2, role = rest.rpartition(":")
        if not sep or not sep2 or not name:
            raise ValueError(f"user spec {spec!r} is not NAME:PASSWORD:ROLE")
        role = _canonical_role(role)
        return cls(name, password, role)


def _canonical_role(role: str) -> str:
    for known in ROLES:
        if known.lower() == role.strip().lower():
            return known
    raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")


DEFAULT_USERS = (
    User("admin", "Secr3t&P@ss:word", ROLE_ADMIN),
    User("portaluser", "User&P@ss:1", ROLE_USER),
)

# The settings that POST /_sim/config and Simulator.configure() may change at run
# time. reset() puts them back to the values the simulator was started with.
TUNABLE_DEFAULTS: dict[str, Any] = {
    # Task timeline (em_api.md §7): Running, then OperationFinished ("EM has not
    # collected the operation data yet"), then Finished.
    "task_running_s": 0.5,
    "task_collect_s": 0.5,
    # Job session timeline (em_api.md §8): Starting, Working, Stopped.
    "session_starting_s": 1.0,
    # Guess (unknown #9/#10): how long after a start the new session shows in the API (queries, lists,
    # GET). VBR creates it at once, but EM only shows it once it has collected it; 0 = at once. A client
    # that finds "the session this start created" without the task's Related link must cope with the lag.
    "session_visible_after_s": 0.0,
    # Guess: how long a session stays "Stopping" after ?action=stop (unknown #11).
    "session_stopping_s": 0.5,
    # em_api.md §2: "If the client sends no requests to the server for 15 minutes,
    # the current session token expires".
    "idle_timeout_s": 900.0,
    # Guess (unknown #5): start on a running job. "task_failed" = 202 + a Task that
    # ends Finished with Success="false"; "error_400" = an immediate 400 Error.
    "start_when_running": "task_failed",
    # Guess (unknown #6): stop on an idle job, retry when the last result was not
    # Failed. Same two choices as start_when_running.
    "stop_when_idle": "task_failed",
    "retry_when_not_failed": "task_failed",
    # Guess (unknown #11): the Result a session gets after ?action=stop.
    "stop_result": "Failed",
    "stop_failure_message": "Job has been stopped by user.",
    # Guess: status for an action the job type does not offer (start on a
    # BackupCopy job, sync on a Backup job). The docs only say which links exist.
    "wrong_action_status": 400,
    # get_jobs_id.md examples 2 and 3 (13.0.1): ImmediateBackupCopy jobs carry a Sync link. False is the
    # simulator's older guess (neither Start nor Sync, sync refused); the "vbr13" profile (the default)
    # sets True, the "classic" profile keeps False.
    "immediate_copy_sync": False,
    # get_query_backupjobsession.md (13.1): a sync of an ImmediateBackupCopy job runs as
    # ImmediateBackupCopyWorker sessions, one per source job, named "<Job>\<Source>" with their own JobUid.
    # Guess: one worker per linked job of the copy job, its JobUid urn:veeam:Job:<a GUID of its own> (a
    # hidden job that /jobs does not list), its outcome and duration the copy job's. False: the sync runs
    # as a session of the copy job itself, as before (see em_simulator/copyjobs.py).
    "copy_worker_sessions": False,
    # Real v12 traffic (issue 12): besides its workers, an immediate copy job has a parent
    # ImmediateBackupCopy session (the copy job's own JobUid) that stays Working for hours at Progress 0.
    # Guess: it started copy_parent_age_s before the simulator (or its last reset) and never ends.
    "copy_parent_session": False,
    "copy_parent_age_s": 6 * 3600.0,
    # post_jobs_id_actionsync.md: the sync task's documented answer rests in OperationFinished with
    # Result Success="true", Message OperationFinished, and no Related link. Guess: True = a successful
    # sync task never reaches Finished; False = it finishes like the other tasks.
    "sync_task_rests": False,
    # http_authentication.md: the logon response sets "X-RestSvcSessionId=<token>; Path=/api;" and, when
    # a request carries both the cookie and the header, EM uses the cookie. logon_cookie: send the
    # Set-Cookie; cookie_wins: a cookie (even a stale one) beats the header. With cookie_wins false
    # the header wins.
    "logon_cookie": True,
    "cookie_wins": True,
    # Collection lag (get_tasks_id.md: OperationFinished = "EM has not collected the operation data
    # yet"; Enterprise Manager collects from its backup servers on a schedule, by default every 15
    # minutes). collection_interval_s 0 = no lag. Otherwise EM shows the job sessions as they were at
    # its last collection: a new session appears, and a session's end shows, only at the next one, and
    # an action's task stays OperationFinished until the collection after the operation. Guess: one
    # collection for every backup server at once, every collection_interval_s / time_scale seconds
    # from the simulator's start (time_scale lets the 15 minutes pass in seconds in tests).
    "collection_interval_s": 0.0,
    "time_scale": 1.0,
    # VBR user guide, "Job Retry": VBR retries a scheduled run that failed, by the job's RetryOptions
    # (jobs_id.md: RetrySpecified, RetryTimes, RetryTimeout), each retry a new session with IsRetry true
    # (get_query_backupjobsession.md); it does not retry a run that was started or stopped manually, and a start
    # through EM (start, retry, sync) counts as manual. Guess: the retry starts RetryTimeout minutes after the failed
    # run ended, scaled by time_scale (RetryTimeout 10 passes in 1 s at time_scale 600), with the job's
    # duration_s and outcome; at most RetryTimes retries follow one scheduled run; a retry that comes due while the
    # job runs is dropped; the dataset's history is as written (only scheduled runs that end after the start or
    # reset are retried). Scheduled runs are the dataset's sessions and those of POST /_sim/scheduled-run.
    "scheduled_retry": True,
    # Guess (unknown #14): default page size and its cap for the query service.
    "query_default_page_size": 100,
    "query_max_page_size": 100,
    # Guess (unknown #13): PagesCount of an empty query result (0 or 1).
    "empty_query_pages_count": 0,
    # em_api.md §8: "/backupSessions only returns the sessions ... for the last 30 days".
    "session_list_days": 30,
    # Guess (unknown #3): status of a logon with an unsupported ?v= value.
    "unsupported_version_status": 400,
    # Guess: a logon POST without ?v= (Zabbix does this, em_api.md §1) is taken as
    # ?v=latest. False makes it an unsupported-version error.
    "logon_without_version_ok": True,
    # Guess (unknown #4): emit the XML declaration and the xsd/xsi namespace
    # declarations seen in some samples.
    "xml_declaration": True,
    "xsi_namespaces": True,
    # Guess: HTTP keep-alive idle timeout of a client connection, seconds.
    "keepalive_timeout_s": 120.0,
    # Fault defaults (contract "Fault rules").
    "html_fault_status": 502,
    "huge_fault_size_mb": 300,
    # Guess (a test setting): None = every Href the simulator writes starts with https://<the Host
    # the client used>. "scheme://host[:port][/path]" = every Href and Link in a body starts with that
    # instead, as when EM sits behind a TLS-offloading proxy or writes its own host name (the
    # get_agents.md sample itself shows Href="http://local.host:9399/api/agents").
    "link_base": None,
    # Guess: whether the Location headers (logon, task) follow link_base too.
    "link_base_location": False,
    # Guess: get_agents_jobs_id.md's entity example writes an agent job's UID
    # urn:veeam:AgentBackupJob:<guid>, its parameter table (and get_query_agentbackupjob.md's)
    # urn:veeam:Job:<guid>. "AgentBackupJob" follows the example, "Job" the tables.
    "agent_job_uid_type": "AgentBackupJob",
    # Guess: where the Up JobReference link of an agent or file share job's session points. The
    # docs show it only for VM jobs (backupsessions_id.md: /jobs/{ID}). "kind" = the job's own
    # collection (/agents/jobs/{ID}, /nas/jobs/{ID}); "jobs" = /jobs/{ID} for every kind, which the
    # simulator (like, perhaps, EM) answers 404 for a job that is not a VM job.
    "session_job_link": "kind",
    # Guess: security_roles_concept.md lists GET /nas/jobs/{ID}/backupSessions as available to a
    # Portal User but does not mention /agents/jobs/{ID}/backupSessions (a link of the agent job
    # entity with no page of its own) in either list. True lets a Portal User read it.
    "portal_user_agent_job_sessions": True,
    # Protection and history (em_simulator/protection.py).
    # Issue 12 item 4: captured v12 sessions show FailureMessage null on Failed and Warning sessions; the
    # reasons are in the task sessions. True writes the session's message (as the 2014 samples do); False
    # leaves <FailureMessage /> empty on every session, the reasons only in BackupTaskSession Reason.
    "session_failure_message": True,
    # Guess: backuptasksessions_id.md shows no Progress element in a task session; True adds one after Reason.
    "task_session_progress": False,
    # Guess: scenario_vm_restore.md writes a VmDisplayName attribute on VmRestorePoint, the newer
    # vmrestorepoints_id.md sample does not (the VM's name is then only in Name, "vm@time"). True writes it.
    "restore_point_vm_display_name": True,
    # Guess: quick backup of a VM that no backup job processes (the docs give no error). "task_failed" = 202 +
    # a Task that ends Finished with Success="false"; "error_400" = an immediate 400 Error.
    "quick_backup_no_job": "task_failed",
    # post_backupservers_id_quickbackup.md: the finished QuickBackup task links its BackupJobSession.
    "quick_backup_related_link": True,
    # Guess (em_api.md unknown #9): whether a finished start, retry or sync task links the session it started. The
    # single-task examples (scenario_starting_a_job.md, post_method.md, post_jobs_id_actionstart.md) show none, the
    # query example does; so both happen. On by default; each job can also turn it off (its related_link).
    "start_task_related_link": True,
    # The docs show DateTime filter values quoted (get_query_backupjobsession.md:
    # CreationTime>="2025-08-15T06:00:00Z"). "quoted" refuses an unquoted DateTime with 400; "any" takes both.
    "filter_datetime_form": "quoted",
    # Guess: /lookup?host= with a UID that is no hierarchy root. "empty" = an empty <HierarchyItems />;
    # "error_404" = a 404 Error.
    "lookup_unknown_host": "empty",
}

# link_base: a scheme, a host (and port), an optional path; no query, no trailing slash.
_LINK_BASE = re.compile(r"https?://[A-Za-z0-9.\-_]+(:\d{1,5})?(/[^\s?#\"<>&]*)?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")

_CHOICES = {
    "start_when_running": ("task_failed", "error_400"),
    "stop_when_idle": ("task_failed", "error_400"),
    "retry_when_not_failed": ("task_failed", "error_400"),
    "stop_result": ("Success", "Warning", "Failed"),
    "agent_job_uid_type": ("AgentBackupJob", "Job"),
    "session_job_link": ("kind", "jobs"),
    "quick_backup_no_job": ("task_failed", "error_400"),
    "filter_datetime_form": ("quoted", "any"),
    "lookup_unknown_host": ("empty", "error_404"),
}


def validate_setting(key: str, value: Any) -> Any:
    """Return the value coerced to the default's type, or raise ValueError."""
    if key not in TUNABLE_DEFAULTS:
        raise ValueError(f"unknown setting {key!r}")
    default = TUNABLE_DEFAULTS[key]
    if key == "link_base":
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not _LINK_BASE.fullmatch(value.rstrip("/")):
            raise ValueError("link_base must be null or scheme://host[:port][/path], e.g. http://em-internal.corp:9399")
        return value.rstrip("/")
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise ValueError(f"{key} must be one of {', '.join(_CHOICES[key])}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{key} must be a number")
        if value < 0:
            raise ValueError(f"{key} must not be negative")
        if key == "time_scale" and value <= 0:
            raise ValueError("time_scale must be positive")
        return type(default)(value)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


# Per-job settings that set_job() and POST /_sim/config {"jobs": ...} may change.
JOB_OVERRIDE_KEYS = ("duration_s", "outcome", "failure_message", "related_link", "schedule_enabled",
                     "retry_specified", "retry_times", "retry_timeout")
OUTCOMES = ("Success", "Warning", "Failed")


def validate_job_override(key: str, value: Any) -> Any:
    if key == "duration_s":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError("duration_s must be a non-negative number")
        return float(value)
    if key == "outcome":
        for known in OUTCOMES:
            if isinstance(value, str) and value.lower() == known.lower():
                return known
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
    if key == "failure_message":
        if not isinstance(value, str):
            raise ValueError("failure_message must be a string")
        return value
    if key in ("retry_times", "retry_timeout"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} must be a non-negative integer")
        return value
    if key in ("related_link", "schedule_enabled", "retry_specified"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    raise ValueError(f"unknown job setting {key!r}; expected one of {', '.join(JOB_OVERRIDE_KEYS)}")


@dataclass(init=False)
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    # Where ca.pem, server.pem and server.key live (created when missing). None =
    # a fresh temporary directory.
    tls_dir: str | None = None
    # Or bring your own files (all three together).
    ca_cert: str | None = None
    cert: str | None = None
    key: str | None = None
    dataset: str = "default"  # "default" | "generated"
    # A named set of settings (em_simulator/profiles.py) under the explicit ones; "vbr13" by default.
    profile: str = "vbr13"
    jobs: int = 1000  # generated dataset only
    servers: int = 3  # generated dataset only
    sessions_per_job: int = 1  # generated dataset only; more = deep, mixed history (datasets.build_generated)
    users: tuple[User, ...] = DEFAULT_USERS
    verbose: bool = False
    settings: dict[str, Any] = field(default_factory=dict)

    def __init__(self, **kwargs: Any) -> None:
        # Accept the tunable settings as plain keyword arguments too, e.g.
        # SimulatorConfig(task_running_s=0.1, idle_timeout_s=1).
        names = {f.name for f in dataclasses.fields(SimulatorConfig)}
        settings = dict(kwargs.pop("settings", None) or {})
        if "idle_timeout" in kwargs:
            settings["idle_timeout_s"] = kwargs.pop("idle_timeout")
        for key in list(kwargs):
            if key not in names:
                settings[key] = kwargs.pop(key)
        for f in dataclasses.fields(SimulatorConfig):
            if f.name == "settings":
                continue
            if f.name in kwargs:
                value = kwargs[f.name]
            elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
                value = f.default_factory()  # type: ignore[misc]
            else:
                value = f.default
            setattr(self, f.name, value)
        self.users = tuple(self.users)
        for u in self.users:
            _canonical_role(u.role)
        if self.dataset not in ("default", "generated"):
            raise ValueError("dataset must be 'default' or 'generated'")
        if (self.ca_cert, self.cert, self.key).count(None) not in (0, 3):
            raise ValueError("ca_cert, cert and key must be given together")
        from .profiles import PROFILES  # profiles.py imports this module
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {', '.join(sorted(PROFILES))}")
        self.settings = {k: validate_setting(k, v) for k, v in settings.items()}

    def tunables(self) -> dict[str, Any]:
        from .profiles import PROFILES
        merged = copy.deepcopy(TUNABLE_DEFAULTS)
        merged.update(PROFILES[self.profile])
        merged.update(self.settings)
        return merged
