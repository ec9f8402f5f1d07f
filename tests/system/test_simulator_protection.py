"""The simulator's protection and history resources over HTTPS, for both roles: task sessions, session queries
with DateTime filters, VM restore points, hierarchy roots, the lookup service, ObjectInJob and quick backup
(docs/dev/contracts.md "Protection and history")."""

from __future__ import annotations

import datetime
import time
import xml.etree.ElementTree as ET

import pytest

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
SPEC = ('<?xml version="1.0" encoding="utf-8"?><QuickBackupStartupSpec xmlns="http://www.veeam.com/ent/v1.0">'
        "<VmRef>%s</VmRef></QuickBackupStartupSpec>")
VBR01 = "d1444f74-27e6-4399-81a9-d28ba98913f0"


def xml(resp):
    assert resp.headers["Content-Type"].startswith("application/xml"), resp.text[:200]
    return ET.fromstring(resp.content)


def query(http, sim, **params):
    resp = http.get(f"{sim.url}/api/query", params=params, timeout=30)
    assert resp.status_code == 200, resp.text[:300]
    return xml(resp)


def entities(root, tag):
    return root.findall(f".//e:{tag}", N)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_finished(http, sim, task_href, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = xml(http.get(task_href, timeout=10))
        if task.findtext("e:State", namespaces=N) == "Finished":
            return task
        time.sleep(0.2)
    raise AssertionError("task did not finish")


def wait_stopped(http, href, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = xml(http.get(href, timeout=10))
        if session.findtext("e:State", namespaces=N) == "Stopped":
            return session
        time.sleep(0.2)
    raise AssertionError("session did not stop")


def vm_ref(http, sim, name, server="vbr01.tech.local"):
    roots = entities(query(http, sim, type="HierarchyRoot", format="Entities",
                           filter=f'BackupServerName=="{server}"'), "HierarchyRoot")
    found = []
    for root in roots:
        items = xml(http.get(f"{sim.url}/api/lookup", params={"host": root.get("UID"), "name": name, "type": "Vm"},
                             timeout=10))
        found += [i.findtext("e:ObjectRef", namespaces=N) for i in entities(items, "HierarchyItem")]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("user", ["admin", "portaluser"])
def test_task_sessions_of_a_failed_run_carry_the_reason_per_vm(sim, em_logon, user):
    http = em_logon(sim, user)
    session = entities(query(http, sim, type="BackupJobSession", format="Entities",
                             filter='JobName=="Legacy App Backup";JobType==Backup'), "BackupJobSession")[0]
    assert session.findtext("e:Result", namespaces=N) == "Failed"
    down = [l.get("Href") for l in session.iter(f"{{{NS}}}Link") if l.get("Type") == "BackupTaskSessionReferenceList"][0]
    listing = xml(http.get(down + "?format=Entity", timeout=10))
    tasks = entities(listing, "BackupTaskSession")
    assert [t.get("VmDisplayName") for t in tasks] == ["legacy01"]
    task = tasks[0]
    # backuptasksessions_id.md: the elements in the sample's order.
    assert [c.tag.split("}")[1] for c in task] == ["Links", "JobSessionUid", "CreationTimeUTC", "EndTimeUTC", "State",
                                                   "Result", "Reason", "TotalSize"]
    assert task.findtext("e:JobSessionUid", namespaces=N) == session.get("UID")
    assert (task.findtext("e:State", namespaces=N), task.findtext("e:Result", namespaces=N)) == ("Completed", "Failed")
    assert "RPC server is unavailable" in task.findtext("e:Reason", namespaces=N)
    assert task.get("Name").startswith("legacy01@")
    rels = [(l.get("Rel"), l.get("Type")) for l in task.iter(f"{{{NS}}}Link")]
    assert rels == [("Up", "BackupServerReference"), ("Up", "BackupJobSessionReference"),
                    ("Alternate", "BackupTaskSessionReference")]  # no restore point from a failed task


def test_failure_message_can_be_null_as_in_captured_v12_traffic(sim, em_logon):
    http = em_logon(sim)
    sim.configure(session_failure_message=False)
    session = entities(query(http, sim, type="BackupJobSession", format="Entities",
                             filter='JobName=="Legacy App Backup";JobType==Backup'), "BackupJobSession")[0]
    assert session.findtext("e:Result", namespaces=N) == "Failed"
    assert not session.findtext("e:FailureMessage", namespaces=N)
    task = entities(query(http, sim, type="BackupTaskSession", format="Entities",
                          filter=f'JobSessionUid=="{session.get("UID")}"'), "BackupTaskSession")[0]
    assert "RPC server is unavailable" in task.findtext("e:Reason", namespaces=N)


def test_task_session_query_filters_on_the_server_in_bulk(sim, em_logon):
    http = em_logon(sim, "portaluser")
    sessions = entities(query(http, sim, type="BackupJobSession", filter='JobName=="Fileserver Backup"'), "Ref")
    uids = [s.get("UID") for s in sessions]
    assert len(uids) == 3  # two on vbr01 (one 40 days old) and one on vbr02
    flt = "(" + ",".join(f'JobSessionUid=="{u}"' for u in uids) + ")"
    tasks = entities(query(http, sim, type="BackupTaskSession", format="Entities", filter=flt), "BackupTaskSession")
    assert sorted(t.get("VmDisplayName") for t in tasks) == ["fs-branch01", "fs01", "fs01", "fs02", "fs02"]
    by_vm = entities(query(http, sim, type="BackupTaskSession", format="Entities", filter='VmDisplayName=="FS01"'),
                     "BackupTaskSession")
    assert {t.get("VmDisplayName") for t in by_vm} == {"fs01"} and len(by_vm) == 2
    ok = entities(query(http, sim, type="BackupTaskSession", filter='Result==Failed;JobName=="Legacy App Backup"'), "Ref")
    assert len(ok) == 1


def test_datetime_filters_take_the_documented_quoted_form(sim, em_logon):
    http = em_logon(sim, "portaluser")
    now = datetime.datetime.now(datetime.timezone.utc)
    since = iso(now - datetime.timedelta(hours=24))
    recent = entities(query(http, sim, type="BackupJobSession", format="Entities", sortDesc="CreationTime",
                            filter=f'CreationTime>="{since}"'), "BackupJobSession")
    times = [datetime.datetime.fromisoformat(s.findtext("e:CreationTimeUTC", namespaces=N).replace("Z", "+00:00"))
             for s in recent]
    assert times and times == sorted(times, reverse=True) and min(times) >= now - datetime.timedelta(hours=24, seconds=1)
    everything = entities(query(http, sim, type="BackupJobSession"), "Ref")
    assert len(everything) > len(recent)
    refused = http.get(f"{sim.url}/api/query", params={"type": "BackupJobSession", "filter": f"CreationTime>={since}"},
                       timeout=10)
    assert refused.status_code == 400 and "must be quoted" in refused.text
    sim.configure(filter_datetime_form="any")
    assert http.get(f"{sim.url}/api/query", params={"type": "BackupJobSession", "filter": f"CreationTime>={since}"},
                    timeout=10).status_code == 200
    # The same form on task sessions and restore points.
    tasks = entities(query(http, sim, type="BackupTaskSession", filter=f'CreationTime>="{since}"'), "Ref")
    points = entities(query(http, sim, type="VmRestorePoint", filter=f'CreationTime>="{since}"'), "Ref")
    assert tasks and points


@pytest.mark.parametrize("user", ["admin", "portaluser"])
def test_restore_points_of_the_rpo_vms(sim, em_logon, user):
    http = em_logon(sim, user)
    flt = '(VmDisplayName=="rpo-fresh01",VmDisplayName=="rpo-stale01",VmDisplayName=="rpo-nojob01")'
    points = entities(query(http, sim, type="VmRestorePoint", format="Entities", sortDesc="CreationTime", filter=flt),
                      "VmRestorePoint")
    now = datetime.datetime.now(datetime.timezone.utc)

    def age_h(p):
        created = datetime.datetime.fromisoformat(p.findtext("e:CreationTimeUTC", namespaces=N).replace("Z", "+00:00"))
        return (now - created).total_seconds() / 3600
    newest = {}
    for p in points:
        newest.setdefault(p.get("VmDisplayName"), age_h(p))
    assert set(newest) == {"rpo-fresh01", "rpo-stale01"}
    assert 5 < newest["rpo-fresh01"] < 7 and 70 < newest["rpo-stale01"] < 74
    p = points[0]
    # vmrestorepoints_id.md: links in the sample's order, then CreationTimeUTC, Algorithm, PointType, HierarchyObjRef.
    assert [(l.get("Rel"), l.get("Type")) for l in p.iter(f"{{{NS}}}Link")] == [
        ("Restore", None), ("Up", "BackupServerReference"), ("Up", "RestorePointReference"),
        ("Up", "BackupFileReference"), ("Alternate", "VmRestorePointReference"), ("Down", "VmRestorePointMountList"),
        ("Create", "VmRestorePointMount")]
    assert [c.tag.split("}")[1] for c in p][1:] == ["CreationTimeUTC", "Algorithm", "PointType", "HierarchyObjRef"]
    assert p.get("Name").startswith(p.get("VmDisplayName") + "@")
    one = xml(http.get(p.get("Href"), timeout=10))
    assert one.get("UID") == p.get("UID")
    sim.configure(restore_point_vm_display_name=False)
    bare = entities(query(http, sim, type="VmRestorePoint", format="Entities", filter='VmDisplayName=="rpo-fresh01"'),
                    "VmRestorePoint")
    assert bare and all(b.get("VmDisplayName") is None for b in bare)


def test_roles_open_what_security_roles_concept_lists_for_a_portal_user(sim, em_logon):
    http = em_logon(sim, "portaluser")
    for path in ("/api/lookupSvc", "/api/hierarchyRoots", "/api/backupTaskSessions", "/api/vmRestorePoints",
                 "/api/repositories", "/api/backupServers"):
        assert http.get(sim.url + path, timeout=10).status_code == 200, path
    for qtype in ("BackupJobSession", "ReplicaJobSession", "BackupTaskSession", "ReplicaTaskSession", "VmRestorePoint",
                  "HierarchyRoot", "Repository", "BackupServer"):
        assert http.get(f"{sim.url}/api/query", params={"type": qtype}, timeout=10).status_code == 200, qtype
    for qtype in ("ObjectInJob", "Job"):
        assert http.get(f"{sim.url}/api/query", params={"type": qtype}, timeout=10).status_code == 403, qtype
    assert http.get(f"{sim.url}/api/jobs", timeout=10).status_code == 403
    admin = em_logon(sim)
    objects = entities(query(admin, sim, type="ObjectInJob", format="Entities",
                             filter='BackupServerName=="vbr01.tech.local";Name=="rpo-stale01"'), "ObjectInJob")
    assert [o.findtext("e:Name", namespaces=N) for o in objects] == ["rpo-stale01"]
    assert objects[0].get("Href").startswith(f"{sim.url}/api/jobs/{sim.job_id('Quick Backup')}/includes/")
    assert not entities(query(admin, sim, type="ObjectInJob", filter='Name=="rpo-nojob01"'), "Ref")


def test_lookup_finds_vms_case_insensitively_and_the_vm_in_no_job(sim, em_logon):
    http = em_logon(sim, "portaluser")
    svc = xml(http.get(f"{sim.url}/api/lookupSvc", timeout=10))
    assert svc.tag == f"{{{NS}}}LookupSvc" and svc.get("Type") == "LookupService"
    vm_links = [l.get("Href") for l in svc.iter(f"{{{NS}}}Link") if "type=Vm" in l.get("Href")]
    assert vm_links
    assert vm_ref(http, sim, "RPO-NOJOB01").startswith("urn:VMware:Vm:")
    ref = vm_ref(http, sim, "rpo-stale01")
    items = xml(http.get(f"{sim.url}/api/lookup", params={"hierarchyRef": ref}, timeout=10))
    assert [i.findtext("e:ObjectName", namespaces=N) for i in entities(items, "HierarchyItem")] == ["rpo-stale01"]


def test_quick_backup_as_portal_user_runs_the_vm_alone_and_makes_a_restore_point(sim, em_logon):
    http = em_logon(sim, "portaluser")
    ref = vm_ref(http, sim, "rpo-stale01")
    before = len(entities(query(http, sim, type="VmRestorePoint", filter='VmDisplayName=="rpo-stale01"'), "Ref"))
    resp = http.post(f"{sim.url}/api/backupServers/{VBR01}?action=quickbackup", data=SPEC % ref,
                     headers={"Content-Type": "application/xml"}, timeout=10)
    assert resp.status_code == 202, resp.text
    task = xml(resp)
    assert task.findtext("e:Operation", namespaces=N) == "QuickBackup"
    done = wait_finished(http, sim, task.get("Href"))
    assert done.find("e:Result", N).get("Success") == "true"
    related = [l.get("Href") for l in done.iter(f"{{{NS}}}Link") if l.get("Rel") == "Related"][0]
    session = wait_stopped(http, related)
    assert session.findtext("e:JobName", namespaces=N) == "Quick Backup"
    assert session.findtext("e:Result", namespaces=N) == "Success"
    tasks = entities(query(http, sim, type="BackupTaskSession", format="Entities",
                           filter=f'JobSessionUid=="{session.get("UID")}"'), "BackupTaskSession")
    assert [t.get("VmDisplayName") for t in tasks] == ["rpo-stale01"]  # that VM alone
    assert [l.get("Type") for l in tasks[0].iter(f"{{{NS}}}Link")][-1] == "VmRestorePoint"
    points = entities(query(http, sim, type="VmRestorePoint", format="Entities", sortDesc="CreationTime",
                            filter='VmDisplayName=="rpo-stale01"'), "VmRestorePoint")
    assert len(points) == before + 1
    assert (points[0].findtext("e:Algorithm", namespaces=N), points[0].findtext("e:PointType", namespaces=N)) == (
        "Incremental", "Increment")
    counters = sim.counters()
    assert counters["actions"].get("quickbackup") == 1 and counters["quick_backups_by_vm"] == {"rpo-stale01": 1}
    assert counters["starts_by_job"] == {}


@pytest.mark.parametrize("mode, status", [("task_failed", 202), ("error_400", 400)])
def test_quick_backup_of_a_vm_in_no_job_is_refused(sim, em_logon, mode, status):
    http = em_logon(sim, "portaluser")
    sim.configure(quick_backup_no_job=mode)
    ref = vm_ref(http, sim, "rpo-nojob01")
    resp = http.post(f"{sim.url}/api/backupServers/{VBR01}?action=quickbackup", data=SPEC % ref,
                     headers={"Content-Type": "application/xml"}, timeout=10)
    assert resp.status_code == status
    if status == 202:
        done = wait_finished(http, sim, xml(resp).get("Href"))
        assert done.find("e:Result", N).get("Success") == "false"
        assert "not processed by any backup job" in done.findtext("e:Result/e:Message", namespaces=N)
    else:
        assert "not processed by any backup job" in resp.text
    assert sim.counters()["quick_backups_by_vm"] == {}


def test_quick_backup_bad_bodies_and_other_actions(sim, em_logon):
    http = em_logon(sim)
    url = f"{sim.url}/api/backupServers/{VBR01}"
    assert http.post(url + "?action=quickbackup", data="<nope/>", timeout=10).status_code == 400
    assert http.post(url + "?action=quickbackup", json={"VmRef": "urn:VMware:Vm:x.vm-1"}, timeout=10).status_code == 400
    assert http.post(url + "?action=veeamzip", data="", timeout=10).status_code == 501
    ref = vm_ref(http, sim, "rpo-stale01")
    # JSON body (post_backupservers_id_quickbackup.md's JSON representation).
    assert http.post(url + "?action=quickbackup", json={"VmRef": ref}, timeout=10).status_code == 202


def test_deep_generated_history_starts_fast_and_answers_filtered_queries(sim_factory, em_logon):
    started = time.monotonic()
    deep = sim_factory(dataset="generated", jobs=2000, sessions_per_job=30)
    assert time.monotonic() - started < 30  # a generous bound on a shared machine; figures in docs/benchmarks.md
    http = em_logon(deep, "portaluser")
    one = entities(query(http, deep, type="BackupJobSession", format="Entities", filter='JobName=="Job 000001"'),
                   "BackupJobSession")
    assert len(one) == 30
    never = entities(query(http, deep, type="BackupJobSession", filter='JobName=="Job 000007"'), "Ref")
    assert never == []  # every 25th job from job 7 on never ran
    types = set()
    for job_type in ("Backup", "BackupCopy", "ImmediateBackupCopy", "AgentBackup", "NasBackup"):
        root = query(http, deep, type="BackupJobSession", filter=f"JobType=={job_type}", pageSize=1)
        if entities(root, "Ref"):
            types.add(job_type)
    assert types == {"Backup", "BackupCopy", "ImmediateBackupCopy", "AgentBackup", "NasBackup"}
    tasks = entities(query(http, deep, type="BackupTaskSession", filter='JobName=="Job 000002"'), "Ref")
    assert len(tasks) == 30 * 3  # job 2 processes 3 VMs
    points = entities(query(http, deep, type="VmRestorePoint", filter='VmDisplayName=="vm-000002"'), "Ref")
    assert 0 < len(points) <= 30
