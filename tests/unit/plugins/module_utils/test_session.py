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
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession
from ansible_collections.seedops.veeam_em.plugins.module_utils._transport import Transport
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import DELETE, GET, POST

JOB_URL = em_xml.job_href() + "?format=Entity"
TOKEN_2 = "OsU6RL7OGkGKrPBGxKxURw=="
SESSION_ID_2 = "25a3fc97-0325-4119-b789-5c0367c6c566"


def new_session(warnings=None, **kwargs):
    return EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD,
                     warn=warnings.append if warnings is not None else None, **kwargs)


# -- logon and logoff ------------------------------------------------------------------------------------
def test_logon_with_latest_then_logoff_through_the_delete_link(http):
    http.expect(em_calls.logon(), em_calls.logoff())
    with new_session() as em:
        assert em.session_id == em_xml.SESSION_ID
        assert em.logged_on
        assert em.link("Down", "JobList")["href"] == em_xml.JOB_LIST_URL
    assert not em.logged_on
    assert (em.generation, em.logoffs) == (1, 1)


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
    assert not em.logged_on
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


# -- a 401 on a live session: delete it with its own token, one re-logon, and a repeat ----------------------------------------------------------
def test_401_during_a_request_logs_on_again_once_and_repeats_it(http):
    expired = em_xml.error("The session has expired.", 401)
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, expired),
        DELETE(em_xml.LOGOFF_URL).expect_header("X-RestSvcSessionId", em_xml.TOKEN).reply(401, expired),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        api_get(JOB_URL, token=TOKEN_2).reply(200, em_xml.job_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with new_session() as em:
        assert em.get(JOB_URL).get("Name") == "DB Backup"
        assert em.session_id == SESSION_ID_2
    assert (em.generation, em.logoffs) == (2, 1)


def test_401_on_an_action_post_is_repeated_after_the_re_logon(http):
    http.expect(
        em_calls.logon(),
        api_post(em_xml.job_href() + "?action=start").reply(401, em_xml.error("expired", 401)),
        DELETE(em_xml.LOGOFF_URL).expect_header("X-RestSvcSessionId", em_xml.TOKEN).reply(404, b""),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        api_post(em_xml.job_href() + "?action=start", token=TOKEN_2).reply(202, em_xml.task_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with new_session() as em:
        assert em.post_action(em_xml.job_href() + "?action=start").get("Href") == em_xml.task_href()


def test_failure_to_delete_the_expired_session_is_ignored(http):
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, em_xml.error("expired", 401)),
        [DELETE(em_xml.LOGOFF_URL).raises(rex.ConnectionError("Connection reset"))] * 3,
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
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
        DELETE(em_xml.LOGOFF_URL).expect_header("X-RestSvcSessionId", em_xml.TOKEN).reply(204),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        api_get(JOB_URL, token=TOKEN_2).reply(401, em_xml.error("still refused", 401)),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with pytest.raises(VeeamEmAuthenticationError) as caught:
        with new_session() as em:
            em.get(JOB_URL)
    assert "still refused" in str(caught.value)


def test_stream_hands_over_the_job_list(em, http):
    http.expect(api_get(em_xml.JOB_LIST_URL).reply(
        200, em_xml.job_list([em_xml.job(name="A"), em_xml.job(name="B")]), chunk_size=64))
    names = []
    em.stream(em_xml.JOB_LIST_URL, ("Job",), lambda element: names.append(element.get("Name")))
    assert names == ["A", "B"]


def test_a_spurious_401_deletes_the_live_session_with_its_own_token_before_logging_on_again(http):
    # Regression (0.1.0 deleted the old session with the new token, EM refused, and the old one stayed live).
    http.expect(
        em_calls.logon(),
        api_get(JOB_URL).reply(401, em_xml.error("Unauthorized", 401)),
        DELETE(em_xml.LOGOFF_URL).expect_header("X-RestSvcSessionId", em_xml.TOKEN).reply(204),
        em_calls.logon(token=TOKEN_2, session=em_xml.logon_session(session_id=SESSION_ID_2)),
        api_get(JOB_URL, token=TOKEN_2).reply(200, em_xml.job_doc()),
        em_calls.logoff(token=TOKEN_2, url=em_xml.API + "logonSessions/" + SESSION_ID_2),
    )
    with new_session() as em:
        em.get(JOB_URL)
    assert (em.generation, em.logoffs) == (2, 1)


# -- the link rule: a link is trusted for its path and query only ------------------------------------------
FOREIGN = "http://em-internal.corp:9399"


def foreign(document):
    """The document as EM behind a TLS-offloading proxy, or under its own host name, writes it."""
    return document.replace(em_xml.EM.encode(), FOREIGN.encode())


def test_every_link_is_re_based_onto_the_configured_origin_so_credentials_never_leave_it(http):
    # Regression: 0.1.0 posted Basic auth in clear text to an http:// Create link of a fake entry point.
    session = em_xml.logon_session()
    http.expect(
        GET(em_xml.API).reply(200, foreign(em_xml.entry_point())),
        POST(em_xml.API + "sessionMngr/?v=latest").expect_header("Authorization", em_calls.basic())
        .reply(201, foreign(session), headers={"X-RestSvcSessionId": em_xml.TOKEN}),
        api_get(JOB_URL).reply(200, foreign(em_xml.job_doc())),
        em_calls.logoff(),
    )
    with new_session() as em:
        job_list = em.link("Down", "JobList")["href"]
        assert job_list.startswith(FOREIGN), "the link itself is kept as EM wrote it"
        assert em.get(FOREIGN + "/api/jobs/" + em_xml.JOB_GUID + "?format=Entity").get("Name") == "DB Backup"
    assert all(sent.url.startswith(em_xml.EM + "/") for sent in http.sent)


def test_the_transport_refuses_credentials_for_another_origin_as_a_second_guard(http):
    transport = Transport(origin=em_xml.API)
    with pytest.raises(VeeamEmFormatError, match="Refused to send credentials to http://em-internal.corp:9399"):
        transport.request("GET", FOREIGN + "/api/jobs", token=em_xml.TOKEN)
    with pytest.raises(VeeamEmFormatError, match="only https://em.example:9398"):
        transport.request("POST", FOREIGN + "/api/sessionMngr/", auth=("u", "p"))
    assert http.sent == []
