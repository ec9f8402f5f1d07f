# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import (
    JobSession,
    get_session,
    is_running,
    latest_session,
    latest_sessions,
    session_to_dict,
    session_type_for,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import Job
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get

SESSION_GUID = "1f038a6b-7968-4052-be97-3ed6b7aaf6a3"


def guid(number, prefix="00000000"):
    return "%s-0000-4000-8000-%012d" % (prefix, number)


def session_guid(number, generation=0):
    return "5e550000-%04d-4000-8000-%012d" % (generation, number)


def make_job(number, job_type="Backup"):
    return Job(etree.fromstring(em_xml.job(name="Job %d" % number, guid=guid(number), job_type=job_type,
                                           details=False).encode()))


def uid_filter(numbers):
    terms = ['JobUid=="urn:veeam:Job:%s"' % guid(number) for number in numbers]
    return terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)


def session_of(number, generation=0, state="Stopped", kind="BackupJobSession"):
    return em_xml.job_session(session_guid(number, generation), job_name="Job %d" % number, job_guid=guid(number),
                              state=state, kind=kind, job_type="Replica" if kind == "ReplicaJobSession" else "Backup")


def sessions_query(query_filter=None, page=1, kind="BackupJobSession"):
    return em_xml.query_url(kind, query_filter, sort_desc="CreationTime", page=page)


# -- the session dict ------------------------------------------------------------------------------------
def test_session_to_dict_of_a_finished_session():
    element = etree.fromstring(em_xml.job_session(SESSION_GUID, state="Stopped", result="Warning",
                                                  failure_message="Low disk space", is_retry=True).encode())
    assert session_to_dict(element) == {
        "id": SESSION_GUID,
        "uid": "urn:veeam:BackupJobSession:" + SESSION_GUID,
        "name": "DB Backup@2026-11-29 20:00:24.003406",
        "job_uid": em_xml.JOB_UID,
        "job_name": "DB Backup",
        "job_type": "Backup",
        "state": "Stopped",
        "result": "Warning",
        "progress": 100,
        "creation_time": "2026-11-29T20:00:24.003406Z",
        "end_time": "2026-11-29T20:04:13.487602Z",
        "failure_message": "Low disk space",
        "is_retry": True,
        "href": em_xml.session_href(SESSION_GUID),
    }


def test_session_to_dict_of_a_running_session_has_no_result_end_or_failure():
    session = JobSession(etree.fromstring(em_xml.job_session(SESSION_GUID, state="Working").encode()))
    data = session.data
    assert (data["state"], data["result"], data["progress"]) == ("Working", None, 0)
    assert (data["end_time"], data["failure_message"], data["is_retry"]) == (None, None, False)
    assert is_running(session)


@pytest.mark.parametrize("state, running", [("Starting", True), ("Working", True), ("Stopping", True),
                                            ("Pausing", True), ("Resuming", True), ("Stopped", False)])
def test_is_running_is_every_state_but_stopped(state, running):
    session = JobSession(etree.fromstring(em_xml.job_session(SESSION_GUID, state=state).encode()))
    assert is_running(session) is running


def test_is_running_of_no_session_is_false():
    assert is_running(None) is False


def test_session_to_dict_turns_a_sentinel_end_time_into_none():
    element = etree.fromstring(em_xml.job_session(SESSION_GUID, state="Working", end="0001-01-01T00:00:00Z").encode())
    assert session_to_dict(element)["end_time"] is None


@pytest.mark.parametrize("job_type, session_type", [("Backup", "BackupJobSession"), ("Replica", "ReplicaJobSession"),
                                                    ("BackupCopy", "BackupJobSession"),
                                                    ("ImmediateBackupCopy", "BackupJobSession")])
def test_session_type_for(job_type, session_type):
    assert session_type_for(job_type) == session_type


# -- one job ---------------------------------------------------------------------------------------------
def test_latest_session_asks_for_one_newest_session_of_the_job(em, http):
    http.expect(api_get(em_xml.query_url("BackupJobSession", 'JobUid=="%s"' % em_xml.JOB_UID,
                                         sort_desc="CreationTime", page_size=1))
                .reply(200, em_xml.sessions_page([em_xml.job_session(SESSION_GUID, state="Working")])))
    job = Job(etree.fromstring(em_xml.job().encode()))
    assert latest_session(em, job).data["id"] == SESSION_GUID


def test_latest_session_of_a_job_that_never_ran_is_none(em, http):
    http.expect(api_get(em_xml.query_url("ReplicaJobSession", 'JobUid=="%s"' % em_xml.JOB_UID,
                                         sort_desc="CreationTime", page_size=1))
                .reply(200, em_xml.empty_page("ReplicaJobSessions")))
    job = Job(etree.fromstring(em_xml.job(job_type="Replica").encode()))
    assert latest_session(em, job) is None


def test_get_session_reads_the_entity(em, http):
    http.expect(api_get(em_xml.session_href(SESSION_GUID)).reply(200, em_xml.job_session_doc(SESSION_GUID)))
    assert get_session(em, em_xml.session_href(SESSION_GUID)).state == "Working"


# -- many jobs, in bulk ----------------------------------------------------------------------------------
@pytest.mark.parametrize("job_count, requests", [(1, 1), (2, 1), (40, 1), (41, 2), (80, 2), (81, 3), (400, 10)])
def test_latest_sessions_queries_40_jobs_at_a_time_and_keeps_the_newest(em, http, job_count, requests):
    jobs = [make_job(number) for number in range(job_count)]
    numbers = list(range(job_count))
    for start in range(0, job_count, 40):
        chunk = numbers[start:start + 40]
        # Newest first: every job's running session, then older finished ones.
        page = [session_of(number, 1, "Working") for number in chunk] + [session_of(number, 0) for number in chunk]
        http.expect(api_get(sessions_query(uid_filter(chunk))).reply(200, em_xml.sessions_page(page)))
    newest = latest_sessions(em, jobs)
    assert len(http.sent) == 2 + requests
    assert sorted(newest) == sorted(job.uid for job in jobs)
    assert all(newest[job.uid].state == "Working" for job in jobs)
    assert newest[jobs[-1].uid].data["id"] == session_guid(job_count - 1, 1)


def deep_history_page(numbers, depth, ran):
    """The first page (100 sessions, newest first) of the sessions of ``numbers`` when each job in ``ran`` ran
    ``depth`` times, in turns (every job once a day): the newest generation first."""
    sessions = [session_of(number, generation) for generation in range(depth - 1, -1, -1) for number in ran]
    return sessions[:100], -(-len(sessions) // 100)


@pytest.mark.parametrize("depth", [3, 50, 1000])
def test_deep_history_costs_the_same_requests_whatever_its_depth(em, http, depth):
    # 40 jobs, one of them never ran, each of the others with `depth` sessions: the first page names the newest
    # of the 39; the job that never ran is asked on its own (one session at most) - two requests at any depth.
    numbers = list(range(40))
    page, pages = deep_history_page(numbers, depth, numbers[:-1])
    http.expect(
        api_get(sessions_query(uid_filter(numbers))).reply(200, em_xml.sessions_page(
            page, next_href=sessions_query(uid_filter(numbers), page=2), pages=pages)),
        api_get(em_xml.query_url("BackupJobSession", uid_filter([39]), sort_desc="CreationTime", page_size=1)).reply(
            200, em_xml.empty_page("BackupJobSessions")),
    )
    newest = latest_sessions(em, [make_job(number) for number in numbers])
    assert len(http.sent) == 2 + 2
    assert sorted(newest) == sorted("urn:veeam:Job:%s" % guid(number) for number in numbers[:-1])
    assert all(newest["urn:veeam:Job:%s" % guid(number)].data["id"] == session_guid(number, depth - 1)
               for number in numbers[:-1])


def test_jobs_missing_from_a_full_first_page_are_asked_again_together(em, http):
    # Jobs 0-1 run often and fill the first page; jobs 2-3 ran long ago, job 4 never ran. The second query asks
    # for 2-4 only, and its page is not full, so it is the whole answer: job 4 never ran.
    numbers = list(range(5))
    busy = [session_of(number, generation) for generation in range(60, 10, -1) for number in (0, 1)]
    http.expect(
        api_get(sessions_query(uid_filter(numbers))).reply(200, em_xml.sessions_page(
            busy, next_href=sessions_query(uid_filter(numbers), page=2), pages=3)),
        api_get(sessions_query(uid_filter([2, 3, 4]))).reply(200, em_xml.sessions_page(
            [session_of(3, 1), session_of(2, 1), session_of(2, 0)])),
    )
    newest = latest_sessions(em, [make_job(number) for number in numbers])
    assert len(http.sent) == 2 + 2
    assert sorted(newest) == sorted("urn:veeam:Job:%s" % guid(number) for number in range(4))
    assert newest["urn:veeam:Job:%s" % guid(0)].data["id"] == session_guid(0, 60)
    assert newest["urn:veeam:Job:%s" % guid(2)].data["id"] == session_guid(2, 1)


@pytest.mark.parametrize("job_count", [401, 1000])
def test_many_jobs_cost_one_request_per_40_jobs_and_no_unfiltered_scan(em, http, job_count):
    numbers = list(range(job_count))
    for start in range(0, job_count, 40):
        chunk = numbers[start:start + 40]
        http.expect(api_get(sessions_query(uid_filter(chunk))).reply(200, em_xml.sessions_page(
            [session_of(number, 1, "Working") for number in chunk] + [session_of(number, 0) for number in chunk])))
    newest = latest_sessions(em, [make_job(number) for number in numbers])
    assert len(http.sent) == 2 + -(-job_count // 40)
    assert len(newest) == job_count
    assert all(session.state == "Working" for session in newest.values())


def test_jobs_that_never_ran_are_absent_after_reading_every_page(em, http):
    jobs = [make_job(number) for number in range(3)]
    http.expect(
        api_get(sessions_query(uid_filter([0, 1, 2]))).reply(200, em_xml.sessions_page(
            [session_of(0, 1), session_of(2, 1)], next_href=sessions_query(uid_filter([0, 1, 2]), page=2), pages=2)),
        api_get(sessions_query(uid_filter([0, 1, 2]), page=2)).reply(200, em_xml.sessions_page(
            [session_of(0, 0)], page=2, pages=2)),
    )
    newest = latest_sessions(em, jobs)
    assert sorted(newest) == [jobs[0].uid, jobs[2].uid]
    assert newest[jobs[0].uid].data["id"] == session_guid(0, 1)


def test_backup_and_replica_jobs_are_queried_by_their_session_type(em, http):
    jobs = [make_job(0), make_job(1, "Replica"), make_job(2, "BackupCopy")]
    http.expect(
        api_get(sessions_query(uid_filter([0, 2]))).reply(200, em_xml.sessions_page([session_of(2), session_of(0)])),
        api_get(sessions_query(uid_filter([1]), kind="ReplicaJobSession")).reply(200, em_xml.sessions_page(
            [session_of(1, kind="ReplicaJobSession")], kind="ReplicaJobSession")),
    )
    newest = latest_sessions(em, jobs)
    assert newest[jobs[1].uid].data["uid"].startswith("urn:veeam:ReplicaJobSession:")
    assert sorted(newest) == sorted(job.uid for job in jobs)


def test_no_jobs_no_requests(em):
    assert latest_sessions(em, []) == {}
