# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import session_to_dict
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import job_to_dict
from ansible_collections.seedops.veeam_em.plugins.modules import veeam_em_job_info as module
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get
from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import (
    module_docs,
    assert_options_match_documentation,
    run_module,
    type_problems,
)

RETURN = module_docs(module)["RETURN"]
JOB_RETURN = RETURN["jobs"]["contains"]
REPLICA_GUID = "b04c217b-0538-4650-bec4-19deff4ea1ac"
SESSION_GUID = "1f038a6b-7968-4052-be97-3ed6b7aaf6a3"
CONNECTION = dict(url=em_xml.EM, username=em_xml.USER, password=em_xml.PASSWORD)


def always_returned(contains):
    return sorted(key for key, entry in contains.items() if "returned" not in entry)


# -- RETURN against what the code returns ----------------------------------------------------------------
def test_job_keys_always_returned_are_the_keys_of_job_to_dict():
    assert always_returned(JOB_RETURN) == sorted(job_to_dict(etree.fromstring(em_xml.job().encode())))


def test_every_documented_job_key_is_produced_with_details_and_last_session():
    produced = set(job_to_dict(etree.fromstring(em_xml.job().encode()), details=True)) | {"last_session"}
    assert sorted(JOB_RETURN) == sorted(produced)


def test_last_session_keys_are_the_keys_of_session_to_dict():
    session = session_to_dict(etree.fromstring(em_xml.job_session(SESSION_GUID).encode()))
    assert sorted(JOB_RETURN["last_session"]["contains"]) == sorted(session)


# -- options against DOCUMENTATION -----------------------------------------------------------------------
def test_module_options_match_the_documentation(monkeypatch):
    captured = assert_options_match_documentation(monkeypatch, module)
    assert captured["supports_check_mode"] is True


# -- main() end to end -----------------------------------------------------------------------------------
def test_list_every_job_with_its_last_session(monkeypatch, http):
    jobs = [em_xml.job(), em_xml.job(name="SQL Replication", guid=REPLICA_GUID, job_type="Replica", platform="VMware",
                                     next_run=None)]
    http.expect(
        em_calls.logon(),
        api_get(em_xml.JOB_LIST_URL).reply(200, em_xml.job_list(jobs), chunk_size=1000),
        em_calls.other_kinds_empty(),
        api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime"))
        .reply(200, em_xml.sessions_page([em_xml.job_session(SESSION_GUID, state="Stopped", result="Failed",
                                                             failure_message="Repository is full")])),
        api_get(em_xml.query_url("ReplicaJobSession", 'JobUid=="urn:veeam:Job:%s"' % REPLICA_GUID,
                                 sort_desc="CreationTime")).reply(200, em_xml.empty_page("ReplicaJobSessions")),
        em_calls.logoff(),
    )
    outcome = run_module(monkeypatch, module, dict(CONNECTION, include_last_session=True))
    assert not outcome.failed, outcome.result
    assert outcome.result["changed"] is False
    first, second = outcome.result["jobs"]
    assert (first["name"], first["last_session"]["result"]) == ("DB Backup", "Failed")
    assert first["last_session"]["failure_message"] == "Repository is full"
    assert (second["name"], second["last_session"]) == ("SQL Replication", None)
    assert sorted(first) == sorted(always_returned(JOB_RETURN) + ["last_session"])
    assert type_problems("jobs", RETURN["jobs"], outcome.result["jobs"]) == []


def test_one_job_by_name_with_details(monkeypatch, http):
    http.expect(
        em_calls.logon(),
        api_get(em_xml.query_url("Job", 'Name=="DB Backup"')).reply(200, em_xml.jobs_page([em_xml.job()])),
        em_calls.other_kinds_empty('Name=="DB Backup"'),
        em_calls.logoff(),
    )
    outcome = run_module(monkeypatch, module, dict(CONNECTION, name="DB Backup", details=True))
    job = outcome.result["jobs"][0]
    assert sorted(job) == sorted(always_returned(JOB_RETURN) + ["schedule", "includes"])
    assert job["schedule"]["standart"]["retry_options"]["retry_times"] == 3
    assert type_problems("jobs", RETURN["jobs"], outcome.result["jobs"]) == []


def test_no_match_is_an_empty_list_not_a_failure(monkeypatch, http):
    http.expect(
        em_calls.logon(),
        api_get(em_xml.query_url("Job", '(JobType=="BackupCopy",JobType=="Replica")')).reply(200, em_xml.empty_page()),
        em_calls.logoff(),
    )
    outcome = run_module(monkeypatch, module, dict(CONNECTION, job_type=["BackupCopy", "Replica"]))
    assert (outcome.failed, outcome.result["jobs"]) == (False, [])


def test_connection_options_come_from_the_environment(monkeypatch, http):
    http.expect(em_calls.logon(),
                api_get(em_xml.JOB_LIST_URL).reply(200, em_xml.job_list([])), em_calls.other_kinds_empty(),
                em_calls.logoff())
    env = {"VEEAM_EM_URL": em_xml.EM, "VEEAM_EM_USERNAME": em_xml.USER, "VEEAM_EM_PASSWORD": em_xml.PASSWORD}
    outcome = run_module(monkeypatch, module, {}, env=env)
    assert (outcome.failed, outcome.result["jobs"]) == (False, [])


def test_bad_id_fails_before_logging_on(monkeypatch, http):
    outcome = run_module(monkeypatch, module, dict(CONNECTION, id="DB Backup"))
    assert outcome.failed
    assert "is not a job id" in outcome.result["msg"]
    assert outcome.result["changed"] is False
    assert http.sent == []


def test_role_error_fails_with_the_hint_after_logging_off(monkeypatch, http):
    http.expect(em_calls.logon(),
                api_get(em_xml.JOB_LIST_URL).reply(403, em_xml.error("Access denied.", 403)),
                em_calls.logoff())
    outcome = run_module(monkeypatch, module, dict(CONNECTION),
                         on_fail=lambda result: result.update(sent_before_fail=list(http.methods)))
    assert outcome.failed
    assert "Portal Administrator" in outcome.result["msg"]
    assert outcome.result["sent_before_fail"][-1] == "DELETE"
    assert em_xml.PASSWORD not in repr(outcome.result)


@pytest.mark.parametrize("check_mode", [False, True])
def test_runs_the_same_in_check_mode(monkeypatch, http, check_mode):
    http.expect(em_calls.logon(), api_get(em_xml.JOB_LIST_URL).reply(200, em_xml.job_list([em_xml.job()])),
                em_calls.other_kinds_empty(), em_calls.logoff())
    outcome = run_module(monkeypatch, module, dict(CONNECTION, _ansible_check_mode=check_mode))
    assert [job["name"] for job in outcome.result["jobs"]] == ["DB Backup"]
