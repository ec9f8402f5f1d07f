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


@pytest.mark.parametrize("job_count", [401, 1000])
def test_above_the_threshold_one_unfiltered_scan_stops_once_every_job_has_a_session(em, http, job_count):
    jobs = [make_job(number) for number in range(job_count)]
    sessions = [session_of(number, 1, "Working") for number in range(job_count)]
    sessions.insert(3, session_of(99999))  # a job that was not asked for
    sessions += [session_of(number, 0) for number in range(job_count)]
    pages = [sessions[start:start + 100] for start in range(0, len(sessions), 100)]
    needed = (job_count + 1 + 99) // 100
    for index in range(needed):
        http.expect(api_get(sessions_query(page=index + 1) if index else sessions_query()).reply(
            200, em_xml.sessions_page(pages[index], next_href=sessions_query(page=index + 2), page=index + 1,
                                      pages=len(pages))))
    newest = latest_sessions(em, jobs)
    assert len(newest) == job_count
    assert all(session.state == "Working" for session in newest.values())
    assert em_xml.JOB_UID not in newest


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
