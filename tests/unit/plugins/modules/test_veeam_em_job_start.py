# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import task_to_dict
from ansible_collections.seedops.veeam_em.plugins.modules import veeam_em_job_start as module
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post
from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import (
    module_docs,
    assert_options_match_documentation,
    run_module,
    type_problems,
)

RETURN = module_docs(module)["RETURN"]
NEW = "a1a1a1a1-0000-4000-8000-000000000001"
OLD = "b2b2b2b2-0000-4000-8000-000000000002"
CONNECTION = dict(url=em_xml.EM, username=em_xml.USER, password=em_xml.PASSWORD)
START_URL = em_xml.job_href() + "?action=start"


def find_job():
    return [api_get(em_xml.query_url("Job", 'Name=="DB Backup"')).reply(200, em_xml.jobs_page([em_xml.job()]))
            ] + em_calls.other_kinds_empty('Name=="DB Backup"')


def newest_session(*sessions):
    return api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime",
                                    page_size=1)).reply(200, em_xml.sessions_page(list(sessions)))


def old_run():
    return em_xml.job_session(OLD, state="Stopped", creation="2026-11-28T20:00:00Z")


def poll_task(state="Finished", **task):
    return api_get(em_xml.task_href()).reply(200, em_xml.task_doc(state=state, **task))


def poll_session(state="Working", **session):
    return api_get(em_xml.session_href(NEW)).reply(200, em_xml.job_session_doc(NEW, state=state, **session))


# -- RETURN against what the code returns ----------------------------------------------------------------
def test_task_keys_are_what_the_helper_produces():
    # The job and session keys are documented by veeam_em_job_info (test_veeam_em_job_info, test_return_blocks).
    assert sorted(RETURN["task"]["contains"]) == sorted(task_to_dict(etree.fromstring(em_xml.task().encode())))


def test_module_options_match_the_documentation(monkeypatch):
    captured = assert_options_match_documentation(monkeypatch, module)
    assert captured["supports_check_mode"] is True
    assert [tuple(pair) for pair in captured["mutually_exclusive"]] == [("name", "id")]
    assert [tuple(pair) for pair in captured["required_one_of"]] == [("name", "id")]


# -- main() end to end -----------------------------------------------------------------------------------
def test_completed_run_returns_every_documented_key_with_its_type(monkeypatch, http):
    http.expect(
        em_calls.logon(), find_job(), newest_session(old_run()),
        api_post(START_URL).reply(202, em_xml.task_doc()),
        poll_task(success=True, message="Ok", related=em_xml.session_href(NEW)),
        poll_session(), poll_session("Stopped"),
        em_calls.logoff(),
    )
    outcome = run_module(monkeypatch, module, dict(CONNECTION, name="DB Backup", wait_for="completion"))
    assert not outcome.failed, outcome.result
    result = outcome.result
    assert result["changed"] is True
    assert sorted(set(result) - {"changed"}) == sorted(RETURN)
    assert [problem for key in RETURN for problem in type_problems(key, RETURN[key], result[key])] == []
    assert isinstance(result["elapsed"], float)


def test_timeout_fails_with_changed_task_session_and_logs_off_first(monkeypatch, http):
    http.expect(
        em_calls.logon(), find_job(), newest_session(old_run()),
        api_post(START_URL).reply(202, em_xml.task_doc()),
        poll_task(success=True, message="Ok", related=em_xml.session_href(NEW)),
        # Read once, then polled at 1, 2, ..., 10 s (the deadline).
        [poll_session(progress=10)] * 11,
        em_calls.logoff(),
    )
    outcome = run_module(monkeypatch, module, dict(CONNECTION, name="DB Backup", wait_for="completion",
                                                   wait_timeout=10),
                         on_fail=lambda result: result.update(sent_before_fail=list(http.methods)))
    result = outcome.result
    assert outcome.failed
    assert result["msg"].startswith("Timed out after 10 s waiting for job session")
    assert result["changed"] is True
    assert (result["task"]["state"], result["session"]["state"]) == ("Finished", "Working")
    assert result["elapsed"] == 10.0
    assert result["sent_before_fail"][-1] == "DELETE"


def test_check_mode_sends_no_start(monkeypatch, http):
    http.expect(em_calls.logon(), find_job(), newest_session(old_run()), em_calls.logoff())
    outcome = run_module(monkeypatch, module, dict(CONNECTION, name="DB Backup", _ansible_check_mode=True))
    assert (outcome.failed, outcome.result["changed"]) == (False, True)
    assert "check mode" in outcome.result["msg"]


@pytest.mark.parametrize("args, text", [
    (dict(name="DB Backup", id=em_xml.JOB_GUID), "mutually exclusive"),
    (dict(), "one of the following is required: name, id"),
    (dict(name="DB Backup", poll_interval=0), "poll_interval must be a positive, finite number"),
    (dict(id="42"), "is not a job id"),
    (dict(name="DB Backup", request_timeout=0), "request_timeout must be a number of seconds above 0"),
    (dict(name="DB Backup", request_timeout=None), "request_timeout"),
    (dict(name="DB Backup", url="https://em01/api/v2"), "has the path '/api/v2'"),
    (dict(name="DB Backup", url="https://admin:pw@em01"), "must not contain credentials"),
    # Regressions found by a hostile first use of 0.1.0 (issue "Defects found by a hostile first use"):
    (dict(name=""), "name is empty: give the exact job name"),
    (dict(name="   "), "name is empty (only white space)"),
    (dict(id=" "), "id is empty (only white space)"),
    (dict(name="DB Backup", backup_server=""), "backup_server is empty"),
    (dict(name="DB Backup", poll_interval=float("nan")), "poll_interval must be a positive, finite number"),
    (dict(name="DB Backup", poll_interval=float("inf")), "poll_interval must be a positive, finite number"),
    (dict(name="DB Backup", request_timeout=float("nan")), "request_timeout must be a number of seconds above 0"),
    (dict(name="DB Backup", request_timeout=float("inf")), "request_timeout must be a number of seconds above 0"),
    (dict(name="DB Backup", request_timeout=86400), "at most 3600"),
    (dict(name="DB Backup", url="https://em01:0"), "has port 0"),
    (dict(name="DB Backup", url="https://em 01:9398"), "has white space in its host name"),
])
def test_bad_options_fail_before_any_request(monkeypatch, http, args, text):
    outcome = run_module(monkeypatch, module, dict(CONNECTION, **args))
    assert outcome.failed
    assert text in outcome.result["msg"]
    assert http.sent == []


def test_validate_certs_false_warns_and_turns_verification_off(monkeypatch, http):
    http.expect([exchange.expect(lambda sent: sent.verify is False, "verify=False")
                 for exchange in em_calls.logon() + find_job() + [newest_session(), em_calls.logoff()]])
    outcome = run_module(monkeypatch, module, dict(CONNECTION, name="DB Backup", validate_certs=False,
                                                   _ansible_check_mode=True))
    assert not outcome.failed
    assert any("validate_certs is false" in warning for warning in outcome.warnings)
