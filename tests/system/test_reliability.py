"""Fault tolerance and security of the modules, end to end: real ansible-playbook -vvv runs against the simulator.

The case table is in reliability_cases.py. Each case runs the real module through ``ansible-playbook -vvv`` (a
subprocess; see playbook_runner.py) against the EM simulator with the case's faults and settings, then checks
the module result and the simulator's counters, and on every case:

- no logon session is left open (``live_sessions``) and every logon was closed (logged off or expired);
- ``starts_by_job`` is exactly what the case expects (a job is never started twice or by mistake);
- no traceback: "Traceback" appears nowhere in the output; no result has ``module_stderr``/``module_stdout``;
  ``exception`` is absent or the placeholder "(traceback unavailable)" that ansible-core 2.19 itself adds to
  every failed result when tracebacks are not displayed (the default); and ``msg`` does not start with
  "Task failed:", the controller's wording when a 2.19 module dies of an unhandled exception (the module then
  sends no msg of its own). test_crash_detector_flags_an_unhandled_exception proves this detects a crash;
- no secret anywhere in the -vvv output or the results: the passwords, their Basic-auth (base64) and URL-encoded
  forms, every session token the simulator issued during the case, the XXE marker file's content; nor
  Ansible's "********" mask, which would mean the module tried to print the password.

The suite writes docs/reliability.md (every case, expected and observed outcome, pass/fail, duration, live
sessions after) when the whole table ran, also under pytest-xdist (the rows are collected per test run id).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import psutil
import pytest

from collection_path import REPO_ROOT, ensure_collection_link
from playbook_runner import PlaybookRun, PlaybookRunner, RunningPlaybook
from reliability_cases import ADMIN_PASSWORD, CASES, FAST_JOBS, FAST_SETTINGS, GROUPS, Case, secret_strings, secrets_in

DOC_PATH = os.path.join(REPO_ROOT, "docs", "reliability.md")
ROWS_ROOT = os.path.join(REPO_ROOT, "build", "reliability")
MODULE_PREFIX = "seedops.veeam_em."
ANSIBLE_TRACEBACK_PLACEHOLDER = "(traceback unavailable)"


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def collections_path() -> str:
    return ensure_collection_link()


@pytest.fixture(scope="module")
def marker(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A local file with a unique marker string: the XXE cases point their external entity at it."""
    text = "XXE-MARKER-%s" % uuid.uuid4().hex
    path = tmp_path_factory.mktemp("xxe") / "secret-marker.txt"
    path.write_text(text + "\n")
    return str(path), text


@pytest.fixture(scope="session")
def report() -> "Report":
    rep = Report(os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex)
    yield rep
    rep.finish()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _other_ca() -> str:
    import certifi

    return certifi.where()


# ------------------------------------------------------------------------------------------------ one run
@dataclass
class CaseRun:
    case: Case
    placeholders: dict[str, str]
    run: PlaybookRun | None = None
    status: str | None = None  # ok | failed | ... of the case's task, None when there is no single result
    result: dict[str, Any] | None = None
    counters: dict[str, Any] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # runner observations for the report
    problems: list[str] = field(default_factory=list)  # runner-specific failed checks
    allow_module_failure: bool = False  # SIGKILL: ansible's MODULE FAILURE result is the expected outcome
    expected_starts: dict[str, int] | None = None  # when the runner decides (concurrency)
    expect_rc: tuple[int, ...] = (0,)


def fill(value: Any, placeholders: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format_map(placeholders)
    if isinstance(value, dict):
        return {key: fill(item, placeholders) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(fill(item, placeholders) for item in value)
    return value


def connection_args(case: Case, ctx: CaseRun) -> tuple[dict[str, Any], str | None]:
    """The module's connection options and the password (passed through a vars file, never inline)."""
    conn: dict[str, Any] = {"url": "{url}", "username": "admin", "password": ADMIN_PASSWORD, "ca_path": "{ca_path}"}
    conn.update(case.conn)
    conn = {key: value for key, value in fill(conn, ctx.placeholders).items() if value is not None}
    password = conn.pop("password", None)
    if password is not None:
        conn["password"] = "{{ em_password }}"
    return conn, password


def task_for(case: Case, ctx: CaseRun, name: str = "case", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    conn, dummy = connection_args(case, ctx)
    args = dict(conn)
    args.update(fill(case.args, ctx.placeholders))
    args.update(extra or {})
    return {"name": name, MODULE_PREFIX + "veeam_em_" + case.module: args, "ignore_errors": True}


def write_play(runner: PlaybookRunner, case: Case, ctx: CaseRun, tasks: list[dict[str, Any]]) -> str:
    dummy, password = connection_args(case, ctx)
    vars_file = os.path.join(runner.workdir, "connection.yml")
    with open(vars_file, "w") as handle:
        json.dump({"em_password": password or ""}, handle)
    return runner.write_playbook([{"name": case.id, "hosts": "all", "gather_facts": False,
                                   "vars_files": [vars_file], "tasks": tasks}])


def prepare_simulator(sim: Any, case: Case, ctx: CaseRun) -> None:
    sim.configure(**dict(FAST_SETTINGS, **fill(case.settings, ctx.placeholders)))
    for name, overrides in dict(FAST_JOBS, **case.jobs).items():
        sim.set_job(name, **overrides)
    for rule in case.faults:
        sim.add_fault(**fill(dict(rule), ctx.placeholders))


def run_single(case: Case, ctx: CaseRun, sim: Any, runner: PlaybookRunner) -> None:
    playbook = write_play(runner, case, ctx, [task_for(case, ctx)])
    inventory = runner.write_inventory(["localhost"])
    ctx.run = runner.run(playbook, inventory, forks=1, timeout=case.timeout_s)
    one = ctx.run.single("case")
    ctx.status, ctx.result = one["status"], one["result"]


# The concurrency case: 10 job_info runs of every kind and 10 job_start runs of 10 different jobs.
CONCURRENT_INFO = [
    {"name": "DB Backup"},
    {"name": "SQL Replication", "include_last_session": True},
    {"include_last_session": True},
    {"details": True, "name": "Web Servers Backup"},
    {"backup_server": "vbr02.tech.local"},
    {"job_type": ["BackupCopy", "ImmediateBackupCopy"]},
    {"name": "Fileserver Backup"},
    {"id": "b04c217b-0538-4650-bec4-19deff4ea1ac"},
    {"name": 'Finance "Q4" & Payroll', "include_last_session": True},
    {"name": "No Such Job"},
]
CONCURRENT_STARTS = ["SQL Replication", "DB Backup", "Exchange Backup", "exchange backup", 'Finance "Q4" & Payroll',
                     "Sauvegarde Comptabilité Zürich", "Mail Archive Backup", "Quick Backup", "Quick Replica",
                     "New Job Never Run"]


def run_concurrency(case: Case, ctx: CaseRun, sim: Any, runner: PlaybookRunner) -> None:
    host_vars: dict[str, dict[str, Any]] = {}
    for index, args in enumerate(CONCURRENT_INFO, 1):
        host_vars["info%02d" % index] = {"case_role": "info", "case_args": args}
    for index, job in enumerate(CONCURRENT_STARTS, 1):
        host_vars["start%02d" % index] = {"case_role": "start", "case_job": job}
    sim.configure(jobs={job: {"duration_s": 1.0} for job in CONCURRENT_STARTS})
    info = Case(case.id, case.group, "", "", module="job_info")
    start = Case(case.id, case.group, "", "", module="job_start")
    info_task = task_for(info, ctx, "info")
    info_task["when"] = "case_role == 'info'"
    # Every option of the module, taken from the host's args (omit when the host does not set it).
    module_name = MODULE_PREFIX + "veeam_em_job_info"
    for option in ("name", "id", "backup_server", "job_type", "include_last_session", "details"):
        info_task[module_name][option] = "{{ case_args.%s | default(omit) }}" % option
    start_task = task_for(start, ctx, "start",
                          {"name": "{{ case_job }}", "wait_for": "completion", "poll_interval": 0.5, "timeout": 90})
    start_task["when"] = "case_role == 'start'"
    playbook = write_play(runner, case, ctx, [info_task, start_task])
    inventory = runner.write_inventory(sorted(host_vars), host_vars)
    ctx.run = runner.run(playbook, inventory, forks=20, timeout=case.timeout_s)
    ok = 0
    for host in sorted(host_vars):
        role = host_vars[host]["case_role"]
        found = ctx.run.task_results(role, host)
        if len(found) != 1:
            ctx.problems.append("%s: %d results of task %s" % (host, len(found), role))
            continue
        status, result = found[0]["status"], found[0]["result"]
        if status != "ok":
            ctx.problems.append("%s: %s: %s" % (host, status, result.get("msg")))
            continue
        if role == "info":
            if result.get("changed") is not False or not isinstance(result.get("jobs"), list):
                ctx.problems.append("%s: job_info should be unchanged with a jobs list" % host)
            args = host_vars[host]["case_args"]
            names = [job["name"] for job in result.get("jobs") or []]
            if "name" in args and args["name"] != "No Such Job" and set(names) != {args["name"]}:
                ctx.problems.append("%s: asked for %r, got %r" % (host, args["name"], names))
        else:
            job = host_vars[host]["case_job"]
            session = result.get("session") or {}
            expected_result = "Warning" if job == "Mail Archive Backup" else "Success"
            if result.get("changed") is not True or session.get("job_name") != job \
                    or session.get("result") != expected_result:
                ctx.problems.append("%s: start of %r: changed=%s session %s/%s" % (
                    host, job, result.get("changed"), session.get("job_name"), session.get("result")))
            warned = any("ended with result Warning" in w for w in result.get("warnings") or [])
            if warned != (expected_result == "Warning"):
                ctx.problems.append("%s: warnings %r" % (host, result.get("warnings")))
        ok += 1
    ctx.notes.append("%d/20 hosts ok" % ok)
    ctx.expected_starts = {job: 1 for job in CONCURRENT_STARTS}


def run_race(case: Case, ctx: CaseRun, sim: Any, runner: PlaybookRunner) -> None:
    hosts = ["racer%d" % index for index in range(1, 6)]
    start = Case(case.id, case.group, "", "", module="job_start")
    task = task_for(start, ctx, "start", dict({"name": "DB Backup", "poll_interval": 0.5, "timeout": 60}, **case.args))
    playbook = write_play(runner, case, ctx, [task])
    ctx.run = runner.run(playbook, runner.write_inventory(hosts), forks=5, timeout=case.timeout_s)
    changed_hosts, undecided, summary = [], [], []
    for host in hosts:
        found = ctx.run.task_results("start", host)
        if len(found) != 1:
            ctx.problems.append("%s: %d results" % (host, len(found)))
            continue
        status, result = found[0]["status"], found[0]["result"]
        msg = result.get("msg") or ""
        summary.append("%s %s changed=%s" % (host, status, result.get("changed")))
        if result.get("changed") and "whether Enterprise Manager refuses it is not known" in msg:
            # wait: false and EM had not yet finished the task when the module looked: honest "may have started".
            undecided.append(host)
        elif result.get("changed"):
            changed_hosts.append(host)
            if status != "ok":
                ctx.problems.append("%s: %s with changed=true: %s" % (host, status, msg))
        elif "already running" not in msg:
            ctx.problems.append("%s: %s, unchanged, but msg does not say 'already running': %s" % (host, status, msg))
    if len(changed_hosts) > 1 or (not changed_hosts and not undecided):
        ctx.problems.append("exactly one host should report changed (the start EM accepted), got %d: %s"
                            % (len(changed_hosts), ", ".join(changed_hosts)))
    if undecided and case.args.get("wait") is not False:
        ctx.problems.append("only wait: false may leave the outcome undecided: %s" % ", ".join(undecided))
    ctx.notes.append("; ".join(summary))


def _module_processes(root_pid: int, module: str) -> list[psutil.Process]:
    """Our playbook's Python processes running AnsiballZ_<module>.py, leaves only (the module, not the RSS
    wrapper). Only descendants of our ansible-playbook: others may run the same module on this machine."""
    found = []
    try:
        descendants = psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    for proc in descendants:
        try:
            cmdline = proc.cmdline()
        except psutil.Error:
            continue
        if not cmdline or os.path.basename(cmdline[0]) in ("sh", "bash", "dash"):
            continue
        if any(("AnsiballZ_%s.py" % module) in part for part in cmdline):
            found.append(proc)
    pids = {proc.pid for proc in found}
    leaves = []
    for proc in found:
        try:
            if not any(child.pid in pids for child in proc.children(recursive=True)):
                leaves.append(proc)
        except psutil.NoSuchProcess:
            pass
    return leaves


def _wait_for_module_in_wait(sim: Any, running: RunningPlaybook, job: str, timeout: float = 40.0) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise AssertionError("the playbook ended before the module was interrupted:\n"
                                 + running.output_so_far[-3000:])
        counters = sim.counters()
        in_wait = any(key.startswith("GET /api/backupSessions/") for key in counters["requests"])
        procs = _module_processes(running.process.pid, "veeam_em_job_start")
        if procs and counters["live_sessions"] >= 1 and counters["starts_by_job"].get(job) == 1 and in_wait:
            if len(procs) != 1:
                raise AssertionError("expected one module process, found %d" % len(procs))
            return procs[0]
        time.sleep(0.1)
    raise AssertionError("the module did not reach its wait in time:\n" + running.output_so_far[-3000:])


def run_interrupt(signum: int, target: str, again_after: float | None = None
                  ) -> Callable[[Case, CaseRun, Any, PlaybookRunner], None]:
    def runner_fn(case: Case, ctx: CaseRun, sim: Any, runner: PlaybookRunner) -> None:
        playbook = write_play(runner, case, ctx, [task_for(case, ctx)])
        running = runner.start(playbook, runner.write_inventory(["localhost"]), forks=1)
        try:
            proc = _wait_for_module_in_wait(sim, running, "Quick Backup")
            before = sim.counters()
            sent = time.monotonic()
            if target == "module":
                proc.send_signal(signum)
            else:  # ansible-playbook itself (its process group, as a terminal's Ctrl-C would)
                os.killpg(running.process.pid, signum)
            ctx.notes.append("%s sent to the %s after %.1f s (live sessions %d)"
                             % (signal.Signals(signum).name, "module process" if target == "module"
                                else "ansible-playbook", sent - running.started, before["live_sessions"]))
            if again_after is not None:
                time.sleep(again_after)
                if proc.is_running():
                    proc.send_signal(signum)
                    ctx.notes.append("%s sent again %.1f s later, during the logoff"
                                     % (signal.Signals(signum).name, again_after))
            ctx.run = running.finish(30)
            ended = time.monotonic() - sent
            dummy, alive = psutil.wait_procs([proc], timeout=15)
            ctx.notes.append("playbook ended %.1f s after the signal, rc %s%s" % (
                ended, ctx.run.returncode, "; the module process outlived it by %.1f s"
                % (time.monotonic() - sent - ended) if time.monotonic() - sent - ended > 0.5 else ""))
            if alive:
                ctx.problems.append("the module process was still running 15 s after the playbook ended")
            if signum != signal.SIGKILL:
                # A request the module sent before it ended may still be in the simulator (a delayed answer).
                deadline = time.monotonic() + 3
                while sim.counters()["live_sessions"] and time.monotonic() < deadline:
                    time.sleep(0.1)
        finally:
            if running.process.poll() is None:
                running.kill()
        found = ctx.run.task_results("case")
        if len(found) == 1:
            ctx.status, ctx.result = found[0]["status"], found[0]["result"]
        if signum == signal.SIGKILL:
            ctx.allow_module_failure = True
            right_after = sim.counters()
            ctx.notes.append("right after the kill: live sessions %d, logoffs %d"
                             % (right_after["live_sessions"], right_after["logoffs"]))
            if right_after["live_sessions"] != 1 or right_after["logoffs"] != 0:
                ctx.problems.append("after SIGKILL the session cannot have been logged off: expected live 1, "
                                    "logoffs 0, got %d, %d" % (right_after["live_sessions"], right_after["logoffs"]))
            time.sleep(case.settings["idle_timeout_s"] + 0.5)
        if target == "playbook":
            # ansible-playbook was interrupted: its exit status is its own business (99, or killed by the signal).
            ctx.expect_rc = tuple(range(-64, 256))
    return runner_fn


RUNNERS: dict[str, Callable[[Case, CaseRun, Any, PlaybookRunner], None]] = {
    "single": run_single,
    "concurrency": run_concurrency,
    "race": run_race,
    "interrupt_sigterm": run_interrupt(signal.SIGTERM, "module"),
    "interrupt_sigterm_twice": run_interrupt(signal.SIGTERM, "module", again_after=0.5),
    "interrupt_sigkill": run_interrupt(signal.SIGKILL, "module"),
    "interrupt_sigint": run_interrupt(signal.SIGINT, "module"),
    "interrupt_playbook_sigterm": run_interrupt(signal.SIGTERM, "playbook"),
    "interrupt_playbook_sigint": run_interrupt(signal.SIGINT, "playbook"),
}


# ------------------------------------------------------------------------------------------------- checks
def secrets_of(ctx: CaseRun, marker_text: str) -> dict[str, str]:
    """Every string that must never appear, with a label for the failure message."""
    found = secret_strings(ctx.tokens)
    if any(rule.get("kind") == "doctype_xxe" for rule in ctx.case.faults):
        found[marker_text] = "content of the file the XXE entity points at"
    return found


# Ansible replaces a no_log value found in any output by exactly eight stars (banners are longer runs of stars).
NO_LOG_MASK = re.compile(r"(?<!\*)\*{8}(?!\*)")


def crash_signs(run: PlaybookRun, allow_module_failure: bool = False) -> list[str]:
    signs = []
    if "Traceback" in run.output:
        line = next(line for line in run.output.splitlines() if "Traceback" in line)
        signs.append("'Traceback' in the output: %s" % line.strip()[:200])
    for item in run.results:
        result = item["result"]
        where = "%s/%s" % (item["host"], item["task"])
        if allow_module_failure:
            continue
        for key in ("module_stderr", "module_stdout"):
            if result.get(key):
                signs.append("%s: result has %s: %r" % (where, key, str(result[key])[:300]))
        exception = result.get("exception")
        if exception not in (None, "", ANSIBLE_TRACEBACK_PLACEHOLDER):
            signs.append("%s: result has exception: %r" % (where, str(exception)[:300]))
        msg = result.get("msg")
        if isinstance(msg, str) and msg.startswith("Task failed:"):
            signs.append("%s: msg %r is the controller's wording for an unhandled exception in the module"
                         % (where, msg[:200]))
    return signs


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def check_case(ctx: CaseRun, marker_text: str) -> list[str]:
    case, run = ctx.case, ctx.run
    problems = list(ctx.problems)
    assert run is not None
    if run.timed_out:
        problems.append("ansible-playbook did not finish within %s s" % case.timeout_s)
    elif run.returncode not in ctx.expect_rc:
        problems.append("ansible-playbook exit status %s" % run.returncode)
    if any(item["status"] == "unreachable" for item in run.results):
        problems.append("a host was unreachable")

    result = ctx.result
    if result is not None:
        failed = ctx.status == "failed"
        if case.failed is not None and failed != case.failed:
            problems.append("expected %s, got %s: %s" % ("failure" if case.failed else "success", ctx.status,
                                                         result.get("msg")))
        if case.changed is not None and result.get("changed") is not case.changed:
            problems.append("expected changed=%s, got %r" % (case.changed, result.get("changed")))
        msg = result.get("msg") or ""
        for part in fill(case.msg, ctx.placeholders):
            if part not in msg:
                problems.append("msg lacks %r: %r" % (part, msg))
        if not _balanced(msg):
            problems.append("msg has unbalanced parentheses (a mangled exception text?): %r" % msg)
        for part in case.msg_absent:
            if part in msg:
                problems.append("msg must not contain %r: %r" % (part, msg))
        warnings = result.get("warnings") or []
        for part in fill(case.warnings, ctx.placeholders):
            if not any(part in warning for warning in warnings):
                problems.append("no warning contains %r: %r" % (part, warnings))
        if not case.warnings and warnings and not ctx.allow_module_failure:
            problems.append("unexpected warnings: %r" % warnings)
    elif case.runner == "single":
        problems.append("no result")

    counters = ctx.counters
    expected_starts = case.starts if ctx.expected_starts is None else ctx.expected_starts
    if counters["starts_by_job"] != expected_starts:
        problems.append("starts_by_job %r, expected %r" % (counters["starts_by_job"], expected_starts))
    if counters["live_sessions"] != case.live_after:
        problems.append("%d logon session(s) left open" % counters["live_sessions"])
    if counters["logons"] != counters["logoffs"] + counters["expired_sessions"] + counters["live_sessions"]:
        problems.append("logons %d != logoffs %d + expired %d + live %d" % (
            counters["logons"], counters["logoffs"], counters["expired_sessions"], counters["live_sessions"]))
    if case.logons is not None and counters["logons"] != case.logons:
        problems.append("logons %d, expected %d" % (counters["logons"], case.logons))
    if case.expired is not None and counters["expired_sessions"] != case.expired:
        problems.append("expired sessions %d, expected %d" % (counters["expired_sessions"], case.expired))
    if case.failed_logons is not None and counters["failed_logons"] != case.failed_logons:
        problems.append("failed logons %d, expected %d" % (counters["failed_logons"], case.failed_logons))
    for prefix, count in case.requests.items():
        seen = sum(n for key, n in counters["requests"].items() if key.startswith(prefix))
        if seen != count:
            problems.append("%d requests %s..., expected %d" % (seen, prefix, count))
    if case.requests_total is not None and counters["requests_total"] != case.requests_total:
        problems.append("%d requests reached the simulator, expected %d"
                        % (counters["requests_total"], case.requests_total))

    if len(ctx.tokens) != counters["logons"]:  # the token search below must not be vacuous
        problems.append("%d tokens issued for %d logons" % (len(ctx.tokens), counters["logons"]))
    problems.extend(crash_signs(run, ctx.allow_module_failure))
    text = run.searchable_text()
    problems.extend(secrets_in(text, secrets_of(ctx, marker_text)))
    if NO_LOG_MASK.search(text):
        problems.append("Ansible's no_log mask '********' in the output: the module tried to output the password")

    if case.max_duration_s is not None and run.duration_s > case.max_duration_s:
        problems.append("took %.1f s, bound %s s" % (run.duration_s, case.max_duration_s))
    if case.max_rss_mib is not None:
        if run.peak_rss_mib is None:
            problems.append("the module's peak RSS was not recorded")
        elif run.peak_rss_mib > case.max_rss_mib:
            problems.append("module peak RSS %.0f MiB, bound %s MiB" % (run.peak_rss_mib, case.max_rss_mib))
    if case.check is not None and result is not None:
        problems.extend(case.check(ctx))
    return problems


# ------------------------------------------------------------------------------------------------- the test
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(case: Case, sim: Any, tmp_path: Any, collections_path: str, marker: tuple[str, str],
              report: "Report") -> None:
    host, port = sim.url.rsplit("//", 1)[1].rsplit(":", 1)
    ctx = CaseRun(case, {"url": sim.url, "host": host, "port": port, "ca_path": sim.ca_path,
                         "closed_port": str(_closed_port()), "marker_file": marker[0], "other_ca": _other_ca()})
    runner = PlaybookRunner(str(tmp_path / "run"), collections_path)
    started = time.monotonic()
    problems: list[str] = []
    try:
        prepare_simulator(sim, case, ctx)
        RUNNERS[case.runner](case, ctx, sim, runner)
        ctx.counters = sim.counters()
        ctx.tokens = sim.issued_tokens()
        problems = check_case(ctx, marker[1])
    except Exception as exc:  # the row still goes into the report
        problems.append("error: %s: %s" % (type(exc).__name__, exc))
        raise
    finally:
        report.add(ctx, problems, time.monotonic() - started)
    assert not problems, "\n".join(["%s: %d problem(s):" % (case.id, len(problems))] + problems
                                   + ["--- output tail ---", ctx.run.output[-5000:] if ctx.run else ""])


# ------------------------------------------------------------------------------------------------ self-checks
def test_xxe_payload_would_leak_through_a_permissive_parser(marker: tuple[str, str]) -> None:
    """The XXE case is only meaningful if its body really reads the file when entities are resolved."""
    from lxml import etree

    from em_simulator.faults import xxe_body

    parser = etree.XMLParser(resolve_entities=True, no_network=True, load_dtd=True)
    root = etree.fromstring(xxe_body(marker[0]), parser)
    assert marker[1] in "".join(root.itertext())


def test_crash_detector_flags_an_unhandled_exception(tmp_path: Any, collections_path: str) -> None:
    """A module that dies of an unhandled exception must be caught by crash_signs(), with ansible's defaults."""
    library = tmp_path / "library"
    library.mkdir()
    (library / "crash_on_purpose.py").write_text(
        "#!/usr/bin/python\nfrom ansible.module_utils.basic import AnsibleModule\n"
        "AnsibleModule(argument_spec={})\nraise RuntimeError('crashed on purpose')\n")
    runner = PlaybookRunner(str(tmp_path / "run"), collections_path)
    playbook = runner.write_playbook([{"hosts": "all", "gather_facts": False, "tasks": [
        {"name": "crash", "crash_on_purpose": {}, "ignore_errors": True},
        {"name": "clean", "ansible.builtin.fail": {"msg": "a clean failure"}, "ignore_errors": True}]}])
    inventory = runner.write_inventory(["localhost"])
    with open(runner.config_file, "a") as handle:
        handle.write("library = %s\n" % library)
    run = runner.run(playbook, inventory, forks=1, timeout=60)
    crash = PlaybookRun(run.argv, run.returncode, "", run.task_results("crash"), run.duration_s)
    clean = PlaybookRun(run.argv, run.returncode, "", run.task_results("clean"), run.duration_s)
    assert crash.results and crash_signs(crash), run.output[-3000:]
    assert clean.results and clean.results[0]["status"] == "failed" and crash_signs(clean) == [], run.output[-3000:]


# ------------------------------------------------------------------------------------------------- the report
class Report:
    """Collects one row per case (as files, so that pytest-xdist workers share them) and renders the doc."""

    def __init__(self, run_id: str) -> None:
        self.rows_dir = os.path.join(ROWS_ROOT, re.sub(r"[^A-Za-z0-9_-]", "_", run_id))
        os.makedirs(self.rows_dir, exist_ok=True)
        # Rows of earlier runs (a run id per pytest invocation) are of no use once their run is over.
        for name in os.listdir(ROWS_ROOT):
            path = os.path.join(ROWS_ROOT, name)
            if path != self.rows_dir and time.time() - os.path.getmtime(path) > 3600:
                shutil.rmtree(path, ignore_errors=True)
        self.started = time.time()

    def add(self, ctx: CaseRun, problems: list[str], duration: float) -> None:
        case = ctx.case
        counters = ctx.counters
        row = {
            "id": case.id, "group": case.group, "what": case.what, "expected": case.expected,
            "observed": observed(ctx, problems), "passed": not problems, "problems": problems,
            "duration_s": round(duration, 1),
            "live_after": counters.get("live_sessions") if counters else None,
            "finished": time.time(),
        }
        path = os.path.join(self.rows_dir, "%s.json" % case.id)
        with open(path + ".tmp", "w") as handle:
            json.dump(row, handle, ensure_ascii=False, indent=1)
        os.replace(path + ".tmp", path)

    def finish(self) -> None:
        rows = {}
        for case in CASES:
            path = os.path.join(self.rows_dir, "%s.json" % case.id)
            if not os.path.exists(path):
                sys.stderr.write("\n%s not written: case %s did not run in this test run (run the whole suite)\n"
                                 % (os.path.relpath(DOC_PATH, REPO_ROOT), case.id))
                return
            with open(path) as handle:
                rows[case.id] = json.load(handle)
        text = render(rows)
        with open(DOC_PATH + ".tmp", "w") as handle:
            handle.write(text)
        os.replace(DOC_PATH + ".tmp", DOC_PATH)


def _clean(text: str, ctx: CaseRun) -> str:
    """Stable, readable text for the doc: no random ports, temporary paths or newlines."""
    ph = ctx.placeholders
    for key in ("url", "marker_file", "ca_path", "other_ca"):
        if ph.get(key):
            text = text.replace(ph[key], "{%s}" % key)
    text = re.sub(r"\b%s\b" % ph["closed_port"], "{closed_port}", text)
    text = re.sub(r"\b%s\b" % ph["port"], "{port}", text)
    text = re.sub(r"/tmp/pytest-of-[^\s'\"]+", "{tmp}", text)
    text = re.sub(r"@\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?", "@{time}", text)
    text = re.sub(r"\btask-\d+\b", "task-N", text)
    return re.sub(r"\s+", " ", text).strip()


def observed(ctx: CaseRun, problems: list[str]) -> str:
    parts = []
    result = ctx.result
    if result is not None:
        head = "%s, changed=%s" % (ctx.status, str(result.get("changed")).lower())
        if result.get("msg"):
            msg = _clean(result["msg"], ctx)
            head += ': "%s"' % (msg if len(msg) <= 220 else msg[:217] + "...")
        parts.append(head)
        for warning in result.get("warnings") or []:
            parts.append('warning "%s"' % _clean(warning, ctx)[:160])
    parts.extend(_clean(note, ctx) for note in ctx.notes)
    counters = ctx.counters
    if counters:
        starts = ", ".join("%s: %d" % item for item in sorted(counters["starts_by_job"].items())) or "none"
        parts.append("logons %d, logoffs %d, expired %d; starts: %s" % (
            counters["logons"], counters["logoffs"], counters["expired_sessions"], starts))
    if ctx.run is not None and ctx.run.peak_rss_mib is not None and ctx.case.max_rss_mib is not None:
        parts.append("module peak RSS %.0f MiB" % ctx.run.peak_rss_mib)
    if problems:
        parts.append("**FAILED CHECKS:** " + " / ".join(_clean(p, ctx)[:300] for p in problems))
    return "; ".join(parts)


# ansible-test sanity (no-smart-quotes) rejects Unicode quotes in any file of the collection, the generated
# doc included; messages, case texts and notes could hold some, so the rendered text gets ASCII ones.
ASCII_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(rows: dict[str, dict[str, Any]]) -> str:
    from ansible.release import __version__ as ansible_version

    passed = sum(1 for row in rows.values() if row["passed"])
    total_time = sum(row["duration_s"] for row in rows.values())
    lines = [
        "# Reliability and security cases",
        "",
        "<!-- Generated by `pytest tests/system/test_reliability.py`. Do not edit by hand: the next run "
        "overwrites it. -->",
        "",
        "Generated by `pytest tests/system/test_reliability.py` (part of `make test`); **do not edit by hand**. "
        "Change the cases in `tests/system/reliability_cases.py` and run the suite again.",
        "",
        "Each case runs the real module through `ansible-playbook -vvv` against the EM simulator with the case's "
        "faults and settings, then checks the module's result and the simulator's counters. Checked on **every** "
        "case as well:",
        "",
        "- no logon session left open (`live_sessions` = 0 unless stated) and every logon closed "
        "(logons = logoffs + expired);",
        "- `starts_by_job` exactly as expected: a job is never started twice, or when it should not be;",
        "- no traceback: no `Traceback` in the output, no `module_stderr`/`module_stdout`, `exception` absent or "
        "ansible-core 2.19's own placeholder `(traceback unavailable)` (added by the controller to every failed "
        "result while tracebacks are not displayed, the default), and no `Task failed:` msg (2.19's wording "
        "for a module that died of an unhandled exception);",
        "- no secret anywhere in the `-vvv` output or the results: the passwords, their Basic-auth and "
        "URL-encoded forms, every session token the simulator issued during the case, the XXE marker file's "
        "content, and no `********` (Ansible's no_log mask, which would mean the module tried to print the "
        "password).",
        "",
        "**%d of %d cases passed** (sum of case times %.0f s). ansible-core %s, Python %s, generated %s UTC." % (
            passed, len(rows), total_time, ansible_version,
            platform.python_version(), datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
        "",
    ]
    for group in GROUPS:
        members = [rows[case.id] for case in CASES if case.group == group]
        if not members:
            continue
        lines += ["## %s" % group, "",
                  "| Case | What is done | Expected | Observed | Result | Time (s) | Live sessions after |",
                  "|---|---|---|---|---|---:|---:|"]
        for row in members:
            lines.append("| `%s` | %s | %s | %s | %s | %.1f | %s |" % (
                row["id"], _cell(row["what"]), _cell(row["expected"]), _cell(row["observed"]),
                "pass" if row["passed"] else "**FAIL**", row["duration_s"],
                "-" if row["live_after"] is None else row["live_after"]))
        lines.append("")
    lines += NOTES
    return ("\n".join(lines) + "\n").translate(ASCII_QUOTES)


NOTES = [
    "## Notes",
    "",
    "- **Signals.** ansible-core runs each task in a worker that calls `setsid()`, so the module is in the "
    "worker's process group, not in ansible-playbook's. When ansible-playbook gets SIGINT (Ctrl-C) or SIGTERM "
    "(a cancelled CI job, `timeout`, `kill`), it passes the signal to each worker, which sends it to its whole "
    "process group (`killpg`, the module included) and exits at once. The module then unwinds on its own: "
    "on SIGTERM its handler raises an error inside the module, on SIGINT Python raises KeyboardInterrupt; "
    "either way the logon session's context manager logs off. When only the module gets SIGTERM, its failure "
    "(naming the signal) reaches the play; when ansible-playbook was signalled, the worker is gone and there "
    "is no task result, but the module still logs off (the cases wait for the module process to end). A job "
    "the module started keeps running on the backup server.",
    "- **SIGKILL** cannot be caught, so a module killed with it cannot log off: its logon session stays open "
    "until Enterprise Manager's idle timeout (15 minutes) expires it. Case `sigkill-module-during-wait` shows "
    "exactly that with a 3 s idle timeout.",
    "- What ansible-core 2.19 itself adds to a failed result, precisely: a module's clean `fail_json` (no "
    "`exception` argument, tracebacks not displayed, the default) sends no `exception` key; the `-vvv` display "
    "of the result never shows `exception` (the default callback removes it and would print a traceback "
    "separately, only when `DISPLAY_TRACEBACK` asks for it); the result given to callbacks and `register` gets "
    "`exception: \"(traceback unavailable)\"`, the controller's projection of the error summary it builds "
    "for every failed result. A module that dies of an unhandled exception looks almost the same in 2.19 "
    "(AnsiballZ catches it): no traceback, no `module_stderr`, but a `msg` of `Task failed: Module failed: "
    "<exception text>` instead of the module's own message; `test_crash_detector_flags_an_unhandled_exception` "
    "checks that the suite tells the two apart. The suite runs with `ANSIBLE_DISPLAY_TRACEBACK=never` "
    "(the default) pinned.",
    "- Self-checks outside the table: the XXE body really discloses the marker file through a parser that "
    "resolves entities (`test_xxe_payload_would_leak_through_a_permissive_parser`), so its absence from the "
    "output means the module refused it.",
    "- Connection options go through a vars file (`password: \"{{ em_password }}\"`), as a vault would: "
    "ansible-core 2.19 prints the playbook lines just above a failed task (`Origin:` context), so a password "
    "written literally in an earlier task's arguments could appear there; that is Ansible's, not the "
    "module's, output.",
    "- Durations include the start-up of `ansible-playbook` (about 1.5 s a run); the simulator runs with short "
    "task and session timelines (`task_running_s` 0.2, `task_collect_s` 0.2, `session_starting_s` 0.3, "
    "Quick Backup 1 s).",
]
