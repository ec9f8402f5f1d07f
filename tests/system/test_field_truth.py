"""Issue 12's field truths over real HTTPS: immediate copy jobs and their worker sessions, the sync task that
rests in OperationFinished, the logon cookie that EM prefers to the header, and EM's collection lag.

Each simulator behaviour is built from a docs page (cited in em_simulator/copyjobs.py, config.py); the client
tests prove through the simulator's counters what the client sent.
"""

from __future__ import annotations

import time

import requests
from lxml import etree

from collection_path import import_module_utils

_jobs = import_module_utils("_jobs")
_job_sessions = import_module_utils("_job_sessions")
_session = import_module_utils("_session")

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
ADMIN = ("admin", "Secr3t&P@ss:word")
TOKEN = "X-RestSvcSessionId"


def logon(sim):
    http = requests.Session()
    http.trust_env = False
    http.verify = sim.ca_path
    resp = http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=ADMIN)
    assert resp.status_code == 201
    http.headers[TOKEN] = resp.headers[TOKEN]
    return http, resp


def xml(resp):
    assert resp.status_code in (200, 201, 202), resp.text
    return etree.fromstring(resp.content)


def workers(http, sim):
    root = xml(http.get(f"{sim.url}/api/query?type=BackupJobSession&format=Entities&sortDesc=CreationTime"
                        "&filter=JobType==ImmediateBackupCopyWorker"))
    return root.findall(".//e:BackupJobSession", N)


def wait_until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


# -- immediate copy jobs (get_jobs_id.md examples 2 and 3, get_query_backupjobsession.md 13.1) ----------------
def test_immediate_copy_job_syncs_into_a_worker_session_while_its_parent_stays_working(sim):
    sim.configure(task_running_s=0.1, session_starting_s=0.1)
    sim.set_job("Immediate Copy to DR", duration_s=0.5)
    http, _resp = logon(sim)
    job_id = sim.job_id("Immediate Copy to DR")
    parent = xml(http.get(f'{sim.url}/api/query?type=BackupJobSession&format=Entities&sortDesc=CreationTime'
                          f'&filter=JobUid=="urn:veeam:Job:{job_id}";State==Working'))
    parents = parent.findall(".//e:BackupJobSession", N)
    assert len(parents) == 1
    assert parents[0].findtext("e:JobType", namespaces=N) == "ImmediateBackupCopy"
    assert parents[0].findtext("e:Progress", namespaces=N) == "0"
    assert workers(http, sim) == []

    task = xml(http.post(f"{sim.url}/api/jobs/{job_id}?action=sync"))
    assert task.findtext("e:Operation", namespaces=N) == "StartJobSync"
    found = wait_until(lambda: workers(http, sim))
    assert len(found) == 1
    worker = found[0]
    assert worker.get("Name").startswith("Immediate Copy to DR\\Fileserver Backup@")
    assert worker.findtext("e:JobName", namespaces=N) == "Immediate Copy to DR\\Fileserver Backup"
    assert worker.findtext("e:JobUid", namespaces=N) != f"urn:veeam:Job:{job_id}"
    # The worker's own JobUid and JobName find it too.
    by_uid = xml(http.get(f'{sim.url}/api/query?type=BackupJobSession&format=Entities'
                          f'&filter=JobUid=="{worker.findtext("e:JobUid", namespaces=N)}"'))
    assert [s.get("UID") for s in by_uid.findall(".//e:BackupJobSession", N)] == [worker.get("UID")]
    # post_jobs_id_actionsync.md: the task rests in OperationFinished, Success true, no Related link.
    time.sleep(0.8)
    task = xml(http.get(task.get("Href")))
    assert task.findtext("e:State", namespaces=N) == "OperationFinished"
    assert task.find("e:Result", N).get("Success") == "true"
    assert task.findtext("e:Result/e:Message", namespaces=N) == "OperationFinished"
    assert task.find("e:Links/e:Link[@Rel='Related']", N) is None
    # The parent still works; the copy job counts as idle once its worker ended, so a new sync starts.
    assert xml(http.get(parents[0].get("Href"))).findtext("e:State", namespaces=N) == "Working"
    again = xml(http.post(f"{sim.url}/api/jobs/{job_id}?action=sync"))
    assert wait_until(lambda: len(workers(http, sim)) == 2)
    assert again.findtext("e:Operation", namespaces=N) == "StartJobSync"
    assert sim.counters()["starts_by_job"] == {"Immediate Copy to DR": 2}


def test_the_parent_session_keeps_its_id_across_resets_and_is_stopped_through_its_stop_link(sim):
    """A reset puts the dataset back, the parent session with it: a read before and one after compare."""
    sim.configure(task_running_s=0.1, session_stopping_s=0.1)
    http, _resp = logon(sim)
    query = (f'{sim.url}/api/query?type=BackupJobSession&format=Entities'
             f'&filter=JobUid=="urn:veeam:Job:{sim.job_id("Immediate Copy to DR")}";State==Working')
    before = [s.get("UID") for s in xml(http.get(query)).findall(".//e:BackupJobSession", N)]
    assert len(before) == 1
    parent = xml(http.get(query)).find(".//e:BackupJobSession", N)
    task = xml(http.post(parent.find("e:Links/e:Link[@Rel='Stop']", N).get("Href")))
    assert task.findtext("e:Operation", namespaces=N) == "StopJobSession"
    assert wait_until(lambda: xml(http.get(parent.get("Href"))).findtext("e:State", namespaces=N) == "Stopped")
    assert sim.counters()["actions"] == {"stopSession": 1}
    sim.reset()
    http, _resp = logon(sim)
    assert [s.get("UID") for s in xml(http.get(query)).findall(".//e:BackupJobSession", N)] == before


def test_classic_profile_has_no_sync_link_no_workers_and_finishing_sync_tasks(sim_factory):
    sim = sim_factory(profile="classic")
    http, resp = logon(sim)
    assert "Set-Cookie" not in resp.headers
    job = xml(http.get(f'{sim.url}/api/jobs/{sim.job_id("Immediate Copy to DR")}?format=Entity'))
    assert job.find("e:Links/e:Link[@Rel='Sync']", N) is None
    job_id = sim.job_id("Immediate Copy to DR")
    working = xml(http.get(f'{sim.url}/api/query?type=BackupJobSession&format=Entities'
                           f'&filter=JobUid=="urn:veeam:Job:{job_id}";State==Working'))
    assert working.findall(".//e:BackupJobSession", N) == []


# -- cookies (http_authentication.md) ---------------------------------------------------------------------------
def test_the_logon_sets_the_cookie_and_a_stale_cookie_beats_a_fresh_header(sim):
    keeper, resp = logon(sim)  # a requests.Session keeps cookies
    assert resp.headers["Set-Cookie"] == f"{TOKEN}={resp.headers[TOKEN]}; Path=/api;"
    assert keeper.get(f"{sim.url}/api/jobs").status_code == 200
    sim.expire_sessions()
    _other, fresh = logon(sim)
    keeper.headers[TOKEN] = fresh.headers[TOKEN]  # a valid token in the header, the stale one in the cookie
    assert keeper.get(f"{sim.url}/api/jobs").status_code == 401
    sim.configure(cookie_wins=False)
    assert keeper.get(f"{sim.url}/api/jobs").status_code == 200


def test_the_client_keeps_no_cookie_and_relogs_on_after_an_expiry(sim):
    with _session.EmSession(sim.url, ADMIN[0], ADMIN[1], ca_path=sim.ca_path, request_timeout=10.0) as em:
        assert _jobs.find_jobs(em, name="DB Backup")
        assert sim.expire_sessions() == 1
        # The next call gets 401, logs on again (no stale cookie along) and succeeds.
        assert _jobs.find_jobs(em, name="Quick Backup")
        assert em.generation == 2
        assert len(em.transport._http.cookies) == 0  # pylint: disable=protected-access
    counters = sim.counters()
    assert counters["logons"] == 2
    assert counters["expired_sessions"] == 1
    assert counters["logoffs"] == 1
    assert counters["requests_with_cookie"] == 0
    assert counters["live_sessions"] == 0


# -- collection lag (settings collection_interval_s, time_scale; profile "lag") -----------------------------------
def test_lag_shows_a_new_session_and_finishes_the_task_only_at_the_next_collection(sim_factory):
    sim = sim_factory(profile="lag", collection_interval_s=900.0, time_scale=450.0)  # a collection every 2 s
    sim.configure(task_running_s=0.1, session_starting_s=0.1)
    http, _resp = logon(sim)
    job_id = sim.job_id("Quick Backup")
    query = (f'{sim.url}/api/query?type=BackupJobSession&format=Entities&sortDesc=CreationTime&pageSize=1'
             f'&filter=JobUid=="urn:veeam:Job:{job_id}"')
    before = xml(http.get(query)).find(".//e:BackupJobSession", N).get("UID")
    # Start right after a collection, so that the next one is almost 2 s away.
    phase = (time.monotonic() - sim._st().loaded_m) % 2.0  # pylint: disable=protected-access
    time.sleep(2.0 - phase + 0.05)
    task = xml(http.post(f"{sim.url}/api/jobs/{job_id}?action=start"))
    started = time.monotonic()
    states = []
    while time.monotonic() - started < 5:
        t = xml(http.get(task.get("Href")))
        newest = xml(http.get(query)).find(".//e:BackupJobSession", N).get("UID")
        states.append((t.findtext("e:State", namespaces=N), newest != before))
        if states[-1][0] == "Finished":
            break
        time.sleep(0.1)
    assert states[-1] == ("Finished", True)
    # Before the collection: the task waits in OperationFinished and the new session is not shown.
    assert ("OperationFinished", False) in states
    # The session shows no earlier than the task finishes (both at the collection).
    assert all(shown is False for state, shown in states if state != "Finished")


# -- the bulk last-session look-up with deep history (the generated dataset's sessions_per_job) -------------------
def _bulk_lookup_cost(sim):
    with _session.EmSession(sim.url, ADMIN[0], ADMIN[1], ca_path=sim.ca_path, request_timeout=30.0) as em:
        jobs = _jobs.find_jobs(em)
        before = sim.counters()["requests"].get("GET /api/query", 0)
        newest = _job_sessions.latest_sessions(em, jobs)
        return sim.counters()["requests"].get("GET /api/query", 0) - before, len(jobs), newest


def test_the_bulk_last_session_look_up_costs_no_more_with_deeper_history(sim_factory):
    shallow, jobs, _newest = _bulk_lookup_cost(sim_factory(dataset="generated", jobs=800, servers=2))
    deep, deep_jobs, newest_deep = _bulk_lookup_cost(sim_factory(dataset="generated", jobs=800, servers=2,
                                                                 sessions_per_job=30))
    deeper_sim = sim_factory(dataset="generated", jobs=800, servers=2, sessions_per_job=90)
    deeper, _jobs_again, _newest_again = _bulk_lookup_cost(deeper_sim)
    assert jobs == deep_jobs
    print("bulk look-up of %d jobs: %d queries with 1 session a job, %d with 30, %d with 90"
          % (jobs, shallow, deep, deeper))
    # Three times deeper again: the same requests.
    assert deeper == deep
    chunks = -(-jobs // _job_sessions.UIDS_PER_QUERY) + 2  # a partial chunk per session type at most
    assert shallow <= chunks
    # Thirty times the history costs no more than one more query per chunk (never one per page of history).
    assert deep <= 2 * chunks + (jobs - len(newest_deep))
