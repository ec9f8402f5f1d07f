# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every path of starting a job (_job_start), as exact sequences of HTTP exchanges."""

from __future__ import annotations

import pytest
from requests import exceptions as rex

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmInputError,
    VeeamEmJobFailedError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
    VeeamEmTaskFailedError,
    VeeamEmWaitTimeout,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_start import JobStart
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

NEW = "a1a1a1a1-0000-4000-8000-000000000001"  # the session the start creates
OLD = "b2b2b2b2-0000-4000-8000-000000000002"  # an earlier, finished run
NEW_NAME = "DB Backup@2026-11-29 20:00:24.003406"
START_URL = em_xml.job_href() + "?action=start"
SYNC_URL = em_xml.job_href() + "?action=sync"
TRIGGERED = 'Job "DB Backup" triggered to start.'
MANUAL = ("Veeam Backup & Replication does not retry this run by itself: it was started through Enterprise Manager, "
          "which counts as a manual start (automatic retries follow scheduled runs only).")


# -- the exchanges of a start ----------------------------------------------------------------------------
def find_job(**job):
    return [api_get(em_xml.query_url("Job", 'Name=="DB Backup"')).reply(200, em_xml.jobs_page([em_xml.job(**job)]))
            ] + em_calls.other_kinds_empty('Name=="DB Backup"')


def newest_session(*sessions, kind="BackupJobSession"):
    url = em_xml.query_url(kind, 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime", page_size=1)
    return api_get(url).reply(200, em_xml.sessions_page(list(sessions), kind=kind))


def old_run():
    return em_xml.job_session(OLD, state="Stopped", creation="2026-11-28T20:00:00Z")


def new_run(state="Working", **kwargs):
    return em_xml.job_session(NEW, state=state, **kwargs)


def start(url=START_URL, **task):
    return api_post(url).reply(202, em_xml.task_doc(**task))


def poll_task(state="Finished", success=True, message=TRIGGERED, **task):
    return api_get(em_xml.task_href()).reply(200, em_xml.task_doc(state=state, success=success, message=message,
                                                                  **task))


def poll_session(state="Working", guid=NEW, **session):
    return api_get(em_xml.session_href(guid)).reply(200, em_xml.job_session_doc(guid, state=state, **session))


def run(em, warnings, name="DB Backup", job_id=None, backup_server=None, check_mode=False, **wait):
    return JobStart(em, JobSelector(name, job_id, backup_server), WaitOptions(**wait), _clock.now(),
                    check_mode=check_mode, warn=warnings.append).run()


def failure(em, warnings, error_class, **options):
    with pytest.raises(error_class) as caught:
        run(em, warnings, **options)
    return caught.value


# -- a job that is already running -----------------------------------------------------------------------
def test_already_running_job_is_not_started_again(em, http, warnings):
    http.expect(find_job(), newest_session(new_run()))
    result = run(em, warnings)
    assert result["changed"] is False
    assert (result["task"], result["session"]["id"]) == (None, NEW)
    assert "is already running (session %s, state Working); it was not started again." % NEW_NAME in result["msg"]
    assert http.methods.count("POST") == 1  # the logon only


def test_already_running_job_with_wait_for_completion_waits_for_that_run(em, http, warnings, clock):
    http.expect(find_job(), newest_session(new_run()),
                poll_session(), poll_session(progress=50), poll_session("Stopped"))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is False
    assert (result["session"]["state"], result["session"]["result"]) == ("Stopped", "Success")
    assert result["msg"].endswith("; that run: session %s ended with result Success." % NEW_NAME)
    assert clock.sleeps == [0.5, 1.0]


def test_already_running_run_that_fails_is_a_failure_without_change(em, http, warnings):
    http.expect(find_job(), newest_session(new_run()), poll_session(),
                poll_session("Stopped", result="Failed", failure_message="Repository is full"))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["changed"] is False
    assert "Repository is full" in str(error)


# -- automatic retries (VBR user guide, "Job Retry") --------------------------------------------------------
JOINED_WILL_RETRY = ("This task did not start this run: if its schedule started it, Veeam Backup & Replication retries "
                     "it up to %s, 10 minutes after each failure (the job's retry options), each retry a new session "
                     "with is_retry true (a run started by hand is not retried); the guide's \"Automatic retries\" "
                     "shows how to wait them out.")
R1 = "c3c3c3c3-0000-4000-8000-000000000003"  # an automatic retry before the joined one
R0 = "d4d4d4d4-0000-4000-8000-000000000004"  # the scheduled run that failed first


def history(*sessions, limit):
    url = em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime",
                           page_size=limit)
    return api_get(url).reply(200, em_xml.sessions_page(list(sessions)))


def test_a_joined_run_that_fails_says_vbr_will_retry_it_by_the_jobs_retry_options(em, http, warnings):
    http.expect(find_job(), newest_session(new_run()),
                poll_session("Stopped", result="Failed", failure_message="Repository is full"))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"] == dict(specified=True, times=3, timeout_minutes=10, will_retry=True)
    assert error.result["changed"] is False
    assert str(error).endswith("ended with result Failed. Repository is full. " + JOINED_WILL_RETRY % "3 more times")
    assert http.methods.count("POST") == 1  # the logon only: waiting never starts anything


def test_a_joined_run_of_a_job_with_retries_off_will_not_be_retried(em, http, warnings):
    http.expect(find_job(schedule=em_xml.schedule_options(retry_specified=False)), newest_session(new_run()),
                poll_session("Stopped", result="Failed", failure_message="Repository is full"))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"] == dict(specified=False, times=3, timeout_minutes=10, will_retry=False)
    assert str(error).endswith("Repository is full. The job's retry options are off (RetrySpecified false, "
                               "RetryTimes 3): Veeam Backup & Replication will not retry this run.")


def test_a_joined_retry_counts_the_retries_before_it_in_one_bounded_read(em, http, warnings):
    http.expect(find_job(), newest_session(new_run(is_retry=True)),
                poll_session("Stopped", result="Failed", failure_message="Repository is full", is_retry=True),
                history(em_xml.job_session(NEW, state="Stopped", result="Failed", is_retry=True),
                        em_xml.job_session(R1, state="Stopped", result="Failed", is_retry=True),
                        em_xml.job_session(R0, state="Stopped", result="Failed"),
                        old_run(), limit=4))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"]["will_retry"] is True
    assert str(error).endswith(JOINED_WILL_RETRY % "1 more time")


def test_a_joined_last_retry_will_not_be_retried_again(em, http, warnings):
    http.expect(find_job(schedule=em_xml.schedule_options(retry_times=2, retry_timeout=5)),
                newest_session(new_run(is_retry=True)),
                poll_session("Stopped", result="Failed", failure_message="Repository is full", is_retry=True),
                history(em_xml.job_session(NEW, state="Stopped", result="Failed", is_retry=True),
                        em_xml.job_session(R1, state="Stopped", result="Failed", is_retry=True),
                        em_xml.job_session(R0, state="Stopped", result="Failed"), limit=3))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"] == dict(specified=True, times=2, timeout_minutes=5, will_retry=False)
    assert str(error).endswith("This run was retry 2 of 2 (the job's retry options): Veeam Backup & Replication "
                               "will not retry it again.")


def test_a_joined_retry_whose_history_cannot_be_read_still_reports_the_failure(em, http, warnings):
    http.expect(find_job(), newest_session(new_run(is_retry=True)),
                poll_session("Stopped", result="Failed", failure_message="Repository is full", is_retry=True),
                api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime",
                                         page_size=4)).reply(403, em_xml.error("Access denied", 403)))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"] == dict(specified=True, times=3, timeout_minutes=10, will_retry=None)
    assert "Repository is full. This run was itself an automatic retry" in str(error)


def test_a_joined_run_that_succeeds_or_is_not_waited_for_has_no_retry_answer(em, http, warnings):
    http.expect(find_job(), newest_session(new_run()), poll_session("Stopped"))
    assert run(em, warnings, wait_for="completion")["retry"] is None
    http.expect(find_job(), newest_session(new_run()))
    assert run(em, warnings)["retry"] is None


def test_a_joined_worker_of_an_immediate_copy_job_has_no_retry_options_to_tell(em, http, warnings):
    # get_jobs_id.md examples 2 and 3: an immediate copy job's JobScheduleOptions hold ImmediateCopyMode only.
    immediate = ('<JobScheduleOptions><ImmediateCopyMode><OptionsContinuous Enabled="true" /></ImmediateCopyMode>'
                 "</JobScheduleOptions>")
    http.expect(find_job(job_type="ImmediateBackupCopy", platform="CustomPlatform", schedule=immediate),
                workers(worker(NEW)),
                api_get(em_xml.session_href(NEW)).reply(200, em_xml.document(
                    worker(NEW, state="Stopped", result="Failed", failure_message="Source is locked", ns=True))))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert error.result["retry"] == dict(specified=None, times=None, timeout_minutes=None, will_retry=None)
    assert str(error).endswith("Source is locked. The job's schedule options hold no retry options, so whether Veeam "
                               "Backup & Replication retries this run is not known.")


def test_timeout_waiting_for_a_run_that_was_already_running_reports_no_change(em, http, warnings):
    # The first read, then polls at 0.5, 1.5, ..., 9.5 s and the last one at the deadline (10 s).
    http.expect(find_job(), newest_session(new_run()), [poll_session()] * 12)
    error = failure(em, warnings, VeeamEmWaitTimeout, wait_for="completion", timeout=10)
    assert "The job was not started by this task" in str(error)
    assert error.result["changed"] is False
    assert error.result["session"]["state"] == "Working"


def test_already_running_in_check_mode_does_not_wait(em, http, warnings):
    http.expect(find_job(), newest_session(new_run()))
    result = run(em, warnings, wait_for="completion", check_mode=True)
    assert result["changed"] is False


# -- check mode and wait: false --------------------------------------------------------------------------
@pytest.mark.parametrize("before", [[old_run()], []], ids=["ran-before", "never-ran"])
def test_check_mode_reports_a_change_and_sends_no_start(em, http, warnings, before):
    http.expect(find_job(), newest_session(*before))
    result = run(em, warnings, check_mode=True)
    assert result["changed"] is True
    assert result["task"] is None
    assert result["msg"] == "Job 'DB Backup' would be started (check mode: nothing was sent)."


def test_wait_false_returns_the_running_task_handle_with_changed_true(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(), poll_task("Running", success=None, message=None))
    result = run(em, warnings, wait=False)
    assert (result["task"]["state"], result["task"]["href"]) == ("Running", em_xml.task_href())
    assert result["session"] is None
    assert "not waiting (wait: false)" in result["msg"]
    assert "whether Enterprise Manager refuses it is not known" in result["msg"]
    assert result["changed"] is True, "the start was accepted, so something changed (documented: changed=true)"


def test_wait_false_reports_a_start_that_em_has_already_confirmed(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(), poll_task("Finished"))
    result = run(em, warnings, wait=False)
    assert result["changed"] is True
    assert result["msg"] == "Job 'DB Backup' started (task task-1: %s); not waiting (wait: false)." % TRIGGERED


def test_wait_false_and_a_concurrent_start_won_the_race_reports_the_running_job_unchanged(em, http, warnings):
    # Regression: two runs at once with wait: false both said "accepted"; EM started the job once.
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task(success=False, message='Job "DB Backup" is already running.'),
                newest_session(new_run()))
    result = run(em, warnings, wait=False)
    assert result["changed"] is False
    assert result["session"]["id"] == NEW
    assert "is already running (session %s, state Working) (Enterprise Manager refused this start" % NEW_NAME \
        in result["msg"]


def test_a_lost_task_poll_after_the_start_says_the_job_has_probably_started(em, http, warnings):
    # Regression: the task polls ran out of retries and the module said only "connection refused".
    http.expect(find_job(), newest_session(old_run()), start(),
                [api_get(em_xml.task_href()).raises(rex.ConnectionError("Connection refused"))] * 12)
    error = failure(em, warnings, VeeamEmError)
    assert error.result["changed"] is True
    assert "Enterprise Manager accepted the start (task task-1), but following its task failed" in str(error)
    assert "veeam_em_job_info and include_last_session: true" in str(error)


# -- wait_for: start -------------------------------------------------------------------------------------
def test_wait_for_start_by_a_finished_task_is_confirmed_by_the_task(em, http, warnings, clock):
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task("Running", success=None, message=None),
                poll_task("Finished"))
    result = run(em, warnings)
    assert result["changed"] is True
    assert (result["task"]["state"], result["task"]["success"]) == ("Finished", True)
    assert result["session"] is None
    assert result["confirmed_by"] == "task"
    assert result["msg"] == "Job 'DB Backup' started (task task-1: %s)." % TRIGGERED
    assert clock.sleeps == [0.5, 1.0]
    assert result["elapsed"] == 1.5


def test_wait_for_start_confirms_a_resting_task_by_the_jobs_new_session(em, http, warnings, clock):
    # post_jobs_id_actionsync.md: a task may rest in OperationFinished with Result Success="true". Once that
    # Result is there, the job's new session confirms the start; an old session does not.
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task("OperationFinished", message="OperationFinished"), newest_session(old_run()),
                poll_task("OperationFinished", message="OperationFinished"), newest_session(new_run()))
    result = run(em, warnings)
    assert result["changed"] is True
    assert result["task"]["state"] == "OperationFinished"
    assert result["session"]["id"] == NEW
    assert result["confirmed_by"] == "task_result_and_session"
    assert result["msg"] == ("Job 'DB Backup' started (task task-1: OperationFinished, state OperationFinished, "
                             "confirmed by its successful result and the new session %s)." % NEW_NAME)
    assert clock.sleeps == [0.5, 1.0]


def test_a_task_resting_in_operation_finished_without_a_new_run_times_out_saying_so(em, http, warnings, clock):
    resting = [poll_task("OperationFinished", message="OperationFinished"), newest_session(old_run())]
    http.expect(find_job(), newest_session(old_run()), start(), resting * 3)
    error = failure(em, warnings, VeeamEmWaitTimeout, timeout=2)
    assert ("waiting for the start task task-1 to reach Finished (last state: OperationFinished with a successful "
            "result, while no new run of the job showed)") in str(error)
    assert error.result["changed"] is True
    assert error.result["confirmed_by"] is None
    assert clock.sleeps == [0.5, 1.0, 0.5]


def test_task_that_ends_with_success_false_is_a_refused_start_with_changed_false(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task(success=False, message="Job is disabled."), newest_session(old_run()))
    error = failure(em, warnings, VeeamEmTaskFailedError)
    assert "could not start job 'DB Backup': task task-1 ended with: Job is disabled." in str(error)
    assert error.result["changed"] is False
    assert (error.result["task"]["success"], error.result["task"]["message"]) == (False, "Job is disabled.")


def test_a_start_refused_because_a_concurrent_run_began_says_the_job_is_running(em, http, warnings):
    # Regression: with wait: true a refusal caused by a concurrent start read "could not start".
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task(success=False, message='Job "DB Backup" is already running.'), newest_session(new_run()))
    result = run(em, warnings)
    assert result["changed"] is False
    assert result["msg"].startswith("Job 'DB Backup' is already running (session %s" % NEW_NAME)
    assert "it was not started again." in result["msg"]


def test_backup_copy_job_is_started_through_sync(em, http, warnings):
    http.expect(find_job(job_type="BackupCopy", platform="CustomPlatform"), newest_session(old_run()),
                start(SYNC_URL, operation="StartJobSync"),
                poll_task(operation="StartJobSync", message="Ok"))
    result = run(em, warnings)
    assert result["task"]["operation"] == "StartJobSync"
    assert result["changed"] is True


# -- immediate backup copy jobs: synced, followed through their worker sessions --------------------------
WORKER_FILTER = 'JobType==ImmediateBackupCopyWorker;BackupServerUid=="urn:veeam:BackupServer:%s"' % em_xml.SERVER_GUID
WORKER_JOB = "c3c3c3c3-0000-4000-8000-000000000003"  # a worker's own (hidden) job


def find_copy_job():
    return find_job(job_type="ImmediateBackupCopy", platform="CustomPlatform")


def workers(*sessions):
    """The newest worker sessions of the job's backup server (one page, newest first)."""
    url = em_xml.query_url("BackupJobSession", WORKER_FILTER, sort_desc="CreationTime")
    return api_get(url).reply(200, em_xml.sessions_page(list(sessions)))


def worker(guid, source="Fileserver Backup", job="DB Backup", state="Working", creation="2026-11-29T20:00:24Z",
           **kwargs):
    return em_xml.job_session(guid, job_name="%s\\%s" % (job, source), job_guid=WORKER_JOB,
                              job_type="ImmediateBackupCopyWorker", state=state, creation=creation, **kwargs)


OLD_WORKER = "d4d4d4d4-0000-4000-8000-000000000004"
NEW_WORKER = "e5e5e5e5-0000-4000-8000-000000000005"
NEW_WORKER_2 = "f6f6f6f6-0000-4000-8000-000000000006"
FOREIGN_WORKER = "a7a7a7a7-0000-4000-8000-000000000007"


def old_worker():
    return worker(OLD_WORKER, state="Stopped", creation="2026-11-28T20:00:00Z")


def foreign_worker(state="Working"):
    # The worker of another copy job whose name only starts like ours ("DB Backup 2\\..."): never ours.
    return worker(FOREIGN_WORKER, job="DB Backup 2", state=state, creation="2026-11-29T21:00:00Z")


def test_immediate_copy_job_is_synced_and_followed_to_its_worker_sessions_result(em, http, warnings, clock):
    # get_jobs_id.md examples 2 and 3 (Sync link), post_jobs_id_actionsync.md (the task rests in OperationFinished,
    # no Related link), get_query_backupjobsession.md 13.1 (worker sessions named "<Job>\\<Source>").
    http.expect(find_copy_job(), workers(foreign_worker(), old_worker()),
                start(SYNC_URL, operation="StartJobSync"),
                poll_task("OperationFinished", operation="StartJobSync", message="OperationFinished"),
                workers(foreign_worker(), worker(NEW_WORKER), old_worker()),
                workers(foreign_worker(), worker(NEW_WORKER, state="Stopped"), old_worker()))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is True
    assert result["task"]["operation"] == "StartJobSync"
    assert result["confirmed_by"] == "task_result_and_session"
    assert result["session"]["id"] == NEW_WORKER
    assert result["session"]["job_type"] == "ImmediateBackupCopyWorker"
    assert [s["id"] for s in result["worker_sessions"]] == [NEW_WORKER]
    assert result["msg"] == ("Job 'DB Backup' ran: session DB Backup\\Fileserver Backup@2026-11-29 20:00:24 ended "
                             "with result Success.")
    assert clock.sleeps == [0.5, 0.5]
    assert warnings == []


def test_immediate_copy_job_with_two_workers_fails_when_one_of_them_fails(em, http, warnings):
    failed = worker(NEW_WORKER_2, source="Exchange Backup", state="Stopped", result="Failed",
                    failure_message="Error: source backup is locked")
    http.expect(find_copy_job(), workers(old_worker()),
                start(SYNC_URL, operation="StartJobSync"),
                poll_task("OperationFinished", operation="StartJobSync", message="OperationFinished"),
                workers(worker(NEW_WORKER), worker(NEW_WORKER_2, source="Exchange Backup"), old_worker()),
                workers(worker(NEW_WORKER, state="Stopped"), failed, old_worker()))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert ("Job 'DB Backup' ran: session DB Backup\\Exchange Backup@2026-11-29 20:00:24 ended with result Failed. "
            "Error: source backup is locked") in str(error)
    assert error.result["session"]["id"] == NEW_WORKER_2
    assert sorted(s["id"] for s in error.result["worker_sessions"]) == sorted([NEW_WORKER, NEW_WORKER_2])


def test_immediate_copy_job_with_a_running_worker_is_already_running(em, http, warnings):
    # The copy job's own session stays Working for hours (real v12 traffic) and is never read; a worker runs.
    http.expect(find_copy_job(), workers(foreign_worker(), worker(NEW_WORKER), old_worker()))
    result = run(em, warnings)
    assert result["changed"] is False
    assert result["session"]["id"] == NEW_WORKER
    assert result["msg"].startswith("Job 'DB Backup' is already running (session DB Backup\\Fileserver Backup@")


def test_immediate_copy_job_whose_only_running_worker_is_another_jobs_is_synced(em, http, warnings):
    http.expect(find_copy_job(), workers(foreign_worker()),
                start(SYNC_URL, operation="StartJobSync"),
                poll_task("OperationFinished", operation="StartJobSync", message="OperationFinished"),
                workers(worker(NEW_WORKER), foreign_worker()))
    result = run(em, warnings)
    assert (result["changed"], result["confirmed_by"], result["session"]["id"]) == (
        True, "task_result_and_session", NEW_WORKER)


def test_job_without_start_or_sync_link_fails_listing_its_actions(em, http, warnings):
    http.expect(find_job(actions=("Stop",)), newest_session(old_run()))
    error = failure(em, warnings, VeeamEmInputError)
    assert "has neither a Start nor a Sync link" in str(error)
    assert "It offers: Clone, Create, Edit, Stop, ToggleScheduleEnabled." in str(error)
    assert error.result["changed"] is False
    assert error.result["job"]["name"] == "DB Backup"


def test_unknown_job_fails_without_change(em, http, warnings):
    http.expect(api_get(em_xml.query_url("Job", 'Name=="Nightly"')).reply(200, em_xml.empty_page()),
                em_calls.other_kinds_empty('Name=="Nightly"'))
    error = failure(em, warnings, VeeamEmNotFoundError, name="Nightly")
    assert (error.result["changed"], error.result["job"]) == (False, None)


# -- wait_for: completion --------------------------------------------------------------------------------
def test_completion_follows_the_tasks_related_session(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(),
                poll_task(related=em_xml.session_href(NEW)),
                poll_session(), poll_session("Stopped"))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is True
    assert (result["session"]["id"], result["session"]["result"]) == (NEW, "Success")
    assert result["msg"] == "Job 'DB Backup' ran: session %s ended with result Success." % NEW_NAME
    assert warnings == []


@pytest.mark.parametrize("before", [[old_run()], []], ids=["ran-before", "never-ran"])
def test_completion_without_related_link_waits_for_a_session_not_seen_before(em, http, warnings, before):
    http.expect(find_job(), newest_session(*before), start(), poll_task(),
                newest_session(*before),
                newest_session(new_run("Starting")),
                poll_session(), poll_session("Stopped"))
    result = run(em, warnings, wait_for="completion")
    assert (result["session"]["id"], result["session"]["state"]) == (NEW, "Stopped")
    assert result["changed"] is True


def test_replica_job_follows_a_replica_session(em, http, warnings):
    replica_href = em_xml.session_href(NEW, "ReplicaJobSession")
    http.expect(find_job(job_type="Replica", platform="VMware"),
                newest_session(kind="ReplicaJobSession"), start(),
                poll_task(related=replica_href, related_type="ReplicaJobSession"),
                api_get(replica_href).reply(200, em_xml.job_session_doc(NEW, state="Stopped", job_type="Replica",
                                                                        kind="ReplicaJobSession")))
    result = run(em, warnings, wait_for="completion")
    assert result["session"]["uid"] == "urn:veeam:ReplicaJobSession:" + NEW


def test_failed_run_fails_with_changed_true_and_the_failure_message(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(), poll_task(related=em_xml.session_href(NEW)),
                poll_session(),
                poll_session("Stopped", result="Failed", failure_message="Error: Insufficient space on repository"))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert str(error) == ("Job 'DB Backup' ran: session %s ended with result Failed. Error: Insufficient space on "
                          "repository. %s" % (NEW_NAME, MANUAL))
    # A run this task started is a manual one: VBR does not retry it, whatever the job's retry options say.
    assert error.result["retry"] == dict(specified=True, times=3, timeout_minutes=10, will_retry=False)
    assert error.result["changed"] is True
    assert error.result["session"]["result"] == "Failed"
    assert error.result["task"]["state"] == "Finished"


def test_a_failed_run_without_failure_message_reports_the_task_sessions_reasons(em, http, warnings):
    # Captured v12 traffic shows FailureMessage null on Failed sessions; the reasons are in the task sessions.
    task_session = ('<BackupTaskSession Type="BackupTaskSession" Name="sql01@x" UID="urn:veeam:BackupTaskSession:t1" '
                    'VmDisplayName="sql01"><JobSessionUid>urn:veeam:BackupJobSession:%s</JobSessionUid>'
                    "<State>Completed</State><Result>Failed</Result><Reason>Not enough free space on the repository"
                    "</Reason></BackupTaskSession>" % NEW)
    http.expect(find_job(), newest_session(old_run()), start(), poll_task(related=em_xml.session_href(NEW)),
                poll_session("Stopped", result="Failed"),
                api_get(em_xml.query_url("BackupTaskSession", 'JobSessionUid=="urn:veeam:BackupJobSession:%s"' % NEW))
                .reply(200, em_xml.query_result([task_session], "BackupTaskSessions")))
    error = failure(em, warnings, VeeamEmJobFailedError, wait_for="completion")
    assert str(error).endswith("ended with result Failed. sql01: Not enough free space on the repository. " + MANUAL)
    assert error.result["session"]["failure_message"] == "sql01: Not enough free space on the repository"


def test_warning_run_succeeds_with_an_ansible_warning(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(), poll_task(related=em_xml.session_href(NEW)),
                poll_session("Stopped", result="Warning", failure_message="VM sql02 is powered off"))
    result = run(em, warnings, wait_for="completion")
    assert result["session"]["result"] == "Warning"
    assert len(warnings) == 1
    assert "ended with result Warning" in warnings[0] and "VM sql02 is powered off" in warnings[0]


# -- timeouts --------------------------------------------------------------------------------------------
def test_timeout_waiting_for_the_task_fails_with_changed_true_and_the_task(em, http, warnings, clock):
    http.expect(find_job(), newest_session(old_run()), start(), [poll_task("Running", None, None)] * 11)
    error = failure(em, warnings, VeeamEmWaitTimeout, timeout=10)
    assert str(error).startswith("Timed out after 10 s waiting for the start task task-1 to reach Finished "
                                 "(last state: Running).")
    assert "was started" in str(error)
    assert error.result["changed"] is True
    assert error.result["task"]["state"] == "Running"
    assert error.result["session"] is None
    assert error.result["elapsed"] == 10.0
    # 0.5 s, nine 1 s pauses (9.5 s), then the 5 s poll_interval cut to the 0.5 s left before the deadline.
    assert clock.sleeps == [0.5] + [1.0] * 9 + [0.5]


def test_timeout_waiting_for_the_run_returns_task_and_last_session(em, http, warnings):
    # The task is Finished at 0.5 s; the session is read, then polled at 1, 2, ..., 10 s (the deadline).
    http.expect(find_job(), newest_session(old_run()), start(), poll_task(related=em_xml.session_href(NEW)),
                [poll_session(progress=42)] * 11)
    error = failure(em, warnings, VeeamEmWaitTimeout, timeout=10, wait_for="completion")
    assert str(error).startswith("Timed out after 10 s waiting for job session %s to end (last state: Working, "
                                 "progress 42%%)." % NEW_NAME)
    assert error.result["changed"] is True
    assert error.result["task"]["state"] == "Finished"
    assert (error.result["session"]["id"], error.result["session"]["progress"]) == (NEW, 42)
    assert error.result["elapsed"] == 10.0


def test_timeout_waiting_for_the_new_session_to_appear(em, http, warnings):
    # The task is Finished at 0.5 s; the job's newest session is then polled at 1, 2, ..., 10 s (the deadline).
    http.expect(find_job(), newest_session(old_run()), start(), poll_task(), [newest_session(old_run())] * 10)
    error = failure(em, warnings, VeeamEmWaitTimeout, timeout=10, wait_for="completion")
    assert "Timed out after 10 s waiting for the job session created by the start to appear" in str(error)
    assert error.result["changed"] is True


# -- transient trouble while polling ---------------------------------------------------------------------
def test_a_dropped_connection_while_polling_is_tolerated(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()), start(),
                [api_get(em_xml.task_href()).raises(rex.ConnectionError("Connection reset"))] * 3,
                poll_task())
    assert run(em, warnings)["task"]["state"] == "Finished"


# -- the start request is lost ---------------------------------------------------------------------------
LOST_POST = [
    pytest.param(lambda exchange: exchange.raises(rex.ConnectionError("Connection reset by peer")), id="reset"),
    pytest.param(lambda exchange: exchange.raises(rex.ReadTimeout("Read timed out.")), id="read-timeout"),
    pytest.param(lambda exchange: exchange.reply(503, em_xml.error("Service unavailable", 503)), id="503"),
]


@pytest.mark.parametrize("lost", LOST_POST)
def test_lost_start_answer_but_the_job_started_is_followed_not_posted_again(em, http, warnings, lost):
    http.expect(find_job(), newest_session(old_run()), lost(api_post(START_URL)), newest_session(new_run()))
    result = run(em, warnings)
    assert result["changed"] is True
    assert (result["task"], result["session"]["id"]) == (None, NEW)
    assert result["msg"] == "Job 'DB Backup' started (session %s, state Working)." % NEW_NAME
    assert len(warnings) == 1 and "but the job did start: session %s" % NEW_NAME in warnings[0]
    assert http.methods.count("POST") == 2  # the logon and the one start


def test_lost_start_answer_then_wait_for_completion_follows_that_session(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()),
                api_post(START_URL).raises(rex.ConnectionError("Connection reset by peer")),
                newest_session(new_run()), poll_session(), poll_session("Stopped"))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is True
    assert result["session"]["state"] == "Stopped"


def test_lost_start_answer_with_wait_false_reports_the_session(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()),
                api_post(START_URL).raises(rex.ConnectionError("Connection reset by peer")),
                newest_session(new_run()))
    result = run(em, warnings, wait=False)
    assert result["changed"] is True
    assert "not waiting" in result["msg"]


def test_lost_start_answer_and_the_run_appears_a_moment_later(em, http, warnings, clock):
    http.expect(find_job(), newest_session(old_run()),
                api_post(START_URL).raises(rex.ConnectionError("Connection reset by peer")),
                newest_session(old_run()), newest_session(old_run()), newest_session(new_run("Starting")))
    result = run(em, warnings)
    assert (result["changed"], result["session"]["id"]) == (True, NEW)
    assert clock.sleeps == [0.5, 1.0]


def test_lost_start_answer_and_a_failed_re_read_is_a_transient_poll_not_an_unchanged_failure(em, http, warnings):
    # Regression: the start's answer was lost and one re-read got a 500; 0.1.0 reported changed=false although
    # the simulator had counted one start. A passing error during the re-reads is tolerated like any poll.
    http.expect(find_job(), newest_session(old_run()), api_post(START_URL).reply(503, b""),
                api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime",
                                         page_size=1)).reply(500, em_xml.error("Database busy", 500)),
                newest_session(new_run()))
    result = run(em, warnings)
    assert (result["changed"], result["session"]["id"]) == (True, NEW)


def test_lost_start_answer_and_unreadable_state_fails_as_changed_and_says_how_to_check(em, http, warnings):
    busy = api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID, sort_desc="CreationTime",
                                    page_size=1)).reply(500, em_xml.error("Database busy", 500))
    http.expect(find_job(), newest_session(old_run()), api_post(START_URL).reply(503, b""), [busy] * 7)
    error = failure(em, warnings, VeeamEmError)
    assert error.result["changed"] is True, "unknown means: may have started"
    assert "it is not known whether Enterprise Manager carried it out" in str(error)
    assert "The start may have taken effect: check with seedops.veeam_em.veeam_em_job_info" in str(error)
    assert http.methods.count("POST") == 2  # the logon and the one start


def test_the_start_is_not_sent_once_the_wait_budget_is_used_up(em, http, warnings, clock):
    # Regression: with 3 s of latency before the start and timeout: 2, 0.1.0 started the job, then timed out.
    http.expect(find_job(), newest_session(old_run()))
    started = _clock.now()
    clock.advance(3)
    start = JobStart(em, JobSelector("DB Backup"), WaitOptions(timeout=2), started, warn=warnings.append)
    error = pytest.raises(VeeamEmWaitTimeout, start.run).value
    assert error.result["changed"] is False
    assert "before the start request could be sent, so nothing was sent and nothing changed" in str(error)


@pytest.mark.parametrize("lost", LOST_POST)
@pytest.mark.parametrize("before", [[old_run()], []], ids=["ran-before", "never-ran"])
def test_lost_start_and_no_new_run_is_a_clear_error_without_change_or_second_post(em, http, warnings, clock, lost,
                                                                                  before):
    # The job's newest session is read at once, then for a 5 s grace period (EM creates it a moment late).
    http.expect(find_job(), newest_session(*before), lost(api_post(START_URL)), [newest_session(*before)] * 7)
    error = failure(em, warnings, VeeamEmError)
    message = str(error)
    assert message.startswith("Starting job 'DB Backup' failed: ")
    assert "no new run appeared, so the job was not started; nothing changed" in message
    assert error.result["changed"] is False
    assert http.methods.count("POST") == 2  # the logon and the one start
    assert clock.sleeps == [0.5, 1.0, 1.0, 1.0, 1.0, 0.5]


def test_lost_start_grace_period_never_exceeds_the_timeout(em, http, warnings, clock):
    http.expect(find_job(), newest_session(old_run()), api_post(START_URL).raises(rex.ReadTimeout("Read timed out.")),
                [newest_session(old_run())] * 4)
    error = failure(em, warnings, VeeamEmError, timeout=2)
    assert error.result["changed"] is False
    assert clock.sleeps == [0.5, 1.0, 0.5]


def test_accepted_start_with_an_unreadable_answer_still_reports_changed(em, http, warnings):
    # EM answered 202 Accepted: the job was started, whatever the body looks like.
    http.expect(find_job(), newest_session(old_run()),
                api_post(START_URL).reply(202, b"Accepted", headers={"Content-Type": "text/plain"}))
    error = failure(em, warnings, VeeamEmFormatError)
    assert error.result["changed"] is True, "the start was accepted (202): rerunning would start the job twice"
    assert "The start request was sent and Enterprise Manager accepted it, but its answer could not be read" in str(error)
    assert "The start may have taken effect: check with" in str(error)


def test_start_refused_with_403_is_raised_as_is_without_re_reading(em, http, warnings):
    http.expect(find_job(), newest_session(old_run()),
                api_post(START_URL).reply(403, em_xml.error("Access denied.", 403)))
    error = failure(em, warnings, VeeamEmPermissionError)
    assert "Access denied." in str(error)
    assert error.result["changed"] is False


# -- option checks (before anything is sent) ------------------------------------------------------------
@pytest.mark.parametrize("options, text", [
    (dict(timeout=-1), "timeout must be 0 or more"),
    (dict(poll_interval=0), "poll_interval must be a positive, finite number"),
    (dict(poll_interval=None), "poll_interval must be a positive, finite number"),
    (dict(wait_for="end"), "wait_for must be start or completion"),
])
def test_wait_option_checks_refuse_bad_options(options, text):
    with pytest.raises(VeeamEmInputError, match=text):
        WaitOptions(**options)


def test_selector_checks_refuse_a_bad_id():
    with pytest.raises(VeeamEmInputError, match="is not a job id"):
        JobSelector(job_id="not-a-guid")
