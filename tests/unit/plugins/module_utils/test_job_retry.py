# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retrying a job (_job_retry): only a failed last run is retried, every other case says why."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError, VeeamEmTaskFailedError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_retry import JobRetry
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

FAILED_RUN = "b2b2b2b2-0000-4000-8000-000000000002"
RETRY_RUN = "a1a1a1a1-0000-4000-8000-000000000001"
RETRY_URL = em_xml.job_href() + "?action=retry"


def find_job(**job):
    return [api_get(em_xml.query_url("Job", 'Name=="DB Backup"')).reply(200, em_xml.jobs_page([em_xml.job(**job)]))
            ] + em_calls.other_kinds_empty('Name=="DB Backup"')


def newest_session(*sessions):
    url = em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime", page_size=1)
    return api_get(url).reply(200, em_xml.sessions_page(list(sessions)))


def last_run(state="Stopped", result="Failed"):
    return em_xml.job_session(FAILED_RUN, state=state, result=result if state == "Stopped" else None,
                              creation="2026-11-28T20:00:00Z", failure_message="Repository is full")


def run(em, warnings, check_mode=False, **wait):
    return JobRetry(em, JobSelector("DB Backup"), WaitOptions(**wait), _clock.now(), check_mode=check_mode,
                    warn=warnings.append).run()


@pytest.mark.parametrize("session, text", [
    (None, "Job 'DB Backup' has never run, so there is nothing to retry; nothing was sent."),
    (last_run(result="Success"), "ended with result Success, not Failed, so there is nothing to retry"),
    (last_run(result="Warning"), "ended with result Warning, not Failed, so there is nothing to retry"),
    (last_run(state="Working"), "is running (session DB Backup@2026-11-28 20:00:00, state Working), so it was not "
                                "retried; nothing was sent."),
], ids=["never-ran", "success", "warning", "running"])
def test_only_a_failed_last_run_is_retried_otherwise_nothing_is_sent_and_msg_says_why(em, http, warnings, session,
                                                                                      text):
    http.expect(find_job(), newest_session(*([session] if session else [])))
    result = run(em, warnings)
    assert result["changed"] is False
    assert text in result["msg"]
    assert http.methods.count("POST") == 1  # the logon only


def test_a_failed_run_is_retried_once_and_followed_to_its_end(em, http, warnings):
    http.expect(find_job(), newest_session(last_run()),
                api_post(RETRY_URL).reply(202, em_xml.task_doc(operation="RetryJob")),
                api_get(em_xml.task_href()).reply(200, em_xml.task_doc(
                    state="Finished", operation="RetryJob", success=True, message='Job "DB Backup" triggered to retry.',
                    related=em_xml.session_href(RETRY_RUN))),
                api_get(em_xml.session_href(RETRY_RUN)).reply(200, em_xml.job_session_doc(
                    RETRY_RUN, state="Stopped", is_retry=True)))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is True
    assert (result["session"]["id"], result["session"]["is_retry"], result["session"]["result"]) == (
        RETRY_RUN, True, "Success")
    assert result["msg"] == "Job 'DB Backup' ran: session %s ended with result Success." % result["session"]["name"]


def test_check_mode_says_the_job_would_be_retried(em, http, warnings):
    http.expect(find_job(), newest_session(last_run()))
    result = run(em, warnings, check_mode=True)
    assert result["changed"] is True
    assert result["msg"] == "Job 'DB Backup' would be retried (check mode: nothing was sent)."


def test_a_retry_refused_by_em_fails_without_change(em, http, warnings):
    http.expect(find_job(), newest_session(last_run()),
                api_post(RETRY_URL).reply(202, em_xml.task_doc(operation="RetryJob")),
                api_get(em_xml.task_href()).reply(200, em_xml.task_doc(state="Finished", operation="RetryJob",
                                                                       success=False, message="Retry is not allowed.")),
                newest_session(last_run()))
    with pytest.raises(VeeamEmTaskFailedError) as caught:
        run(em, warnings)
    assert str(caught.value) == ("Enterprise Manager could not retry job 'DB Backup': task task-1 ended with: Retry is "
                                 "not allowed.")
    assert caught.value.result["changed"] is False


def test_a_job_without_a_retry_link_fails_naming_what_it_offers(em, http, warnings):
    http.expect(find_job(actions=("Start", "Stop")), newest_session(last_run()))
    with pytest.raises(VeeamEmInputError) as caught:
        run(em, warnings)
    assert "offers no Retry action through Enterprise Manager. It offers: Clone, Create, Edit, Start, Stop, " \
           "ToggleScheduleEnabled." in str(caught.value)
