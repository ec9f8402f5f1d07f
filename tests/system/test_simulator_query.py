"""EM simulator: the query service (filters, sorting, paging) and its parser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import etree

from em_http import logon, xml

from em_simulator.query import FilterError, parse_filter, tokenize

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}


@pytest.fixture
def http(sim):
    return logon(sim)


def query(sim, http, **params) -> etree._Element:
    return xml(http.get(f"{sim.url}/api/query", params=params))


def names(root: etree._Element) -> list[str]:
    return [r.get("Name") for r in root.findall("e:Refs/e:Ref", N)]


def error_message(resp: requests.Response, status: int = 400) -> str:
    assert resp.status_code == status, resp.text
    root = etree.fromstring(resp.content)
    assert root.tag == f"{{{NS}}}Error" and root.get("StatusCode") == str(status)
    return root.get("Message")


# ------------------------------------------------------------------ filters

@pytest.mark.parametrize("flt, expected", [
    ('Name=="exchange backup"', ["Exchange Backup", "exchange backup"]),
    ('name=="EXCHANGE BACKUP"', ["Exchange Backup", "exchange backup"]),
    ('Name=="Finance ""Q4"" & Payroll"', ['Finance "Q4" & Payroll']),
    ('Name=="Sauvegarde Comptabilité Zürich"', ["Sauvegarde Comptabilité Zürich"]),
    ('Name=="sauvegarde comptabilité zürich"', ["Sauvegarde Comptabilité Zürich"]),
    ('Name=="Fileserver Backup"', ["Fileserver Backup", "Fileserver Backup"]),
    ('Name=="Fileserver Backup";BackupServerName=="vbr02.tech.local"', ["Fileserver Backup"]),
    ('Name==QuickBackup', []),
    ('Name==Quick Backup', []),  # unquoted: spaces are ignored -> "QuickBackup"
    ('Name=="Quick Backup",Name=="Quick Replica"', ["Quick Backup", "Quick Replica"]),
    ('(Name=="Quick Backup",Name=="Quick Replica");JobType==Replica', ["Quick Replica"]),
    # AND binds tighter than OR: a , (b ; c)
    ('Name=="Quick Backup",Name=="Quick Replica";JobType==Backup', ["Quick Backup"]),
    ('jobtype==replica', ["SQL Replication", "Quick Replica"]),
    ('JobType==Backup;Platform==hyperv', ["DB Backup", "exchange backup", "Sauvegarde Comptabilité Zürich"]),
    ('JobType!=Backup', ["SQL Replication", "Quick Replica", "Offsite Copy", "Immediate Copy to DR"]),
    ('ScheduleConfigured==false', ["SQL Replication", "New Job Never Run"]),
    ('ScheduleEnabled==False;JobType==Backup', ["New Job Never Run"]),
    ('UID=="urn:veeam:Job:b04c217b-0538-4650-bec4-19deff4ea1ac"', ["SQL Replication"]),
    ('uid==URN:VEEAM:JOB:B04C217B-0538-4650-BEC4-19DEFF4EA1AC', ["SQL Replication"]),
    ('BackupServerUid=="urn:veeam:BackupServer:ce15a8c7-aa49-495e-b05b-ee3398c91018";JobType==Backup',
     ["Legacy App Backup"]),
    ('Description=="Created by SRV02\\Administrator at 10/7/2025 6:02 AM."', ["SQL Replication"]),
    ('Name>="w"', ["Web Servers Backup"]),
    ('(((Name=="DB Backup")))', ["DB Backup"]),
    ('  Name  ==  "DB Backup"  ', ["DB Backup"]),
])
def test_job_filters(sim, http, flt, expected):
    assert sorted(names(query(sim, http, type="Job", filter=flt))) == sorted(expected)


def test_next_run_filter_and_null(sim, http):
    future = query(sim, http, type="job", filter='NextRun>"2000-01-01T00:00:00Z"')
    got = names(future)
    # Jobs without NextRun never match a comparison.
    assert "SQL Replication" not in got and "New Job Never Run" not in got and "DB Backup" in got
    assert names(query(sim, http, type="Job", filter='NextRun<"2000-01-01T00:00:00.1234567Z"')) == []


def test_session_filters(sim, http):
    failed = query(sim, http, type="BackupJobSession", filter="Result==Failed", format="Entities")
    sessions = failed.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)
    assert [s.findtext("e:JobName", namespaces=N) for s in sessions] == ["Legacy App Backup"]
    # Enum order Success < Warning < Failed: Result>=Warning is Warning or Failed.
    worse = query(sim, http, type="BackupJobSession", filter="Result>=warning", format="entities")
    results = {s.findtext("e:Result", namespaces=N)
               for s in worse.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)}
    assert results == {"Warning", "Failed"}
    working = query(sim, http, type="BackupJobSession", filter="State==Working")
    # The running job, and the immediate copy job's parent session that stays Working (vbr13 profile, copyjobs.py).
    assert sorted(n.split("@")[0] for n in names(working)) == ["Immediate Copy to DR", "Web Servers Backup"]
    by_job = query(sim, http, type="BackupJobSession", filter='JobName=="fileserver backup"')
    assert len(names(by_job)) == 3
    recent = query(sim, http, type="BackupJobSession",
                   filter='JobName=="Fileserver Backup";CreationTime>="2000-01-01T00:00:00Z"')
    assert len(names(recent)) == 3
    none_yet = query(sim, http, type="BackupJobSession", filter='EndTime>="2000-01-01T00:00:00Z";State==Working')
    assert names(none_yet) == []
    replica = query(sim, http, type="ReplicaJobSession", filter="IsRetry==false", sortAsc="JobName")
    assert [n.split("@")[0] for n in names(replica)] == ["Quick Replica", "SQL Replication"]
    uid = replica.find("e:Refs/e:Ref", N).get("UID")
    assert len(names(query(sim, http, type="ReplicaJobSession", filter=f'UID=="{uid}"'))) == 1


def test_job_uid_session_query(sim, http):
    job = query(sim, http, type="Job", filter='Name=="DB Backup"').find("e:Refs/e:Ref", N)
    found = query(sim, http, type="BackupJobSession", format="Entities", sortDesc="CreationTime", pageSize=1,
                  filter=f'JobUid=="{job.get("UID")}"')
    s = found.find("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)
    assert s.findtext("e:JobUid", namespaces=N) == job.get("UID")


def test_entities_format_for_jobs_and_servers(sim, http):
    root = query(sim, http, type="Job", format="Entities", filter='Name=="DB Backup"')
    job = root.find("e:Entities/e:Jobs/e:Job", N)
    assert job.get("Name") == "DB Backup" and job.findtext("e:JobType", namespaces=N) == "Backup"
    servers = query(sim, http, type="BackupServer", format="Entities", filter='Name=="srv02.tech.local"')
    assert servers.find("e:Entities/e:BackupServers/e:BackupServer", N).findtext("e:Port", namespaces=N) == "9392"
    refs = query(sim, http, type="backupserver", filter="Port==9392", sortDesc="Name")
    assert names(refs) == ["vbr02.tech.local", "vbr01.tech.local", "srv02.tech.local"]


# ------------------------------------------------------------------ sorting and paging

def test_sorting(sim, http):
    asc = names(query(sim, http, type="Job", sortAsc="name"))
    assert asc == sorted(asc, key=str.casefold)
    desc = names(query(sim, http, type="Job", sortDesc="NAME"))
    assert [n.casefold() for n in desc] == sorted((n.casefold() for n in asc), reverse=True)
    by_time = query(sim, http, type="BackupJobSession", format="Entities", sortAsc="CreationTime")
    times = [s.findtext("e:CreationTimeUTC", namespaces=N)
             for s in by_time.findall("e:Entities/e:BackupJobSessions/e:BackupJobSession", N)]
    assert times == sorted(times)
    assert "sort" in error_message(http.get(f"{sim.url}/api/query", params={"type": "Job", "sortAsc": "Nope"}))
    error_message(http.get(f"{sim.url}/api/query", params={"type": "Job", "sortAsc": "Name", "sortDesc": "Name"}))


def test_paging_follows_next_links_to_the_end(sim, http):
    flt = 'JobType==Backup,JobType==Replica'
    first = query(sim, http, type="Job", filter=flt, pageSize=3, sortAsc="Name")
    paging = first.find("e:PagingInfo", N)
    assert (paging.get("PageNum"), paging.get("PageSize"), paging.get("PagesCount")) == ("1", "3", "5")
    seen = []
    root = first
    pages = 0
    while True:
        pages += 1
        seen += names(root)
        links = {l.get("Rel"): l.get("Href") for l in root.findall("e:PagingInfo/e:Links/e:Link", N)}
        assert set(links) >= {"First", "Last"}
        q = parse_qs(urlsplit(links["First"]).query)
        assert q == {"type": ["Job"], "filter": [flt], "sortAsc": ["Name"], "pageSize": ["3"], "page": ["1"]}
        if "Next" not in links:
            break
        root = xml(http.get(links["Next"]))
    assert pages == 5
    assert "Previous" in links
    assert len(seen) == 14 and len(set(seen)) == 13  # "Fileserver Backup" twice
    assert seen == sorted(seen, key=str.casefold)


def test_paging_links_are_escaped_and_encoded(sim, http):
    resp = http.get(f"{sim.url}/api/query", params={"type": "Job", "format": "Entities", "pageSize": 1,
                                                    "filter": 'Name=="Finance ""Q4"" & Payroll",JobType>=Backup'})
    assert resp.status_code == 200
    raw = resp.content.decode()
    assert "&amp;format=Entities&amp;filter=" in raw
    assert "%26" in raw and "%22" in raw and "%3E%3D" in raw  # & " >= URL-encoded
    root = etree.fromstring(resp.content)
    nxt = root.find("e:PagingInfo/e:Links/e:Link[@Rel='Next']", N).get("Href")
    assert parse_qs(urlsplit(nxt).query)["filter"] == ['Name=="Finance ""Q4"" & Payroll",JobType>=Backup']
    assert xml(http.get(nxt)).find("e:PagingInfo", N).get("PageNum") == "2"


def test_page_beyond_last_and_empty_result(sim, http):
    beyond = query(sim, http, type="Job", pageSize=10, page=7)
    assert beyond.find("e:Refs", N) is not None and names(beyond) == []
    assert beyond.find("e:PagingInfo", N).get("PagesCount") == "2"
    assert beyond.find("e:PagingInfo/e:Links/e:Link[@Rel='Previous']", N) is not None
    empty = query(sim, http, type="Job", filter='Name=="no such job"')
    assert len(empty.find("e:Refs", N)) == 0
    paging = empty.find("e:PagingInfo", N)
    assert (paging.get("PageNum"), paging.get("PageSize"), paging.get("PagesCount")) == ("1", "100", "0")
    entities = query(sim, http, type="Job", format="Entities", filter='Name=="no such job"')
    assert len(entities.find("e:Entities/e:Jobs", N)) == 0
    sim.configure(empty_query_pages_count=1)
    assert query(sim, http, type="Job", filter='Name=="x"').find("e:PagingInfo", N).get("PagesCount") == "1"


def test_page_size_cap(sim_factory):
    s = sim_factory(dataset="generated", jobs=250, servers=2)
    http = logon(s)
    capped = query(s, http, type="Job", pageSize=500)
    assert capped.find("e:PagingInfo", N).get("PageSize") == "100"
    assert len(names(capped)) == 100
    default = query(s, http, type="Job")
    assert (default.find("e:PagingInfo", N).get("PageSize"), default.find("e:PagingInfo", N).get("PagesCount")) == \
        ("100", "3")
    # 250 generated jobs: 25 agent and 12 file share jobs (query types AgentBackupJob, NasJob), 213 VM jobs.
    last = query(s, http, type="Job", page=3)
    assert names(last)[-1] == "Job 000250" and len(names(last)) == 13
    s.configure(query_max_page_size=1000)
    assert len(names(query(s, http, type="Job", pageSize=500))) == 213


def test_task_query_and_query_svc(sim, http):
    root = query(sim, http, type="Task")
    assert root.find("e:Resources/e:Tasks", N) is not None
    svc = xml(http.get(f"{sim.url}/api/querySvc"))
    assert svc.tag == f"{{{NS}}}QuerySvc" and svc.get("Type") == "QueryService"
    assert {l.get("Name") for l in svc.findall("e:Links/e:Link", N)} >= {"Job", "BackupJobSession", "Task"}


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize("flt, fragment", [
    ('Name=="DB Backup', "unterminated"),
    ('Name="DB Backup"', "operator"),
    ('Name==', "value"),
    ('Name=="a";', "field name"),
    (';Name=="a"', "field name"),
    ('(Name=="a"', "missing ')'"),
    ('Name=="a")', "unbalanced"),
    ('Name=="a" Name=="b"', "expected"),
    ('Bogus=="a"', "unknown field 'Bogus'"),
    ('JobType==Nope', "JobType"),
    ('ScheduleEnabled==maybe', "true or false"),
    ('NextRun>"yesterday"', "DateTime"),
    ('Name~="a"', "unexpected character"),
    ('Name!"a"', "operator"),
])
def test_malformed_filters_are_400(sim, http, flt, fragment):
    msg = error_message(http.get(f"{sim.url}/api/query", params={"type": "Job", "filter": flt}))
    assert msg.startswith("Invalid filter:") and fragment in msg


@pytest.mark.parametrize("params, fragment", [
    ({}, "type"),
    ({"type": "Nope"}, "not supported"),
    ({"type": "Job", "pageSize": "0"}, "pageSize"),
    ({"type": "Job", "pageSize": "x"}, "pageSize"),
    ({"type": "Job", "page": "-1"}, "page"),
    ({"type": "Job", "format": "Xml"}, "format"),
])
def test_bad_query_parameters_are_400(sim, http, params, fragment):
    assert fragment in error_message(http.get(f"{sim.url}/api/query", params=params))


def test_parser_units():
    assert [t.kind for t in tokenize('(a==1;b!="x ""y"""),c>=d')] == [
        "LPAREN", "FIELD", "OP", "VALUE", "AND", "FIELD", "OP", "VALUE", "RPAREN", "OR", "FIELD", "OP",
        "VALUE", "END"]
    assert tokenize('b!="x ""y"""')[2].text == 'x "y"'
    tree = parse_filter('a==1,b==2;c==3')
    assert tree.op == "or" and tree.items[1].op == "and"
    assert parse_filter("   ") is None
    with pytest.raises(FilterError):
        parse_filter("a==1,")
