"""examples/probe.yml, the read-only probe for bug reports, against the simulator over HTTPS.

The probe must change nothing on a user's Enterprise Manager. The simulator's counters prove it: the only POST is
the logon and the only DELETE the logoff, no action was counted, no job started; and every step of the probe ran
(each module run wrote its capture file, and no step failed).
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from collection_path import REPO_ROOT, ensure_collection_link
from playbook_runner import PlaybookRunner
from reliability_cases import ADMIN_PASSWORD, secret_strings, secrets_in

PROBE = os.path.join(REPO_ROOT, "examples", "probe.yml")
LOGON = re.compile(r"^POST /api/sessionMngr/?$", re.IGNORECASE)
LOGOFF = re.compile(r"^DELETE /api/logonSessions/[^/]+$", re.IGNORECASE)
CHANGING = ("POST", "PUT", "DELETE", "PATCH")
# Module runs of the probe: job_info x3 kinds + details, session_info job + x3 kinds + failed, restore points,
# servers, repositories, and the five action modules in check mode.
MODULE_RUNS = 4 + 5 + 1 + 2 + 5


@pytest.fixture(scope="module")
def collections_path() -> str:
    return ensure_collection_link()


def run_probe(sim: Any, tmp_path: Any, collections_path: str, **extra: Any) -> tuple[Any, str]:
    """Run examples/probe.yml as shipped; the connection and the capture directory come as host variables."""
    runner = PlaybookRunner(str(tmp_path / "run"), collections_path)
    directory = str(tmp_path / "capture")
    variables = dict(em_url=sim.url, em_ca_path=sim.ca_path, em_username="admin", em_password=ADMIN_PASSWORD,
                     probe_capture_dir=directory, **extra)
    inventory = runner.write_inventory(["localhost"], {"localhost": variables}, measure_rss=False)
    run = runner.run(PROBE, inventory, forks=1, timeout=300)
    assert run.returncode == 0 and not run.timed_out, run.output[-4000:]
    return run, directory


def changing_requests(counters: dict[str, Any]) -> dict[str, int]:
    return {key: count for key, count in counters["requests"].items()
            if key.split(" ", 1)[0] in CHANGING and not LOGON.match(key) and not LOGOFF.match(key)}


def module_results(run: Any) -> list[dict[str, Any]]:
    """Every module run of the probe (loops count once per item), skipped ones left out."""
    found = []
    for item in run.results:
        result = item["result"]
        if "results" in result:  # a loop: each item says whether it failed
            found.extend(dict(one, task=item["task"], failed=bool(one.get("failed"))) for one in result["results"]
                         if not one.get("skipped") and "invocation" in one)
        elif item["status"] != "skipped" and "invocation" in result:
            found.append(dict(result, task=item["task"], failed=item["status"] == "failed"))
    return found


@pytest.fixture(scope="module")
def probe(simulator: Any, tmp_path_factory: Any, collections_path: str) -> dict[str, Any]:
    """One run of the probe; the tests below read its results, the simulator's counters and the capture files."""
    simulator.reset()
    run, directory = run_probe(simulator, tmp_path_factory.mktemp("probe"), collections_path)
    return dict(run=run, directory=directory, counters=simulator.counters(), tokens=simulator.issued_tokens())


def test_the_probe_sends_nothing_that_changes_anything(probe):
    counters = probe["counters"]
    # The only POST is the logon, the only DELETE the logoff; no action was even asked for.
    assert changing_requests(counters) == {}
    assert not any(counters["actions"].values())
    assert counters["starts_by_job"] == {}
    assert counters["logons"] == counters["logoffs"] == MODULE_RUNS
    assert counters["live_sessions"] == 0
    # Not vacuous: the probe did read (jobs, servers, repositories), and its changing-request check can fail.
    assert sum(counters["requests"].values()) > 3 * MODULE_RUNS
    assert changing_requests({"requests": {"POST /api/jobs/x": 1, "POST /api/sessionMngr/": 1}}) == {"POST /api/jobs/x": 1}


def test_every_step_of_the_probe_ran_and_succeeded(probe):
    results = module_results(probe["run"])
    assert len(results) == MODULE_RUNS
    # A step that fails here names the read that the simulator cannot answer.
    failed = ["%s: %s" % (result["task"], result.get("msg")) for result in results if result.get("failed")]
    assert failed == [], "\n".join(failed)


def test_each_module_run_of_the_probe_wrote_a_capture_file_without_secrets(probe):
    files = sorted(os.listdir(probe["directory"]))
    assert len(files) == MODULE_RUNS
    secrets = secret_strings(probe["tokens"])
    for name in files:
        with open(os.path.join(probe["directory"], name), encoding="utf-8") as handle:
            text = handle.read()
        assert secrets_in(text, secrets) == [], name
        assert "127.0.0.1" not in text, name


def test_the_probe_with_keep_hosts_keeps_the_hosts_and_still_changes_nothing(sim, tmp_path, collections_path):
    run, directory = run_probe(sim, tmp_path, collections_path, probe_keep_hosts=True)
    assert changing_requests(sim.counters()) == {}
    texts = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            texts.append(handle.read())
    assert all("127.0.0.1" in text for text in texts)
    secrets = secret_strings(sim.issued_tokens())
    assert [found for text in texts for found in secrets_in(text, secrets)] == []
