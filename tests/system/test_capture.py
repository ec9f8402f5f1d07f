"""The capture for bug reports, end to end: real modules (ansible-playbook) against the simulator over HTTPS.

A capture file must be safe to attach to a public bug report. Each test runs modules with capture on and scans every
file it wrote with the reliability suite's own secret scan (reliability_cases.secret_strings / secrets_in: the
simulator's passwords in every encoding, their Basic-auth strings, every token the simulator issued), then for what
that scan does not cover: cookie values and logon session ids (structure), and the simulator's host and the
backup servers' names (redacted unless capture_keep_hosts).
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

import pytest

from collection_path import ensure_collection_link
from playbook_runner import PlaybookRunner
from reliability_cases import ADMIN_PASSWORD, FAST_SETTINGS, secret_strings, secrets_in

PREFIX = "seedops.veeam_em.veeam_em_"
SERVERS = ("vbr01.tech.local", "vbr02.tech.local", "srv02.tech.local")
SHORT_SERVERS = ("vbr01", "vbr02", "srv02")
SIM_HOST = "127.0.0.1"
MARKER = re.compile(r"REDACTED-(?:TOKEN|COOKIE|SESSION-ID)-\d+")


@pytest.fixture(scope="module")
def collections_path() -> str:
    return ensure_collection_link()


def tasks() -> list[dict[str, Any]]:
    """Reads of every kind the simulator serves today, and a start followed to its end (tasks, sessions)."""
    return [
        {"name": "jobs", PREFIX + "job_info": {"include_last_session": True}},
        {"name": "one job in detail", PREFIX + "job_info": {"name": "DB Backup", "details": True}},
        {"name": "sessions", PREFIX + "session_info": {"job_name": "DB Backup"}},
        {"name": "servers", PREFIX + "backup_server_info": {}},
        {"name": "repositories", PREFIX + "repository_info": {}},
        {"name": "start", PREFIX + "job_start": {"name": "Quick Backup", "wait_for": "completion", "timeout": 60,
                                                 "poll_interval": 1}},
    ]


def run_with_capture(runner: PlaybookRunner, sim: Any, capture: dict[str, Any], environment: dict[str, str]):
    connection = {"url": sim.url, "ca_path": sim.ca_path, "username": "admin", "password": "{{ em_password }}"}
    vars_file = os.path.join(runner.workdir, "vars.json")
    with open(vars_file, "w") as handle:
        json.dump({"em_password": ADMIN_PASSWORD}, handle)
    plays = [{"hosts": "all", "gather_facts": False, "vars_files": [vars_file], "environment": environment,
              "tasks": [dict(task, **{key: dict(value, **connection, **capture)
                                      for key, value in task.items() if key.startswith(PREFIX)}) for task in tasks()]}]
    run = runner.run(runner.write_playbook(plays), runner.write_inventory(["localhost"], measure_rss=False),
                     forks=1, timeout=240)
    failed = [item for item in run.results if item["status"] != "ok"]
    assert run.returncode == 0 and not failed, (failed, run.output[-3000:])
    return run


def capture_files(directory: str) -> list[str]:
    return sorted(os.path.join(directory, name) for name in os.listdir(directory))


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def structure_problems(path: str) -> list[str]:
    """Cookie values, the session token header and the logon session id must be markers, never values."""
    problems = []
    for exchange in json.loads(read(path))["exchanges"]:
        where = "%s %s" % (exchange["method"], exchange["url"])
        for name, value in exchange.get("request_headers", []) + exchange.get("response_headers", []):
            lower = name.lower()
            if lower == "x-restsvcsessionid" and not MARKER.fullmatch(value):
                problems.append("%s: header %s is %r" % (where, name, value))
            if lower in ("cookie", "set-cookie"):
                for pair in value.split(";")[:1] if lower == "set-cookie" else value.split(";"):
                    if "=" in pair and pair.split("=", 1)[1].strip() != "REDACTED":
                        problems.append("%s: cookie value in %s: %r" % (where, name, value))
            if lower == "authorization" and value != "Basic REDACTED":
                problems.append("%s: Authorization is %r" % (where, value))
        for session_id in re.findall(r"<SessionId>([^<]*)</SessionId>", exchange.get("response_body") or ""):
            if not MARKER.fullmatch(session_id):
                problems.append("%s: SessionId %r" % (where, session_id))
        match = re.search(r"/logonSessions/([^/?]+)", exchange["url"])
        if match and not MARKER.fullmatch(match.group(1)):
            problems.append("%s: logon session id in the URL" % where)
    return problems


def check_files(directory: str, sim: Any, expect_hosts: bool) -> tuple[list[str], list[dict[str, Any]]]:
    files = capture_files(directory)
    problems = []
    documents = []
    secrets = secret_strings(sim.issued_tokens())
    for path in files:
        text = read(path)
        documents.append(json.loads(text))
        name = os.path.basename(path)
        if stat.S_IMODE(os.stat(path).st_mode) != 0o600:
            problems.append("%s: mode %o" % (name, stat.S_IMODE(os.stat(path).st_mode)))
        problems.extend("%s: %s" % (name, found) for found in secrets_in(text, secrets))
        problems.extend("%s: %s" % (name, found) for found in structure_problems(path))
        if (SIM_HOST in text) != expect_hosts:
            problems.append("%s: the simulator's address %s" % (name, "missing" if expect_hosts else "not redacted"))
        for host in SERVERS + SHORT_SERVERS:
            if host in text and not expect_hosts:
                problems.append("%s: host %s not redacted" % (name, host))
    # Not every run names every backup server; all runs together do.
    everything = "".join(read(path) for path in files)
    if expect_hosts:
        problems.extend("host %s in no file" % host for host in SERVERS if host not in everything)
    return problems, documents


def test_a_capture_by_environment_variable_holds_every_exchange_and_no_secret_or_host(sim, tmp_path, collections_path):
    sim.configure(**FAST_SETTINGS)
    sim.set_job("Quick Backup", duration_s=1.0)
    directory = str(tmp_path / "capture")
    run_with_capture(PlaybookRunner(str(tmp_path / "run"), collections_path), sim, {}, {"VEEAM_EM_CAPTURE": directory})
    counters = sim.counters()
    problems, documents = check_files(directory, sim, expect_hosts=False)
    assert problems == []
    # One file per module run, and every request the simulator saw is in one of them.
    assert len(documents) == len(tasks()) == counters["logons"] == len(sim.issued_tokens())
    assert sum(len(document["exchanges"]) for document in documents) == counters["requests_total"]
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    exchanges = [exchange for document in documents for exchange in document["exchanges"]]
    assert {(exchange["method"], exchange["status"]) for exchange in exchanges} >= {
        ("GET", 200), ("POST", 201), ("POST", 202), ("DELETE", 204)}
    # Not vacuous: the bodies are there, with the redacted names in place of the real ones.
    bodies = "".join(exchange["response_body"] or "" for exchange in exchanges)
    assert "Quick Backup" in bodies and "host-1.redacted.invalid" in bodies and "em.redacted.invalid" in bodies
    cookies = [value for exchange in exchanges for name, value in exchange["response_headers"] if name == "Set-Cookie"]
    assert cookies and all(value.startswith("X-RestSvcSessionId=REDACTED") for value in cookies)


def test_capture_keep_hosts_keeps_the_hosts_but_never_a_secret(sim, tmp_path, collections_path):
    sim.configure(**FAST_SETTINGS)
    sim.set_job("Quick Backup", duration_s=1.0)
    directory = str(tmp_path / "capture")
    run_with_capture(PlaybookRunner(str(tmp_path / "run"), collections_path), sim,
                     {"capture_dir": directory, "capture_keep_hosts": True}, {})
    problems, documents = check_files(directory, sim, expect_hosts=True)
    assert problems == []
    assert len(documents) == len(tasks()) and all(document["hosts_redacted"] is False for document in documents)


def test_a_capture_that_cannot_be_written_warns_and_the_module_still_works(sim, tmp_path, collections_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    runner = PlaybookRunner(str(tmp_path / "run"), collections_path)
    connection = {"url": sim.url, "ca_path": sim.ca_path, "username": "admin", "password": ADMIN_PASSWORD}
    playbook = runner.write_playbook([{"hosts": "all", "gather_facts": False, "tasks": [
        {"name": "jobs", PREFIX + "job_info": dict(connection, capture_dir=str(blocker / "sub"))}]}])
    run = runner.run(playbook, runner.write_inventory(["localhost"], measure_rss=False), forks=1, timeout=120)
    result = run.single("jobs")
    assert result["status"] == "ok", run.output[-2000:]
    assert len(result["result"]["jobs"]) > 10
    assert [warning for warning in result["result"].get("warnings", []) if "Capture is off" in warning]
    assert blocker.read_text() == "not a directory"
    assert "Traceback" not in run.output
