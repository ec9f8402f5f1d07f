"""EM simulator: entry point, logon/logoff, authentication, roles, jobs, servers, sessions."""

from __future__ import annotations

import base64
import re
import time

import pytest
import requests
from lxml import etree

from em_simulator import User

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
ADMIN = ("admin", "Secr3t&P@ss:word")
SEED_REPLICA_ID = "b04c217b-0538-4650-bec4-19deff4ea1ac"
SRV02_ID = "ce15a8c7-aa49-495e-b05b-ee3398c91018"


def xml(resp: requests.Response) -> etree._Element:
    return etree.fromstring(resp.content)


def plain(sim) -> requests.Session:
    http = requests.Session()
    http.verify = sim.ca_path
    http.trust_env = False  # REQUESTS_CA_BUNDLE would override Session.verify
    return http


def logon(sim, auth=ADMIN, version="latest") -> tuple[requests.Session, requests.Response]:
    http = plain(sim)
    resp = http.post(f"{sim.url}/api/sessionMngr/?v={version}", auth=auth)
    assert resp.status_code == 201, resp.text
    http.headers["X-RestSvcSessionId"] = resp.headers["X-RestSvcSessionId"]
    return http, resp


def assert_error(resp: requests.Response, status: int) -> str:
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = xml(resp)
    assert root.tag == f"{{{NS}}}Error"
    assert root.get("StatusCode") == str(status)
    assert root.findtext("e:FirstChanceExceptionMessage", namespaces=N) == root.get("Message")
    return root.get("Message")


# ------------------------------------------------------------------ entry point

def test_entry_point_needs_no_auth_and_lists_versions(sim):
    resp = plain(sim).get(f"{sim.url}/api/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert resp.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert int(resp.headers["Content-Length"]) == len(resp.content)
    root = xml(resp)
    assert root.tag == f"{{{NS}}}EnterpriseManager"
    links = root.findall("e:Links/e:Link", N)
    assert [(l.get("Rel"), l.get("Type"), l.get("Href")) for l in links] == [
        ("Down", "LogonSessionList", f"{sim.url}/api/logonSessions"),
        ("Create", "LogonSession", f"{sim.url}/api/sessionMngr/?v=latest"),
    ]
    versions = root.findall("e:SupportedVersions/e:SupportedVersion", N)
    assert [v.get("Name") for v in versions] == ["v1_5", "v1_6", "v1_7"]
    for v in versions:
        link = v.find("e:Links/e:Link", N)
        assert link.get("Href") == f"{sim.url}/api/sessionMngr/?v={v.get('Name')}"
        assert (link.get("Rel"), link.get("Type")) == ("Create", "LogonSession")


def test_hrefs_follow_the_host_the_client_used(sim):
    url = sim.url.replace("127.0.0.1", "localhost")
    resp = plain(sim).get(f"{url}/api")
    assert resp.status_code == 200
    hrefs = [l.get("Href") for l in xml(resp).iter(f"{{{NS}}}Link")]
    assert hrefs and all(h.startswith(f"{url}/api/") for h in hrefs)


def test_keep_alive_reuses_one_connection(sim):
    import urllib3

    pool = urllib3.HTTPSConnectionPool("127.0.0.1", sim.port, ca_certs=sim.ca_path, maxsize=1)
    for _attempt in range(5):
        resp = pool.request("GET", "/api/")
        assert resp.status == 200
        assert resp.headers.get("Connection", "").lower() != "close"
    assert pool.num_connections == 1
    pool.close()


# ------------------------------------------------------------------ logon/logoff

def test_logon_and_logoff(sim):
    http, resp = logon(sim)
    token = resp.headers["X-RestSvcSessionId"]
    root = xml(resp)
    assert root.tag == f"{{{NS}}}LogonSession"
    session_id = root.findtext("e:SessionId", namespaces=N)
    assert re.fullmatch(r"[0-9a-f-]{36}", session_id)
    assert token != session_id
    base64.b64decode(token, validate=True)
    assert resp.headers["Set-Cookie"] == f"X-RestSvcSessionId={token}; Path=/api;"
    assert resp.headers["Location"] == f"{sim.url}/api/logonSessions/{session_id}"
    assert root.get("Href") == resp.headers["Location"]
    assert root.findtext("e:UserName", namespaces=N) == "admin"
    links = {(l.get("Rel"), l.get("Type")): l.get("Href") for l in root.findall("e:Links/e:Link", N)}
    assert links[("Down", "JobReferenceList")] == f"{sim.url}/api/jobs"
    assert links[("Down", "JobList")] == f"{sim.url}/api/jobs?format=Entity"
    assert links[("Down", "QueryService")] == f"{sim.url}/api/querySvc"
    assert links[("Down", "TaskList")] == f"{sim.url}/api/tasks"
    assert links[("Delete", None)] == resp.headers["Location"]
    assert http.get(f"{sim.url}/api/jobs").status_code == 200
    c = sim.counters()
    assert (c["logons"], c["live_sessions"], c["logoffs"]) == (1, 1, 0)

    listed = xml(http.get(f"{sim.url}/api/logonSessions"))
    assert [s.findtext("e:SessionId", namespaces=N) for s in listed] == [session_id]
    one = http.get(resp.headers["Location"])
    assert one.status_code == 200 and xml(one).findtext("e:SessionId", namespaces=N) == session_id

    bye = http.delete(resp.headers["Location"])
    assert bye.status_code == 204 and bye.content == b""
    assert_error(http.get(f"{sim.url}/api/jobs"), 401)
    c = sim.counters()
    assert (c["logons"], c["live_sessions"], c["logoffs"]) == (1, 0, 1)
    assert c["requests"]["POST /api/sessionMngr/"] == 1
    assert c["requests"]["DELETE " + resp.headers["Location"].split(sim.url)[1]] == 1


@pytest.mark.parametrize("version", ["latest", "v1_5", "v1_6", "v1_7", "V1_7"])
def test_logon_versions(sim, version):
    logon(sim, version=version)


@pytest.mark.parametrize("version", ["v1_4", "v1_8", "v2"])
def test_unsupported_version_is_400(sim, version):
    resp = plain(sim).post(f"{sim.url}/api/sessionMngr/?v={version}", auth=ADMIN)
    assert "not supported" in assert_error(resp, 400)


def test_logoff_of_another_or_unknown_session_is_404(sim):
    a, _resp = logon(sim)
    b, resp_b = logon(sim)
    assert_error(a.delete(resp_b.headers["Location"]), 404)
    assert_error(a.delete(f"{sim.url}/api/logonSessions/00000000-0000-0000-0000-000000000000"), 404)
    assert b.get(f"{sim.url}/api/jobs").status_code == 200


def test_cookie_is_accepted_and_wins_over_header(sim):
    http, resp = logon(sim)
    token = resp.headers["X-RestSvcSessionId"]
    # The cookie jar got the cookie (Path=/api): with a bogus header, the cookie wins.
    http.headers["X-RestSvcSessionId"] = "bogus"
    assert http.get(f"{sim.url}/api/jobs").status_code == 200
    cookie_only = plain(sim)
    assert cookie_only.get(f"{sim.url}/api/jobs", headers={"Cookie": f"X-RestSvcSessionId={token}"}).status_code == 200
    bad_cookie = plain(sim)
    resp = bad_cookie.get(f"{sim.url}/api/jobs",
                          headers={"Cookie": "X-RestSvcSessionId=bogus", "X-RestSvcSessionId": token})
    assert_error(resp, 401)


def test_bad_password_missing_auth_and_unknown_token_are_401(sim):
    http = plain(sim)
    resp = http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=("admin", "wrong"))
    assert_error(resp, 401)
    assert resp.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"
    assert_error(http.post(f"{sim.url}/api/sessionMngr/?v=latest"), 401)
    # The password splits at the first colon only: "Secr3t&P@ss" alone is wrong.
    assert_error(http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=("admin", "Secr3t&P@ss")), 401)
    assert sim.counters()["failed_logons"] == 3
    assert sim.counters()["logons"] == 0
    resp = http.get(f"{sim.url}/api/jobs")
    assert_error(resp, 401)
    assert resp.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"
    assert_error(http.get(f"{sim.url}/api/jobs", headers={"X-RestSvcSessionId": "O9Msj3rq7EGUhtSMBQx+mw=="}), 401)


def test_utf8_credentials(sim_factory):
    s = sim_factory(users=(User("jürgen", "pä:ss&wörd\"<>", "Portal Administrator"),))
    http = plain(s)
    ok = http.post(f"{s.url}/api/sessionMngr/?v=latest", auth=("jürgen".encode(), "pä:ss&wörd\"<>".encode()))
    assert ok.status_code == 201
    assert xml(ok).findtext("e:UserName", namespaces=N) == "jürgen"
    bad = http.post(f"{s.url}/api/sessionMngr/?v=latest", auth=("jürgen".encode(), "pä:ss".encode()))
    assert bad.status_code == 401


def test_idle_expiry(sim):
    sim.configure(idle_timeout_s=0.4)
    http, _resp = logon(sim)
    for _attempt in range(3):  # activity keeps the session alive
        time.sleep(0.25)
        assert http.get(f"{sim.url}/api/jobs").status_code == 200
    time.sleep(0.5)
    assert sim.counters()["live_sessions"] == 0
    assert_error(http.get(f"{sim.url}/api/jobs"), 401)
    c = sim.counters()
    assert (c["expired_sessions"], c["live_sessions"]) == (1, 0)


def test_idle_timeout_from_start_options(sim_factory):
    s = sim_factory(idle_timeout_s=1)
    http, _resp = logon(s)
    time.sleep(1.2)
    assert_error(http.get(f"{s.url}/api/backupServers"), 401)


def test_expire_sessions_control(sim):
    http, _resp = logon(sim)
    other, _resp = logon(sim)
    assert plain(sim).post(f"{sim.url}/_sim/expire-sessions").json() == {"expired": 2}
    assert_error(http.get(f"{sim.url}/api/jobs"), 401)
    assert sim.counters()["expired_sessions"] == 2
    logon(sim)  # a fresh logon still works
    assert sim.counters()["live_sessions"] == 1


# ------------------------------------------------------------------ roles

def test_portal_user_is_denied_jobs(sim):
    http, resp = logon(sim, auth=("portaluser", "User&P@ss:1"))
    types = {l.get("Type") for l in xml(resp).findall("e:Links/e:Link", N)}
    assert "JobReferenceList" not in types and "JobList" not in types
    assert "BackupJobSessionReferenceList" in types
    assert assert_error(http.get(f"{sim.url}/api/jobs"), 403) == "Access denied."
    assert_error(http.get(f"{sim.url}/api/jobs?format=Entity"), 403)
    assert_error(http.get(f"{sim.url}/api/jobs/{SEED_REPLICA_ID}?format=Entity"), 403)
    assert_error(http.post(f"{sim.url}/api/jobs/{SEED_REPLICA_ID}?action=start"), 403)
    assert_error(http.get(f"{sim.url}/api/query?type=Job"), 403)
    assert http.get(f"{sim.url}/api/backupSessions").status_code == 200
    assert http.get(f"{sim.url}/api/backupServers").status_code == 200
    assert http.get(f"{sim.url}/api/query?type=BackupJobSession").status_code == 200
    assert http.get(f"{sim.url}/api/tasks").status_code == 200
    assert sim.counters()["starts_by_job"] == {}


# ------------------------------------------------------------------ jobs

def test_jobs_references(sim):
    http, _resp = logon(sim)
    root = xml(http.get(f"{sim.url}/api/jobs"))
    assert root.tag == f"{{{NS}}}EntityReferences"
    refs = root.findall("e:Ref", N)
    names = [r.get("Name") for r in refs]
    assert len(refs) == 16
    for name in ("SQL Replication", "DB Backup", 'Finance "Q4" & Payroll', "Sauvegarde Comptabilité Zürich",
                 "Exchange Backup", "exchange backup", "New Job Never Run", "Immediate Copy to DR"):
        assert name in names
    assert names.count("Fileserver Backup") == 2
    for ref in refs:
        job_id = ref.get("Href").rsplit("/", 1)[1]
        assert ref.get("Type") == "JobReference"
        assert ref.get("UID") == f"urn:veeam:Job:{job_id}"
        rels = [(l.get("Rel"), l.get("Type")) for l in ref.findall("e:Links/e:Link", N)]
        assert rels[0] == ("Up", "BackupServerReference")
        assert rels[1] == ("Alternate", "Job")
        assert rels[2][1] in ("BackupJobSessionReferenceList", "ReplicaJobSessionReferenceList")
    fs_servers = {r.find("e:Links/e:Link", N).get("Name") for r in refs if r.get("Name") == "Fileserver Backup"}
    assert fs_servers == {"vbr01.tech.local", "vbr02.tech.local"}


def test_jobs_entities(sim):
    http, _resp = logon(sim)
    root = xml(http.get(f"{sim.url}/api/jobs?format=Entity"))
    assert root.tag == f"{{{NS}}}Jobs"
    jobs = root.findall("e:Job", N)
    assert len(jobs) == 16
    for job in jobs:
        tags = [etree.QName(c).localname for c in job]
        expected = ["Links", "JobType", "Platform", "Description", "ScheduleConfigured", "ScheduleEnabled"]
        if "NextRun" in tags:
            expected.append("NextRun")
        assert tags == expected + ["JobScheduleOptions", "JobInfo"]
        assert job.get("Href").endswith("?format=Entity") and job.get("Type") == "Job"


def test_one_job_reference_entity_and_404(sim):
    http, _resp = logon(sim)
    ref = xml(http.get(f"{sim.url}/api/jobs/{SEED_REPLICA_ID}"))
    assert ref.tag == f"{{{NS}}}EntityRef"
    assert (ref.get("Type"), ref.get("Name")) == ("JobReference", "SQL Replication")
    assert ref.get("Href") == f"{sim.url}/api/jobs/{SEED_REPLICA_ID}"
    missing = http.get(f"{sim.url}/api/jobs/11111111-2222-3333-4444-555555555555?format=Entity")
    assert "11111111-2222-3333-4444-555555555555" in assert_error(missing, 404)
    assert_error(http.get(f"{sim.url}/api/nothing/here"), 404)
    assert_error(http.put(f"{sim.url}/api/jobs"), 405)


def test_seed_replica_job(sim):
    http, _resp = logon(sim)
    job = xml(http.get(f"{sim.url}/api/jobs/{SEED_REPLICA_ID}?format=Entity"))
    assert job.tag == f"{{{NS}}}Job"
    assert job.get("Name") == "SQL Replication"
    assert job.get("UID") == f"urn:veeam:Job:{SEED_REPLICA_ID}"
    assert job.findtext("e:JobType", namespaces=N) == "Replica"
    assert job.findtext("e:Platform", namespaces=N) == "VMware"
    assert job.findtext("e:ScheduleConfigured", namespaces=N) == "false"
    assert job.findtext("e:ScheduleEnabled", namespaces=N) == "true"
    assert job.find("e:NextRun", N) is None
    links = {l.get("Rel"): l for l in job.findall("e:Links/e:Link", N) if l.get("Rel") != "Down"}
    up = links["Up"]
    assert (up.get("Type"), up.get("Name")) == ("BackupServerReference", "srv02.tech.local")
    assert up.get("Href") == f"{sim.url}/api/backupServers/{SRV02_ID}"
    assert links["Alternate"].get("Href") == f"{sim.url}/api/jobs/{SEED_REPLICA_ID}"
    for rel, action in (("Start", "start"), ("Stop", "stop"), ("Retry", "retry"), ("Clone", "clone"),
                        ("ToggleScheduleEnabled", "toggleScheduleEnabled")):
        assert links[rel].get("Href") == f"{sim.url}/api/jobs/{SEED_REPLICA_ID}?action={action}"
    assert "Sync" not in links and "Edit" in links
    downs = {l.get("Type"): l.get("Href") for l in job.findall("e:Links/e:Link[@Rel='Down']", N)}
    assert downs == {"ObjectInJobList": f"{sim.url}/api/jobs/{SEED_REPLICA_ID}/includes",
                     "ReplicaJobSessionReferenceList": f"{sim.url}/api/jobs/{SEED_REPLICA_ID}/replicaSessions"}
    obj = job.find("e:JobInfo/e:ReplicaJobInfo/e:Includes/e:ObjectInJob", N)
    names = [etree.QName(c).localname for c in obj]
    assert names[:4] == ["ObjectInJobId", "HierarchyObjRef", "Name", "DisplayName"]
    assert "Order" not in names  # the XSD has one, no docs example does (jobs_id.md, scenario_starting_a_job.md)
    assert obj.findtext("e:Name", namespaces=N) == "sql02"
    assert obj.findtext("e:HierarchyObjRef", namespaces=N) == "urn:VMware:Vm:ca2f751f-8f26-4f39-815e-ce493b61fd80.11"
    assert job.find("e:JobScheduleOptions/e:Standart/e:OptionsDaily", N).get("Enabled") == "true"
    includes = xml(http.get(f"{sim.url}/api/jobs/{SEED_REPLICA_ID}/includes"))
    assert includes.tag == f"{{{NS}}}ObjectsInJob"
    assert includes.findtext("e:ObjectInJob/e:Name", namespaces=N) == "sql02"


def test_db_backup_has_next_run_and_daily_schedule(sim):
    http, _resp = logon(sim)
    job = xml(http.get(f"{sim.url}/api/jobs/5658281f-625e-4627-89dd-d2a0c48be99e?format=Entity"))
    assert job.get("Name") == "DB Backup"
    next_run = job.findtext("e:NextRun", namespaces=N)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT17:00:00Z", next_run)
    daily = job.find("e:JobScheduleOptions/e:Standart/e:OptionsDaily", N)
    assert daily.get("Enabled") == "true"
    assert daily.findtext("e:Time", namespaces=N) == "18:00:00.0000000+01:00"
    assert job.find("e:JobInfo/e:BackupJobInfo/e:Includes/e:ObjectInJob", N) is not None
    assert job.find("e:Links/e:Link[@Type='BackupJobSessionReferenceList']", N) is not None
    sessions = xml(http.get(f"{sim.url}/api/jobs/5658281f-625e-4627-89dd-d2a0c48be99e/backupSessions?format=Entity"))
    assert len(sessions) == 1
    assert sessions[0].findtext("e:Result", namespaces=N) == "Success"


def _job_entity(http, sim, name):
    refs = xml(http.get(f"{sim.url}/api/jobs"))
    href = next(r.get("Href") for r in refs.findall("e:Ref", N) if r.get("Name") == name)
    return xml(http.get(f"{href}?format=Entity"))


def test_backup_copy_links(sim):
    http, _resp = logon(sim)
    copy = _job_entity(http, sim, "Offsite Copy")
    rels = {l.get("Rel") for l in copy.findall("e:Links/e:Link", N)}
    assert "Sync" in rels and not rels & {"Start", "Stop", "Retry"}
    assert copy.findtext("e:JobType", namespaces=N) == "BackupCopy"
    assert copy.find("e:JobInfo/e:BackupCopyJobInfo", N) is not None
    imm = _job_entity(http, sim, "Immediate Copy to DR")
    rels = {l.get("Rel") for l in imm.findall("e:Links/e:Link", N)}
    # get_jobs_id.md examples 2 and 3: Sync, no Start/Stop/Retry (setting immediate_copy_sync, vbr13 profile).
    assert "Sync" in rels and not rels & {"Start", "Stop", "Retry"}
    assert imm.findtext("e:Platform", namespaces=N) == "CustomPlatform"
    assert imm.find("e:JobScheduleOptions/e:ImmediateCopyMode/e:OptionsContinuous", N) is not None


# ------------------------------------------------------------------ backup servers

def test_backup_servers(sim):
    http, _resp = logon(sim)
    refs = xml(http.get(f"{sim.url}/api/backupServers")).findall("e:Ref", N)
    assert [r.get("Name") for r in refs] == ["vbr01.tech.local", "vbr02.tech.local", "srv02.tech.local"]
    assert all(r.get("Type") == "BackupServerReference" for r in refs)
    entities = xml(http.get(f"{sim.url}/api/backupServers?format=Entity"))
    assert entities.tag == f"{{{NS}}}BackupServers" and len(entities) == 3
    srv = xml(http.get(f"{sim.url}/api/backupServers/{SRV02_ID}?format=Entity"))
    assert srv.tag == f"{{{NS}}}BackupServer"
    assert srv.get("UID") == f"urn:veeam:BackupServer:{SRV02_ID}"
    assert [etree.QName(c).localname for c in srv] == ["Links", "Description", "Port", "Version", "WcfPort",
                                                       "VbrCertificateThumbprint"]
    assert srv.findtext("e:Port", namespaces=N) == "9392"
    ref = xml(http.get(f"{sim.url}/api/backupServers/{SRV02_ID}"))
    assert ref.tag == f"{{{NS}}}EntityRef" and ref.get("Name") == "srv02.tech.local"
    jobs = xml(http.get(f"{sim.url}/api/backupServers/{SRV02_ID}/jobs")).findall("e:Ref", N)
    assert {"SQL Replication", "Legacy App Backup", "Quick Replica"} == {j.get("Name") for j in jobs}
    assert_error(http.get(f"{sim.url}/api/backupServers/nope"), 404)


# ------------------------------------------------------------------ sessions

def test_session_lists_and_running_session(sim):
    http, _resp = logon(sim)
    refs = xml(http.get(f"{sim.url}/api/backupSessions")).findall("e:Ref", N)
    assert refs and all(r.get("Type") == "BackupJobSessionReference" for r in refs)
    assert all(re.fullmatch(r".+@\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", r.get("Name")) for r in refs)
    # /backupSessions shows 30 days; the job's own list has the 40-day-old session too.
    fs = [r for r in refs if r.get("Name").startswith("Fileserver Backup@")]
    assert len(fs) == 2
    fs_job = _job_entity(http, sim, "Web Servers Backup")
    sessions = xml(http.get(fs_job.find("e:Links/e:Link[@Type='BackupJobSessionReferenceList']", N).get("Href")
                            + "?format=Entity"))
    newest = sessions[0]
    assert newest.findtext("e:State", namespaces=N) == "Working"
    assert newest.findtext("e:Result", namespaces=N) == "None"
    assert newest.find("e:EndTimeUTC", N) is None
    assert 0 <= int(newest.findtext("e:Progress", namespaces=N)) < 100
    older = sessions[1]
    assert older.findtext("e:State", namespaces=N) == "Stopped"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", older.findtext("e:EndTimeUTC", namespaces=N))
    replica = xml(http.get(f"{sim.url}/api/replicaSessions?format=Entity"))
    assert replica.tag == f"{{{NS}}}ReplicaJobSessions"
    assert {s.findtext("e:JobName", namespaces=N) for s in replica} == {"SQL Replication", "Quick Replica"}
    one = replica[0]
    sid = one.get("UID").rsplit(":", 1)[1]
    assert xml(http.get(f"{sim.url}/api/replicaSessions/{sid}")).tag == f"{{{NS}}}EntityRef"
    assert_error(http.get(f"{sim.url}/api/backupSessions/{sid}"), 404)


def test_all_fileserver_sessions_in_job_list(sim):
    http, _resp = logon(sim)
    refs = xml(http.get(f"{sim.url}/api/jobs")).findall("e:Ref", N)
    fs1 = next(r for r in refs if r.get("Name") == "Fileserver Backup"
               and r.find("e:Links/e:Link", N).get("Name") == "vbr01.tech.local")
    sessions = xml(http.get(fs1.find("e:Links/e:Link[@Rel='Down']", N).get("Href"))).findall("e:Ref", N)
    assert len(sessions) == 2


def test_never_run_job_has_no_sessions(sim):
    http, _resp = logon(sim)
    job = _job_entity(http, sim, "New Job Never Run")
    href = job.find("e:Links/e:Link[@Type='BackupJobSessionReferenceList']", N).get("Href")
    root = xml(http.get(href))
    assert root.tag == f"{{{NS}}}EntityReferences" and len(root) == 0
