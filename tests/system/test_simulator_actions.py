"""EM simulator: job actions, task timeline, job sessions, task scoping."""

from __future__ import annotations

import re
import threading
import time
from typing import Callable

import pytest
import requests
from lxml import etree

import em_http
from em_http import logon

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
FAST = dict(task_running_s=0.15, task_collect_s=0.15, session_starting_s=0.15)


def xml(resp: requests.Response) -> etree._Element:
    return em_http.xml(resp, ok=(200, 202))


@pytest.fixture
def fast(sim):
    sim.configure(**FAST)
    return sim


@pytest.fixture
def http(fast):
    return logon(fast)


def job_href(sim, http, name: str) -> str:
    root = xml(http.get(f"{sim.url}/api/query", params={"type": "Job", "filter": f'Name=="{name}"'}))
    refs = [r for r in root.findall("e:Refs/e:Ref", N) if r.get("Name") == name]
    assert len(refs) == 1
    return refs[0].get("Href")


def action(sim, http, name: str, act: str) -> requests.Response:
    return http.post(f"{job_href(sim, http, name)}?action={act}")


def text(el: etree._Element, tag: str) -> str | None:
    return el.findtext(f"e:{tag}", namespaces=N)


def wait_for(fetch: Callable[[], etree._Element], done: Callable[[etree._Element], bool],
             timeout: float = 5.0) -> tuple[etree._Element, list[etree._Element]]:
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        el = fetch()
        seen.append(el)
        if done(el):
            return el, seen
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last: {etree.tostring(el)[:400]!r}")
        time.sleep(0.03)


def wait_task(http, task_href: str) -> tuple[etree._Element, list[str]]:
    task, seen = wait_for(lambda: xml(http.get(task_href)), lambda t: text(t, "State") == "Finished")
    return task, [text(t, "State") for t in seen]


def related_session(task: etree._Element) -> str | None:
    link = task.find("e:Links/e:Link[@Rel='Related']", N)
    return None if link is None else link.get("Href")


def wait_session(http, href: str) -> tuple[etree._Element, list[str]]:
    s, seen = wait_for(lambda: xml(http.get(href)), lambda s: text(s, "State") == "Stopped")
    return s, [text(x, "State") for x in seen]


# ------------------------------------------------------------------ start

def test_start_task_timeline_and_session(fast, http):
    sim = fast
    sim.set_job("Quick Backup", duration_s=0.4)
    resp = action(sim, http, "Quick Backup", "start")
    assert resp.status_code == 202
    task = xml(resp)
    assert task.tag == f"{{{NS}}}Task" and task.get("Type") == "Task"
    assert [etree.QName(c).localname for c in task] == ["Links", "TaskId", "State", "Operation"]
    assert (text(task, "TaskId"), text(task, "State"), text(task, "Operation")) == ("task-1", "Running", "StartJob")
    delete = task.find("e:Links/e:Link", N)
    assert (delete.get("Rel"), delete.get("Type"), delete.get("Href")) == ("Delete", "Task", f"{sim.url}/api/tasks/task-1")
    assert task.get("Href") == f"{sim.url}/api/tasks/task-1"

    final, states = wait_task(http, task.get("Href"))
    assert states[0] == "Running" and "OperationFinished" in states
    assert states.index("OperationFinished") > states.index("Running")
    op_finished = xml(http.get(task.get("Href")))  # (already Finished now)
    assert text(op_finished, "State") == "Finished"
    result = final.find("e:Result", N)
    assert result.get("Success") == "true"
    assert result.findtext("e:Message", namespaces=N) == 'Job "Quick Backup" triggered to start.'
    assert [etree.QName(c).localname for c in final] == ["Links", "TaskId", "State", "Operation", "Result"]
    href = related_session(final)
    assert href and re.fullmatch(re.escape(sim.url) + r"/api/backupSessions/[0-9a-f-]{36}\?format=Entity", href)
    assert final.find("e:Links/e:Link[@Rel='Related']", N).get("Type") == "BackupJobSession"

    session, states = wait_session(http, href)
    assert "Working" in states and states[-1] == "Stopped"
    assert session.tag == f"{{{NS}}}BackupJobSession"
    assert re.fullmatch(r"Quick Backup@\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", session.get("Name"))
    sid = href.split("/")[-1].split("?")[0]
    assert session.get("UID") == f"urn:veeam:BackupJobSession:{sid}"
    assert [etree.QName(c).localname for c in session] == [
        "Links", "JobUid", "JobName", "JobType", "CreationTimeUTC", "EndTimeUTC", "State", "Result", "Progress",
        "IsRetry"]
    assert (text(session, "Result"), text(session, "Progress"), text(session, "IsRetry")) == ("Success", "100", "false")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", text(session, "EndTimeUTC"))
    assert text(session, "EndTimeUTC") > text(session, "CreationTimeUTC")
    rels = [(l.get("Rel"), l.get("Type")) for l in session.findall("e:Links/e:Link", N)]
    assert rels == [("Up", "BackupServerReference"), ("Up", "JobReference"),
                    ("Alternate", "BackupJobSessionReference"), ("Down", "BackupTaskSessionReferenceList"),
                    ("Stop", None), ("Related", "RestorePointReference")]  # backupsessions_id.md: the point it made
    c = sim.counters()
    assert c["actions"] == {"start": 1} and c["starts_by_job"] == {"Quick Backup": 1}


def test_session_states_while_running(fast, http):
    sim = fast
    sim.configure(session_starting_s=0.3)
    sim.set_job("Quick Backup", duration_s=0.6)
    task = xml(action(sim, http, "Quick Backup", "start"))
    sessions_href = job_href(sim, http, "Quick Backup") + "/backupSessions?format=Entity"
    newest = xml(http.get(sessions_href))[0]
    assert (text(newest, "State"), text(newest, "Result"), text(newest, "Progress")) == ("Starting", "None", "0")
    assert newest.find("e:EndTimeUTC", N) is None
    assert newest.find("e:FailureMessage", N) is not None and text(newest, "FailureMessage") == ""
    time.sleep(0.5)
    newest = xml(http.get(sessions_href))[0]
    assert text(newest, "State") == "Working" and 0 <= int(text(newest, "Progress")) < 100
    wait_task(http, task.get("Href"))


@pytest.mark.parametrize("job, outcome, message", [
    ("Mail Archive Backup", "Warning", "Changed block tracking is disabled"),
    ("Legacy App Backup", "Failed", "The RPC server is unavailable"),
])
def test_warning_and_failed_outcomes(fast, http, job, outcome, message):
    sim = fast
    sim.set_job(job, duration_s=0.2)
    task = xml(action(sim, http, job, "start"))
    final, _states = wait_task(http, task.get("Href"))
    assert final.find("e:Result", N).get("Success") == "true"  # the start itself succeeded
    href = related_session(final)
    if href is None:  # Mail Archive Backup has no Related link: find the session by query
        job_uid = xml(http.get(job_href(sim, http, job))).get("UID")
        found = xml(http.get(f"{sim.url}/api/query", params={
            "type": "BackupJobSession", "filter": f'JobUid=="{job_uid}"', "sortDesc": "CreationTime",
            "pageSize": 1}))
        href = found.find("e:Refs/e:Ref", N).get("Href") + "?format=Entity"
    session, _states = wait_session(http, href)
    assert text(session, "Result") == outcome
    assert message in text(session, "FailureMessage")


def test_set_job_overrides_and_reset(fast, http):
    sim = fast
    sim.set_job("Quick Backup", duration_s=0.1, outcome="Failed", failure_message="Disk full")
    task = xml(action(sim, http, "Quick Backup", "start"))
    session, _states = wait_session(http, related_session(wait_task(http, task.get("Href"))[0]))
    assert (text(session, "Result"), text(session, "FailureMessage")) == ("Failed", "Disk full")
    sim.reset()
    sim.configure(**FAST)
    http = logon(sim)
    sim.set_job("Quick Backup", duration_s=0.1)
    task = xml(action(sim, http, "Quick Backup", "start"))
    assert text(task, "TaskId") == "task-1"
    session, _states = wait_session(http, related_session(wait_task(http, task.get("Href"))[0]))
    assert text(session, "Result") == "Success"
    with pytest.raises(KeyError):
        sim.set_job("No Such Job", duration_s=1)
    with pytest.raises(ValueError):
        sim.set_job("Quick Backup", outcome="Great")


def test_replica_start_without_related_link(fast, http):
    sim = fast
    sim.set_job("Quick Replica", duration_s=0.2)
    task = xml(action(sim, http, "Quick Replica", "start"))
    final, _states = wait_task(http, task.get("Href"))
    assert related_session(final) is None
    job_uid = xml(http.get(job_href(sim, http, "Quick Replica"))).get("UID")
    found = xml(http.get(f"{sim.url}/api/query", params={
        "type": "ReplicaJobSession", "format": "Entities", "filter": f'JobUid=="{job_uid}"',
        "sortDesc": "CreationTime", "pageSize": 1}))
    s = found.find("e:Entities/e:ReplicaJobSessions/e:ReplicaJobSession", N)
    assert text(s, "JobType") == "Replica" and s.get("UID").startswith("urn:veeam:ReplicaJobSession:")
    rels = [(l.get("Rel"), l.get("Type")) for l in s.findall("e:Links/e:Link", N)]
    assert ("Down", "ReplicaTaskSessionReferenceList") in rels and ("Stop", None) not in rels
    session, _states = wait_session(http, s.get("Href"))
    assert text(session, "Result") == "Success"


def test_related_link_can_be_switched(fast, http):
    sim = fast
    sim.configure(jobs={"Quick Replica": {"related_link": True, "duration_s": 0.1}})
    final, _states = wait_task(http, xml(action(sim, http, "Quick Replica", "start")).get("Href"))
    link = final.find("e:Links/e:Link[@Rel='Related']", N)
    assert link.get("Type") == "ReplicaJobSession" and "/api/replicaSessions/" in link.get("Href")


# ------------------------------------------------------------------ sync and wrong actions

def test_sync_on_backup_copy(fast, http):
    sim = fast
    # The "classic" behaviour: a sync task that finishes and links its session (sync_task_rests false).
    sim.configure(sync_task_rests=False)
    sim.set_job("Offsite Copy", duration_s=0.2)
    resp = action(sim, http, "Offsite Copy", "sync")
    assert resp.status_code == 202
    task = xml(resp)
    assert text(task, "Operation") == "StartJobSync"
    final, _states = wait_task(http, task.get("Href"))
    assert final.find("e:Result", N).get("Success") == "true"
    session, _states = wait_session(http, related_session(final))
    assert text(session, "JobType") == "BackupCopy"
    assert sim.counters()["starts_by_job"] == {"Offsite Copy": 1}


@pytest.mark.parametrize("job, act", [
    ("Offsite Copy", "start"), ("Quick Backup", "sync"), ("Immediate Copy to DR", "start"),
    ("Offsite Copy", "retry"),
])
def test_action_not_offered_by_job_type_is_400(fast, http, job, act):
    resp = action(fast, http, job, act)
    assert resp.status_code == 400
    assert etree.fromstring(resp.content).get("StatusCode") == "400"
    assert fast.counters()["starts_by_job"] == {}


def test_immediate_copy_sync_can_be_disabled(fast, http):
    # get_jobs_id.md examples 2 and 3 show the Sync link (the vbr13 profile); the older guess had none.
    sim = fast
    job = xml(http.get(job_href(sim, http, "Immediate Copy to DR") + "?format=Entity"))
    assert job.find("e:Links/e:Link[@Rel='Sync']", N) is not None
    sim.configure(immediate_copy_sync=False)
    job = xml(http.get(job_href(sim, http, "Immediate Copy to DR") + "?format=Entity"))
    assert job.find("e:Links/e:Link[@Rel='Sync']", N) is None
    assert action(sim, http, "Immediate Copy to DR", "sync").status_code == 400
    assert sim.counters()["starts_by_job"] == {}


def test_unknown_and_unimplemented_actions(fast, http):
    assert action(fast, http, "Quick Backup", "explode").status_code == 400
    assert action(fast, http, "Quick Backup", "clone").status_code == 501
    assert http.post(job_href(fast, http, "Quick Backup")).status_code == 400


# ------------------------------------------------------------------ running jobs

def test_start_on_running_job_gives_failed_task(fast, http):
    sim = fast
    resp = action(sim, http, "Web Servers Backup", "start")
    assert resp.status_code == 202
    final, _states = wait_task(http, xml(resp).get("Href"))
    result = final.find("e:Result", N)
    assert result.get("Success") == "false"
    assert "already running" in result.findtext("e:Message", namespaces=N)
    assert related_session(final) is None
    assert sim.counters()["starts_by_job"] == {}
    sim.configure(start_when_running="error_400")
    resp = action(sim, http, "Web Servers Backup", "start")
    assert resp.status_code == 400 and "already running" in etree.fromstring(resp.content).get("Message")


def test_concurrent_starts_start_once(fast, http):
    sim = fast
    sim.set_job("Quick Backup", duration_s=5)
    href = job_href(sim, http, "Quick Backup") + "?action=start"
    token = http.headers["X-RestSvcSessionId"]
    codes = []

    def start() -> None:
        with requests.Session() as s:
            s.trust_env = False
            codes.append(s.post(href, verify=sim.ca_path, headers={"X-RestSvcSessionId": token}).status_code)
    threads = [threading.Thread(target=start) for _thread in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [202] * 8
    c = sim.counters()
    assert c["starts_by_job"] == {"Quick Backup": 1} and c["actions"] == {"start": 8}


def test_stop_and_stop_when_idle(fast, http):
    sim = fast
    sim.configure(session_stopping_s=0.2)
    resp = action(sim, http, "Web Servers Backup", "stop")
    task = xml(resp)
    assert text(task, "Operation") == "StopJob"
    final, _states = wait_task(http, task.get("Href"))
    assert final.find("e:Result", N).findtext("e:Message", namespaces=N) == 'Job "Web Servers Backup" triggered to stop.'
    newest_href = job_href(sim, http, "Web Servers Backup") + "/backupSessions?format=Entity"
    session, states = wait_for(lambda: xml(http.get(newest_href))[0], lambda s: text(s, "State") == "Stopped")
    assert text(session, "Result") == "Failed" and "stopped by user" in text(session, "FailureMessage")
    again = xml(action(sim, http, "Web Servers Backup", "stop"))
    final, _states = wait_task(http, again.get("Href"))
    assert final.find("e:Result", N).get("Success") == "false"


def test_stop_session_action(fast, http):
    sim = fast
    sessions = xml(http.get(f"{sim.url}/api/query", params={
        "type": "BackupJobSession", "filter": "State==Working", "format": "Entities"}))
    s = sessions.find("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)
    stop = s.find("e:Links/e:Link[@Rel='Stop']", N).get("Href")
    task = xml(http.post(stop))
    assert text(task, "Operation") == "StopJobSession"
    stopped, _states = wait_session(http, s.get("Href"))
    assert text(stopped, "Result") == "Failed"
    portal = logon(sim, ("portaluser", "User&P@ss:1"))
    assert portal.post(stop).status_code == 403


def test_retry(fast, http):
    sim = fast
    sim.set_job("Legacy App Backup", duration_s=0.1)
    task = xml(action(sim, http, "Legacy App Backup", "retry"))
    assert text(task, "Operation") == "RetryJob"
    final, _states = wait_task(http, task.get("Href"))
    assert final.find("e:Result/e:Message", N).text == 'Job "Legacy App Backup" triggered to retry.'
    session, _states = wait_session(http, related_session(final))
    assert text(session, "IsRetry") == "true"
    not_failed = xml(action(sim, http, "Quick Backup", "retry"))
    final, _states = wait_task(http, not_failed.get("Href"))
    assert final.find("e:Result", N).get("Success") == "false"


def test_toggle_schedule_enabled(fast, http):
    sim = fast
    href = job_href(sim, http, "DB Backup")
    before = xml(http.get(f"{href}?format=Entity"))
    assert text(before, "ScheduleEnabled") == "true" and text(before, "NextRun")
    task = xml(http.post(f"{href}?action=toggleScheduleEnabled"))
    assert text(task, "Operation") == "UpdateJob"
    after = xml(http.get(f"{href}?format=Entity"))
    assert text(after, "ScheduleEnabled") == "false" and after.find("e:NextRun", N) is None
    listed = xml(http.get(f"{sim.url}/api/jobs?format=Entity"))
    db = next(j for j in listed if j.get("Name") == "DB Backup")
    assert text(db, "ScheduleEnabled") == "false"
    final, _states = wait_task(http, task.get("Href"))
    assert final.find("e:Result/e:Message", N).text == "Ok"
    sim.reset()
    http = logon(sim)
    assert text(xml(http.get(f"{href}?format=Entity")), "ScheduleEnabled") == "true"


# ------------------------------------------------------------------ task scoping

def test_tasks_belong_to_their_logon_session(fast, http):
    sim = fast
    other = logon(sim)
    task = xml(action(sim, http, "Quick Backup", "start"))
    href = task.get("Href")
    assert other.get(href).status_code == 404
    assert len(xml(other.get(f"{sim.url}/api/tasks"))) == 0
    q = xml(other.get(f"{sim.url}/api/query", params={"type": "Task"}))
    assert len(q.find("e:Resources/e:Tasks", N)) == 0
    mine = xml(http.get(f"{sim.url}/api/tasks"))
    assert [text(t, "TaskId") for t in mine] == ["task-1"]
    q = xml(http.get(f"{sim.url}/api/query", params={"type": "task", "format": "Entities"}))
    assert [text(t, "TaskId") for t in q.find("e:Resources/e:Tasks", N)] == ["task-1"]
    assert other.delete(href).status_code == 404
    assert http.delete(href).status_code == 204
    assert http.get(href).status_code == 404
    # Tasks end with their logon session.
    task2 = xml(action(sim, http, "Quick Replica", "start"))
    assert http.delete(http.logon_href).status_code == 204
    again = logon(sim)
    assert again.get(task2.get("Href")).status_code == 404
