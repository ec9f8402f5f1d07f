# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stopping jobs (_job_stop), as exact sequences of HTTP exchanges."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmInputError,
    VeeamEmTaskFailedError,
    VeeamEmWaitTimeout,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_stop import JobStop
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

OTHER_GUID = "b04c217b-0538-4650-bec4-19deff4ea1ac"
RUN = "a1a1a1a1-0000-4000-8000-000000000001"
RUN_2 = "a1a1a1a1-0000-4000-8000-000000000002"
SERVER_FILTER = 'BackupServerName=="%s"' % em_xml.SERVER_NAME


def jobs_on_server(*jobs):
    return [api_get(em_xml.query_url("Job", SERVER_FILTER)).reply(200, em_xml.jobs_page(list(jobs)))
            ] + em_calls.other_kinds_empty(SERVER_FILTER)


def newest(guids, *sessions):
    terms = ['JobUid=="urn:veeam:Job:%s"' % guid for guid in sorted(guids)]
    query_filter = terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)
    return api_get(em_xml.query_url("BackupJobSession", query_filter, sort_desc="CreationTime")).reply(
        200, em_xml.sessions_page(list(sessions)))


def sessions_by_uid(*sessions):
    terms = sorted('UID=="urn:veeam:BackupJobSession:%s"' % guid for guid, dummy in sessions)
    query_filter = terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)
    return api_get(em_xml.query_url("BackupJobSession", query_filter)).reply(200, em_xml.sessions_page(
        [em_xml.job_session(guid, state=state, job_guid=job) for guid, (state, job) in sessions]))


def stop(guid=em_xml.JOB_GUID, task_id="task-1"):
    return api_post(em_xml.job_href(guid) + "?action=stop").reply(202, em_xml.task_doc(task_id=task_id,
                                                                                       operation="StopJob"))


def task_finished(task_id="task-1", success=True, message="Job stopped."):
    return api_get(em_xml.task_href(task_id)).reply(200, em_xml.task_doc(task_id=task_id, state="Finished",
                                                                         operation="StopJob", success=success,
                                                                         message=message))


def run(em, warnings, selector=None, check_mode=False, **wait):
    return JobStop(em, selector or JobSelector(backup_server=em_xml.SERVER_NAME, several=True), WaitOptions(**wait),
                   _clock.now(), check_mode=check_mode, warn=warnings.append).run()


def two_jobs():
    return (em_xml.job(), em_xml.job(name="Fileserver Backup", guid=OTHER_GUID))


def test_jobs_that_are_not_running_are_not_touched(em, http, warnings):
    http.expect(jobs_on_server(*two_jobs()),
                newest([em_xml.JOB_GUID, OTHER_GUID], em_xml.job_session(RUN, state="Stopped")))
    result = run(em, warnings)
    assert (result["changed"], result["stopped"]) == (False, [])
    assert result["msg"] == "None of the 2 selected job(s) is running; nothing was sent."
    assert http.methods.count("POST") == 1  # the logon only


def test_check_mode_lists_what_would_be_stopped_and_sends_nothing(em, http, warnings):
    http.expect(jobs_on_server(*two_jobs()), newest([em_xml.JOB_GUID, OTHER_GUID], em_xml.job_session(RUN)))
    result = run(em, warnings, check_mode=True)
    assert result["changed"] is True
    assert [(entry["job_name"], entry["task"], entry["session"]["id"]) for entry in result["stopped"]] == [
        ("DB Backup", None, RUN)]
    assert "would be stopped (check mode: nothing was sent)" in result["msg"]
    assert http.methods.count("POST") == 1


def test_several_running_jobs_are_stopped_with_one_post_each_and_followed_together(em, http, warnings, clock):
    http.expect(
        jobs_on_server(*two_jobs()),
        newest([em_xml.JOB_GUID, OTHER_GUID], em_xml.job_session(RUN),
               em_xml.job_session(RUN_2, job_name="Fileserver Backup", job_guid=OTHER_GUID)),
        stop(), stop(OTHER_GUID, "task-2"),
        # one poll round: each pending task, then every pending session in one bulk query
        task_finished(), task_finished("task-2"),
        sessions_by_uid((RUN, ("Stopping", em_xml.JOB_GUID)), (RUN_2, ("Stopped", OTHER_GUID))),
        sessions_by_uid((RUN, ("Stopped", em_xml.JOB_GUID))),
    )
    result = run(em, warnings)
    assert result["changed"] is True
    assert [(entry["job_name"], entry["task"]["state"], entry["session"]["state"]) for entry in result["stopped"]] == [
        ("DB Backup", "Finished", "Stopped"), ("Fileserver Backup", "Finished", "Stopped")]
    assert http.methods.count("POST") == 3  # the logon and one stop per running job
    assert clock.sleeps == [0.5, 1.0], "one wait for all the jobs, not one per job"


def test_wait_false_returns_after_the_posts(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()), newest([em_xml.JOB_GUID], em_xml.job_session(RUN)), stop())
    result = run(em, warnings, wait=False)
    assert result["changed"] is True
    assert result["stopped"][0]["task"]["state"] == "Running"
    assert "not waiting (wait: false)" in result["msg"]


def test_a_stop_that_times_out_fails_changed_with_the_stops_as_last_seen(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()), newest([em_xml.JOB_GUID], em_xml.job_session(RUN)), stop(),
                task_finished(), [sessions_by_uid((RUN, ("Stopping", em_xml.JOB_GUID)))] * 11)
    with pytest.raises(VeeamEmWaitTimeout) as caught:
        run(em, warnings, timeout=10)
    assert caught.value.result["changed"] is True
    assert caught.value.result["stopped"][0]["session"]["state"] == "Stopping"
    assert "Timed out after 10 s waiting for 'DB Backup' (session Stopping) to stop" in str(caught.value)


def test_a_stop_refused_by_em_fails_and_names_the_job(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()), newest([em_xml.JOB_GUID], em_xml.job_session(RUN)), stop(),
                task_finished(success=False, message="Job is not running."))
    with pytest.raises(VeeamEmTaskFailedError) as caught:
        run(em, warnings)
    assert "Enterprise Manager refused to stop job 'DB Backup': task task-1 ended with: Job is not running." == \
        str(caught.value)
    assert caught.value.result["changed"] is True


def test_a_job_without_a_stop_link_is_stopped_through_its_sessions_stop_link(em, http, warnings):
    session_stop = em_xml.session_href(RUN).split("?", 1)[0] + "?action=stop"
    http.expect(jobs_on_server(em_xml.job(job_type="ImmediateBackupCopy")),
                newest([em_xml.JOB_GUID], em_xml.job_session(RUN)),
                api_post(session_stop).reply(202, em_xml.task_doc(operation="StopJobSession")), task_finished(),
                sessions_by_uid((RUN, ("Stopped", em_xml.JOB_GUID))))
    result = run(em, warnings)
    assert result["stopped"][0]["session"]["state"] == "Stopped"


def test_acting_on_every_job_needs_a_selector():
    with pytest.raises(VeeamEmInputError, match="acting on every job needs at least one of them"):
        JobSelector(several=True)
