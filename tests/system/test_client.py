"""The shared client (plugins/module_utils) against the simulator over real HTTPS.

Every behaviour of the client issue that crosses the wire: logon and logoff on every path, link walking, the
query service, streaming, each error class, retries, session renewal and the hostile-response guards.
The simulator's counters prove what was (not) sent.
"""

from __future__ import annotations

import socket

import pytest

from collection_path import import_module_utils

_errors = import_module_utils("_errors")
_jobs = import_module_utils("_jobs")
_job_sessions = import_module_utils("_job_sessions")
_session = import_module_utils("_session")

ADMIN = ("admin", "Secr3t&P@ss:word")
PORTAL_USER = ("portaluser", "User&P@ss:1")


def open_session(sim, user=ADMIN, warnings=None, **options):
    options.setdefault("ca_path", sim.ca_path)
    options.setdefault("request_timeout", 10.0)
    return _session.EmSession(sim.url, user[0], user[1], warn=(warnings.append if warnings is not None else None),
                              **options)


def requests_to(sim, key):
    return sim.counters()["requests"].get(key, 0)


def test_logon_walks_links_and_logs_off(sim):
    with open_session(sim) as em:
        token = em._token  # pylint: disable=protected-access
        assert em.session_id and token
        assert token != em.session_id  # the header token is not the SessionId GUID
        assert sim.counters()["live_sessions"] == 1
        assert em.link("Down", "JobList")["href"].startswith(sim.url)
    counters = sim.counters()
    assert counters["logons"] == 1 and counters["logoffs"] == 1 and counters["live_sessions"] == 0
    assert counters["requests"]["GET /api/"] == 1


def test_logoff_happens_when_the_work_fails(sim):
    with pytest.raises(RuntimeError):
        with open_session(sim):
            raise RuntimeError("boom")
    assert sim.counters()["live_sessions"] == 0
    assert sim.counters()["logoffs"] == 1


@pytest.mark.parametrize("version", ["latest", "v1_5", "v1_6", "v1_7"])
def test_every_documented_api_version_logs_on(sim, version):
    with open_session(sim, api_version=version) as em:
        assert _jobs.find_jobs(em, name="DB Backup")
    assert sim.counters()["live_sessions"] == 0


def test_wrong_password_is_an_authentication_error_without_the_password(sim):
    with pytest.raises(_errors.VeeamEmAuthenticationError) as caught:
        with open_session(sim, user=("admin", "not-the-password")):
            pass
    message = str(caught.value)
    assert "check username and password" in message and '"admin"' in message
    assert "not-the-password" not in message
    assert sim.counters()["live_sessions"] == 0


def test_portal_user_gets_a_permission_error_naming_the_role(sim):
    with open_session(sim, user=PORTAL_USER) as em:
        with pytest.raises(_errors.VeeamEmPermissionError) as by_name:
            _jobs.find_jobs(em, name="DB Backup")
        with pytest.raises(_errors.VeeamEmPermissionError) as listing:
            _jobs.find_jobs(em)
    assert "Portal Administrator" in str(by_name.value) and "HTTP 403" in str(by_name.value)
    assert "Portal Administrator" in str(listing.value)
    assert sim.counters()["live_sessions"] == 0


def test_unknown_resource_is_a_not_found_error_with_method_url_and_server_message(sim):
    with open_session(sim) as em:
        job = _jobs.find_one_job(em, name="DB Backup")
        missing = job.data["href"].replace(job.data["id"], "00000000-0000-0000-0000-000000000000")
        with pytest.raises(_errors.VeeamEmNotFoundError) as caught:
            em.get(missing)
    error = caught.value
    assert error.status == 404 and error.method == "GET" and error.url == missing
    assert "Enterprise Manager said:" in str(error) and missing in str(error)


def test_server_error_carries_the_servers_message(sim):
    sim.add_fault(method="GET", path="^/api/query$", kind="status", status=500, times=1)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmApiError) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert caught.value.status == 500 and "HTTP 500" in str(caught.value)
    assert caught.value.server_message
    assert sim.counters()["live_sessions"] == 0


def test_connection_refused_is_a_transport_error_naming_the_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    em = _session.EmSession("https://127.0.0.1:%d" % port, *ADMIN, request_timeout=5.0)
    em.transport._sleep = lambda seconds: None
    with pytest.raises(_errors.VeeamEmTransportError) as caught:
        with em:
            pass
    assert "Could not connect to https://127.0.0.1:%d/api/" % port in str(caught.value)
    assert "9398" in str(caught.value)


def test_unverifiable_certificate_names_ca_path_and_validate_certs(sim):
    with pytest.raises(_errors.VeeamEmTlsError) as caught:
        with open_session(sim, ca_path=None):
            pass
    assert "ca_path" in str(caught.value) and "validate_certs" in str(caught.value)
    assert sim.counters()["logons"] == 0


def test_validate_certs_false_connects(sim):
    with open_session(sim, ca_path=None, validate_certs=False) as em:
        assert _jobs.find_jobs(em, name="DB Backup")
    assert sim.counters()["live_sessions"] == 0


def test_slow_answer_is_a_request_timeout_naming_the_option(sim):
    sim.add_fault(method="GET", path="^/api/query$", kind="latency", seconds=2.0, times=1)
    with open_session(sim, request_timeout=0.5) as em:
        with pytest.raises(_errors.VeeamEmRequestTimeout) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert "request_timeout=0.5" in str(caught.value)
    assert sim.counters()["live_sessions"] == 0


@pytest.mark.parametrize("kind", ["status", "drop"])
def test_get_is_retried_after_a_transient_failure(sim, kind):
    sim.add_fault(method="GET", path="^/api/query$", kind=kind, status=503, times=1)
    with open_session(sim) as em:
        assert [job.name for job in _jobs.find_jobs(em, name="DB Backup")] == ["DB Backup"]
    # One query per job kind (vm, agent, file_share); the first one was repeated once.
    assert requests_to(sim, "GET /api/query") == 4
    assert sim.counters()["live_sessions"] == 0


def test_get_gives_up_after_three_tries(sim):
    sim.add_fault(method="GET", path="^/api/query$", kind="status", status=503, times=None)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmApiError) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert caught.value.status == 503
    assert requests_to(sim, "GET /api/query") == 3


def test_post_action_is_never_retried(sim):
    sim.add_fault(method="POST", path="^/api/jobs/", kind="status", status=503, times=1)
    with open_session(sim) as em:
        job = _jobs.find_one_job(em, name="Quick Backup")
        with pytest.raises(_errors.VeeamEmApiError):
            em.post_action(job.start_link()["href"])
    counters = sim.counters()
    assert sum(count for key, count in counters["requests"].items() if key.startswith("POST /api/jobs/")) == 1
    assert counters["actions"].get("start", 0) == 0


def test_expired_session_is_renewed_once_and_the_request_repeated(sim):
    with open_session(sim) as em:
        sim.expire_sessions()
        assert [job.name for job in _jobs.find_jobs(em, name="DB Backup")] == ["DB Backup"]
        assert em.generation == 2
    counters = sim.counters()
    assert counters["logons"] == 2 and counters["live_sessions"] == 0


@pytest.mark.parametrize("kind, expected", [
    ("malformed", "not well-formed XML"),
    ("doctype_xxe", "DOCTYPE or entity declaration"),
    ("billion_laughs", "DOCTYPE or entity declaration"),
    ("empty", "empty body"),
])
def test_hostile_or_broken_documents_are_refused_with_the_url(sim, kind, expected):
    sim.add_fault(method="GET", path="^/api/query$", kind=kind, times=1)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmFormatError) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert expected in str(caught.value) and "/api/query" in str(caught.value)
    assert sim.counters()["live_sessions"] == 0


def test_proxy_html_error_page_is_described_readably(sim):
    sim.add_fault(method="GET", path="^/api/query$", kind="html", status=500, times=1)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmApiError) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert "not an Enterprise Manager Error document (text/html" in str(caught.value)


def test_huge_body_is_refused_without_reading_it_all(sim):
    sim.add_fault(method="GET", path="^/api/query$", kind="huge", size_mb=100, times=1)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmFormatError) as caught:
            _jobs.find_jobs(em, name="DB Backup")
    assert "larger than 64 MiB" in str(caught.value)


def test_failed_logoff_is_a_warning_not_a_failure(sim):
    warnings = []
    sim.add_fault(method="DELETE", path="^/api/logonSessions/", kind="status", status=500, times=None)
    with open_session(sim, warnings=warnings) as em:
        assert _jobs.find_jobs(em, name="DB Backup")
    assert len(warnings) == 1 and "Logging off from Enterprise Manager failed" in warnings[0]


@pytest.mark.parametrize("name", ["Exchange Backup", "exchange backup", 'Finance "Q4" & Payroll',
                                  "Sauvegarde Comptabilité Zürich", "SQL Replication"])
def test_names_match_exactly_through_the_query_service(sim, name):
    with open_session(sim) as em:
        jobs = _jobs.find_jobs(em, name=name)
    assert [job.name for job in jobs] == [name]
    assert requests_to(sim, "GET /api/query") == 3, "one filtered query per job kind, whatever the number of jobs"


def test_same_name_on_two_backup_servers_is_ambiguous_until_narrowed(sim):
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmAmbiguousError) as caught:
            _jobs.find_one_job(em, name="Fileserver Backup")
        narrowed = _jobs.find_one_job(em, name="Fileserver Backup", backup_server="VBR02.tech.local")
    assert "vbr01.tech.local" in str(caught.value) and "vbr02.tech.local" in str(caught.value)
    assert narrowed.data["backup_server"] == "vbr02.tech.local"


def test_lookup_by_id_and_uid(sim):
    with open_session(sim) as em:
        by_guid = _jobs.find_jobs(em, job_id="b04c217b-0538-4650-bec4-19deff4ea1ac")
        by_uid = _jobs.find_jobs(em, job_id="urn:veeam:Job:B04C217B-0538-4650-BEC4-19DEFF4EA1AC")
    assert [job.name for job in by_guid] == [job.name for job in by_uid] == ["SQL Replication"]


def test_list_all_streams_one_request_and_equals_the_query_service(sim_factory):
    sim = sim_factory(dataset="generated", jobs=1234, servers=7)
    with open_session(sim) as em:
        listed = _jobs.find_jobs(em)
        assert requests_to(sim, "GET /api/jobs") == 1, "the VM jobs come in one streamed request"
        listing_queries = requests_to(sim, "GET /api/query")
        queried = _jobs.find_jobs(em, job_types=["Backup", "Replica", "BackupCopy", "ImmediateBackupCopy"])
    assert len(listed) == 1234
    by_kind = {kind: [job for job in listed if job.data["kind"] == kind] for kind in ("vm", "agent", "file_share")}
    assert all(by_kind.values()), "the generated dataset has jobs of every kind"
    assert sorted(job.uid for job in by_kind["vm"]) == sorted(job.uid for job in queried)
    # The agent and file share jobs come from the query service at 100 a page (Next links followed), and so
    # do the VM jobs when queried by type.
    pages = {kind: -(-len(jobs) // 100) for kind, jobs in by_kind.items()}
    assert listing_queries == pages["agent"] + pages["file_share"]
    assert requests_to(sim, "GET /api/query") == listing_queries + pages["vm"]


def test_latest_sessions_in_bulk_costs_requests_independent_of_the_job_count(sim_factory):
    sim = sim_factory(dataset="generated", jobs=2000, servers=4)
    with open_session(sim) as em:
        jobs = _jobs.find_jobs(em)
        before = requests_to(sim, "GET /api/query")
        newest = _job_sessions.latest_sessions(em, jobs)
        spent = requests_to(sim, "GET /api/query") - before
    assert len(newest) == sum(1 for job in jobs if job.uid in newest) > 0
    for job in jobs[:50]:
        session = newest.get(job.uid)
        assert session is None or session.data["job_uid"] == job.uid
    # One filtered query per 40 jobs of a session type (backup, replica), one page each: with one session per
    # job every page is the whole answer, so none is asked again; never one request per job or per page of history.
    per_type = {}
    for job in jobs:
        kind = _job_sessions.session_type_for(job.job_type)
        per_type[kind] = per_type.get(kind, 0) + 1
    chunks = sum(-(-count // _job_sessions.UIDS_PER_QUERY) for count in per_type.values())
    assert chunks <= spent <= 2 * chunks + (len(jobs) - len(newest))
    assert spent < len(jobs) // 10


_clock = import_module_utils("_clock")
_job_selector = import_module_utils("_job_selector")
_job_start = import_module_utils("_job_start")
_waiter = import_module_utils("_waiter")


@pytest.mark.parametrize("related_link", [True, False])
def test_completion_finds_the_run_even_when_em_shows_its_session_late(sim, related_link):
    # EM shows a new session only once it has collected it; without the task's Related link the client
    # must wait for "a session that was not there before the start", not take the newest one at once.
    sim.configure(task_running_s=0.2, task_collect_s=0.2, session_starting_s=0.2, session_visible_after_s=1.5)
    sim.set_job("DB Backup", duration_s=1, related_link=related_link)
    wait = _waiter.WaitOptions(wait_for="completion", timeout=60, poll_interval=1.0)
    with open_session(sim) as em:
        before = _job_sessions.latest_session(em, _jobs.find_one_job(em, name="DB Backup"))
        result = _job_start.JobStart(em, _job_selector.JobSelector(name="DB Backup"), wait, _clock.now()).run()
    assert result["changed"] is True and result["session"]["state"] == "Stopped"
    assert result["session"]["result"] == "Success"
    assert before is not None and result["session"]["uid"] != before.uid
    assert sim.counters()["starts_by_job"]["DB Backup"] == 1 and sim.counters()["live_sessions"] == 0


def test_a_failed_run_with_a_null_failure_message_reports_the_task_sessions_reason(sim):
    # Captured v12 sessions carry no FailureMessage on Failed runs (issue 12); the reason is in the task sessions.
    sim.configure(task_running_s=0.2, task_collect_s=0.2, session_starting_s=0.2, session_failure_message=False)
    sim.set_job("Legacy App Backup", duration_s=1)
    wait = _waiter.WaitOptions(wait_for="completion", timeout=60, poll_interval=1.0)
    with open_session(sim) as em:
        with pytest.raises(_errors.VeeamEmError) as caught:
            _job_start.JobStart(em, _job_selector.JobSelector(name="Legacy App Backup", kinds=["vm"]), wait,
                                _clock.now()).run()
    assert "Failed" in str(caught.value)
    assert "The RPC server is unavailable" in str(caught.value)  # the task session's Reason (legacy01)
    session = caught.value.result["session"]
    assert (session["state"], session["result"]) == ("Stopped", "Failed")
    # Built by the client from the task sessions: "<object>: <reason>" (EM sent an empty FailureMessage).
    assert session["failure_message"].startswith("legacy01: Error: Failed to connect to host legacy01.tech.local")
    assert sim.counters()["live_sessions"] == 0
