# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from requests import exceptions as rex

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAuthenticationError,
    VeeamEmFormatError,
    VeeamEmInputError,
    VeeamEmNotFoundError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import (
    EmSession,
    filter_all,
    filter_any,
    normalize_url,
    quote_filter_value,
)
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import DELETE, GET, POST

JOB_URL = em_xml.job_href() + "?format=Entity"
TOKEN_2 = "OsU6RL7OGkGKrPBGxKxURw=="
SESSION_ID_2 = "25a3fc97-0325-4119-b789-5c0367c6c566"


def new_session(warnings=None, **kwargs):
    return EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD,
                     warn=warnings.append if warnings is not None else None, **kwargs)


# -- normalize_url ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, expected", [
    ("em01", "https://em01:9398/api/"),
    ("em01.example.com:9399", "https://em01.example.com:9399/api/"),
    ("https://em01.example.com:9398", "https://em01.example.com:9398/api/"),
    ("https://em01.example.com:9398/", "https://em01.example.com:9398/api/"),
    ("https://em01/api", "https://em01:9398/api/"),
    ("https://em01:9398/api/", "https://em01:9398/api/"),
    ("  https://em01 \n", "https://em01:9398/api/"),
    ("HTTPS://em01", "https://em01:9398/api/"),
    ("10.0.0.5", "https://10.0.0.5:9398/api/"),
    ("[fd00::5]", "https://[fd00::5]:9398/api/"),
    ("https://[fd00::5]:9398/api", "https://[fd00::5]:9398/api/"),
])
def test_normalize_url_accepts(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url, expected_text", [
    ("", "url is empty"),
    ("   ", "url is empty"),
    (None, "url is empty"),
    ("ftp://em01", "the scheme must be https"),
    ("http://em01", "the scheme must be https"),
    ("ftp://admin:S3cretPW@em01", "the scheme must be https"),
    ("https://admin:S3cretPW@em01", "must not contain credentials"),
    ("https://admin@em01:9398", "must not contain credentials"),
    ("admin:S3cretPW@em01", "must not contain credentials"),
    ("https://admin:S3cretPW@em01:port", "is not a valid URL"),
    ("https://em01:99999", "is not a valid URL"),
    ("https://:9398", "has no host name"),
    ("https://em01/api/v2", "has the path '/api/v2'"),
    ("https://em01/other", "give only the server, e.g. https://em01:9398"),
    ("https://em01?x=1", "must not have a query string"),
    ("https://em01/api#top", "must not have a query string or fragment"),
])
def test_normalize_url_refuses_with_a_reason_and_never_shows_the_password(url, expected_text):
    with pytest.raises(VeeamEmInputError) as caught:
        normalize_url(url)
    assert expected_text in str(caught.value)
    assert "S3cretPW" not in str(caught.value)


# -- query filters ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("DB Backup", '"DB Backup"'),
    ('Say "hi"', '"Say ""hi"""'),
    ('"', '""""'),
    ("a;b,c", '"a;b,c"'),
    (42, '"42"'),
])
def test_quote_filter_value_quotes_and_doubles_embedded_quotes(value, expected):
    assert quote_filter_value(value) == expected


@pytest.mark.parametrize("values, expected", [
    (["DB Backup"], 'Name=="DB Backup"'),
    (["a", "b"], '(Name=="a",Name=="b")'),
    (['x"y', "z"], '(Name=="x""y",Name=="z")'),
])
def test_filter_any_is_an_or_in_parentheses(values, expected):
    assert filter_any("Name", values) == expected


@pytest.mark.parametrize("terms, expected", [
    (('Name=="a"', None, '(JobType=="Backup",JobType=="Replica")'),
     'Name=="a";(JobType=="Backup",JobType=="Replica")'),
    (('Name=="a"',), 'Name=="a"'),
    ((None, ""), None),
    ((), None),
])
def test_filter_all_joins_non_empty_terms_with_and(terms, expected):
    assert filter_all(*terms) == expected


# -- logon and logoff ------------------------------------------------------------------------------------
def test_logon_with_latest_then_logoff_through_the_delete_link(http):
    http.expect(em_calls.logon(), em_calls.logoff())
    with new_session() as em:
        assert em.session_id == em_xml.SESSION_ID
        assert em.transport.session_token == em_xml.TOKEN
        assert em.link("Down", "JobList")["href"] == em_xml.JOB_LIST_URL
    assert em.transport.session_token is None
    assert (em.logons, em.logoffs) == (1, 1)


@pytest.mark.parametrize("version", ["v1_5", "v1_6", "v1_7"])
def test_logon_with_a_chosen_version_uses_that_versions_create_link(http, version):
    http.expect(em_calls.logon(version=version), em_calls.logoff())
    with new_session(api_version=version):
        pass


def test_latest_without_a_top_level_create_link_takes_the_newest_offered_version(http):
    http.expect(em_calls.logon(version="v1_7", entry=em_xml.entry_point(versions=("v1_7", "v1_5", "v1_6"),
                                                                        latest=False)),
                em_calls.logoff())
    with new_session():
        pass


def test_entry_point_without_any_logon_link_is_a_format_error(http):
    http.expect(em_calls.anonymous(GET(em_xml.API)).reply(200, em_xml.entry_point(versions=(), latest=False)))
    with pytest.raises(VeeamEmFormatError, match="offers no logon link"):
        with new_session():
            pass


def test_unsupported_version_lists_the_offered_ones_and_sends_no_logon(http):
    http.expect(em_calls.anonymous(GET(em_xml.API)).reply(200, em_xml.entry_point(versions=("v1_5", "v1_6"))))
    with pytest.raises(VeeamEmInputError) as caught:
        with new_session(api_version="v1_7"):
            pass
    assert "api_version v1_7 is not offered" in str(caught.value)
    assert "it supports: v1_5, v1_6." in str(caught.value)
    assert http.methods == ["GET"]


@pytest.mark.parametrize("username, password", [(None, "pw"), ("", "pw"), ("admin", None)])
def test_missing_credentials_fail_before_any_request(http, username, password):
    with pytest.raises(VeeamEmInputError) as caught:
        with EmSession(em_xml.EM, username, password):
            pass
    assert "username and password are required" in str(caught.value)
    assert http.sent == []


def test_refused_logon_names_the_user_but_never_the_password(http):
    http.expect(em_calls.anonymous(GET(em_xml.API)).reply(200, em_xml.entry_point()),
                POST(em_xml.API + "sessionMngr/?v=latest").reply(
                    401, em_xml.error("Authentication failed.", 401), headers={"WWW-Authenticate": "Basic Realm=RestSvc"}))
    with pytest.raises(VeeamEmAuthenticationError) as caught:
        with new_session():
            pass
    error = caught.value
    assert "Logon to Enterprise Manager as \"CORP\\backupadmin\" was refused (HTTP 401)" in str(error)
    assert em_xml.PASSWORD not in str(error)
    assert (error.method, error.status, error.server_message) == ("POST", 401, "Authentication failed.")
    assert http.methods == ["GET", "POST"]


def test_logon_answer_without_token_header_is_a_format_error(http):
    http.expect(em_calls.anonymous(GET(em_xml.API)).reply(200, em_xml.entry_point()),
                POST(em_xml.API + "sessionMngr/?v=latest").reply(201, em_xml.logon_session()))
    with pytest.raises(VeeamEmFormatError) as caught:
        with new_session():
            pass
    assert "X-RestSvcSessionId" in str(caught.value)


def test_later_requests_carry_the_token_and_never_the_password(http):
    http.expect(em_calls.logon(), api_get(JOB_URL).reply(200, em_xml.job_doc()), em_calls.logoff())
    with new_session() as em:
        assert em.get(JOB_URL).get("Name") == "DB Backup"
    with_authorization = [sent for sent in http.sent if "Authorization" in sent.headers]
    assert [sent.method for sent in with_authorization] == ["POST"]
    assert all(em_xml.PASSWORD not in str(value) for sent in http.sent for value in sent.headers.values())


def test_logoff_also_happens_when_the_with_block_raises(http):
    http.expect(em_calls.logon(), em_calls.logoff())
    with pytest.raises(RuntimeError):
        with new_session():
            raise RuntimeError("boom inside the with block")
    assert http.methods[-1] == "DELETE"


def test_logoff_also_happens_when_an_api_call_fails(http):
    http.expect(em_calls.logon(), api_get(JOB_URL).reply(404, em_xml.error("Job not found", 404)),
                em_calls.logoff())
    with pytest.raises(VeeamEmNotFoundError, match="Job not found"):
        with new_session() as em:
            em.get(JOB_URL)


def test_failed_logoff_is_only_a_warning(http):
    warnings = []
    http.expect(em_calls.logon(),
                em_calls.authed(DELETE(em_xml.LOGOFF_URL)).reply(500, em_xml.error("Session store unavailable", 500)))
    with new_session(warnings) as em:
        pass
    assert len(warnings) == 1
    assert "Logging off from Enterprise Manager failed" in warnings[0]
    assert "Session store unavailable" in warnings[0]
    assert em.transport.session_token is None
    assert em.logoffs == 0


def test_logoff_retries_a_dropped_connection_then_warns(http, clock):
    warnings = []
    http.expect(em_calls.logon(),
                [DELETE(em_xml.LOGOFF_URL).raises(rex.ConnectionError("Connection reset")) for dummy in range(3)])
    with new_session(warnings):
        pass
    assert len(warnings) == 1 and "Connection reset" in warnings[0]
    assert clock.sleeps == [0.5, 1.0]


def test_logon_session_without_delete_link_logs_off_through_its_href(http):
    http.expect(em_calls.logon(session=em_xml.logon_session(delete=False)), em_calls.logoff())
    with new_session():
        pass


def test_logoff_happens_once_even_if_closed_twice(http):
    http.expect(em_calls.logon(), em_calls.logoff())
    with new_session() as em:
        pass
    em.close()


# -- expired session: one re-logon and a repeat ----------------------------------------------------------
def test_401_during_a_request_logs_on_again_once_and_repeats_it(http):
    expired = em_xml.error("The session has expired.", 401)
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, expired),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        DELETE(em_xml.LOGOFF_URL).expect_header("X-RestSvcSessionId", TOKEN_2).reply(401, expired),
        api_get(JOB_URL, token=TOKEN_2).reply(200, em_xml.job_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with new_session() as em:
        assert em.get(JOB_URL).get("Name") == "DB Backup"
        assert em.session_id == SESSION_ID_2
    assert (em.logons, em.logoffs) == (2, 1)


def test_401_on_an_action_post_is_repeated_after_the_re_logon(http):
    http.expect(
        em_calls.logon(),
        api_post(em_xml.job_href() + "?action=start").reply(401, em_xml.error("expired", 401)),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        DELETE(em_xml.LOGOFF_URL).reply(404, b""),
        api_post(em_xml.job_href() + "?action=start", token=TOKEN_2).reply(202, em_xml.task_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with new_session() as em:
        assert em.post_action(em_xml.job_href() + "?action=start").get("Href") == em_xml.task_href()


def test_failure_to_delete_the_expired_session_is_ignored(http):
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, em_xml.error("expired", 401)),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        [DELETE(em_xml.LOGOFF_URL).raises(rex.ConnectionError("Connection reset"))] * 3,
        api_get(JOB_URL, token=TOKEN_2).reply(200, em_xml.job_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    warnings = []
    with new_session(warnings) as em:
        em.get(JOB_URL)
    assert warnings == []


def test_a_second_401_after_the_re_logon_is_raised(http):
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, em_xml.error("expired", 401)),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        DELETE(em_xml.LOGOFF_URL).reply(204),
        api_get(JOB_URL, token=TOKEN_2).reply(401, em_xml.error("still refused", 401)),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with pytest.raises(VeeamEmAuthenticationError) as caught:
        with new_session() as em:
            em.get(JOB_URL)
    assert "still refused" in str(caught.value)


# -- the query service -----------------------------------------------------------------------------------
def test_query_href_encodes_every_parameter():
    em = new_session()
    assert em.query_href("Job", 'Name=="DB Backup";JobType=="Backup"', sort_desc="CreationTime") == (
        em_xml.API + "query?type=Job&format=Entities&filter=Name%3D%3D%22DB%20Backup%22%3BJobType%3D%3D%22Backup"
        "%22&sortDesc=CreationTime&pageSize=100&page=1")


def test_query_href_with_ascending_sort_and_page_size():
    assert new_session().query_href("Job", sort_asc="Name", page_size=7) == (
        em_xml.API + "query?type=Job&format=Entities&sortAsc=Name&pageSize=7&page=1")


def test_query_follows_next_links_across_pages(em, http):
    first = em_xml.query_url("Job", 'JobType=="Backup"')
    second = em_xml.API + "query?type=Job&format=Entities&filter=JobType%3D%3D%22Backup%22&pageSize=100&page=2"
    third = second[:-1] + "3"
    http.expect(
        api_get(first).reply(200, em_xml.jobs_page([em_xml.job(name="A"), em_xml.job(name="B")], next_href=second,
                                                   pages=3)),
        api_get(second).reply(200, em_xml.jobs_page([em_xml.job(name="C")], next_href=third, page=2, pages=3)),
        api_get(third).reply(200, em_xml.jobs_page([em_xml.job(name="D")], page=3, pages=3)),
    )
    found = em.query("Job", "Job", 'JobType=="Backup"')
    assert [element.get("Name") for element in found] == ["A", "B", "C", "D"]


def test_iter_query_fetches_no_further_page_once_the_consumer_stops(em, http):
    second = em_xml.query_url("Job", page=2)
    http.expect(api_get(em_xml.query_url("Job")).reply(
        200, em_xml.jobs_page([em_xml.job(name="A"), em_xml.job(name="B")], next_href=second, pages=2)))
    first = next(iter(em.iter_query("Job", "Job")))
    assert first.get("Name") == "A"


def test_query_with_a_small_limit_asks_for_a_small_page_and_stops(em, http):
    http.expect(api_get(em_xml.query_url("BackupJobSession", sort_desc="CreationTime", page_size=1)).reply(
        200, em_xml.sessions_page([em_xml.job_session("11111111-0000-4000-8000-000000000001")],
                                  next_href=em_xml.query_url("BackupJobSession", page=2))))
    found = em.query("BackupJobSession", "BackupJobSession", sort_desc="CreationTime", limit=1)
    assert len(found) == 1


def test_query_reads_tasks_under_resources(em, http):
    http.expect(api_get(em_xml.query_url("Task")).reply(200, em_xml.query_result(
        [em_xml.task("task-5", "Finished", success=True, message="Ok"), em_xml.task("task-6")], "Tasks",
        container="Resources")))
    assert [element.get("Href") for element in em.query("Task", "Task")] == [em_xml.task_href("task-5"),
                                                                             em_xml.task_href("task-6")]


def test_empty_query_result_gives_an_empty_list(em, http):
    http.expect(api_get(em_xml.query_url("Job")).reply(200, em_xml.empty_page()))
    assert em.query("Job", "Job") == []


def test_stream_hands_over_the_job_list(em, http):
    http.expect(api_get(em_xml.JOB_LIST_URL).reply(
        200, em_xml.job_list([em_xml.job(name="A"), em_xml.job(name="B")]), chunk_size=64))
    names = []
    em.stream(em_xml.JOB_LIST_URL, ("Job",), lambda element: names.append(element.get("Name")))
    assert names == ["A", "B"]
