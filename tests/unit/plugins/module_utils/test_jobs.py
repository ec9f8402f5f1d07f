# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAmbiguousError,
    VeeamEmInputError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import (
    Job,
    find_jobs,
    find_one_job,
    job_to_dict,
    normalize_job_id,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get

OTHER_GUID = "b04c217b-0538-4650-bec4-19deff4ea1ac"
OTHER_SERVER_GUID = "ce15a8c7-aa49-495e-b05b-ee3398c91018"


def element(text):
    return etree.fromstring(text.encode("utf-8"))


# The VM-job logic alone; the kinds are tested below with every collection.
VM_ONLY = ["vm"]


def job_query(query_filter):
    return api_get(em_xml.query_url("Job", query_filter))


# -- ids -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    em_xml.JOB_GUID,
    em_xml.JOB_GUID.upper(),
    "urn:veeam:Job:" + em_xml.JOB_GUID,
    "URN:VEEAM:JOB:" + em_xml.JOB_GUID.upper(),
    "  %s  " % em_xml.JOB_GUID,
])
def test_normalize_job_id_accepts_guid_and_uid_in_any_case(value):
    assert normalize_job_id(value) == em_xml.JOB_GUID


@pytest.mark.parametrize("value", [
    "", None, "DB Backup", em_xml.JOB_GUID[:-1], em_xml.JOB_GUID + "0", "urn:veeam:BackupServer:" + em_xml.JOB_GUID,
    "{%s}" % em_xml.JOB_GUID, "5658281f625e462789ddd2a0c48be99e",
])
def test_normalize_job_id_refuses_anything_else(value):
    with pytest.raises(VeeamEmInputError) as caught:
        normalize_job_id(value)
    assert "is not a job id" in str(caught.value)


# -- the job dict ----------------------------------------------------------------------------------------
def test_job_to_dict_of_a_backup_job():
    assert job_to_dict(element(em_xml.job())) == {
        "id": em_xml.JOB_GUID,
        "uid": em_xml.JOB_UID,
        "name": "DB Backup",
        "kind": "vm",
        "job_type": "Backup",
        "platform": "HyperV",
        "description": "Backup of MS SQL Server DB",
        "backup_server": em_xml.SERVER_NAME,
        "backup_server_id": em_xml.SERVER_GUID,
        "schedule_configured": True,
        "schedule_enabled": True,
        "next_run": "2020-02-01T17:00:00Z",
        "href": em_xml.job_href() + "?format=Entity",
    }


def test_job_to_dict_with_details_adds_schedule_and_includes():
    data = job_to_dict(element(em_xml.job()), details=True)
    assert data["schedule"]["standart"]["options_daily"]["days"] == ["Sunday", "Monday"]
    assert [item["name"] for item in data["includes"]] == ["sql01", "sql02"]
    assert data["includes"][0]["hierarchy_obj_ref"] == "urn:HyperV:Vm:d1444f74.sql01"


def test_job_to_dict_of_a_job_without_schedule_details_or_next_run():
    data = job_to_dict(element(em_xml.job(job_type="Replica", platform="VMware", description="",
                                          schedule_configured=False, next_run=None, details=False)), details=True)
    assert (data["schedule"], data["includes"]) == (None, [])
    assert (data["next_run"], data["description"]) == (None, "")
    assert (data["schedule_configured"], data["schedule_enabled"]) == (False, True)


def test_job_to_dict_turns_a_sentinel_next_run_into_none():
    assert job_to_dict(element(em_xml.job(next_run="1753-01-01T00:00:00Z")))["next_run"] is None


@pytest.mark.parametrize("job_type, rel", [("Backup", "Start"), ("Replica", "Start"), ("BackupCopy", "Sync"),
                                           ("ImmediateBackupCopy", "Sync")])
def test_start_link_is_start_or_sync_by_job_type(job_type, rel):
    job = Job(element(em_xml.job(job_type=job_type)))
    assert job.start_link()["rel"] == rel
    assert job.start_link()["href"].endswith("?action=" + rel.lower())


def test_offered_actions_leave_out_navigation_links():
    job = Job(element(em_xml.job(actions=("Stop",))))
    assert job.start_link() is None
    assert job.offered_actions() == ["Clone", "Create", "Edit", "Stop", "ToggleScheduleEnabled"]


# -- look-ups through the query service ------------------------------------------------------------------
def test_find_by_name_keeps_only_the_exact_name_of_case_insensitive_results(em, http):
    http.expect(job_query('Name=="DB Backup"').reply(200, em_xml.jobs_page([
        em_xml.job(name="db backup", guid=OTHER_GUID),
        em_xml.job(name="DB Backup"),
        em_xml.job(name="DB BACKUP", guid="c04c217b-0538-4650-bec4-19deff4ea1ac"),
    ])))
    jobs = find_jobs(em, kinds=VM_ONLY, name="DB Backup")
    assert [(job.name, job.data["id"]) for job in jobs] == [("DB Backup", em_xml.JOB_GUID)]


def test_find_one_job_returns_the_single_match(em, http):
    http.expect(job_query('Name=="DB Backup"').reply(200, em_xml.jobs_page([em_xml.job()])))
    job = find_one_job(em, kinds=VM_ONLY, name="DB Backup")
    assert (job.uid, job.job_type) == (em_xml.JOB_UID, "Backup")


def test_name_with_quotes_is_escaped_in_the_filter(em, http):
    http.expect(job_query('Name=="Say ""hi"""').reply(200, em_xml.jobs_page([em_xml.job(name='Say "hi"')])))
    assert find_one_job(em, kinds=VM_ONLY, name='Say "hi"').name == 'Say "hi"'


def test_ambiguous_name_lists_the_backup_servers_and_ids(em, http):
    http.expect(job_query('Name=="DB Backup"').reply(200, em_xml.jobs_page([
        em_xml.job(),
        em_xml.job(guid=OTHER_GUID, server="srv02.tech.local", server_guid=OTHER_SERVER_GUID),
    ])))
    with pytest.raises(VeeamEmAmbiguousError) as caught:
        find_one_job(em, kinds=VM_ONLY, name="DB Backup")
    message = str(caught.value)
    assert "2 jobs are named 'DB Backup'" in message
    assert "vm job on srv02.tech.local (id %s), vm job on srv12.tech.local (id %s)" % (OTHER_GUID, em_xml.JOB_GUID) \
        in message
    assert message.endswith("Set backup_server, or give the job's id.")  # both are VM jobs: kind would not help


def test_backup_server_narrows_the_filter_and_compares_without_case(em, http):
    http.expect(job_query('Name=="DB Backup";BackupServerName=="SRV12.tech.local"').reply(200, em_xml.jobs_page([
        em_xml.job(),
        em_xml.job(guid=OTHER_GUID, server="srv02.tech.local", server_guid=OTHER_SERVER_GUID),
    ])))
    job = find_one_job(em, kinds=VM_ONLY, name="DB Backup", backup_server="SRV12.tech.local")
    assert job.data["backup_server"] == "srv12.tech.local"


def test_not_found_names_the_job_and_the_server(em, http):
    http.expect(job_query('Name=="Nightly";BackupServerName=="srv12"').reply(200, em_xml.empty_page()))
    with pytest.raises(VeeamEmNotFoundError) as caught:
        find_one_job(em, kinds=VM_ONLY, name="Nightly", backup_server="srv12")
    message = str(caught.value)
    assert "No job named 'Nightly' on backup server 'srv12' on Enterprise Manager %s" % em_xml.API in message
    assert "case-sensitive" in message


def test_not_found_because_only_the_case_differs(em, http):
    http.expect(job_query('Name=="db backup"').reply(200, em_xml.jobs_page([em_xml.job(name="DB Backup")])))
    with pytest.raises(VeeamEmNotFoundError) as caught:
        find_one_job(em, kinds=VM_ONLY, name="db backup")
    assert "No job named 'db backup'" in str(caught.value)


@pytest.mark.parametrize("given", ["URN:VEEAM:JOB:" + em_xml.JOB_GUID.upper(), em_xml.JOB_GUID.upper()])
def test_find_by_id_filters_on_the_normalized_uid(em, http, given):
    http.expect(job_query('UID=="%s"' % em_xml.JOB_UID).reply(200, em_xml.jobs_page([em_xml.job()])))
    assert find_one_job(em, kinds=VM_ONLY, job_id=given).data["id"] == em_xml.JOB_GUID


def test_a_result_with_another_id_is_not_taken(em, http):
    http.expect(job_query('UID=="%s"' % em_xml.JOB_UID).reply(200, em_xml.jobs_page([em_xml.job(guid=OTHER_GUID)])))
    assert find_jobs(em, kinds=VM_ONLY, job_id=em_xml.JOB_GUID) == []


def test_not_found_by_id_names_the_id(em, http):
    http.expect(job_query('UID=="%s"' % em_xml.JOB_UID).reply(200, em_xml.empty_page()))
    with pytest.raises(VeeamEmNotFoundError) as caught:
        find_one_job(em, kinds=VM_ONLY, job_id=em_xml.JOB_UID)
    assert "No job with id %s" % em_xml.JOB_GUID in str(caught.value)
    # Regression: 0.1.0 told a user who gave an id that "Job names are case-sensitive".
    assert "case-sensitive" not in str(caught.value)


def test_a_huge_name_is_not_repeated_whole_in_the_not_found_message(em, http):
    name = "N" * 100000
    http.expect(job_query('Name=="%s"' % name).reply(200, em_xml.empty_page()))
    with pytest.raises(VeeamEmNotFoundError) as caught:
        find_one_job(em, kinds=VM_ONLY, name=name)
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize("options", [dict(name=""), dict(name=" \t"), dict(job_id=""), dict(backup_server="")])
def test_the_selector_refuses_empty_values_before_anything_is_sent(options):
    # Regression: name: "" listed every job in job_info and picked the only job in job_start.
    with pytest.raises(VeeamEmInputError, match="is empty"):
        JobSelector(**options)


def test_job_types_are_or_ed_and_checked_again(em, http):
    http.expect(job_query('(JobType=="Backup",JobType=="Replica")').reply(200, em_xml.jobs_page([
        em_xml.job(name="A"), em_xml.job(name="B", job_type="Replica"), em_xml.job(name="C", job_type="BackupCopy"),
    ])))
    assert [job.name for job in find_jobs(em, kinds=VM_ONLY, job_types=["Backup", "Replica"])] == ["A", "B"]


def test_permission_error_gets_the_role_hint(em, http):
    http.expect(job_query('Name=="DB Backup"').reply(403, em_xml.error("Access denied.", 403)))
    with pytest.raises(VeeamEmPermissionError) as caught:
        find_jobs(em, kinds=VM_ONLY, name="DB Backup")
    error = caught.value
    assert error.status == 403
    assert "Access denied." in str(error)
    assert "Portal Administrator" in str(error)


# -- listing every job -----------------------------------------------------------------------------------
def test_list_all_streams_the_job_list_in_one_request(em, http):
    jobs = [em_xml.job(name="Job %d" % number, guid="00000000-0000-4000-8000-%012d" % number)
            for number in range(25)]
    http.expect(api_get(em_xml.JOB_LIST_URL).reply(200, em_xml.job_list(jobs), chunk_size=512))
    found = find_jobs(em, kinds=VM_ONLY)
    assert [job.name for job in found] == ["Job %d" % number for number in range(25)]
    assert found[3].data["backup_server"] == em_xml.SERVER_NAME
    # A listing keeps the job dicts only: nothing follows the links of every job, and they would double
    # the memory of a large listing.
    assert found[3].links == [] and found[3].start_link() is None


def test_list_all_with_details(em, http):
    http.expect(api_get(em_xml.JOB_LIST_URL).reply(200, em_xml.job_list([em_xml.job()])))
    assert [item["name"] for item in find_jobs(em, kinds=VM_ONLY, details=True)[0].data["includes"]] == ["sql01", "sql02"]


def test_list_all_without_a_job_list_link_explains_the_role(http):
    http.expect(em_calls.logon(session=em_xml.logon_session(job_list=False)), em_calls.logoff())
    with pytest.raises(VeeamEmPermissionError) as caught:
        with EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD) as em:
            find_jobs(em, kinds=VM_ONLY)
    assert "offers no job list" in str(caught.value)
    assert "Portal Administrator" in str(caught.value)


def test_list_all_403_gets_the_role_hint(em, http):
    http.expect(api_get(em_xml.JOB_LIST_URL).reply(403, em_xml.error("Access denied.", 403)))
    with pytest.raises(VeeamEmPermissionError) as caught:
        find_jobs(em, kinds=VM_ONLY)
    assert "Portal Administrator" in str(caught.value)
