"""EM simulator: Veeam Agent and file share (NAS) backup jobs, their sessions, repositories, link_base.

The shapes asserted here are the docs' own: agents_jobs_id.md, nas_jobs_id.md, backupsessions_id.md,
repositories_id.md, post_agents_jobs_id_action*.md, post_nas_jobs_id_action*.md and
security_roles_concept.md (the digest quotes them).
"""

from __future__ import annotations

import re
import time
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import etree

import em_http
from em_http import logon

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
FAST = dict(task_running_s=0.1, task_collect_s=0.1, session_starting_s=0.1)
SHARED_FILES_ID = "93dfbb3e-f420-45cf-addc-4ee9297113f2"  # nas_jobs_id.md's job
VBR01_ID = "d1444f74-27e6-4399-81a9-d28ba98913f0"
SRV02_ID = "ce15a8c7-aa49-495e-b05b-ee3398c91018"
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PORTAL_USER = ("portaluser", "User&P@ss:1")


def xml(resp: requests.Response, ok=(200, 202)) -> etree._Element:
    return em_http.xml(resp, ok=ok)


def text(el: etree._Element, tag: str) -> str | None:
    return el.findtext(f"e:{tag}", namespaces=N)


def tags(el: etree._Element) -> list[str]:
    return [etree.QName(c).localname for c in el]


def link_list(el: etree._Element) -> list[tuple[str, str | None, str]]:
    return [(l.get("Rel"), l.get("Type"), l.get("Href")) for l in el.findall("e:Links/e:Link", N)]


def error_message(resp: requests.Response, status: int) -> str:
    assert resp.status_code == status, resp.text
    root = etree.fromstring(resp.content)
    assert root.tag == f"{{{NS}}}Error" and root.get("StatusCode") == str(status)
    return root.get("Message")


@pytest.fixture
def http(sim):
    return logon(sim)


@pytest.fixture
def user(sim):
    return logon(sim, PORTAL_USER)


def query(sim, http, **params) -> etree._Element:
    return xml(http.get(f"{sim.url}/api/query", params=params), ok=(200,))


def ref_names(root: etree._Element) -> list[str]:
    return [r.get("Name") for r in root.findall("e:Refs/e:Ref", N)]


def wait_for(fetch: Callable[[], etree._Element], done: Callable[[etree._Element], bool],
             timeout: float = 10.0) -> etree._Element:
    deadline = time.monotonic() + timeout
    while True:
        el = fetch()
        if done(el):
            return el
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; last: {etree.tostring(el)[:400]!r}")
        time.sleep(0.03)


def finished_task(http, task: etree._Element) -> etree._Element:
    return wait_for(lambda: xml(http.get(task.get("Href"))), lambda t: text(t, "State") == "Finished")


# ------------------------------------------------------------------ the dataset

def test_default_dataset_jobs_per_kind(sim, http):
    agents = xml(http.get(f"{sim.url}/api/agents/jobs"))
    assert agents.tag == f"{{{NS}}}EntityReferences"
    assert sorted(r.get("Name") for r in agents) == ["Laptop Backup", "Legacy App Backup", "Linux Servers"]
    assert {r.get("Type") for r in agents} == {"AgentBackupJobReference"}
    shares = xml(http.get(f"{sim.url}/api/nas/jobs"))
    assert sorted(r.get("Name") for r in shares) == ["Projects Share", "Shared Files Backup"]
    assert {r.get("Type") for r in shares} == {"NasJobReference"}
    # /jobs keeps serving VM jobs only: the agent twin of "Legacy App Backup" is not there.
    vm = [r.get("Name") for r in xml(http.get(f"{sim.url}/api/jobs"))]
    assert len(vm) == 16 and vm.count("Legacy App Backup") == 1 and "Laptop Backup" not in vm
    # The same name as a VM job, on the same backup server: only the kind tells the two apart.
    twins = [sim.job_id("Legacy App Backup", kind=k) for k in ("vm", "agent")]
    assert twins[0] != twins[1]
    with pytest.raises(KeyError):
        sim.job_id("Legacy App Backup")
    agent_twin = xml(http.get(f"{sim.url}/api/agents/jobs/{twins[1]}?format=Entity"))
    assert agent_twin.find("e:Links/e:Link[@Rel='Up']", N).get("Name") == "srv02.tech.local"
    health = em_http.plain(sim).get(f"{sim.url}/_sim/health").json()
    assert health["jobs"] == 16 and health["jobs_by_kind"] == {"vm": 16, "agent": 3, "nas": 2}


def test_reference_lists_and_entity_lists(sim, http):
    for path, ref_type, alt_type, list_tag, entity_tag in (
            ("agents/jobs", "AgentBackupJobReference", "AgentBackupJob", "AgentBackupJobs", "AgentBackupJob"),
            ("nas/jobs", "NasJobReference", "NasJob", "NASJobs", "NASJob")):
        refs = xml(http.get(f"{sim.url}/api/{path}"))
        for ref in refs:
            guid = ref.get("Href").rsplit("/", 1)[1]
            assert ref.get("Href") == f"{sim.url}/api/{path}/{guid}" and ref.get("Type") == ref_type
            assert link_list(ref) == [
                ("Up", "BackupServerReference", ref.find("e:Links/e:Link", N).get("Href")),
                ("Alternate", alt_type, f"{sim.url}/api/{path}/{guid}?format=Entity"),
                ("Down", "BackupJobSessionReferenceList", f"{sim.url}/api/{path}/{guid}/backupSessions")]
            one = xml(http.get(ref.get("Href")))
            assert one.tag == f"{{{NS}}}EntityRef" and one.get("UID") == ref.get("UID")
        entities = xml(http.get(f"{sim.url}/api/{path}?format=Entity"))
        assert entities.tag == f"{{{NS}}}{list_tag}"
        assert [etree.QName(e).localname for e in entities] == [entity_tag] * len(refs)


# ------------------------------------------------------------------ entity shapes

def test_agent_job_entity(sim, http):
    guid = sim.job_id("Laptop Backup")
    base = f"{sim.url}/api/agents/jobs/{guid}"
    job = xml(http.get(f"{base}?format=Entity"))
    # agents_jobs_id.md: <AgentBackupJob Type="AgentBackupJob" ... UID="urn:veeam:AgentBackupJob:<guid>">.
    assert job.tag == f"{{{NS}}}AgentBackupJob" and job.get("Type") == "AgentBackupJob"
    assert job.get("UID") == f"urn:veeam:AgentBackupJob:{guid}" and job.get("Href") == f"{base}?format=Entity"
    assert job.get("Name") == "Laptop Backup"
    assert tags(job) == ["Links", "JobType", "Platform", "Description", "ScheduleConfigured", "ScheduleEnabled",
                         "NextRun", "JobScheduleOptions", "JobInfo"]
    assert (text(job, "JobType"), text(job, "Platform")) == ("AgentBackup", "AgentForWindows")
    assert (text(job, "ScheduleConfigured"), text(job, "ScheduleEnabled")) == ("true", "true")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT11:00:00Z", text(job, "NextRun"))  # 13:00 at UTC+2
    # The documented links in the documented order; every action is a ?action= link without a Type.
    assert link_list(job) == [
        ("Up", "BackupServerReference", f"{sim.url}/api/backupServers/{VBR01_ID}"),
        ("Alternate", "JobReference", base),
        ("Down", "ObjectInJobList", f"{base}/includes"),
        ("ToggleScheduleEnabled", None, f"{base}?action=toggleScheduleEnabled"),
        ("Down", "BackupJobSessionReferenceList", f"{base}/backupSessions"),
        ("Start", None, f"{base}?action=start"),
        ("Stop", None, f"{base}?action=stop"),
        ("Retry", None, f"{base}?action=retry"),
    ]
    info = job.find("e:JobInfo", N)
    assert tags(info) == ["Includes", "GuestProcessingOptions", "GfsRetentionPolicy", "SimpleRetentionPolicy"]
    obj = info.find("e:Includes/e:ObjectInAgentBackupJob", N)
    assert obj.get("Type") == "ObjectInAgentBackupJob" and obj.get("Href").startswith(f"{base}/includes/")
    assert tags(obj) == ["ObjectInJobId", "Name", "DisplayName", "GuestProcessingOptions"]
    assert job.find("e:JobScheduleOptions/e:Standart/e:OptionsDaily", N).get("Enabled") == "true"
    includes = xml(http.get(f"{base}/includes"))
    assert includes.tag == f"{{{NS}}}ObjectsInAgentBackupJob"
    assert [text(o, "Name") for o in includes] == ["Sales Laptops"]
    linux = xml(http.get(f"{sim.url}/api/agents/jobs/{sim.job_id('Linux Servers')}?format=Entity"))
    assert (text(linux, "Platform"), text(linux, "ScheduleConfigured")) == ("AgentForLinux", "false")
    assert linux.find("e:NextRun", N) is None


def test_nas_job_entity(sim, http):
    base = f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}"
    job = xml(http.get(f"{base}?format=Entity"))
    # nas_jobs_id.md: <NASJob Type="NasJob" ... UID="urn:veeam:NasJob:<guid>">, exactly so.
    assert job.tag == f"{{{NS}}}NASJob" and job.get("Type") == "NasJob"
    assert job.get("UID") == f"urn:veeam:NasJob:{SHARED_FILES_ID}" and job.get("Name") == "Shared Files Backup"
    assert tags(job) == ["Links", "Description", "Includes", "StorageOptions", "ScheduleConfigured",
                         "ScheduleEnabled", "NextRun", "JobScheduleOptions"]
    assert job.find("e:JobType", N) is None and job.find("e:Platform", N) is None
    assert text(job, "Description") == "Backup of file share"
    # Path links, lower case as in the entity sample (not ?action=).
    assert link_list(job) == [
        ("Up", "BackupServerReference", f"{sim.url}/api/backupServers/{VBR01_ID}"),
        ("Alternate", "JobReference", base),
        ("Down", "NasObjectList", f"{base}/includes"),
        ("ToggleScheduleEnabled", None, f"{base}/toggleScheduleEnabled"),
        ("Down", "BackupJobSessionReferenceList", f"{base}/backupSessions"),
        ("Start", None, f"{base}/start"),
        ("Stop", None, f"{base}/stop"),
        ("Retry", None, f"{base}/retry"),
    ]
    obj = job.find("e:Includes/e:NASObject", N)
    assert obj.get("Type") == "NasObject"
    assert tags(obj) == ["HierarchyObjRef", "ObjectInJobId", "FileOrFolder", "FileServerUid", "InclusionMask",
                         "ExclusionMask"]
    assert text(obj, "FileOrFolder") == "\\\\srv12\\share"
    assert re.fullmatch(f"urn:veeam:FileServer:{GUID}", text(obj, "FileServerUid"))
    assert [e.text for e in obj.findall("e:ExclusionMask/e:Extension", N)] == [
        "\\\\srv12\\share\\.snapshot", "\\\\srv12\\share\\~snapshot"]
    # The repository the StorageOptions name is the documented one, and the query service knows it.
    repo_uid = job.findtext("e:StorageOptions/e:BackupRepositoryUid", namespaces=N)
    assert repo_uid == "urn:veeam:Repository:efdea468-7d1d-4b63-8246-31b83849880d"
    assert ref_names(query(sim, http, type="Repository", filter=f'UID=="{repo_uid}"')) == ["NAS Backup Repository"]
    includes = xml(http.get(f"{base}/includes"))
    assert includes.tag == f"{{{NS}}}NASObjects" and len(includes) == 1
    never = xml(http.get(f"{sim.url}/api/nas/jobs/{sim.job_id('Projects Share')}?format=Entity"))
    assert len(never.findall("e:Includes/e:NASObject", N)) == 2 and never.find("e:NextRun", N) is not None


def test_each_kind_has_its_own_collection(sim, http):
    agent = sim.job_id("Laptop Backup")
    vm = sim.job_id("DB Backup")
    assert "Job with id" in error_message(http.get(f"{sim.url}/api/jobs/{agent}?format=Entity"), 404)
    assert error_message(http.get(f"{sim.url}/api/agents/jobs/{vm}"), 404).startswith("Agent backup job")
    assert error_message(http.get(f"{sim.url}/api/nas/jobs/{agent}"), 404).startswith("File share backup job")
    error_message(http.post(f"{sim.url}/api/jobs/{agent}?action=start"), 404)
    error_message(http.post(f"{sim.url}/api/nas/jobs/{agent}/start"), 404)


# ------------------------------------------------------------------ queries

@pytest.mark.parametrize("flt, expected", [
    ("Platform==AgentForWindows", ["Laptop Backup", "Legacy App Backup"]),
    ("platform==agentforlinux", ["Linux Servers"]),
    ("JobType==AgentBackup", ["Laptop Backup", "Legacy App Backup", "Linux Servers"]),
    ("ScheduleConfigured==false", ["Linux Servers"]),
    ("ScheduleEnabled==false", ["Legacy App Backup"]),
    ('Name=="laptop backup"', ["Laptop Backup"]),
    ('Name=="Legacy App Backup"', ["Legacy App Backup"]),
    ('BackupServerName=="vbr02.tech.local"', ["Linux Servers"]),
    (f'BackupServerUid=="urn:veeam:BackupServer:{SRV02_ID}"', ["Legacy App Backup"]),
    ('Description=="Backup of physical Linux servers"', ["Linux Servers"]),
    ('Platform==AgentForWindows;ScheduleEnabled==true', ["Laptop Backup"]),
])
def test_agent_job_query_filters(sim, http, flt, expected):
    assert sorted(ref_names(query(sim, http, type="AgentBackupJob", filter=flt))) == expected


@pytest.mark.parametrize("flt, expected", [
    ('Name=="Shared Files Backup"', ["Shared Files Backup"]),
    ('BackupServerName=="vbr01.tech.local"', ["Shared Files Backup"]),
    ('NextRun>"2000-01-01T00:00:00Z"', ["Projects Share", "Shared Files Backup"]),
    ("ScheduleEnabled==true;ScheduleConfigured==true", ["Projects Share", "Shared Files Backup"]),
    (f'UID=="urn:veeam:NasJob:{SHARED_FILES_ID}"', ["Shared Files Backup"]),
    (f'UID=="urn:veeam:Job:{SHARED_FILES_ID}"', []),
])
def test_nas_job_query_filters(sim, http, flt, expected):
    assert sorted(ref_names(query(sim, http, type="nasjob", filter=flt))) == expected


@pytest.mark.parametrize("qtype, flt, fragment", [
    # get_query_agentbackupjob.md has no NextRun; get_query_nasjob.md has neither JobType nor Platform.
    ("AgentBackupJob", 'NextRun>"2000-01-01T00:00:00Z"', "unknown field 'NextRun'"),
    ("AgentBackupJob", "Platform==VMware", "Platform"),
    ("AgentBackupJob", "JobType==Backup", "JobType"),
    ("NasJob", "JobType==NasBackup", "unknown field 'JobType'"),
    ("NasJob", "Platform==AgentForLinux", "unknown field 'Platform'"),
])
def test_undocumented_filter_fields_are_400(sim, http, qtype, flt, fragment):
    msg = error_message(http.get(f"{sim.url}/api/query", params={"type": qtype, "filter": flt}), 400)
    assert fragment in msg


def test_query_entities_and_paging(sim, http):
    root = query(sim, http, type="AgentBackupJob", format="Entities", sortAsc="Name")
    entities = root.findall("e:Entities/e:AgentBackupJobs/e:AgentBackupJob", N)
    assert [e.get("Name") for e in entities] == ["Laptop Backup", "Legacy App Backup", "Linux Servers"]
    nas = query(sim, http, type="NasJob", format="Entities", sortDesc="Name")
    assert [e.get("Name") for e in nas.findall("e:Entities/e:NASJobs/e:NASJob", N)] == [
        "Shared Files Backup", "Projects Share"]
    seen, page = [], query(sim, http, type="AgentBackupJob", pageSize=1, sortAsc="Name")
    while True:
        paging = page.find("e:PagingInfo", N)
        assert (paging.get("PageSize"), paging.get("PagesCount")) == ("1", "3")
        seen += ref_names(page)
        nxt = page.find("e:PagingInfo/e:Links/e:Link[@Rel='Next']", N)
        if nxt is None:
            break
        assert parse_qs(urlsplit(nxt.get("Href")).query)["type"] == ["AgentBackupJob"]
        page = xml(http.get(nxt.get("Href")))
    assert seen == ["Laptop Backup", "Legacy App Backup", "Linux Servers"]
    # The Job query type keeps serving VM jobs only.
    assert "Laptop Backup" not in ref_names(query(sim, http, type="Job"))
    svc = {l.get("Name") for l in xml(http.get(f"{sim.url}/api/querySvc")).findall("e:Links/e:Link", N)}
    assert svc >= {"AgentBackupJob", "NasJob", "Repository", "BackupServer"}


def test_uid_or_queries(sim, http):
    sessions = query(sim, http, type="BackupJobSession", filter='JobName=="Fileserver Backup",JobType==AgentBackup')
    uids = [r.get("UID") for r in sessions.findall("e:Refs/e:Ref", N)]
    assert len(uids) == 3 + 3  # 3 Fileserver Backup sessions, 3 agent sessions
    replica_uid = query(sim, http, type="ReplicaJobSession").find("e:Refs/e:Ref", N).get("UID")
    wanted = uids[:4] + [replica_uid, "urn:veeam:BackupJobSession:00000000-0000-0000-0000-000000000000"]
    flt = "(" + ",".join(f'UID=="{u}"' for u in wanted) + ")"
    found = query(sim, http, type="BackupJobSession", filter=flt, format="Entities")
    got = [s.get("UID") for s in found.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)]
    assert sorted(got) == sorted(uids[:4])
    # Upper-case UIDs match too (string comparisons ignore case).
    upper = query(sim, http, type="BackupJobSession", filter=f'(UID=="{uids[0].upper()}",UID=="{uids[5]}")')
    assert sorted(r.get("UID") for r in upper.findall("e:Refs/e:Ref", N)) == sorted([uids[0], uids[5]])
    for qtype, names in (("Job", ["DB Backup", "SQL Replication", "Quick Backup"]),
                         ("AgentBackupJob", ["Laptop Backup", "Linux Servers"]),
                         ("NasJob", ["Shared Files Backup", "Projects Share"])):
        refs = query(sim, http, type=qtype).findall("e:Refs/e:Ref", N)
        chosen = [r.get("UID") for r in refs if r.get("Name") in names]
        assert len(chosen) == len(names)
        flt = "(" + ",".join(f'UID=="{u}"' for u in chosen + ["urn:veeam:Job:11111111-2222-3333-4444-555555555555"]) + ")"
        assert sorted(ref_names(query(sim, http, type=qtype, filter=flt))) == sorted(names)
        # A UID of another kind finds nothing: the guid exists, the UID does not.
        other = refs[0].get("UID").rpartition(":")[2]
        wrong = "urn:veeam:NasJob:" if qtype != "NasJob" else "urn:veeam:Job:"
        assert ref_names(query(sim, http, type=qtype, filter=f'UID=="{wrong}{other}"')) == []


# ------------------------------------------------------------------ sessions

def test_sessions_of_agent_and_nas_jobs(sim, http):
    laptop = xml(http.get(f"{sim.url}/api/agents/jobs/{sim.job_id('Laptop Backup')}?format=Entity"))
    sessions = xml(http.get(laptop.find("e:Links/e:Link[@Type='BackupJobSessionReferenceList']", N).get("Href")
                            + "?format=Entity"))
    assert sessions.tag == f"{{{NS}}}BackupJobSessions" and len(sessions) == 1
    s = sessions[0]
    assert s.tag == f"{{{NS}}}BackupJobSession" and re.fullmatch(f"urn:veeam:BackupJobSession:{GUID}", s.get("UID"))
    assert (text(s, "JobUid"), text(s, "JobName"), text(s, "JobType")) == (
        laptop.get("UID"), "Laptop Backup", "AgentBackup")
    assert (text(s, "State"), text(s, "Result")) == ("Stopped", "Success")
    sid = s.get("UID").rpartition(":")[2]
    # The same links as a VM backup session, the Up JobReference naming the agent job.
    assert [(r, t) for r, t, _h in link_list(s)] == [
        ("Up", "BackupServerReference"), ("Up", "JobReference"), ("Alternate", "BackupJobSessionReference"),
        ("Down", "BackupTaskSessionReferenceList"), ("Stop", None)]
    assert link_list(s)[1][2] == laptop.get("Href").split("?")[0]
    assert link_list(s)[4][2] == f"{sim.url}/api/backupSessions/{sid}?action=stop"
    # The session is a BackupJobSession everywhere: /backupSessions, /backupSessions/{ID}, the query service.
    all_refs = xml(http.get(f"{sim.url}/api/backupSessions"))
    assert sid in {r.get("UID").rpartition(":")[2] for r in all_refs}
    assert xml(http.get(f"{sim.url}/api/backupSessions/{sid}?format=Entity")).get("UID") == s.get("UID")
    by_job = query(sim, http, type="BackupJobSession", format="Entities", filter=f'JobUid=="{laptop.get("UID")}"')
    assert [x.get("UID") for x in by_job.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)] == [
        s.get("UID")]
    nas = query(sim, http, type="BackupJobSession", format="Entities", filter="JobType==NasBackup")
    found = nas.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)
    assert [(text(x, "JobName"), text(x, "JobUid"), text(x, "Result")) for x in found] == [
        ("Shared Files Backup", f"urn:veeam:NasJob:{SHARED_FILES_ID}", "Success")]
    assert found[0].find("e:Links/e:Link[@Type='JobReference']", N).get("Href") == \
        f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}"
    linux = query(sim, http, type="BackupJobSession", format="Entities", filter='JobName=="Linux Servers"')
    assert text(linux.find("e:Entities/e:BackupJobSessions/e:BackupJobSession", N), "Result") == "Warning"
    # The kind's own session lists.
    agent_list = xml(http.get(f"{sim.url}/api/agents/backupSessions?format=Entity"))
    assert sorted(text(x, "JobName") for x in agent_list) == ["Laptop Backup", "Legacy App Backup", "Linux Servers"]
    assert {text(x, "JobType") for x in agent_list} == {"AgentBackup"}
    nas_list = xml(http.get(f"{sim.url}/api/nas/backupSessions"))
    assert nas_list.tag == f"{{{NS}}}EntityReferences"
    assert [r.get("Name").split("@")[0] for r in nas_list] == ["Shared Files Backup"]
    never = xml(http.get(f"{sim.url}/api/nas/jobs/{sim.job_id('Projects Share')}/backupSessions"))
    assert never.tag == f"{{{NS}}}EntityReferences" and len(never) == 0


def test_replica_sessions_have_no_stop_link(sim, http):
    replica = xml(http.get(f"{sim.url}/api/replicaSessions?format=Entity"))
    assert len(replica) == 2
    for s in replica:
        assert "Stop" not in {rel for rel, _t, _h in link_list(s)}
    backup = xml(http.get(f"{sim.url}/api/backupSessions?format=Entity"))
    assert all("Stop" in {rel for rel, _t, _h in link_list(s)} for s in backup)


def test_session_job_link_setting(sim, http):
    sim.configure(session_job_link="jobs")
    found = query(sim, http, type="BackupJobSession", format="Entities", filter="JobType==NasBackup")
    s = found.find("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)
    assert s.find("e:Links/e:Link[@Type='JobReference']", N).get("Href") == f"{sim.url}/api/jobs/{SHARED_FILES_ID}"
    sim.reset()
    http = logon(sim)
    found = query(sim, http, type="BackupJobSession", filter="JobType==NasBackup")
    ref = found.find("e:Refs/e:Ref", N)
    assert ref.find("e:Links/e:Link[@Type='JobReference']", N).get("Href") == \
        f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}"


def test_agent_job_uid_type_setting(sim, http):
    guid = sim.job_id("Laptop Backup")
    sim.configure(agent_job_uid_type="Job")
    job = xml(http.get(f"{sim.url}/api/agents/jobs/{guid}?format=Entity"))
    assert job.get("UID") == f"urn:veeam:Job:{guid}"
    assert ref_names(query(sim, http, type="AgentBackupJob", filter=f'UID=="urn:veeam:Job:{guid}"')) == ["Laptop Backup"]
    assert ref_names(query(sim, http, type="AgentBackupJob", filter=f'UID=="urn:veeam:AgentBackupJob:{guid}"')) == []
    s = query(sim, http, type="BackupJobSession", format="Entities", filter=f'JobUid=="urn:veeam:Job:{guid}"')
    assert text(s.find("e:Entities/e:BackupJobSessions/e:BackupJobSession", N), "JobName") == "Laptop Backup"
    sim.reset()
    assert xml(logon(sim).get(f"{sim.url}/api/agents/jobs/{guid}")).get("UID") == f"urn:veeam:AgentBackupJob:{guid}"
    resp = em_http.plain(sim).post(f"{sim.url}/_sim/config", json={"agent_job_uid_type": "Nope"})
    assert resp.status_code == 400


# ------------------------------------------------------------------ actions

@pytest.fixture
def fast(sim):
    sim.configure(**FAST)
    return sim


def test_agent_job_start_stop_retry_toggle(fast, http):
    sim = fast
    guid = sim.job_id("Laptop Backup")
    base = f"{sim.url}/api/agents/jobs/{guid}"
    sim.set_job("Laptop Backup", duration_s=30)
    resp = http.post(f"{base}?action=start")
    assert resp.status_code == 202 and resp.headers["Location"] == f"{sim.url}/api/tasks/task-1"
    task = xml(resp)
    assert (text(task, "State"), text(task, "Operation")) == ("Running", "StartJob")
    done = finished_task(http, task)
    assert done.find("e:Result", N).get("Success") == "true"
    assert text(done.find("e:Result", N), "Message") == 'Job "Laptop Backup" triggered to start.'
    related = done.find("e:Links/e:Link[@Rel='Related']", N)
    assert related.get("Type") == "BackupJobSession"
    session = xml(http.get(related.get("Href")))
    assert (text(session, "JobType"), text(session, "JobUid")) == ("AgentBackup", f"urn:veeam:AgentBackupJob:{guid}")
    assert text(session, "State") in ("Starting", "Working")
    # Stop: StopAgentJob, and the running session stops with the stop_result.
    stop = finished_task(http, xml(http.post(f"{base}?action=stop")))
    assert text(stop, "Operation") == "StopAgentJob" and stop.find("e:Result", N).get("Success") == "true"
    stopped = wait_for(lambda: xml(http.get(related.get("Href"))), lambda s: text(s, "State") == "Stopped")
    assert text(stopped, "Result") == "Failed"
    # Retry after the failed (stopped) run: RetryAgentJob, a new session with IsRetry true.
    sim.set_job("Laptop Backup", duration_s=0.2)
    retry = finished_task(http, xml(http.post(f"{base}?action=retry")))
    assert text(retry, "Operation") == "RetryAgentJob"
    assert text(retry.find("e:Result", N), "Message") == 'Job "Laptop Backup" triggered to retry.'
    again = xml(http.get(retry.find("e:Links/e:Link[@Rel='Related']", N).get("Href")))
    assert text(again, "IsRetry") == "true"
    # Toggle: UpdateJob, Message Ok, ScheduleEnabled flips (and NextRun goes with it).
    toggle = finished_task(http, xml(http.post(f"{base}?action=toggleScheduleEnabled")))
    assert (text(toggle, "Operation"), text(toggle.find("e:Result", N), "Message")) == ("UpdateJob", "Ok")
    job = xml(http.get(f"{base}?format=Entity"))
    assert text(job, "ScheduleEnabled") == "false" and job.find("e:NextRun", N) is None
    assert ref_names(query(sim, http, type="AgentBackupJob", filter="ScheduleEnabled==false")) == [
        "Laptop Backup", "Legacy App Backup"]
    # Actions the agent kind does not have.
    assert "Supported actions: start, stop, retry, toggleScheduleEnabled." in error_message(
        http.post(f"{base}?action=sync"), 400)
    error_message(http.post(f"{base}?action=clone"), 400)
    c = sim.counters()
    assert c["actions"] == {"start": 1, "stop": 1, "retry": 1, "toggleScheduleEnabled": 1}
    assert c["actions_by_kind"] == {"agent": {"start": 1, "stop": 1, "retry": 1, "toggleScheduleEnabled": 1}}
    assert c["starts_by_job"] == {"Laptop Backup": 2}
    assert c["starts_by_kind"] == {"agent": {"Laptop Backup": 2}}


def test_nas_job_path_actions(fast, http):
    sim = fast
    base = f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}"
    sim.set_job("Shared Files Backup", duration_s=0.3, outcome="Failed")
    task = xml(http.post(f"{base}/start"))
    assert text(task, "Operation") == "StartNasJob"
    done = finished_task(http, task)
    assert text(done.find("e:Result", N), "Message") == 'Job "Shared Files Backup" triggered to start.'
    session = wait_for(lambda: xml(http.get(done.find("e:Links/e:Link[@Rel='Related']", N).get("Href"))),
                       lambda s: text(s, "State") == "Stopped")
    assert (text(session, "JobType"), text(session, "Result")) == ("NasBackup", "Failed")
    assert text(session, "JobUid") == f"urn:veeam:NasJob:{SHARED_FILES_ID}"
    # /Retry as the nas_jobs_id.md link table writes it: paths match case-insensitively.
    retry = finished_task(http, xml(http.post(f"{base}/Retry")))
    assert text(retry, "Operation") == "RetryNasJob"
    stop = finished_task(http, xml(http.post(f"{base}/stop")))
    assert text(stop, "Operation") == "StopNasJob"
    toggle = finished_task(http, xml(http.post(f"{base}/toggleScheduleEnabled")))
    assert text(toggle, "Operation") == "UpdateJob"
    assert text(xml(http.get(f"{base}?format=Entity")), "ScheduleEnabled") == "false"
    # Not the ?action= form, not GET, not other paths.
    error_message(http.post(f"{base}?action=start"), 405)
    error_message(http.get(f"{base}/start"), 405)
    error_message(http.post(f"{base}/sync"), 404)
    error_message(http.post(f"{base}/includes"), 405)
    c = sim.counters()
    assert c["actions_by_kind"] == {"nas": {"start": 1, "retry": 1, "stop": 1, "toggleScheduleEnabled": 1}}
    assert c["starts_by_job"] == {"Shared Files Backup": 2}
    assert c["requests"][f"POST /api/nas/jobs/{SHARED_FILES_ID}/start"] == 1


def test_nas_job_refusals_follow_the_settings(fast, http):
    sim = fast
    base = f"{sim.url}/api/nas/jobs/{sim.job_id('Projects Share')}"
    # Never ran: retry refused (Task Success=false), stop refused; error_400 turns them into 400s.
    retry = finished_task(http, xml(http.post(f"{base}/retry")))
    assert (text(retry, "Operation"), retry.find("e:Result", N).get("Success")) == ("RetryNasJob", "false")
    stop = finished_task(http, xml(http.post(f"{base}/stop")))
    assert text(stop.find("e:Result", N), "Message") == 'Job "Projects Share" is not running.'
    sim.configure(stop_when_idle="error_400")
    assert "not running" in error_message(http.post(f"{base}/stop"), 400)
    assert sim.counters()["starts_by_job"] == {}


def test_set_job_applies_to_every_kind_of_a_name(fast, http):
    sim = fast
    sim.set_job("Legacy App Backup", duration_s=0.2, outcome="Warning")
    vm, agent = sim.job_id("Legacy App Backup", kind="vm"), sim.job_id("Legacy App Backup", kind="agent")
    for href in (f"{sim.url}/api/jobs/{vm}?action=start", f"{sim.url}/api/agents/jobs/{agent}?action=start"):
        done = finished_task(http, xml(http.post(href)))
        s = wait_for(lambda d=done: xml(http.get(d.find("e:Links/e:Link[@Rel='Related']", N).get("Href"))),
                     lambda s: text(s, "State") == "Stopped")
        assert text(s, "Result") == "Warning"
    c = sim.counters()
    assert c["starts_by_job"] == {"Legacy App Backup": 2}
    assert c["starts_by_kind"] == {"vm": {"Legacy App Backup": 1}, "agent": {"Legacy App Backup": 1}}


# ------------------------------------------------------------------ roles

def test_portal_user_is_refused_agent_and_nas_jobs(sim, user):
    agent = sim.job_id("Laptop Backup")
    for method, path in (
            ("GET", "/api/agents/jobs"), ("GET", "/api/agents/jobs?format=Entity"),
            ("GET", f"/api/agents/jobs/{agent}"), ("GET", f"/api/agents/jobs/{agent}/includes"),
            ("POST", f"/api/agents/jobs/{agent}?action=start"),
            ("POST", f"/api/agents/jobs/{agent}?action=toggleScheduleEnabled"),
            ("GET", "/api/nas/jobs"), ("GET", f"/api/nas/jobs/{SHARED_FILES_ID}?format=Entity"),
            ("GET", f"/api/nas/jobs/{SHARED_FILES_ID}/includes"),
            ("POST", f"/api/nas/jobs/{SHARED_FILES_ID}/start"), ("POST", f"/api/nas/jobs/{SHARED_FILES_ID}/stop"),
            ("GET", "/api/query?type=AgentBackupJob"), ("GET", "/api/query?type=NasJob&format=Entities"),
            ("GET", "/api/query?type=Job")):
        assert user.request(method, f"{sim.url}{path}").status_code == 403, (method, path)
    assert sim.counters()["actions"] == {}
    # ... but may read the sessions, repositories and backup servers (security_roles_concept.md).
    for path in (f"/api/nas/jobs/{SHARED_FILES_ID}/backupSessions", f"/api/agents/jobs/{agent}/backupSessions",
                 "/api/agents/backupSessions", "/api/nas/backupSessions", "/api/backupSessions",
                 "/api/query?type=BackupJobSession&filter=JobType==AgentBackup", "/api/query?type=Repository",
                 "/api/query?type=BackupServer&format=Entities", "/api/repositories", "/api/agents", "/api/nas"):
        assert user.get(f"{sim.url}{path}").status_code == 200, path
    sim.configure(portal_user_agent_job_sessions=False)
    assert user.get(f"{sim.url}/api/agents/jobs/{agent}/backupSessions").status_code == 403
    assert user.get(f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}/backupSessions").status_code == 200


# ------------------------------------------------------------------ link_base

def test_link_base_rewrites_every_href(sim, http):
    base = "http://em-internal.corp:9399"
    em_http.plain(sim).post(f"{sim.url}/_sim/config", json={"link_base": base}).raise_for_status()
    # Logon session links, job lists (cached bodies too), entities, queries, tasks.
    fresh = em_http.plain(sim).post(f"{sim.url}/api/sessionMngr/?v=latest", auth=em_http.ADMIN)
    assert fresh.headers["Location"].startswith(sim.url)  # headers keep the client's host by default
    hrefs = [l.get("Href") for l in etree.fromstring(fresh.content).iter(f"{{{NS}}}Link")]
    for path in ("/api/jobs", "/api/jobs?format=Entity", "/api/agents/jobs", f"/api/nas/jobs/{SHARED_FILES_ID}?format=Entity",
                 "/api/query?type=AgentBackupJob&pageSize=1", "/api/backupSessions?format=Entity", "/api/repositories",
                 "/api/agents"):
        root = xml(http.get(f"{sim.url}{path}"))
        hrefs += [e.get("Href") for e in root.iter() if e.get("Href") is not None]
    task = http.post(f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}/toggleScheduleEnabled")
    assert task.headers["Location"] == f"{sim.url}/api/tasks/task-1"
    hrefs += [e.get("Href") for e in xml(task).iter() if e.get("Href") is not None]
    assert len(hrefs) > 100
    assert all(h.startswith(f"{base}/api/") for h in hrefs), [h for h in hrefs if not h.startswith(base)][:5]
    # Location headers follow too with link_base_location.
    sim.configure(link_base_location=True)
    assert http.post(f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}/toggleScheduleEnabled").headers["Location"] == \
        f"{base}/api/tasks/task-2"
    # Back to the client's own host after a reset, the cached list included.
    sim.reset()
    again = logon(sim)
    for path in ("/api/jobs", "/api/agents/jobs"):
        assert all(r.get("Href").startswith(f"{sim.url}/api/") for r in xml(again.get(f"{sim.url}{path}")))
    assert em_http.plain(sim).post(f"{sim.url}/_sim/config", json={"link_base": "em-internal.corp"}).status_code == 400


def test_link_base_with_a_path(sim, http):
    sim.configure(link_base="https://proxy.example/veeam/")
    ref = xml(http.get(f"{sim.url}/api/nas/jobs/{SHARED_FILES_ID}"))
    assert ref.get("Href") == f"https://proxy.example/veeam/api/nas/jobs/{SHARED_FILES_ID}"


# ------------------------------------------------------------------ repositories and backup servers

def test_repositories(sim, http):
    refs = xml(http.get(f"{sim.url}/api/repositories"))
    assert refs.tag == f"{{{NS}}}EntityReferences" and len(refs) == 6
    assert {r.get("Type") for r in refs} == {"RepositoryReference"}
    per_server: dict[str, int] = {}
    for r in refs:
        server = r.find("e:Links/e:Link[@Rel='Up']", N).get("Name")
        per_server[server] = per_server.get(server, 0) + 1
    assert per_server == {"vbr01.tech.local": 2, "vbr02.tech.local": 2, "srv02.tech.local": 2}
    # repositories_id.md's own repository, exactly.
    repo_id = "bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6"
    base = f"{sim.url}/api/repositories/{repo_id}"
    repo = xml(http.get(f"{base}?format=Entity"))
    assert repo.tag == f"{{{NS}}}Repository" and repo.get("Type") == "Repository"
    assert (repo.get("Name"), repo.get("UID")) == ("Backup Volume 01", f"urn:veeam:Repository:{repo_id}")
    assert tags(repo) == ["Links", "Capacity", "FreeSpace", "Kind"]
    assert (text(repo, "Capacity"), text(repo, "FreeSpace"), text(repo, "Kind")) == (
        "1079639011328", "881812750336", "WindowsLocal")
    assert link_list(repo) == [
        ("Up", "BackupServerReference", f"{sim.url}/api/backupServers/{SRV02_ID}"),
        ("Alternate", "RepositoryReference", base),
        ("Down", "BackupReferenceList", f"{base}/backups"),
        ("Down", "ReplicaReferenceList", f"{base}/replicas")]
    assert repo.find("e:Links/e:Link[@Rel='Up']", N).get("Name") == "srv02.tech.local"
    assert xml(http.get(base)).tag == f"{{{NS}}}EntityRef"
    error_message(http.get(f"{sim.url}/api/repositories/11111111-2222-3333-4444-555555555555"), 404)
    entities = xml(http.get(f"{sim.url}/api/repositories?format=Entity"))
    assert entities.tag == f"{{{NS}}}Repositories"
    assert len({text(e, "Kind") for e in entities}) >= 5
    on_srv02 = xml(http.get(f"{sim.url}/api/backupServers/{SRV02_ID}/repositories"))
    assert sorted(r.get("Name") for r in on_srv02) == ["Backup Volume 01", "Scale-out Repository"]


def test_repository_and_backup_server_queries(sim, http, user):
    low = query(sim, http, type="Repository", format="Entities", filter="FreeSpace<107374182400")
    assert [e.get("Name") for e in low.findall("e:Entities/e:Repositories/e:Repository", N)] == ["Branch DD Boost"]
    by_server = query(sim, user, type="Repository", filter='BackupServerName=="vbr01.tech.local"', sortDesc="Capacity")
    assert ref_names(by_server) == ["NAS Backup Repository", "Default Backup Repository"]
    assert "unknown field 'Kind'" in error_message(
        user.get(f"{sim.url}/api/query", params={"type": "Repository", "filter": "Kind==DDBoost"}), 400)
    servers = query(sim, user, type="BackupServer", format="Entities", sortAsc="Name")
    found = servers.findall("e:Entities/e:BackupServers/e:BackupServer", N)
    assert [(s.get("Name"), text(s, "Port"), text(s, "Version")) for s in found] == [
        ("srv02.tech.local", "9392", "12.3.1.1139"), ("vbr01.tech.local", "9392", "13.0.1.1071"),
        ("vbr02.tech.local", "9392", "12.3.2.3617")]
    assert all(tags(s)[:4] == ["Links", "Description", "Port", "Version"] for s in found)
    assert ref_names(query(sim, user, type="BackupServer", filter='Version=="13.0.1.1071"')) == ["vbr01.tech.local"]
    assert ref_names(query(sim, user, type="BackupServer", filter='IpOrDnsName=="srv02.tech.local"')) == [
        "srv02.tech.local"]


def test_generated_dataset_kinds(sim_factory):
    s = sim_factory(dataset="generated", jobs=200, servers=3)
    http = logon(s)
    assert len(xml(http.get(f"{s.url}/api/agents/jobs"))) == 20
    assert len(xml(http.get(f"{s.url}/api/nas/jobs"))) == 10
    assert len(xml(http.get(f"{s.url}/api/jobs"))) == 170
    agent = query(s, http, type="AgentBackupJob", format="Entities", filter='Name=="Job 000016"')
    job = agent.find("e:Entities/e:AgentBackupJobs/e:AgentBackupJob", N)
    assert (text(job, "Platform"), text(job, "JobType")) == ("AgentForLinux", "AgentBackup")
    nas = query(s, http, type="NasJob", format="Entities", filter='Name=="Job 000012"')
    repo_uid = nas.findtext("e:Entities/e:NASJobs/e:NASJob/e:StorageOptions/e:BackupRepositoryUid", namespaces=N)
    assert ref_names(query(s, http, type="Repository", filter=f'UID=="{repo_uid}"')) != []
    sessions = query(s, http, type="BackupJobSession", filter="JobType==AgentBackup,JobType==NasBackup")
    assert sessions.find("e:PagingInfo", N).get("PagesCount") == "1" and len(ref_names(sessions)) == 30
    assert len(ref_names(query(s, http, type="Repository"))) == 6
