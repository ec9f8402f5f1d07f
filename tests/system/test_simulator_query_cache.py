"""EM simulator: the query service keeps a history query's answer between pages (SimState.query_cache) and never
serves it stale: after a new run, a stop, a reset, a setting, or when time alone changes a session (it becomes
visible, it ends), the next identical query sees the change, and page 1 and page 2 agree with the whole list."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
EVER = 'CreationTime>="2000-01-01T00:00:00Z"'


def xml(resp):
    assert resp.status_code in (200, 202), resp.text[:300]
    return ET.fromstring(resp.content)


def uids(http, sim, query_type, page=1, page_size=100, **params):
    """The UIDs of one page of a query, and its PagesCount."""
    root = xml(http.get(f"{sim.url}/api/query", params=dict(type=query_type, format="Entities", pageSize=page_size,
                                                            page=page, **params), timeout=60))
    found = [e.get("UID") for e in root.findall(f".//e:{query_type}", N)]
    return found, int(root.find("e:PagingInfo", N).get("PagesCount"))


def pages_agree(http, sim, query_type, **params):
    """The whole answer (one page of 100), checked against its pages 1 and 2 of two."""
    whole, _pages = uids(http, sim, query_type, **params)
    first, count = uids(http, sim, query_type, page=1, page_size=2, **params)
    second, _count = uids(http, sim, query_type, page=2, page_size=2, **params)
    assert first + second == whole[:4]
    assert count == (len(whole) + 1) // 2
    return whole


def start(http, sim, name):
    """Start the job; the Task's href."""
    resp = http.post(f"{sim.url}/api/jobs/{sim.job_id(name)}?action=start", timeout=10)
    assert resp.status_code == 202, resp.text[:300]
    return resp.headers["Location"]


def related(http, task_href):
    """The href of the job session a started job's Task links once Finished (em_api.md section 7)."""
    found = []

    def finished():
        task = xml(http.get(task_href, timeout=10))
        link = task.find("e:Links/e:Link[@Rel='Related']", N)
        if task.findtext("e:State", namespaces=N) == "Finished" and link is not None:
            found.append(link.get("Href"))
        return bool(found)
    wait_for(finished)
    return found[0]


def wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached")


def test_a_new_run_is_in_the_next_identical_query_once_visible(sim, em_logon):
    sim.configure(session_visible_after_s=2.0, session_starting_s=0.2, task_running_s=0.1, task_collect_s=0.1)
    sim.set_job("DB Backup", duration_s=0.5)
    http = em_logon(sim)
    params = dict(filter=EVER, sortDesc="CreationTime")
    before = pages_agree(http, sim, "BackupJobSession", **params)
    assert len(before) >= 4
    task_href = start(http, sim, "DB Backup")
    # Not visible yet (session_visible_after_s): the answer is the old one, and is kept only until it shows.
    assert pages_agree(http, sim, "BackupJobSession", **params) == before
    new_uid = xml(http.get(related(http, task_href), timeout=10)).get("UID")
    assert new_uid not in before
    assert uids(http, sim, "BackupJobSession", **params)[0][0] == new_uid
    after = pages_agree(http, sim, "BackupJobSession", **params)
    assert after == [new_uid] + before
    first, _count = uids(http, sim, "BackupJobSession", page=1, page_size=2, **params)
    second, _count = uids(http, sim, "BackupJobSession", page=2, page_size=2, **params)
    assert first == [new_uid, before[0]] and second == before[1:3]
    # A reset drops the run (and the logon sessions): the identical query answers as before it.
    sim.reset()
    http = em_logon(sim)
    assert pages_agree(http, sim, "BackupJobSession", **params) == before


def test_stop_and_the_end_of_a_run_change_state_and_result_queries(sim, em_logon):
    sim.configure(session_starting_s=0.2, session_stopping_s=0.3, task_running_s=0.1, task_collect_s=0.1)
    sim.set_job("DB Backup", duration_s=60.0)
    http = em_logon(sim)
    working = dict(filter='State==Working;JobName=="DB Backup"')
    failed = dict(filter='Result==Failed;JobName=="DB Backup"', sortDesc="CreationTime")
    assert uids(http, sim, "BackupJobSession", **working)[0] == []
    failed_before = uids(http, sim, "BackupJobSession", **failed)[0]
    href = related(http, start(http, sim, "DB Backup")).partition("?")[0]
    new_uid = xml(http.get(href, params={"format": "Entity"}, timeout=10)).get("UID")
    # Starting, then Working with time alone.
    wait_for(lambda: uids(http, sim, "BackupJobSession", **working)[0] == [new_uid])
    assert uids(http, sim, "BackupJobSession", **failed)[0] == failed_before
    xml(http.post(f"{href}?action=stop", timeout=10))
    # Stopping, then Stopped with Result Failed (stop_result) after session_stopping_s.
    wait_for(lambda: uids(http, sim, "BackupJobSession", **failed)[0] == [new_uid] + failed_before)
    assert uids(http, sim, "BackupJobSession", **working)[0] == []


def test_task_sessions_filtered_on_their_result_see_a_new_failed_run(sim_factory, em_logon):
    # Deep generated history: every seeded run has ended, so an answer on Result is kept between pages.
    deep = sim_factory(dataset="generated", jobs=200, servers=2, sessions_per_job=3, session_starting_s=0.2,
                       task_running_s=0.1, task_collect_s=0.1)
    http = em_logon(deep, "portaluser")
    params = dict(filter="Result==Failed", sortDesc="CreationTime")
    before = pages_agree(http, deep, "BackupTaskSession", **params)
    assert len(before) >= 4
    deep.set_job("Job 000002", outcome="Failed", duration_s=0.6)
    admin = em_logon(deep)
    session_uid = xml(admin.get(related(admin, start(admin, deep, "Job 000002")), timeout=10)).get("UID")
    # Job 2 processes 3 VMs; the last one carries the run's Failed outcome, once the run has ended.
    wait_for(lambda: len(uids(http, deep, "BackupTaskSession", **params)[0]) == len(before) + 1)
    after = pages_agree(http, deep, "BackupTaskSession", **params)
    assert after[1:] == before
    task = xml(http.get(f"{deep.url}/api/backupTaskSessions/{after[0].rpartition(':')[2]}", params={"format": "Entity"},
                        timeout=10))
    assert task.findtext("e:JobSessionUid", namespaces=N) == session_uid
    assert task.findtext("e:Result", namespaces=N) == "Failed"


def test_under_collection_lag_a_new_run_is_in_the_identical_query_after_the_next_collection(sim_factory, em_logon):
    # The lag profile shows the sessions as of EM's last collection (900 s, played 180 times faster: every 5 s); a
    # cached answer must not outlive the collection that changes it (a sync under lag once waited forever here).
    lagging = sim_factory(profile="lag")
    http = em_logon(lagging)
    params = dict(filter='JobName=="Offsite Copy"', sortDesc="CreationTime")
    before = pages_agree(http, lagging, "BackupJobSession", **params)
    resp = http.post(f"{lagging.url}/api/jobs/{lagging.job_id('Offsite Copy')}?action=sync", timeout=10)
    assert resp.status_code == 202, resp.text[:300]
    wait_for(lambda: len(uids(http, lagging, "BackupJobSession", **params)[0]) == len(before) + 1, timeout=12.0)
    assert pages_agree(http, lagging, "BackupJobSession", **params)[1:] == before
