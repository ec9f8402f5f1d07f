"""EM simulator: VBR's automatic retries of failed scheduled runs (VBR user guide, "Job Retry"), over HTTPS.

jobs_id.md: the job's JobScheduleOptions > Standart > RetryOptions (RetryTimes, RetryTimeout, RetrySpecified);
get_query_backupjobsession.md: a retry is a session with IsRetry true. Setting scheduled_retry (a Guess in
em_simulator/config.py); time_scale 600 makes RetryTimeout 10 (minutes) pass in 1 s.
"""

from __future__ import annotations

import time

import pytest
import requests

import em_http
from em_http import logon

N = {"e": "http://www.veeam.com/ent/v1.0"}


@pytest.fixture
def http(sim):
    sim.configure(task_running_s=0.1, task_collect_s=0.1, session_starting_s=0.1, time_scale=600.0,
                  jobs={"Quick Backup": {"duration_s": 0.2}, "Legacy App Backup": {"duration_s": 0.2}})
    return logon(sim)


def sessions(sim, http, job="Quick Backup"):
    """The job's sessions, newest first: (id, State, Result, IsRetry)."""
    params = {"type": "BackupJobSession", "format": "Entities", "filter": f'JobName=="{job}"', "sortDesc": "CreationTime"}
    resp = http.get(f"{sim.url}/api/query", params=params)
    root = em_http.xml(resp)
    return [(s.get("UID").rsplit(":", 1)[1], s.findtext("e:State", namespaces=N), s.findtext("e:Result", namespaces=N),
             s.findtext("e:IsRetry", namespaces=N)) for s in root.iter("{%s}BackupJobSession" % N["e"])]


def wait_settled(sim, http, seconds, job="Quick Backup"):
    time.sleep(seconds)
    return sessions(sim, http, job)


def test_the_job_entity_carries_its_retry_options(sim, http):
    sim.set_job("Quick Backup", retry_times=2, retry_timeout=7, retry_specified=False)
    root = em_http.xml(http.get(f"{sim.url}/api/jobs/{sim.job_id('Quick Backup')}", params={"format": "Entity"}))
    retry = root.find("e:JobScheduleOptions/e:Standart/e:RetryOptions", N)
    assert [(child.tag.split("}")[1], child.text) for child in retry] == [
        ("RetryTimes", "2"), ("RetryTimeout", "7"), ("RetrySpecified", "false")]


def test_a_failed_scheduled_run_is_retried_until_retry_times_are_used_up(sim, http):
    sim.set_job("Quick Backup", outcome="Failed", retry_times=2)
    first = sim.scheduled_run("Quick Backup")
    # Each run: 0.1 s starting + 0.2 s, then 1 s until the retry; two retries take about 2.6 s.
    found = wait_settled(sim, http, 3.5)
    assert found[0][3] == "true" and found[1][3] == "true" and found[2][0] == first
    assert [entry[1:3] for entry in found[:3]] == [("Stopped", "Failed")] * 3
    assert found[2][3] == "false"
    counters = sim.counters()
    assert (counters["scheduled_runs"], counters["automatic_retries"]) == (1, 2)
    assert counters["starts_by_job"] == {} and counters["actions"] == {}


def test_a_retry_that_succeeds_ends_the_chain(sim, http):
    first = sim.scheduled_run("Quick Backup", outcome="Failed")
    found = wait_settled(sim, http, 2.5)
    assert [entry[0] for entry in found[1:2]] == [first]
    assert found[0][1:] == ("Stopped", "Success", "true")
    assert sim.counters()["automatic_retries"] == 1


@pytest.mark.parametrize("overrides", [{"retry_specified": False}, {"retry_times": 0}], ids=["off", "zero-times"])
def test_no_retry_when_the_jobs_retry_options_say_none(sim, http, overrides):
    sim.set_job("Quick Backup", **overrides)
    first = sim.scheduled_run("Quick Backup", outcome="Failed")
    found = wait_settled(sim, http, 2.0)
    assert found[0][0] == first and found[0][2] == "Failed"
    assert sim.counters()["automatic_retries"] == 0


def test_a_run_started_through_em_is_never_retried(sim, http):
    resp = http.post(f"{sim.url}/api/jobs/{sim.job_id('Legacy App Backup', kind='vm')}", params={"action": "start"})
    assert resp.status_code == 202
    found = wait_settled(sim, http, 2.0, job="Legacy App Backup")
    assert found[0][2:] == ("Failed", "false")
    assert sim.counters()["automatic_retries"] == 0
    assert sim.counters()["starts_by_job"] == {"Legacy App Backup": 1}


def test_a_scheduled_run_stopped_through_em_is_not_retried(sim, http):
    sim.set_job("Quick Backup", duration_s=5.0)
    first = sim.scheduled_run("Quick Backup", outcome="Failed")
    time.sleep(0.3)
    resp = http.post(f"{sim.url}/api/jobs/{sim.job_id('Quick Backup')}", params={"action": "stop"})
    assert resp.status_code == 202
    found = wait_settled(sim, http, 2.5)
    assert found[0][0] == first and found[0][1:3] == ("Stopped", "Failed")
    assert sim.counters()["automatic_retries"] == 0


def test_the_control_api_refuses_a_scheduled_run_of_a_running_or_unknown_job(sim, http):
    control = requests.Session()
    control.verify, control.trust_env = sim.ca_path, False
    assert control.post(f"{sim.url}/_sim/scheduled-run", json={"job": "No Such Job"}).status_code == 400
    assert control.post(f"{sim.url}/_sim/scheduled-run", json={"job": "Web Servers Backup"}).status_code == 400
    answer = control.post(f"{sim.url}/_sim/scheduled-run", json={"job": "Quick Backup", "outcome": "Warning"})
    assert answer.status_code == 201 and answer.json()["name"].startswith("Quick Backup@")
    assert sim.counters()["scheduled_runs"] == 1
