# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import base64

import pytest
from requests import exceptions as rex
from urllib3.connection import HTTPSConnection
from urllib3.exceptions import MaxRetryError, NewConnectionError

from ansible_collections.seedops.veeam_em.plugins.module_utils import _transport
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmApiError,
    VeeamEmAuthenticationError,
    VeeamEmFormatError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
    VeeamEmRequestTimeout,
    VeeamEmTlsError,
    VeeamEmTransportError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._transport import Transport
from ansible_collections.seedops.veeam_em.plugins.module_utils._xml import ElementStream
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import DELETE, GET, POST

URL = em_xml.API + "jobs/" + em_xml.JOB_GUID + "?format=Entity"
START = em_xml.API + "jobs/" + em_xml.JOB_GUID + "?action=start"
LOGON = em_xml.API + "sessionMngr/?v=latest"
OK_BODY = em_xml.job_doc()


def decode_basic(header):
    assert header.startswith("Basic ")
    return base64.b64decode(header[len("Basic "):]).decode("utf-8")


# -- Basic authentication --------------------------------------------------------------------------------
@pytest.mark.parametrize("username, password", [
    ("CORP\\backupadmin", "Secr3t&P@ss:word"),
    ("admin", "пароль-Ω"),
    ("admin", "密码€🔒"),
    ("jörg", "pässwörd"),
    ("admin", ""),
])
def test_basic_auth_header_is_utf8_and_keeps_colons_in_the_password(username, password):
    header = _transport.basic_auth_header(username, password)
    assert header == "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode()
    user, dummy, secret = decode_basic(header).partition(":")
    assert (user, secret) == (username, password)


@pytest.mark.parametrize("password", ["Secr3t&P@ss:word", "пароль€"])
def test_logon_post_sends_the_utf8_basic_header_and_no_session_token(http, password):
    http.expect(POST(LOGON)
                .expect_header("Authorization", "Basic " + base64.b64encode(
                    ("CORP\\backupadmin:" + password).encode("utf-8")).decode())
                .expect_no_header("X-RestSvcSessionId")
                .reply(201, em_xml.logon_session(), headers={"X-RestSvcSessionId": em_xml.TOKEN}))
    transport = Transport()
    response = transport.request("POST", LOGON, expected=(201,), auth=("CORP\\backupadmin", password),
                                 token="stale-token")
    assert response.status == 201
    assert response.headers["x-restsvcsessionid"] == em_xml.TOKEN


def test_requests_carry_the_session_token_accept_xml_and_the_timeout(http):
    http.expect(GET(URL)
                .expect_header("X-RestSvcSessionId", em_xml.TOKEN)
                .expect_no_header("Authorization")
                .expect_header("Accept", "application/xml")
                .expect(lambda sent: sent.kwargs["timeout"] == 12.5, "timeout=request_timeout")
                .reply(200, OK_BODY))
    transport = Transport(request_timeout=12.5)
    response = transport.request("GET", URL, token=em_xml.TOKEN)
    assert (response.method, response.url, response.status, response.body) == ("GET", URL, 200, OK_BODY)
    assert transport.requests_sent == 1


@pytest.mark.parametrize("validate_certs, ca_path, verify", [
    (True, None, True),
    (True, "/etc/pki/em01-ca.pem", "/etc/pki/em01-ca.pem"),
    (False, None, False),
    (False, "/etc/pki/em01-ca.pem", False),
])
def test_certificate_verification_follows_validate_certs_and_ca_path(http, validate_certs, ca_path, verify):
    http.expect(GET(URL).expect(lambda sent: sent.verify == verify, "verify=%r" % (verify,)).reply(200, OK_BODY))
    Transport(validate_certs=validate_certs, ca_path=ca_path).request("GET", URL)


# -- retries ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", [GET, DELETE], ids=["GET", "DELETE"])
def test_idempotent_requests_are_retried_after_connection_errors_with_backoff(http, clock, method):
    http.expect(
        method(URL).raises(rex.ConnectionError("Connection refused")),
        method(URL).raises(rex.ConnectionError("Connection reset by peer")),
        method(URL).reply(200, OK_BODY),
    )
    response = Transport().request(method(URL).method, URL)
    assert response.body == OK_BODY
    assert clock.sleeps == [0.5, 1.0]


def test_get_gives_up_after_three_connection_errors(http, clock):
    http.expect([GET(URL).raises(rex.ConnectionError("Connection refused")) for dummy in range(3)])
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("GET", URL)
    assert caught.value.__class__ is VeeamEmTransportError
    assert "Could not connect to %s: Connection refused" % URL in str(caught.value)
    assert "9398" in str(caught.value)
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_is_retried_on_gateway_and_overload_statuses(http, clock, status):
    http.expect(
        GET(URL).reply(status, em_xml.error("Service is overloaded", status)),
        GET(URL).reply(status, b""),
        GET(URL).reply(200, OK_BODY),
    )
    assert Transport().request("GET", URL).body == OK_BODY
    assert clock.sleeps == [0.5, 1.0]


def test_get_reports_the_third_503_with_the_server_message(http):
    http.expect([GET(URL).reply(503, em_xml.error("Service is in maintenance", 503)) for dummy in range(3)])
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("GET", URL)
    assert caught.value.status == 503
    assert "Service is in maintenance" in str(caught.value)


@pytest.mark.parametrize("status", [500, 400, 404])
def test_other_error_statuses_are_not_retried(http, clock, status):
    http.expect(GET(URL).reply(status, em_xml.error("no", status)))
    with pytest.raises(VeeamEmApiError):
        Transport().request("GET", URL)
    assert clock.sleeps == []


@pytest.mark.parametrize("failure", [
    pytest.param(lambda exchange: exchange.raises(rex.ConnectionError("Connection reset by peer")), id="reset"),
    pytest.param(lambda exchange: exchange.reply(503, em_xml.error("busy", 503)), id="503"),
    pytest.param(lambda exchange: exchange.reply(502, b"<html>Bad Gateway</html>",
                                                 headers={"Content-Type": "text/html"}), id="502"),
])
def test_post_is_never_retried(http, clock, failure):
    http.expect(failure(POST(START)))
    with pytest.raises((VeeamEmTransportError, VeeamEmApiError)):
        Transport().request("POST", START, expected=(202,))
    assert http.methods == ["POST"]
    assert clock.sleeps == []


# -- transport failures ----------------------------------------------------------------------------------
def urllib3_2_reason():
    return NewConnectionError(HTTPSConnection("em.example", 9398),
                              "Failed to establish a new connection: [Errno 111] Connection refused")


def urllib3_1_reason():
    return OSError("<urllib3.connection.HTTPSConnection object at 0x7f3a2c1d0>: Failed to establish a new "
                   "connection: [Errno 111] Connection refused")


@pytest.mark.parametrize("reason", [urllib3_2_reason, urllib3_1_reason], ids=["urllib3-2", "urllib3-1"])
def test_connection_error_shows_the_innermost_reason_without_object_reprs(http, reason):
    http.expect([GET(URL).raises(rex.ConnectionError(MaxRetryError(None, URL, reason=reason())))] * 3)
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("GET", URL)
    assert "Failed to establish a new connection: [Errno 111] Connection refused. Check url" in str(caught.value)
    assert "object at 0x" not in str(caught.value)
    assert "MaxRetryError" not in str(caught.value)


def test_a_proxy_error_names_the_proxy_without_its_credentials(http, monkeypatch):
    # Regression: a bad HTTPS_PROXY was reported without naming the proxy.
    monkeypatch.setenv("HTTPS_PROXY", "http://proxyuser:proxy-s3cret@proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    http.expect([GET(URL).raises(rex.ProxyError("Cannot connect to proxy."))] * 3)
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("GET", URL)
    message = str(caught.value)
    assert "through the proxy http://proxy.example:3128" in message
    assert "proxy-s3cret" not in message and "proxyuser" not in message


def test_tls_error_names_validate_certs_and_ca_path_and_is_not_retried(http):
    http.expect(GET(URL).raises(rex.SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                             "self-signed certificate (_ssl.c:1006)")))
    with pytest.raises(VeeamEmTlsError) as caught:
        Transport().request("GET", URL)
    message = str(caught.value)
    assert URL in message
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert "validate_certs" in message
    assert "ca_path" in message


@pytest.mark.parametrize("error", [rex.ReadTimeout("Read timed out."), rex.ConnectTimeout("Connect timed out.")])
def test_timeout_message_names_request_timeout_and_is_not_retried(http, error):
    http.expect(GET(URL).raises(error))
    with pytest.raises(VeeamEmRequestTimeout) as caught:
        Transport(request_timeout=7.5).request("GET", URL)
    message = str(caught.value)
    assert "GET %s" % URL in message
    assert "request_timeout=7.5 s" in message
    assert "not the wait budget" in message


def test_read_timeout_while_reading_the_body_is_a_request_timeout(http):
    http.expect(GET(URL).reply(200, OK_BODY[:50]).breaks_while_reading(
        rex.ConnectionError("HTTPSConnectionPool(host='em.example', port=9398): Read timed out.")))
    with pytest.raises(VeeamEmRequestTimeout) as caught:
        Transport(request_timeout=30).request("GET", URL)
    assert "request_timeout=30 s" in str(caught.value)


def test_connection_broken_while_reading_the_body(http):
    http.expect(GET(URL).reply(200, OK_BODY[:50]).breaks_while_reading(
        rex.ChunkedEncodingError("Connection broken: IncompleteRead(50 bytes read)")))
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("GET", URL)
    assert caught.value.__class__ is VeeamEmTransportError
    assert "broke while reading" in str(caught.value)
    assert "IncompleteRead" in str(caught.value)


def test_other_requests_errors_become_transport_errors(http):
    http.expect(POST(START).raises(rex.InvalidHeader("Invalid leading whitespace in header value")))
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("POST", START, expected=(202,))
    assert str(caught.value) == "POST %s failed: Invalid leading whitespace in header value" % START


# -- status mapping --------------------------------------------------------------------------------------
@pytest.mark.parametrize("status, error_class", [
    (401, VeeamEmAuthenticationError),
    (403, VeeamEmPermissionError),
    (404, VeeamEmNotFoundError),
    (500, VeeamEmApiError),
    (400, VeeamEmApiError),
])
def test_unexpected_status_maps_to_typed_error_with_method_url_status_and_server_message(http, status, error_class):
    http.expect(POST(START).reply(status, em_xml.error("Access denied.", status,
                                                       first_chance="Insufficient privileges to start the job.")))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("POST", START, expected=(202,))
    error = caught.value
    assert error.__class__ is error_class
    assert (error.method, error.url, error.status) == ("POST", START, status)
    assert error.server_message == "Access denied. Insufficient privileges to start the job."
    assert str(error) == ("POST %s returned HTTP %d. Enterprise Manager said: Access denied. Insufficient "
                          "privileges to start the job." % (START, status))


def test_identical_message_and_first_chance_message_are_said_once(http):
    text = "Object reference not set to an instance of an object."
    http.expect(GET(URL).reply(500, em_xml.error(text, 500, first_chance=text)))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("GET", URL)
    assert str(caught.value).count(text) == 1


def test_unexpected_success_status_is_an_error_too(http):
    http.expect(POST(START).reply(200, OK_BODY))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("POST", START, expected=(202,))
    assert caught.value.status == 200


def test_html_proxy_page_gives_a_readable_message(http):
    page = (b"<!-- proxy --><html><head><title>407 Proxy Authentication Required</title></head>"
            b"<body><h1>Proxy Authentication Required</h1><p>Contact your administrator.</p></body></html>")
    http.expect(POST(START).reply(407, page, headers={"Content-Type": "text/html; charset=iso-8859-1"}))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("POST", START, expected=(202,))
    message = str(caught.value)
    assert "POST %s returned HTTP 407" % START in message
    assert "not an Enterprise Manager Error document (text/html" in message
    assert "407 Proxy Authentication Required Proxy Authentication Required" in message
    assert "<h1>" not in message and "<html" not in message
    assert caught.value.server_message is None


def test_json_error_body_of_old_servers_is_shown(http):
    http.expect(POST(START).reply(400, b'{"FirstChanceExceptionMessage":null,"Message":"Node [root] does not '
                                       b'exist.","StatusCode":400}', headers={"Content-Type": "application/json"}))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("POST", START, expected=(202,))
    assert "application/json" in str(caught.value)
    assert "Node [root] does not exist." in str(caught.value)


def test_error_with_empty_body_says_so(http):
    http.expect(GET(URL).reply(404, b""))
    with pytest.raises(VeeamEmNotFoundError) as caught:
        Transport().request("GET", URL)
    assert "(no content type, empty)" in str(caught.value)


def test_error_document_with_doctype_is_not_parsed(http):
    http.expect(GET(URL).reply(500, b'<!DOCTYPE e [<!ENTITY x "boom">]><Error Message="&x;"/>'))
    with pytest.raises(VeeamEmApiError) as caught:
        Transport().request("GET", URL)
    assert caught.value.server_message is None
    assert "Enterprise Manager said" not in str(caught.value)


# -- bodies ----------------------------------------------------------------------------------------------
def test_oversize_body_is_refused_without_reading_it_all(http, monkeypatch):
    monkeypatch.setattr(_transport, "MAX_DOCUMENT_BYTES", 1024)
    http.expect(GET(URL).reply(200, b"<Jobs>" + b" " * 8192 + b"</Jobs>", chunk_size=256))
    with pytest.raises(VeeamEmFormatError) as caught:
        Transport().request("GET", URL)
    assert "larger than" in str(caught.value)
    assert "GET %s" % URL in str(caught.value)
    assert http.responses[0].chunks_read == 5


def test_streamed_body_is_fed_to_the_element_stream_and_not_kept(http):
    body = em_xml.job_list([em_xml.job(name="A"), em_xml.job(name="B")])
    http.expect(GET(em_xml.JOB_LIST_URL).reply(200, body, chunk_size=100))
    names = []
    response = Transport().request("GET", em_xml.JOB_LIST_URL,
                                   stream_to=ElementStream(em_xml.JOB_LIST_URL, ("Job",),
                                                           lambda element: names.append(element.get("Name"))))
    assert names == ["A", "B"]
    assert response.body == b""
    assert http.responses[0].chunks_read == len(range(0, len(body), 100))


def test_responses_are_closed_on_success_retry_and_error(http):
    http.expect(GET(URL).reply(503, b""), GET(URL).reply(404, em_xml.error("gone", 404)))
    with pytest.raises(VeeamEmNotFoundError):
        Transport().request("GET", URL)
    assert [response.closed for response in http.responses] == [True, True]


@pytest.mark.parametrize("body", [None, b"", b"plain text", b"<Task/>", b"<Error/>"])
def test_server_message_is_none_without_an_error_message(body):
    assert _transport.server_message(body) is None


def test_a_connection_closed_without_an_answer_is_told_apart_from_one_never_made(http, clock):
    from http.client import RemoteDisconnected
    from urllib3.exceptions import ProtocolError

    dropped = rex.ConnectionError(ProtocolError("Connection aborted.",
                                                RemoteDisconnected("Remote end closed connection without response")))
    http.expect(POST(START).raises(dropped))
    with pytest.raises(VeeamEmTransportError) as caught:
        Transport().request("POST", START, expected=(202,))
    message = str(caught.value)
    assert message.startswith("POST %s: the connection closed before an answer came (Remote end closed connection "
                              "without response)." % START)
    assert "Could not connect" not in message and "ProtocolError" not in message
