# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Session history (_session_info): server-side filters, newest first across types, task sessions in bulk."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._session_info import SessionQuery, read_sessions
from ansible_collections.seedops.veeam_em.plugins.module_utils._times import parse_since
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get

NOW = datetime.datetime(2026, 12, 1, 6, 0, 0, tzinfo=datetime.timezone.utc)
A = "a1a1a1a1-0000-4000-8000-000000000001"
B = "b2b2b2b2-0000-4000-8000-000000000002"
R = "c3c3c3c3-0000-4000-8000-000000000003"


@pytest.mark.parametrize("text, expected", [
    ("30m", NOW - datetime.timedelta(minutes=30)),
    ("24h", NOW - datetime.timedelta(hours=24)),
    ("7d", NOW - datetime.timedelta(days=7)),
    ("2026-11-30T18:00:00Z", datetime.datetime(2026, 11, 30, 18, 0, tzinfo=datetime.timezone.utc)),
    ("2026-11-30T19:00:00+01:00", datetime.datetime(2026, 11, 30, 18, 0, tzinfo=datetime.timezone.utc)),
    ("2026-11-30T18:00:00", datetime.datetime(2026, 11, 30, 18, 0, tzinfo=datetime.timezone.utc)),
])
def test_since_is_an_iso_time_or_an_age(text, expected):
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "24", "-1h", "1y"])
def test_a_bad_since_is_refused_with_both_forms_named(text):
    with pytest.raises(VeeamEmInputError, match="neither an ISO 8601 time"):
        parse_since(text, now=NOW)


def test_every_filter_goes_to_the_query_service():
    query = SessionQuery(job_name="DB Backup", backup_server="srv12", kinds=["agent"], results=["Failed"],
                         states=["Stopped"], since="2026-11-30T18:00:00Z")
    assert query.filter_for("BackupJobSession") == (
        'JobName=="DB Backup";BackupServerName=="srv12";(JobType=="AgentBackup",JobType=="AgentManagement");'
        'Result=="Failed";State=="Stopped";CreationTime>="2026-11-30T18:00:00Z"')
    assert query.filter_for("ReplicaJobSession") is None, "agent jobs have no replica sessions"


def test_a_job_id_asks_for_every_uid_form_of_the_job():
    query = SessionQuery(job_id=em_xml.JOB_GUID)
    assert query.filter_for("BackupJobSession") == "(%s)" % ",".join(
        'JobUid=="urn:veeam:%s:%s"' % (kind, em_xml.JOB_GUID) for kind in ("Job", "AgentBackupJob", "NasJob"))


@pytest.mark.parametrize("options, text", [
    (dict(job_name=""), "job_name is empty"),
    (dict(limit=0), "limit must be 1 or more"),
    (dict(job_id="x"), "is not a job id"),
])
def test_bad_options_are_refused_before_anything_is_sent(options, text):
    with pytest.raises(VeeamEmInputError, match=text):
        SessionQuery(**options)


def session(guid, creation, kind="BackupJobSession", **kwargs):
    return em_xml.job_session(guid, creation=creation, kind=kind, **kwargs)


def test_sessions_of_both_types_are_merged_newest_first_up_to_the_limit(em, http):
    http.expect(
        api_get(em_xml.query_url("BackupJobSession", 'Result=="Failed"', sort_desc="CreationTime", page_size=2)).reply(
            200, em_xml.sessions_page([session(A, "2026-11-30T22:00:00Z", state="Stopped", result="Failed"),
                                       session(B, "2026-11-29T22:00:00Z", state="Stopped", result="Failed")])),
        api_get(em_xml.query_url("ReplicaJobSession", 'Result=="Failed"', sort_desc="CreationTime", page_size=2)).reply(
            200, em_xml.sessions_page([session(R, "2026-11-30T23:00:00Z", kind="ReplicaJobSession", job_type="Replica",
                                               state="Stopped", result="Failed")], kind="ReplicaJobSession")),
    )
    result = read_sessions(em, SessionQuery(results=["Failed"], limit=2))
    assert [item["id"] for item in result["sessions"]] == [R, A]
    assert [(item["kind"], item["job_id"], item["backup_server"]) for item in result["sessions"]] == [
        ("vm", em_xml.JOB_GUID, em_xml.SERVER_NAME)] * 2


def test_task_sessions_come_in_one_query_for_the_sessions_not_one_each(em, http):
    task = ('<BackupTaskSession Type="BackupTaskSession" Href="%sbackupTaskSessions/t1?format=Entity" '
            'Name="sql01@2026-11-30 22:00:05" UID="urn:veeam:BackupTaskSession:t1" VmDisplayName="sql01">'
            "<JobSessionUid>urn:veeam:BackupJobSession:%s</JobSessionUid><CreationTimeUTC>2026-11-30T22:00:05Z"
            "</CreationTimeUTC><EndTimeUTC>2026-11-30T22:09:00Z</EndTimeUTC><State>Completed</State>"
            "<Result>Failed</Result><Reason>Not enough space</Reason><TotalSize>0</TotalSize></BackupTaskSession>"
            % (em_xml.API, A))
    http.expect(
        api_get(em_xml.query_url("BackupJobSession", 'JobName=="DB Backup"', sort_desc="CreationTime")).reply(
            200, em_xml.sessions_page([session(A, "2026-11-30T22:00:00Z", state="Stopped", result="Failed"),
                                       session(B, "2026-11-29T22:00:00Z", state="Stopped")])),
        api_get(em_xml.query_url("ReplicaJobSession", 'JobName=="DB Backup"', sort_desc="CreationTime")).reply(
            200, em_xml.empty_page("ReplicaJobSessions")),
        api_get(em_xml.query_url("BackupTaskSession", '(JobSessionUid=="urn:veeam:BackupJobSession:%s",'
                                 'JobSessionUid=="urn:veeam:BackupJobSession:%s")' % (A, B))).reply(
            200, em_xml.query_result([task], "BackupTaskSessions")),
    )
    result = read_sessions(em, SessionQuery(job_name="DB Backup", include_tasks=True))
    assert result["sessions"][0]["tasks"] == [{
        "name": "sql01", "session_name": "sql01@2026-11-30 22:00:05", "state": "Completed", "result": "Failed",
        "reason": "Not enough space", "progress": None, "creation_time": "2026-11-30T22:00:05Z",
        "end_time": "2026-11-30T22:09:00Z", "total_size": 0,
        "job_session_uid": "urn:veeam:BackupJobSession:" + A}]
    assert result["sessions"][1]["tasks"] == []


def test_a_job_name_matches_exactly_although_the_query_service_ignores_case(em, http):
    # get_query_backupjobsession.md: JobName compares without regard to case, so "exchange backup" also brings the
    # sessions of "Exchange Backup", another job; only the exact name is returned.
    http.expect(
        api_get(em_xml.query_url("BackupJobSession", 'JobName=="exchange backup"', sort_desc="CreationTime")).reply(
            200, em_xml.sessions_page([session(A, "2026-11-30T22:00:00Z", job_name="Exchange Backup", state="Stopped"),
                                       session(B, "2026-11-29T22:00:00Z", job_name="exchange backup", state="Stopped")])),
        api_get(em_xml.query_url("ReplicaJobSession", 'JobName=="exchange backup"', sort_desc="CreationTime")).reply(
            200, em_xml.empty_page("ReplicaJobSessions")),
    )
    result = read_sessions(em, SessionQuery(job_name="exchange backup"))
    assert [(item["id"], item["job_name"]) for item in result["sessions"]] == [(B, "exchange backup")]
