# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The XML examples of the Enterprise Manager docs (tests/fixtures/em_docs), read by the client's own code.

Every expected value below was copied by hand from the fixture named in the test, not from the client's
output. Where the client yields something other than what the docs show, the test asserts the docs: the
four differences these tests found first (the objects of backup copy, agent and file share jobs, and the
indexing folder lists) were fixed in the client.
"""

from __future__ import annotations

import os

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import AGENT, FILE_SHARE, VM, kind_of_session_job_type
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import (
    JobSession,
    session_to_dict,
    session_type_for,
    session_type_of,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import Job, job_to_dict, normalize_job_id
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession
from ansible_collections.seedops.veeam_em.plugins.module_utils._session_info import session_item
from ansible_collections.seedops.veeam_em.plugins.module_utils._task_sessions import task_session_to_dict
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task, task_to_dict
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml

# tests/unit/plugins/module_utils -> tests/fixtures/em_docs
FIXTURE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "fixtures", "em_docs"))
NAMESPACE = "http://www.veeam.com/ent/v1.0"


def load(name):
    """The bytes of tests/fixtures/em_docs/<name>.xml."""
    path = os.path.join(FIXTURE_DIR, name + ".xml")
    if not os.path.isfile(path):
        # pytest.fail rather than an AssertionError: a missing fixture is a broken test tree, named as such.
        pytest.fail("%s is missing. Under ansible-test the test tree must hold tests/fixtures (the Makefile's "
                    "TEST_TREE_PATHS lists what is copied there)." % path)
    with open(path, "rb") as handle:
        return handle.read()


def parse(name):
    return _xml.parse_document(load(name), "docs example " + name)


# -- the fixtures themselves ---------------------------------------------------------------------------------
LOGON_SESSIONS = ("logging_on__2", "cloud_connect_tenant_credentials__2", "cloud_connect_tenant_credentials__5")
JOBS = ("jobs_id__2", "resource_representation_for_ke__2", "scenario_starting_a_job__5", "get_jobs_id__2", "get_jobs_id__3",
        "agents_jobs_id__2", "nas_jobs_id__2")
REFERENCES = ("scenario_starting_a_job__3",)
JOB_SESSIONS = ("backupsessions_id__2", "replicasessions_id__2")
TASK_SESSIONS = ("backuptasksessions_id__2", "replicatasksessions_id__2")
TASKS = ("get_tasks_id__2", "get_tasks_id__3", "post_jobs_id_actionstart__2", "post_jobs_id_actionsync__2", "post_jobs_id_actionstop__2",
         "post_jobs_id_actionretry__2", "post_jobs_id_actiontogglescheduleenabled__2", "post_agents_jobs_id_actionstart__2",
         "post_agents_jobs_id_actionstop__2", "post_agents_jobs_id_actionretry__2", "post_agents_jobs_id_actiontogglescheduleenabled__2",
         "post_nas_jobs_id_actionstart__2", "post_nas_jobs_id_actionstop__2", "post_nas_jobs_id_actionretry__2",
         "post_nas_jobs_id_actiontogglescheduleenabled__2", "post_backupsessions_id_stop__2", "post_backupservers_id_quickbackup__2",
         "post_backupservers_id_quickbackup__3", "post_method__2", "post_method__3", "scenario_starting_a_job__6",
         "scenario_starting_a_job__7")
FIXTURES = LOGON_SESSIONS + JOBS + REFERENCES + JOB_SESSIONS + TASK_SESSIONS + TASKS

# The root element of each fixture, in the docs' spelling.
ROOTS = dict([(name, "LogonSession") for name in LOGON_SESSIONS] + [(name, "Task") for name in TASKS] + [
    ("jobs_id__2", "Job"), ("resource_representation_for_ke__2", "Job"), ("scenario_starting_a_job__5", "Job"), ("get_jobs_id__2", "Job"),
    ("get_jobs_id__3", "Job"), ("agents_jobs_id__2", "AgentBackupJob"), ("nas_jobs_id__2", "NASJob"),
    ("scenario_starting_a_job__3", "EntityReferences"), ("backupsessions_id__2", "BackupJobSession"),
    ("replicasessions_id__2", "ReplicaJobSession"), ("backuptasksessions_id__2", "BackupTaskSession"),
    ("replicatasksessions_id__2", "ReplicaTaskSession"),
])


def test_the_directory_holds_exactly_the_fixtures_these_tests_read():
    if not os.path.isdir(FIXTURE_DIR):
        pytest.fail("%s is missing (under ansible-test: tests/fixtures is not in the test tree)." % FIXTURE_DIR)
    on_disk = sorted(entry[:-4] for entry in os.listdir(FIXTURE_DIR) if entry.endswith(".xml"))
    assert on_disk == sorted(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_names_its_source_and_is_a_document_of_its_root(name):
    data = load(name)
    page, number = name.rsplit("__", 1)
    lines = data.decode("utf-8").split("\n")
    # The source comment comes first, or right after the XML declaration where the example has one.
    comment = lines[1] if lines[0].startswith("<?xml") else lines[0]
    assert comment.startswith("<!-- Source: comnam90/veeam-docs-vbr-dump docs/em_rest/%s.md, example %s (" % (page, number))
    assert comment.endswith("Verbatim but for line breaks: the dump stores each example in one table cell. -->")
    root = etree.fromstring(data)
    assert (etree.QName(root).namespace, etree.QName(root).localname) == (NAMESPACE, ROOTS[name])
    assert _xml.local_name(parse(name)) == ROOTS[name]


# -- LogonSession: logging_on.md, cloud_connect_tenant_credentials.md ------------------------------------------
# The docs have no complete entry point (logging_on.md example 1 stops after the XML declaration): the GET /api/
# answer is the canned one of em_calls, and the docs' LogonSession is the answer to the POST.
@pytest.mark.parametrize("name, session_id, user, job_list", [
    ("logging_on__2", "15a3fc97-0325-4119-b789-5c0367c6c565", "SRV12\\Administrator", "https://srv12.tech.local:9398/api/jobs?format=Entity"),
    ("cloud_connect_tenant_credentials__2", "362da803-804d-4c32-ad35-0972e432460b", "SRV36\\Administrator", None),
    ("cloud_connect_tenant_credentials__5", "362da803-804d-4c32-ad35-0972e432460b", "SRV36\\Administrator", None),
])
def test_logon_session_of_the_docs(http, name, session_id, user, job_list):
    # Logoff goes to the Delete link, re-based onto the configured url (the link rule).
    http.expect(em_calls.logon(session=load(name)), em_calls.logoff(url=em_xml.API + "logonSessions/" + session_id))
    with EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD) as em:
        assert em.session_id == session_id
        assert _xml.child_text(em.logon_session, "UserName") == user
        assert (em.link("Down", "JobList") or {}).get("href") == job_list
        assert em.link("Up", "EnterpriseManager")["href"].endswith(":9398/api/")
    assert em.logoffs == 1


def test_logon_session_of_the_docs_offers_the_query_service_and_the_session_lists():
    root = parse("logging_on__2")
    found = dict((link_type, (_xml.find_link(root, "Down", link_type) or {}).get("href"))
                 for link_type in ("QueryService", "LookupService", "BackupJobSessionReferenceList", "ReplicaJobSessionReferenceList",
                                   "BackupTaskSessionReferenceList", "TaskList", "AgentsService", "NasService"))
    assert found == {
        "QueryService": "https://srv12.tech.local:9398/api/querySvc",
        "LookupService": "https://srv12.tech.local:9398/api/lookupSvc",
        "BackupJobSessionReferenceList": "https://srv12.tech.local:9398/api/backupSessions",
        "ReplicaJobSessionReferenceList": "https://srv12.tech.local:9398/api/replicaSessions",
        "BackupTaskSessionReferenceList": "https://srv12.tech.local:9398/api/backupTaskSessions",
        "TaskList": "https://srv12.tech.local:9398/api/tasks",
        "AgentsService": "https://srv12.tech.local:9398/api/agents",
        "NasService": "https://srv12.tech.local:9398/api/nas",
    }


# -- jobs of every kind ----------------------------------------------------------------------------------------
KINDS = {"agents_jobs_id__2": AGENT, "nas_jobs_id__2": FILE_SHARE}

JOB_DICTS = {
    # jobs_id.md: the Backup job "DB Backup" (get_jobs_id.md example 1, the same job, is truncated in the dump).
    "jobs_id__2": {
        "id": "5658281f-625e-4627-89dd-d2a0c48be99e", "uid": "urn:veeam:Job:5658281f-625e-4627-89dd-d2a0c48be99e", "name": "DB Backup",
        "kind": "vm", "job_type": "Backup", "platform": "HyperV", "description": "Backup of MS SQL Server DB",
        "backup_server": "srv12.tech.local", "backup_server_id": "d1444f74-27e6-4399-81a9-d28ba98913f0",
        "schedule_configured": True, "schedule_enabled": True, "next_run": "2020-02-01T17:00:00Z",
        "href": "https://srv12.tech.local:9398/api/jobs/5658281f-625e-4627-89dd-d2a0c48be99e?format=Entity",
    },
    "resource_representation_for_ke__2": {
        "id": "2851cb88-37b6-46ea-b2c8-47b55270169d", "uid": "urn:veeam:Job:2851cb88-37b6-46ea-b2c8-47b55270169d", "name": "CRM Backup",
        "kind": "vm", "job_type": "Backup", "platform": "VMware", "description": "Backup of CRM system",
        "backup_server": "appsrv01.tech.local", "backup_server_id": "ffa6d4ef-ea63-4fb3-88a1-84706c2430e1",
        "schedule_configured": True, "schedule_enabled": True, "next_run": "2020-02-04T13:00:00Z",
        "href": "https://srv12.tech.local:9398/api/jobs/2851cb88-37b6-46ea-b2c8-47b55270169d?format=Entity",
    },
    # A Replica job with no NextRun element.
    "scenario_starting_a_job__5": {
        "id": "b04c217b-0538-4650-bec4-19deff4ea1ac", "uid": "urn:veeam:Job:b04c217b-0538-4650-bec4-19deff4ea1ac", "name": "SQL Replication",
        "kind": "vm", "job_type": "Replica", "platform": "VMware", "description": "Created by SRV02\\Administrator at 10/7/2014 6:02 AM.",
        "backup_server": "srv02.tech.local", "backup_server_id": "ce15a8c7-aa49-495e-b05b-ee3398c91018",
        "schedule_configured": False, "schedule_enabled": True, "next_run": None,
        "href": "https://localhost:9398/api/jobs/b04c217b-0538-4650-bec4-19deff4ea1ac?format=Entity",
    },
    "get_jobs_id__2": {
        "id": "5adf6525-51d9-48b9-a72d-7f80701c714b", "uid": "urn:veeam:Job:5adf6525-51d9-48b9-a72d-7f80701c714b",
        "name": "Immediate Backup Copy Job", "kind": "vm", "job_type": "ImmediateBackupCopy", "platform": "CustomPlatform",
        "description": "Created by .\\veeamadmin", "backup_server": "enterprisevbr01.tech.local",
        "backup_server_id": "3cbab7db-fa0d-4c18-82b6-bc1816f0a128", "schedule_configured": True, "schedule_enabled": True,
        "next_run": None, "href": "https://enterpriseem01.tech.local:9398/api/jobs/5adf6525-51d9-48b9-a72d-7f80701c714b?format=Entity",
    },
    # The docs title this example "Periodic Backup Copy Job", but its XML says JobType ImmediateBackupCopy (with an
    # ImmediateCopyMode schedule): the docs have no entity of JobType BackupCopy.
    "get_jobs_id__3": {
        "id": "0f5afb99-7468-42c4-a45d-28e98bc6122b", "uid": "urn:veeam:Job:0f5afb99-7468-42c4-a45d-28e98bc6122b",
        "name": "Periodic Backup Copy Job", "kind": "vm", "job_type": "ImmediateBackupCopy", "platform": "CustomPlatform",
        "description": "Created by .\\veeamadmin (for repository)", "backup_server": "enterprisevbr01.tech.local",
        "backup_server_id": "3cbab7db-fa0d-4c18-82b6-bc1816f0a128", "schedule_configured": True, "schedule_enabled": True,
        "next_run": None, "href": "https://enterpriseem01.tech.local:9398/api/jobs/0f5afb99-7468-42c4-a45d-28e98bc6122b?format=Entity",
    },
    "agents_jobs_id__2": {
        "id": "a6deb158-b26c-4140-8b26-5a3cc344e8ec", "uid": "urn:veeam:AgentBackupJob:a6deb158-b26c-4140-8b26-5a3cc344e8ec",
        "name": "Server Backup", "kind": "agent", "job_type": "AgentBackup", "platform": "AgentForWindows",
        "description": "Backup of physical server", "backup_server": "srv12.tech.local",
        "backup_server_id": "d1444f74-27e6-4399-81a9-d28ba98913f0", "schedule_configured": True, "schedule_enabled": True,
        "next_run": "2020-02-12T15:00:00Z",
        "href": "https://srv12.tech.local:9398/api/agents/jobs/a6deb158-b26c-4140-8b26-5a3cc344e8ec?format=Entity",
    },
    # A NASJob has neither JobType nor Platform: job_type is the kind's stated guess, NasBackup.
    "nas_jobs_id__2": {
        "id": "93dfbb3e-f420-45cf-addc-4ee9297113f2", "uid": "urn:veeam:NasJob:93dfbb3e-f420-45cf-addc-4ee9297113f2",
        "name": "Shared Files Backup", "kind": "file_share", "job_type": "NasBackup", "platform": None,
        "description": "Backup of file share", "backup_server": "srv12.tech.local",
        "backup_server_id": "d1444f74-27e6-4399-81a9-d28ba98913f0", "schedule_configured": True, "schedule_enabled": True,
        "next_run": "2020-01-31T15:00:00Z",
        "href": "https://srv12.tech.local:9398/api/nas/jobs/93dfbb3e-f420-45cf-addc-4ee9297113f2?format=Entity",
    },
}


@pytest.mark.parametrize("name", JOBS)
def test_job_dict(name):
    assert job_to_dict(parse(name), kind=KINDS.get(name, VM)) == JOB_DICTS[name]


VM_ACTIONS = ["Clone", "Create", "Edit", "Retry", "Start", "Stop", "ToggleScheduleEnabled"]
COPY_ACTIONS = ["Clone", "Create", "Sync", "ToggleScheduleEnabled"]
AGENT_ACTIONS = ["Retry", "Start", "Stop", "ToggleScheduleEnabled"]


def _vm_links(base, guid):
    return {"Start": base + guid + "?action=start", "Sync": None, "Stop": base + guid + "?action=stop",
            "Retry": base + guid + "?action=retry", "ToggleScheduleEnabled": base + guid + "?action=toggleScheduleEnabled"}


def _copy_links(guid):
    base = "https://enterpriseem01.tech.local:9398/api/jobs/" + guid
    return {"Start": None, "Sync": base + "?action=sync", "Stop": None, "Retry": None,
            "ToggleScheduleEnabled": base + "?action=toggleScheduleEnabled"}


@pytest.mark.parametrize("name, start_rel, actions, action_hrefs", [
    ("jobs_id__2", "Start", VM_ACTIONS, _vm_links("https://srv12.tech.local:9398/api/jobs/", "5658281f-625e-4627-89dd-d2a0c48be99e")),
    ("resource_representation_for_ke__2", "Start", VM_ACTIONS,
     _vm_links("https://srv12.tech.local:9398/api/jobs/", "2851cb88-37b6-46ea-b2c8-47b55270169d")),
    ("scenario_starting_a_job__5", "Start", VM_ACTIONS, _vm_links("https://localhost:9398/api/jobs/", "b04c217b-0538-4650-bec4-19deff4ea1ac")),
    # Backup copy jobs are started through Sync (get_jobs_id.md: "available for backup copy jobs only").
    ("get_jobs_id__2", "Sync", COPY_ACTIONS, _copy_links("5adf6525-51d9-48b9-a72d-7f80701c714b")),
    ("get_jobs_id__3", "Sync", COPY_ACTIONS, _copy_links("0f5afb99-7468-42c4-a45d-28e98bc6122b")),
    ("agents_jobs_id__2", "Start", AGENT_ACTIONS,
     _vm_links("https://srv12.tech.local:9398/api/agents/jobs/", "a6deb158-b26c-4140-8b26-5a3cc344e8ec")),
    # File share jobs' actions are path links, not ?action= links.
    ("nas_jobs_id__2", "Start", AGENT_ACTIONS, {
        "Start": "https://srv12.tech.local:9398/api/nas/jobs/93dfbb3e-f420-45cf-addc-4ee9297113f2/start", "Sync": None,
        "Stop": "https://srv12.tech.local:9398/api/nas/jobs/93dfbb3e-f420-45cf-addc-4ee9297113f2/stop",
        "Retry": "https://srv12.tech.local:9398/api/nas/jobs/93dfbb3e-f420-45cf-addc-4ee9297113f2/retry",
        "ToggleScheduleEnabled": "https://srv12.tech.local:9398/api/nas/jobs/93dfbb3e-f420-45cf-addc-4ee9297113f2/toggleScheduleEnabled",
    }),
])
def test_job_links_the_client_posts(name, start_rel, actions, action_hrefs):
    job = Job(parse(name), kind=KINDS.get(name, VM))
    assert job.start_link()["rel"] == start_rel
    assert job.start_link()["href"] == action_hrefs[start_rel]
    assert job.offered_actions() == actions
    assert dict((rel, (job.action_link(rel) or {}).get("href")) for rel in action_hrefs) == action_hrefs


@pytest.mark.parametrize("name", JOBS)
def test_job_entity_is_found_by_the_stream_under_its_kinds_element_name(name):
    kind = KINDS.get(name, VM)
    found = []
    stream = _xml.ElementStream("docs example " + name, kind.entity_names, lambda element: found.append(job_to_dict(element, kind=kind)))
    data = load(name)
    for start in range(0, len(data), 512):
        stream.feed(data[start:start + 512])
    stream.close()
    assert found == [JOB_DICTS[name]]
    assert normalize_job_id(JOB_DICTS[name]["uid"]) == JOB_DICTS[name]["id"]


def test_backup_job_details_typed_as_the_docs_type_them():
    data = job_to_dict(parse("jobs_id__2"), details=True)
    schedule = data["schedule"]["standart"]
    assert schedule["retry_options"] == {"retry_times": 3, "retry_timeout": 10, "retry_specified": True}
    assert (schedule["wait_for_backup_completion"], schedule["backup_competition_waiting_period_min"]) == (True, 180)
    assert schedule["options_daily"] == {
        "enabled": True, "kind": "Everyday", "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "time": "18:00:00.0000000+01:00", "time_offset_utc": "1",
    }
    assert schedule["options_monthly"]["enabled"] is False
    assert schedule["options_monthly"]["months"][0::11] == ["January", "December"]
    assert len(schedule["options_monthly"]["months"]) == 12
    assert (schedule["options_monthly"]["day_of_week"], schedule["options_monthly"]["day_number_in_month"]) == ("Saturday", "Fourth")
    assert (schedule["options_periodically"]["kind"], schedule["options_periodically"]["full_period"]) == ("Hours", 1)
    assert schedule["options_periodically"]["schedule"]["day"][0] == {"name": "Sunday", "value": ",".join(["1"] * 24)}
    assert schedule["options_daisy_chaining"] == {"enabled": False, "previous_job_uid": None}
    assert [item["name"] for item in data["includes"]] == ["sqlsrv03"]
    include = data["includes"][0]
    assert include["object_in_job_id"] == "0493ea16-2c1f-4d02-b74b-994bd438b89a"
    assert include["hierarchy_obj_ref"] == "urn:HyperV:Vm:8e7fef9f-87a8-48b4-bed1-632c3035a1a1.020aa5ab-3523-4946-b658-b8ad5b372439"
    assert include["guest_processing_options"]["vss_snapshot_options"] == {
        "vss_snapshot_mode": "RequireSuccess", "is_copy_only": False, "use_persistent_guest_agent": False,
    }
    assert include["guest_processing_options"]["sql_backup_options"] == {
        "transaction_logs_processing": "Backup", "backup_logs_frequency_min": 60, "use_db_backup_retention": False, "retain_days": 5,
    }


@pytest.mark.parametrize("name, names", [
    ("resource_representation_for_ke__2", ["crm01", "dbserver01"]),
    ("scenario_starting_a_job__5", ["sql02"]),
])
def test_vm_job_includes(name, names):
    assert [item["name"] for item in job_to_dict(parse(name), details=True)["includes"]] == names


def test_replica_job_schedule_without_the_standart_wrapper():
    schedule = job_to_dict(parse("scenario_starting_a_job__5"), details=True)["schedule"]
    assert schedule["retry_options"] == {"retry_times": 3, "retry_timeout": 10, "retry_specified": True}
    assert schedule["options_daily"]["time"] == "22:00:00.0000000-07:00"
    assert schedule["options_daily"]["enabled"] is True


def test_immediate_backup_copy_schedule():
    schedule = job_to_dict(parse("get_jobs_id__2"), details=True)["schedule"]
    continuous = schedule["immediate_copy_mode"]["options_continuous"]
    assert continuous["enabled"] is True
    days = [day["name"] for day in continuous["schedule"]["day"]]
    assert days == ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert continuous["schedule"]["day"][2]["value"] == "1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,1"


@pytest.mark.parametrize("name, linked", [
    ("get_jobs_id__2", ("64d63522-92a0-491c-af3b-e428019fbfd4", "linked_job_uid", "urn:veeam:Job:33fecc36-554b-437b-8bf8-3fdcb11866e7")),
    ("get_jobs_id__3", ("961c9350-dc5a-43d6-8efa-867995e9404e", "linked_backup_repository_uid",
                        "urn:veeam:Repository:da49abfc-838a-40a1-90a3-40acd2bc7000")),
])
def test_backup_copy_job_includes_are_its_linked_jobs_and_repositories(name, linked):
    object_id, key, uid = linked
    includes = job_to_dict(parse(name), details=True)["includes"]
    assert [(item.get("object_in_job_id"), item.get(key)) for item in includes] == [(object_id, uid)]


def test_agent_job_includes():
    includes = job_to_dict(parse("agents_jobs_id__2"), details=True, kind=AGENT)["includes"]
    assert [(item.get("object_in_job_id"), item.get("name")) for item in includes] == [
        ("51616f00-6107-48a9-95ba-1cee9ed6a86e", "Windows Servers")]


def test_file_share_job_includes():
    data = job_to_dict(parse("nas_jobs_id__2"), details=True, kind=FILE_SHARE)
    assert data["schedule"]["standart"]["options_daily"]["time"] == "16:00:00.0000000+01:00"
    assert [(item.get("object_in_job_id"), item.get("file_or_folder")) for item in data["includes"]] == [
        ("6fefb504-856d-4c31-b767-76af5567c407", "\\\\srv12\\share")]


def test_indexing_folders_are_lists_of_paths():
    options = job_to_dict(parse("jobs_id__2"), details=True)["includes"][0]["guest_processing_options"]
    windows = options["windows_guest_fs_indexing_options"]
    assert windows["file_system_indexing_mode"] == "ExceptSpecifiedFolders"
    assert windows["included_indexing_folders"] == []
    assert windows["excluded_indexing_folders"] == ["%windir%", "%ProgramFiles%", "%ProgramFiles(x86)%", "%ProgramW6432%", "%TEMP%"]


# -- the job reference list: GET /api/jobs (scenario_starting_a_job.md) -------------------------------------------
def test_job_reference_list_holds_references_not_jobs():
    root = parse("scenario_starting_a_job__3")
    refs = [(ref.get("UID"), ref.get("Name"), _xml.find_link(ref, "Up", "BackupServerReference")["name"],
             _xml.find_link(ref, "Alternate", "Job")["href"]) for ref in _xml.descendants(root, "Ref")]
    assert refs == [
        ("urn:veeam:Job:b04c217b-0538-4650-bec4-19deff4ea1ac", "SQL Replication", "srv02.tech.local",
         "https://localhost:9398/api/jobs/b04c217b-0538-4650-bec4-19deff4ea1ac?format=Entity"),
        ("urn:veeam:Job:065c3eed-175d-4fd8-89c8-2da82b0dcd4f", "SQL Server Replication", "srv02.tech.local",
         "https://localhost:9398/api/jobs/065c3eed-175d-4fd8-89c8-2da82b0dcd4f?format=Entity"),
    ]
    # Which is why the client streams the logon session's JobList (format=Entity) and not this JobReferenceList.
    found = []
    stream = _xml.ElementStream("docs example", VM.entity_names, found.append)
    stream.feed(load("scenario_starting_a_job__3"))
    stream.close()
    assert found == []


# -- job sessions: backupsessions_id.md, replicasessions_id.md ------------------------------------------------------
SESSION_DICTS = {
    "backupsessions_id__2": {
        "id": "d46e39e0-1131-4585-91a7-e828ce7eafae", "uid": "urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae",
        "name": "Fileserver Backup@2014-10-19 05:22:52", "job_uid": "urn:veeam:Job:4856ab37-2235-45e8-affe-d515878b01a9",
        "job_name": "Fileserver Backup", "job_type": "Backup", "state": "Stopped", "result": "Success", "progress": 100,
        "creation_time": "2014-10-19T05:22:52Z", "end_time": "2014-10-19T05:40:48Z", "failure_message": None, "is_retry": False,
        "href": "https://localhost:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae?format=Entity",
    },
    "replicasessions_id__2": {
        "id": "0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b", "uid": "urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b",
        "name": "Fileserver02 Replication@2014-10-19 06:46:31", "job_uid": "urn:veeam:Job:2c49a44e-1e59-4527-a6bc-6b2f9b579ee1",
        "job_name": "Fileserver02 Replication", "job_type": "Replica", "state": "Stopped", "result": "Success", "progress": 100,
        "creation_time": "2014-10-19T06:46:31Z", "end_time": "2014-10-19T07:02:35Z", "failure_message": None, "is_retry": False,
        "href": "https://localhost:9398/api/replicaSessions/0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b?format=Entity",
    },
}


@pytest.mark.parametrize("name", JOB_SESSIONS)
def test_job_session_dict(name):
    assert session_to_dict(parse(name)) == SESSION_DICTS[name]


@pytest.mark.parametrize("name, job_id, stop_href", [
    ("backupsessions_id__2", "4856ab37-2235-45e8-affe-d515878b01a9",
     "https://localhost:9398/api/backupSessions/d46e39e0-1131-4585-91a7-e828ce7eafae?action=stop"),
    # A stopped replica session: the docs show no Stop link on it.
    ("replicasessions_id__2", "2c49a44e-1e59-4527-a6bc-6b2f9b579ee1", None),
])
def test_job_session_as_the_client_follows_it(name, job_id, stop_href):
    root = parse(name)
    session = JobSession(root)
    assert (session.stopped, session.state, session.result) == (True, "Stopped", "Success")
    assert (session.action_link("Stop") or {}).get("href") == stop_href
    # The session's query type, from its UID and from its job's type, is the docs' root element.
    assert session_type_of(session) == _xml.local_name(root)
    assert session_type_for(session.data["job_type"]) == _xml.local_name(root)
    item = session_item(root)
    assert (item["job_id"], item["kind"], item["backup_server"]) == (job_id, "vm", "srv02.tech.local")
    assert kind_of_session_job_type(item["job_type"]) == "vm"


# -- task sessions: backuptasksessions_id.md, replicatasksessions_id.md ---------------------------------------------
TASK_SESSION_DICTS = {
    # The docs' task sessions carry no Progress element: progress is null. Reason is empty (<Reason />): null.
    "backuptasksessions_id__2": {
        "name": "srv04", "session_name": "srv04@2014-10-19 05:23:44", "state": "Completed", "result": "Success", "reason": None,
        "progress": None, "creation_time": "2014-10-19T05:23:44Z", "end_time": "2014-10-19T05:40:39Z", "total_size": 64424509440,
        "job_session_uid": "urn:veeam:BackupJobSession:d46e39e0-1131-4585-91a7-e828ce7eafae",
    },
    "replicatasksessions_id__2": {
        "name": "srv04", "session_name": "srv04@2014-10-19 06:47:21", "state": "Completed", "result": "Success", "reason": None,
        "progress": None, "creation_time": "2014-10-19T06:47:21Z", "end_time": "2014-10-19T07:02:33Z", "total_size": 64424509440,
        "job_session_uid": "urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b",
    },
}


@pytest.mark.parametrize("name", TASK_SESSIONS)
def test_task_session_dict(name):
    assert task_session_to_dict(parse(name)) == TASK_SESSION_DICTS[name]


@pytest.mark.parametrize("task_session, job_session", [("backuptasksessions_id__2", "backupsessions_id__2"),
                                                       ("replicatasksessions_id__2", "replicasessions_id__2")])
def test_task_session_belongs_to_the_docs_job_session(task_session, job_session):
    # veeam_em_session_info attaches task sessions to their job session by JobSessionUid == the session's UID.
    assert task_session_to_dict(parse(task_session))["job_session_uid"] == session_item(parse(job_session))["uid"]


# -- tasks: get_tasks_id.md and the action pages -------------------------------------------------------------------
def _task(task_id, state, operation, success, message, host="localhost"):
    return {"id": task_id, "href": "https://%s:9398/api/tasks/%s" % (host, task_id), "state": state, "operation": operation,
            "success": success, "message": message}


TASK_DICTS = {
    "get_tasks_id__2": _task("task-2", "OperationFinished", "StartJob", True, "OperationFinished"),
    "get_tasks_id__3": _task("task-3", "Finished", "StartJob", True, 'Job "SQL Server Replication" triggered to start.'),
    "post_jobs_id_actionstart__2": _task("task-1", "Finished", "StartJob", True, 'Job "Oracle Backup" triggered to start.'),
    "post_jobs_id_actionsync__2": _task("task-1", "OperationFinished", "StartJobSync", True, "OperationFinished",
                                        host="enterprise04.tech.local"),
    "post_jobs_id_actionstop__2": _task("task-1", "Finished", "StopJob", True, 'Job "Oracle Backup" triggered to stop.'),
    "post_jobs_id_actionretry__2": _task("task-1", "Finished", "RetryJob", True, 'Job "Oracle Backup" triggered to retry.'),
    "post_jobs_id_actiontogglescheduleenabled__2": _task("task-1", "Finished", "UpdateJob", True, "Ok"),
    "post_agents_jobs_id_actionstart__2": _task("task-1", "Finished", "StartJob", True, 'Job "Agent Backup" triggered to start.'),
    "post_agents_jobs_id_actionstop__2": _task("task-1", "Finished", "StopAgentJob", True, 'Job "Agent Backup" triggered to stop.'),
    "post_agents_jobs_id_actionretry__2": _task("task-1", "Finished", "RetryAgentJob", True, 'Job "Oracle Backup" triggered to retry.'),
    "post_agents_jobs_id_actiontogglescheduleenabled__2": _task("task-1", "Finished", "UpdateJob", True, "Ok"),
    "post_nas_jobs_id_actionstart__2": _task("task-1", "Finished", "StartNasJob", True, 'Job "Shared Files Backup" triggered to start.'),
    "post_nas_jobs_id_actionstop__2": _task("task-1", "Finished", "StopNasJob", True, 'Job "Shared Files Backup" triggered to stop.'),
    "post_nas_jobs_id_actionretry__2": _task("task-1", "Finished", "RetryNasJob", True, 'Job "Shared Files Backup" triggered to retry.'),
    "post_nas_jobs_id_actiontogglescheduleenabled__2": _task("task-1", "Finished", "UpdateJob", True, "Ok"),
    "post_backupsessions_id_stop__2": _task("task-1", "Finished", "StopJobSession", True,
                                            'Job Session "Fileserver Backup@2014-10-19 08:02:16" triggered to stop.'),
    # A Running task has no Result: success and message are unknown (null).
    "post_backupservers_id_quickbackup__2": _task("task-1", "Running", "QuickBackup", None, None),
    "post_backupservers_id_quickbackup__3": _task("task-1", "Finished", "QuickBackup", True, "Ok"),
    "post_method__2": _task("task-10", "Running", "StartJob", None, None),
    "post_method__3": _task("task-10", "Finished", "StartJob", True, 'Job "SQL Backup" triggered to start.'),
    "scenario_starting_a_job__6": _task("task-1", "Running", "StartJob", None, None),
    "scenario_starting_a_job__7": _task("task-1", "Finished", "StartJob", True, "Ok"),
}

# Only the quick backup's finished task links its session (Related, Type BackupJobSession).
TASK_SESSION_HREFS = {
    "post_backupservers_id_quickbackup__3": "https://localhost:9398/api/backupSessions/d34e76fb-86d6-41e9-b84f-88a87b52e07a?format=Entity",
}


@pytest.mark.parametrize("name", TASKS)
def test_task(name):
    root = parse(name)
    assert task_to_dict(root) == TASK_DICTS[name]
    task = Task(root, "docs example " + name)
    assert task.data == TASK_DICTS[name]
    # Only Finished means EM has collected the operation's data (get_tasks_id.md); none of the docs' tasks failed.
    assert (task.finished, task.failed) == (TASK_DICTS[name]["state"] == "Finished", False)
    assert task.session_href == TASK_SESSION_HREFS.get(name)
    assert task.link("Delete")["href"] == TASK_DICTS[name]["href"]


def test_the_docs_show_a_task_in_every_state_the_client_knows():
    assert sorted(set(data["state"] for data in TASK_DICTS.values())) == ["Finished", "OperationFinished", "Running"]


@pytest.mark.parametrize("name, expected", [
    # jobs_id.md, agents_jobs_id.md, nas_jobs_id.md: JobScheduleOptions > Standart > RetryOptions.
    ("jobs_id__2", {"specified": True, "times": 3, "timeout_minutes": 10}),
    ("agents_jobs_id__2", {"specified": True, "times": 3, "timeout_minutes": 10}),
    ("nas_jobs_id__2", {"specified": True, "times": 3, "timeout_minutes": 10}),
    # scenario_starting_a_job.md: RetryOptions right under JobScheduleOptions (no Standart wrapper).
    ("scenario_starting_a_job__5", {"specified": True, "times": 3, "timeout_minutes": 10}),
    # get_jobs_id.md examples 2 and 3: an immediate backup copy job's ImmediateCopyMode has no retry options.
    ("get_jobs_id__2", None),
])
def test_job_retry_options_the_automatic_retry_report_reads(name, expected):
    assert Job(parse(name), kind=KINDS.get(name, VM)).retry_options == expected
