"""The case table of the reliability suite (test_reliability.py renders it into docs/reliability.md).

One ``Case`` per row: what is done (module, arguments, connection overrides, simulator faults and settings) and
what must come out (the module result and the simulator's counters). Every case is also checked for what no
case may do: leave a logon session open, start a job it should not, print a traceback, or let the password,
its Basic-auth form or any session token the simulator issued appear anywhere in the -vvv output or results.

Strings in ``args``, ``conn`` and ``faults`` may use these placeholders, filled in per run:
``{url}`` (the simulator), ``{host}``, ``{port}``, ``{ca_path}``, ``{closed_port}`` (a local port nothing listens
on), ``{marker_file}`` (a local file holding a unique marker string), ``{other_ca}`` (a CA bundle that did not
sign the simulator's certificate).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import quote

ADMIN_PASSWORD = "Secr3t&P@ss:word"
PORTAL_USER_PASSWORD = "User&P@ss:1"
WRONG_PASSWORD = "Wr0ng&P@ss:word"
USERS = {"admin": ADMIN_PASSWORD, "portaluser": PORTAL_USER_PASSWORD}


def secret_strings(tokens: Iterable[str]) -> dict[str, str]:
    """Every string that must never appear in any output, with a label for the failure message.

    The passwords of the simulator's accounts (and the wrong one the cases try), in plain, URL-encoded and
    XML-escaped form, their Basic-auth encodings for each account, and the given session tokens (plain and
    URL-encoded). Used by the reliability suite (test_reliability.py) and the capture tests (test_capture.py).
    """
    found: dict[str, str] = {}
    passwords = {"admin password": ADMIN_PASSWORD, "portal user password": PORTAL_USER_PASSWORD,
                 "wrong password": WRONG_PASSWORD}
    for label, password in passwords.items():
        found[password] = label
        found[quote(password, safe="")] = label + " (URL-encoded)"
        found[html.escape(password)] = label + " (XML-escaped)"
        for user in USERS:
            basic = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
            found[basic] = "%s (Basic auth of %s)" % (label, user)
    for index, token in enumerate(tokens, 1):
        found[token] = "session token #%d" % index
        found[quote(token, safe="")] = "session token #%d (URL-encoded)" % index
    return found


def secrets_in(text: str, secrets: dict[str, str]) -> list[str]:
    """The label of every secret of ``secrets`` (from secret_strings) that ``text`` contains."""
    return ["secret in the output: %s" % label for secret, label in secrets.items() if secret and secret in text]


# Settle the simulator's timelines quickly; every case starts from these (after a reset).
FAST_SETTINGS = {"task_running_s": 0.2, "task_collect_s": 0.2, "session_starting_s": 0.3}
FAST_JOBS = {"Quick Backup": {"duration_s": 1.0}}

QUERY = "^/api/query$"
JOB_LIST = "^/api/jobs$"
JOB_ACTION = "^/api/jobs/[^/]+$"
TASK = "^/api/tasks/"
SESSION = "^/api/(backup|replica)Sessions/"
ENTRY = "^/api/?$"


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    what: str
    expected: str
    module: str = "job_info"  # job_info | job_start
    args: dict[str, Any] = field(default_factory=dict)
    # Connection option overrides; None removes the option (the module's default applies).
    conn: dict[str, Any] = field(default_factory=dict)
    faults: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # -- expectations on the module result --
    failed: bool | None = False  # None: either, but then the check must say what is acceptable
    changed: bool | None = False
    msg: tuple[str, ...] = ()  # substrings of msg (case-sensitive)
    msg_absent: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # each must be in some warning; () means: no warning at all
    # -- expectations on the simulator counters --
    starts: dict[str, int] = field(default_factory=dict)  # starts_by_job, exactly
    logons: int | None = 1
    expired: int | None = 0
    failed_logons: int | None = 0
    requests: dict[str, int] = field(default_factory=dict)  # "METHOD /path prefix" -> exact count
    requests_total: int | None = None
    live_after: int = 0
    # -- bounds --
    max_duration_s: float | None = None  # the whole ansible-playbook run
    max_rss_mib: float | None = None  # peak RSS of the module process
    # extra checks: check(case_run) -> list of problems (strings)
    check: Callable[[Any], list[str]] | None = None
    runner: str = "single"  # single | concurrency | race | interrupt_sigterm | interrupt_sigkill | interrupt_sigint
    timeout_s: float = 90.0


def _session_result(expected_result: str) -> Callable[[Any], list[str]]:
    def check(run: Any) -> list[str]:
        session = run.result.get("session") or {}
        if session.get("state") != "Stopped" or session.get("result") != expected_result:
            return ["session should be Stopped/%s, got %s/%s"
                    % (expected_result, session.get("state"), session.get("result"))]
        return []
    return check


def _one_job(name: str) -> Callable[[Any], list[str]]:
    def check(run: Any) -> list[str]:
        jobs = run.result.get("jobs")
        if not isinstance(jobs, list) or [job.get("name") for job in jobs] != [name]:
            return ["jobs should be exactly [%r], got %r" % (name, [j.get("name") for j in jobs or []])]
        return []
    return check


def _at_least_logons(minimum: int) -> Callable[[Any], list[str]]:
    def check(run: Any) -> list[str]:
        counters = run.counters
        problems = []
        if counters["logons"] < minimum:
            problems.append("expected at least %d logons (re-logon after expiry), got %d"
                            % (minimum, counters["logons"]))
        if counters["logoffs"] != 1:
            problems.append("expected exactly 1 logoff (the last session), got %d" % counters["logoffs"])
        if counters["expired_sessions"] != counters["logons"] - 1:
            problems.append("every session but the last should have expired: logons %d, expired %d"
                            % (counters["logons"], counters["expired_sessions"]))
        return problems + _session_result("Success")(run)
    return check


def _at_most(run: Any, request_prefix: str, limit: int) -> list[str]:
    sent = sum(count for key, count in run.counters["requests"].items() if key.startswith(request_prefix))
    return [] if sent <= limit else ["%d requests %s..., at most %d expected" % (sent, request_prefix, limit)]


START_QUICK = {"name": "Quick Backup", "poll_interval": 0.5, "timeout": 60}
START_QUICK_COMPLETION = dict(START_QUICK, wait_for="completion")
INFO_DB = {"name": "DB Backup"}

CASES: list[Case] = [
    # ------------------------------------------------------------------------------------------- baselines
    Case("baseline-info", "Baseline", "job_info by name, with last session and details (no fault)",
         "ok, unchanged, one job; 1 logon, 1 logoff",
         args=dict(INFO_DB, include_last_session=True, details=True), check=_one_job("DB Backup")),
    Case("baseline-start-completion", "Baseline", "job_start, wait_for: completion (no fault)",
         "ok, changed, session Stopped/Success; the job started once",
         module="job_start", args=START_QUICK_COMPLETION, changed=True, starts={"Quick Backup": 1},
         check=_session_result("Success")),

    # ------------------------------------------------------------------------------------- transient faults
    Case("get-503-retried", "Transient faults", "HTTP 503 twice on the job look-up GET",
         "retried (3 GETs of the VM job query, then one query of each other job kind), ok",
         faults=({"method": "GET", "path": QUERY, "kind": "status", "status": 503, "times": 2},),
         args=INFO_DB, requests={"GET /api/query": 5}, check=_one_job("DB Backup")),
    Case("get-drop-retried", "Transient faults", "connection dropped without an answer on the job look-up GET",
         "retried (2 GETs of the VM job query, then one of each other kind), ok",
         faults=({"method": "GET", "path": QUERY, "kind": "drop"},),
         args=INFO_DB, requests={"GET /api/query": 4}, check=_one_job("DB Backup")),
    Case("get-503-persistent", "Transient faults", "HTTP 503 on every job look-up GET",
         "failed after 3 tries, msg names the status and EM's message",
         faults=({"method": "GET", "path": QUERY, "kind": "status", "status": 503, "times": None},),
         args=INFO_DB, failed=True, msg=("returned HTTP 503", "Simulated fault"), requests={"GET /api/query": 3}),
    Case("post-start-503", "Transient faults", "HTTP 503 on the start POST (refused before it took effect)",
         "not retried (1 POST); re-reads the sessions; failed, unchanged, 'not started'; 0 starts",
         module="job_start", args=START_QUICK,
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "status", "status": 503},),
         failed=True, msg=("Starting job 'Quick Backup' failed", "no new run appeared", "not started"),
         requests={"POST /api/jobs/": 1}),
    Case("post-start-drop", "Transient faults", "connection dropped on the start POST, before it took effect",
         "not retried (1 POST); failed, unchanged, 'not started'; 0 starts",
         module="job_start", args=START_QUICK,
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "drop"},),
         failed=True, msg=("Starting job 'Quick Backup' failed", "not started"), requests={"POST /api/jobs/": 1}),
    Case("post-start-drop-after-effect", "Transient faults",
         "connection dropped on the start POST after the job started; wait_for: completion",
         "not retried (1 POST); finds the new run, warns, follows it: ok, changed, Success; exactly 1 start",
         module="job_start", args=START_QUICK_COMPLETION,
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "drop", "after_effect": True},),
         changed=True, warnings=("but the job did start",), starts={"Quick Backup": 1},
         requests={"POST /api/jobs/": 1}, check=_session_result("Success")),
    Case("post-start-503-after-effect", "Transient faults", "HTTP 503 on the start POST after the job started",
         "not retried; finds the new run: ok, changed, warning; exactly 1 start",
         module="job_start", args=START_QUICK,
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "status", "status": 503, "after_effect": True},),
         changed=True, warnings=("but the job did start",), starts={"Quick Backup": 1},
         requests={"POST /api/jobs/": 1}),
    Case("post-start-slow-answer", "Transient faults",
         "start POST answered after request_timeout (EM starts the job 2 s later)",
         "not retried; the late run is found: ok, changed, warning; exactly 1 start",
         module="job_start", args=START_QUICK, conn={"request_timeout": 1},
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "latency", "seconds": 2.0},),
         changed=True, warnings=("but the job did start", "request_timeout=1"), starts={"Quick Backup": 1},
         requests={"POST /api/jobs/": 1}),
    Case("get-latency-timeout", "Transient faults", "job look-up GET answered after 3 s with request_timeout: 1",
         "failed fast (not retried), msg says timeout and names request_timeout",
         args=INFO_DB, conn={"request_timeout": 1},
         faults=({"method": "GET", "path": QUERY, "kind": "latency", "seconds": 3.0},),
         failed=True, msg=("request_timeout=1", "got no answer"), requests={"GET /api/query": 1},
         max_duration_s=12),
    Case("wait-poll-timeout-tolerated", "Transient faults",
         "one session poll slower than request_timeout during wait_for: completion",
         "the poll error is tolerated, ok, changed, Success; 1 start",
         module="job_start", args=START_QUICK_COMPLETION, conn={"request_timeout": 1},
         faults=({"method": "GET", "path": SESSION, "kind": "latency", "seconds": 1.5, "skip": 1},),
         changed=True, starts={"Quick Backup": 1}, check=_session_result("Success")),

    # ---------------------------------------------------------------------------------------- session expiry
    Case("expiry-mid-completion-wait", "Session expiry",
         "logon session expires while polling the job session (wait_for: completion)",
         "logs on again, ok, Success; 2 logons, old session expired, new one logged off",
         module="job_start", args=START_QUICK_COMPLETION, jobs={"Quick Backup": {"duration_s": 2.0}},
         faults=({"method": "GET", "path": SESSION, "kind": "expire_session", "skip": 1},),
         changed=True, starts={"Quick Backup": 1}, logons=2, expired=1, check=_session_result("Success")),
    Case("expiry-during-task-wait", "Session expiry",
         "logon session expires while polling the start task (wait_for: completion); EM tasks live in their "
         "logon session, so the task is gone after the re-logon",
         "logs on again and still follows the run it started: ok, changed, Success; 1 start; 2 logons",
         module="job_start", args=START_QUICK_COMPLETION,
         faults=({"method": "GET", "path": TASK, "kind": "expire_session"},),
         changed=True, starts={"Quick Backup": 1}, logons=2, expired=1, check=_session_result("Success")),
    Case("idle-timeout-mid-wait", "Session expiry",
         "EM idle timeout (0.8 s) shorter than the pause between polls (1 s early in a wait, then poll_interval 2 s)"
         " during wait_for: completion",
         "logs on again as often as needed, ok, Success; every old session expired, the last logged off",
         module="job_start", args=dict(START_QUICK_COMPLETION, poll_interval=2),
         settings={"idle_timeout_s": 0.8}, jobs={"Quick Backup": {"duration_s": 4.0}},
         changed=True, starts={"Quick Backup": 1}, logons=None, expired=None, check=_at_least_logons(2)),

    # ------------------------------------------------------------------------------ hostile/broken responses
    Case("malformed-xml", "Hostile or broken responses", "truncated XML answer to the job look-up",
         "failed, msg 'not well-formed XML'", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "malformed"},),
         failed=True, msg=("is not well-formed XML",)),
    Case("malformed-xml-during-wait", "Hostile or broken responses",
         "truncated XML answer to a session poll during wait_for: completion",
         "failed, but changed: true (the start was sent) with the task; 1 start",
         module="job_start", args=START_QUICK_COMPLETION,
         faults=({"method": "GET", "path": SESSION, "kind": "malformed", "skip": 1},),
         failed=True, changed=True, msg=("is not well-formed XML",), starts={"Quick Backup": 1}),
    Case("xxe-local-file", "Hostile or broken responses",
         "DOCTYPE with an external entity pointing at a local file, as the job look-up answer",
         "refused unread: failed, msg names DOCTYPE; the file's content appears nowhere", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "doctype_xxe", "entity_path": "{marker_file}"},),
         failed=True, msg=("DOCTYPE or entity declaration", "refused unread")),
    Case("xxe-entry-point", "Hostile or broken responses",
         "the same external entity in the entry point /api/ (before logon)",
         "refused unread: failed, no logon; the file's content appears nowhere", args=INFO_DB,
         faults=({"method": "GET", "path": ENTRY, "kind": "doctype_xxe", "entity_path": "{marker_file}"},),
         failed=True, msg=("DOCTYPE or entity declaration",), logons=0),
    Case("billion-laughs-query", "Hostile or broken responses", "entity expansion ('billion laughs') as a query answer",
         "refused before parsing: failed fast, module peak RSS < 100 MiB", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "billion_laughs"},),
         failed=True, msg=("DOCTYPE or entity declaration",), max_duration_s=15, max_rss_mib=100),
    Case("billion-laughs-job-list", "Hostile or broken responses",
         "entity expansion in the streamed job list (job_info without filter)",
         "refused before parsing: failed fast, module peak RSS < 100 MiB", args={},
         faults=({"method": "GET", "path": JOB_LIST, "kind": "billion_laughs"},),
         failed=True, msg=("DOCTYPE or entity declaration",), max_duration_s=15, max_rss_mib=100),
    Case("html-502-transient", "Hostile or broken responses", "one HTML 502 page from a proxy instead of XML",
         "retried, ok", args=INFO_DB, faults=({"method": "GET", "path": QUERY, "kind": "html"},),
         requests={"GET /api/query": 4}, check=_one_job("DB Backup")),
    Case("html-502-persistent", "Hostile or broken responses", "HTML 502 page from a proxy on every try",
         "failed after 3 tries; msg has the status, text/html and the page's words", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "html", "times": None},),
         failed=True, msg=("returned HTTP 502", "text/html", "Bad Gateway"), requests={"GET /api/query": 3}),
    Case("html-200-page", "Hostile or broken responses", "HTML page with HTTP 200 (captive portal) instead of XML",
         "failed, msg 'not well-formed XML' with the page's start", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "html", "status": 200},),
         failed=True, msg=("is not well-formed XML", "nginx")),
    Case("empty-body", "Hostile or broken responses", "empty 200 answer to the job look-up",
         "failed, msg 'empty body'", args=INFO_DB, faults=({"method": "GET", "path": QUERY, "kind": "empty"},),
         failed=True, msg=("has an empty body",)),
    Case("huge-body-document", "Hostile or broken responses", "100 MiB answer to the job look-up (a whole document)",
         "refused at 64 MiB: failed, module peak RSS < 256 MiB", args=INFO_DB,
         faults=({"method": "GET", "path": QUERY, "kind": "huge", "size_mb": 100},),
         failed=True, msg=("larger than 64 MiB",), max_rss_mib=256),
    Case("huge-body-job-list", "Hostile or broken responses",
         "100 MiB of well-formed non-job elements as the streamed job list (job_info without filter)",
         "refused, memory bounded like a whole document (module peak RSS < 256 MiB)", args={},
         faults=({"method": "GET", "path": JOB_LIST, "kind": "huge", "size_mb": 100},),
         failed=True, msg=("without a Job element",), max_rss_mib=256),

    # --------------------------------------------------------------------------------------------------- TLS
    Case("tls-default-refuses", "TLS", "validate_certs left at its default (true), no ca_path",
         "failed before logon; msg names ca_path and validate_certs", args=INFO_DB, conn={"ca_path": None},
         failed=True, msg=("CERTIFICATE_VERIFY_FAILED", "ca_path", "validate_certs"), logons=0),
    Case("tls-ca-path", "TLS", "ca_path set to the simulator's CA", "ok, no warning", args=INFO_DB,
         conn={"ca_path": "{ca_path}"}, check=_one_job("DB Backup")),
    Case("tls-validate-certs-false", "TLS", "validate_certs: false, no ca_path", "ok, with a warning",
         args=INFO_DB, conn={"ca_path": None, "validate_certs": False},
         warnings=("validate_certs is false",), check=_one_job("DB Backup")),
    Case("tls-wrong-ca", "TLS", "ca_path set to a CA bundle that did not sign the certificate",
         "failed before logon; msg names ca_path", args=INFO_DB, conn={"ca_path": "{other_ca}"},
         failed=True, msg=("CERTIFICATE_VERIFY_FAILED", "ca_path"), logons=0),
    Case("tls-ca-path-missing", "TLS", "ca_path pointing at a file that does not exist",
         "failed, clear msg naming ca_path and the path; no crash", args=INFO_DB,
         conn={"ca_path": "/nonexistent/em-ca.pem"},
         failed=True, msg=("ca_path", "/nonexistent/em-ca.pem"), logons=0),

    # --------------------------------------------------------------------------------------------- bad input
    Case("unknown-job", "Bad input", "job_start of a job name that does not exist",
         "failed, unchanged, msg 'No job named'; 0 starts", module="job_start",
         args={"name": "No Such Job"}, failed=True, msg=("No job named 'No Such Job'",)),
    Case("unknown-job-id", "Bad input", "job_start of a well-formed id that does not exist",
         "failed, msg 'No job with id'", module="job_start",
         args={"id": "00000000-0000-4000-8000-000000000000"}, failed=True,
         msg=("No job with id 00000000-0000-4000-8000-000000000000",)),
    Case("ambiguous-name", "Bad input", "job_start of a name two backup servers share",
         "failed, msg lists both servers and suggests backup_server; 0 starts", module="job_start",
         args={"name": "Fileserver Backup"}, failed=True,
         msg=("2 jobs are named 'Fileserver Backup'", "vbr01.tech.local", "vbr02.tech.local", "backup_server")),
    Case("name-and-id", "Bad input", "job_start with both name and id",
         "failed before any request, msg 'mutually exclusive'", module="job_start",
         args={"name": "Quick Backup", "id": "00000000-0000-4000-8000-000000000000"},
         failed=True, msg=("mutually exclusive", "name|id"), logons=0, requests_total=0),
    Case("neither-name-nor-id", "Bad input", "job_start with neither name nor id",
         "failed before any request, msg 'one of the following is required'", module="job_start", args={},
         failed=True, msg=("one of the following is required: name, id",), logons=0, requests_total=0),
    Case("malformed-id", "Bad input", "job_start with an id that is not a GUID",
         "failed before any request, msg 'is not a job id'", module="job_start", args={"id": "12345"},
         failed=True, msg=("'12345' is not a job id",), logons=0, requests_total=0),
    Case("malformed-id-info", "Bad input", "job_info with an id that is not a GUID",
         "failed before any request, msg 'is not a job id'", args={"id": "job-42"},
         failed=True, msg=("'job-42' is not a job id",), logons=0, requests_total=0),
    Case("unreachable-url", "Bad input", "url whose host does not resolve (em.invalid)",
         "failed (after retries), msg 'Could not connect' with the host", args=INFO_DB,
         conn={"url": "https://em.invalid:9398"}, failed=True, msg=("Could not connect", "em.invalid"),
         logons=0, max_duration_s=30),
    Case("wrong-port", "Bad input", "url with a port nothing listens on",
         "failed, msg 'Could not connect' and mentions the port", args=INFO_DB,
         conn={"url": "https://{host}:{closed_port}"}, failed=True,
         msg=("Could not connect", "{closed_port}", "port 9398"), logons=0, requests_total=0),
    Case("url-with-path", "Bad input", "url with a path (https://host:port/api/v1)",
         "failed before any request, msg names the path", args=INFO_DB, conn={"url": "{url}/api/v1"},
         failed=True, msg=("has the path '/api/v1'",), logons=0, requests_total=0),
    Case("url-with-credentials", "Bad input", "url with user:password@ in it",
         "failed before any request; msg does not repeat the URL's password", args=INFO_DB,
         conn={"url": "https://ops:Url-Secret-42@{host}:{port}"}, failed=True,
         msg=("must not contain credentials",), msg_absent=("Url-Secret-42",), logons=0, requests_total=0),
    Case("url-with-credentials-http", "Bad input",
         "http:// url with user:password@ in it, the password holding an '@' (refused for its scheme first)",
         "failed before any request; msg repeats no part of the URL's password (userinfo stripped up to the "
         "last '@')", args=INFO_DB, conn={"url": "http://ops:Se@cret-Url-77@{host}:{port}"}, failed=True,
         msg=("https",), msg_absent=("cret-Url-77", "Se@cret"), logons=0, requests_total=0),
    Case("negative-timeout", "Bad input", "job_start with timeout: -5", "failed before any request, clear msg",
         module="job_start", args={"name": "Quick Backup", "timeout": -5}, failed=True,
         msg=("timeout must be 0 or more seconds", "-5"), logons=0, requests_total=0),
    Case("negative-poll-interval", "Bad input", "job_start with poll_interval: -1",
         "failed before any request, clear msg", module="job_start",
         args={"name": "Quick Backup", "poll_interval": -1}, failed=True,
         msg=("poll_interval must be a positive, finite number",), logons=0, requests_total=0),
    Case("zero-request-timeout", "Bad input", "request_timeout: 0", "failed before any request, clear msg",
         args=INFO_DB, conn={"request_timeout": 0}, failed=True,
         msg=("request_timeout must be a number of seconds above 0",), logons=0, requests_total=0),
    Case("unsupported-api-version", "Bad input", "api_version: v2_0", "failed before any request, lists the choices",
         args=INFO_DB, conn={"api_version": "v2_0"}, failed=True,
         msg=("api_version", "v2_0", "latest, v1_5, v1_6, v1_7"), logons=0, requests_total=0),

    # ---------------------------------------------------------------------------------- authentication/roles
    Case("wrong-password", "Authentication and roles", "wrong password (EM answers 401)",
         "failed, msg says logon refused and to check username and password", args=INFO_DB,
         conn={"password": WRONG_PASSWORD}, failed=True,
         msg=("Logon to Enterprise Manager as", "admin", "was refused (HTTP 401)", "check username and password"),
         logons=0, failed_logons=1),
    Case("missing-password", "Authentication and roles", "username without password",
         "failed before logon, msg says both are required", args=INFO_DB, conn={"password": None},
         failed=True, msg=("username and password are required",), logons=0),
    Case("portal-user-info", "Authentication and roles", "job_info as a Portal User (EM answers 403)",
         "failed, msg names the Portal Administrator role; session closed", args=INFO_DB,
         conn={"username": "portaluser", "password": PORTAL_USER_PASSWORD}, failed=True,
         msg=("HTTP 403", "Portal Administrator")),
    Case("portal-user-list", "Authentication and roles", "job_info without filter as a Portal User (no JobList link)",
         "failed, msg names the Portal Administrator role", args={},
         conn={"username": "portaluser", "password": PORTAL_USER_PASSWORD}, failed=True,
         msg=("Portal Administrator",)),
    Case("portal-user-start", "Authentication and roles", "job_start as a Portal User",
         "failed, unchanged, msg names the role; 0 starts", module="job_start", args=START_QUICK,
         conn={"username": "portaluser", "password": PORTAL_USER_PASSWORD}, failed=True,
         msg=("HTTP 403", "Portal Administrator")),

    # ------------------------------------------------------------------------------------------- concurrency
    Case("concurrency-20-forks", "Concurrency",
         "20 hosts at once (forks 20): 10 job_info of all kinds, 10 job_start (wait_for: completion) of 10 "
         "different jobs", "all 20 ok; each of the 10 jobs started exactly once; 20 logons, 20 logoffs",
         runner="concurrency", changed=None, logons=20, timeout_s=150),
    Case("concurrency-same-job-race", "Concurrency",
         "5 hosts start the same idle job at once (start POSTs delayed 1 s so that all read 'idle' first)",
         "exactly 1 start; 1 host changed; the others changed: false (EM refused: already running)",
         runner="race", changed=None, failed=None, logons=5, starts={"DB Backup": 1},
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "latency", "seconds": 1.0, "times": None},),
         timeout_s=120),

    # ---------------------------------------------------------------------------------------------- interrupt
    Case("sigterm-module-during-wait", "Interrupt",
         "SIGTERM to the module process during wait_for: completion of a 60 s job",
         "the module logs off and fails with a msg naming SIGTERM; changed: true (the job was started)",
         module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120), jobs={"Quick Backup": {"duration_s": 60}},
         runner="interrupt_sigterm", failed=True, changed=True, msg=("SIGTERM", "logged off"),
         starts={"Quick Backup": 1}),
    Case("sigterm-twice-during-logoff", "Interrupt",
         "SIGTERM to the module during the wait, and again 0.5 s later while its logoff is under way (the logoff "
         "answer is delayed 1.5 s); systemd's default KillMode=control-group signals every process of the unit, "
         "so the module gets it directly and once more from ansible's worker",
         "the second SIGTERM does not abort the logoff: session closed, no 'logging off failed' warning, msg "
         "names SIGTERM", module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120),
         jobs={"Quick Backup": {"duration_s": 60}},
         faults=({"method": "DELETE", "path": "^/api/logonSessions/", "kind": "latency", "seconds": 1.5},),
         runner="interrupt_sigterm_twice", failed=True, changed=True, msg=("SIGTERM",), starts={"Quick Backup": 1}),
    Case("sigterm-playbook-during-wait", "Interrupt",
         "SIGTERM to ansible-playbook (a cancelled CI job, `timeout`, `kill`) during wait_for: completion",
         "ansible-playbook passes the signal on to the module's process group; the module logs off",
         module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120), jobs={"Quick Backup": {"duration_s": 60}},
         runner="interrupt_playbook_sigterm", failed=None, changed=None, starts={"Quick Backup": 1}),
    Case("sigint-playbook-during-wait", "Interrupt",
         "Ctrl-C (SIGINT to ansible-playbook's process group) during wait_for: completion",
         "ansible-playbook passes SIGINT on to the module; KeyboardInterrupt unwinds it and it logs off",
         module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120), jobs={"Quick Backup": {"duration_s": 60}},
         runner="interrupt_playbook_sigint", failed=None, changed=None, starts={"Quick Backup": 1}),
    Case("sigkill-module-during-wait", "Interrupt",
         "SIGKILL to the module process during a wait (cannot be caught: documents the limit)",
         "the session stays open (live 1) until EM's idle timeout expires it (here 3 s); nothing else can "
         "log it off", module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120),
         jobs={"Quick Backup": {"duration_s": 60}}, settings={"idle_timeout_s": 3.0},
         runner="interrupt_sigkill", failed=None, changed=None, starts={"Quick Backup": 1},
         logons=1, expired=1),
    # ------------------------------------------------------------------------------- found by a hostile first use
    Case("links-foreign-origin", "Links",
         "EM writes every link with http:// and another host and port (a TLS-offloading proxy, or EM's own host "
         "name): the logon link and all later links point at a local port nothing listens on",
         "every link is re-based onto the configured url: ok, one job; the password and token never leave it",
         args=INFO_DB, settings={"link_base": "http://127.0.0.1:{closed_port}"}, check=_one_job("DB Backup")),
    Case("links-foreign-origin-start", "Links", "the same, for a job_start with wait_for: completion",
         "ok, changed, Success: the task, session and logoff links are re-based too",
         module="job_start", args=START_QUICK_COMPLETION, settings={"link_base": "http://127.0.0.1:{closed_port}"},
         changed=True, starts={"Quick Backup": 1}, check=_session_result("Success")),
    Case("empty-name-info", "Bad input", "job_info with name: '' (an empty variable)",
         "failed before any request: msg 'name is empty'", args={"name": ""}, failed=True,
         msg=("name is empty",), logons=0),
    Case("empty-backup-server-start", "Bad input", "job_start with backup_server: ''",
         "failed before any request: msg 'backup_server is empty'", module="job_start",
         args=dict(START_QUICK, backup_server=""), failed=True, msg=("backup_server is empty",), logons=0),
    Case("nan-poll-interval", "Bad input", "job_start with poll_interval: nan",
         "failed before any request, clear msg", module="job_start", args=dict(START_QUICK, poll_interval="nan"),
         failed=True, msg=("poll_interval must be a positive, finite number",), logons=0),
    Case("inf-request-timeout", "Bad input", "request_timeout: inf", "failed before any request, clear msg",
         args=INFO_DB, conn={"request_timeout": "inf"}, failed=True,
         msg=("request_timeout must be a number of seconds above 0 and at most 3600",), logons=0),
    Case("url-port-0", "Bad input", "url with port 0", "failed before any request, msg names port 0",
         args=INFO_DB, conn={"url": "https://{host}:0"}, failed=True, msg=("has port 0",), logons=0),
    Case("huge-name", "Bad input", "job_info with a 100,000-character name (EM answers 414 or nothing matches)",
         "failed or empty, and the msg stays short (under 2,000 characters)", args={"name": "N" * 100000},
         failed=None, check=lambda run: [] if len(run.result.get("msg") or "") < 2000 else [
             "msg is %d characters long" % len(run.result["msg"])]),
    Case("tiny-poll-interval", "Bad input", "job_start, wait_for: completion of a 3 s job with poll_interval: 0.001",
         "ok, Success; at most one poll a second after the first (under 10 session polls, not ~1,500)",
         module="job_start", args=dict(START_QUICK_COMPLETION, poll_interval=0.001),
         jobs={"Quick Backup": {"duration_s": 3.0}}, changed=True, starts={"Quick Backup": 1},
         check=lambda run: _session_result("Success")(run) + _at_most(run, "GET /api/backupSessions", 10)),
    Case("budget-spent-before-start", "Bad input", "job_start with timeout: 2 while the job look-up takes 3 s",
         "failed without starting: changed false, msg says nothing was sent; 0 starts", module="job_start",
         args=dict(START_QUICK, timeout=2), faults=({"method": "GET", "path": QUERY, "kind": "latency", "seconds": 3.0},),
         failed=True, msg=("before the start request could be sent", "nothing was sent"), starts={}),
    Case("lost-start-then-500-on-re-read", "Transient faults",
         "start POST answered 503 after EM started the job, then the first re-read of the sessions gets a 500",
         "the re-read error is tolerated like a poll: ok, changed (never 'changed: false'); exactly 1 start",
         module="job_start", args=START_QUICK,
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "status", "status": 503, "after_effect": True},
                 {"method": "GET", "path": QUERY, "query": "BackupJobSession", "kind": "status", "status": 500,
                  "skip": 1}),
         changed=True, warnings=("but the job did start",), starts={"Quick Backup": 1}),
    Case("first-session-read-500", "Transient faults",
         "one HTTP 500 on the first read of the job session during wait_for: completion",
         "tolerated like any poll: ok, changed, Success; 1 start", module="job_start", args=START_QUICK_COMPLETION,
         faults=({"method": "GET", "path": SESSION, "kind": "status", "status": 500},),
         changed=True, starts={"Quick Backup": 1}, check=_session_result("Success")),
    Case("spurious-401-live-session", "Session expiry",
         "one HTTP 401 on a request of a session that is still live (a proxy, a restarted service)",
         "the live session is deleted with its own token, one re-logon: ok; 0 sessions left open",
         args=INFO_DB, faults=({"method": "GET", "path": QUERY, "kind": "status", "status": 401},),
         logons=2, check=lambda run: [] if run.counters["logoffs"] == 2 else [
             "both logon sessions should be deleted, logoffs %d" % run.counters["logoffs"]]),
    Case("failed-logon-keys", "Authentication and roles", "job_start with a wrong password",
         "failed, and the result still has job, task and session (null) and elapsed, as documented",
         module="job_start", args=START_QUICK, conn={"password": WRONG_PASSWORD}, failed=True,
         msg=("was refused (HTTP 401)",), logons=0, failed_logons=1,
         check=lambda run: [] if all(key in run.result for key in ("job", "task", "session", "elapsed")) else [
             "missing documented keys: %s" % sorted(set(("job", "task", "session", "elapsed")) - set(run.result))]),
    Case("concurrency-same-job-race-wait-false", "Concurrency",
         "5 hosts start the same idle job at once with wait: false (start POSTs delayed 1 s)",
         "exactly 1 start; at most 1 host changed as started; the others say 'already running' or that they "
         "cannot know whether EM refuses", runner="race", args={"wait": False}, changed=None, failed=None, logons=5,
         starts={"DB Backup": 1},
         faults=({"method": "POST", "path": JOB_ACTION, "kind": "latency", "seconds": 1.0, "times": None},),
         timeout_s=120),
    Case("sigint-module-during-wait", "Interrupt",
         "SIGINT to the module process during wait_for: completion (an interrupted AWX job, `timeout -s INT`)",
         "the module logs off and fails with a msg naming SIGINT; changed: true (the job was started)",
         module="job_start", args=dict(START_QUICK_COMPLETION, timeout=120), jobs={"Quick Backup": {"duration_s": 60}},
         runner="interrupt_sigint", failed=True, changed=True, msg=("SIGINT", "logged off"),
         starts={"Quick Backup": 1}),
]

GROUPS = ["Baseline", "Transient faults", "Session expiry", "Hostile or broken responses", "Links", "TLS",
          "Bad input", "Authentication and roles", "Concurrency", "Interrupt"]

assert len({case.id for case in CASES}) == len(CASES), "case ids must be unique"
assert all(case.group in GROUPS for case in CASES)
