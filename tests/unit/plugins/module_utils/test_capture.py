# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The capture for bug reports: what it records, what it redacts, the file, and that it never fails a module.

The end-to-end proof (real modules over HTTPS, the reliability suite's secret scan on the file) is
tests/system/test_capture.py.
"""

from __future__ import annotations

import base64
import json
import os
import stat

from requests import exceptions as rex
from requests.structures import CaseInsensitiveDict

from ansible_collections.seedops.veeam_em.plugins.module_utils import _capture
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmTransportError
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import GET

import pytest

BASIC = base64.b64encode(("%s:%s" % (em_xml.USER, em_xml.PASSWORD)).encode("utf-8")).decode("ascii")


def only_file(directory):
    names = os.listdir(str(directory))
    assert len(names) == 1, names
    return os.path.join(str(directory), names[0])


def read_capture(directory):
    with open(only_file(directory)) as handle:
        return json.load(handle)


def session(directory, warnings, keep_hosts=False):
    capture = _capture.Capture(str(directory), module_name="seedops.veeam_em.veeam_em_job_info", url=em_xml.EM,
                               username=em_xml.USER, password=em_xml.PASSWORD, keep_hosts=keep_hosts,
                               warn=warnings.append)
    return EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD, warn=warnings.append, capture=capture)


def job_list_with_server():
    return em_xml.job_list([em_xml.job()])


# -- through the transport: every exchange, in order, written once after the logoff -------------------------
def test_a_run_is_written_to_one_file_after_the_logoff_with_every_exchange(http, tmp_path):
    warnings = []
    http.expect(em_calls.logon(), em_calls.api_get(em_xml.JOB_LIST_URL).reply(200, job_list_with_server()),
                em_calls.logoff())
    with session(tmp_path, warnings) as em:
        em.get(em_xml.JOB_LIST_URL)
        assert os.listdir(str(tmp_path)) == []  # nothing before the end: later answers may name more hosts
    path = only_file(tmp_path)
    assert os.path.basename(path).startswith("veeam_em-veeam_em_job_info-")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    document = read_capture(tmp_path)
    assert (document["format"], document["version"], document["hosts_redacted"]) == (_capture.FORMAT, 1, True)
    assert [(item["method"], item["status"]) for item in document["exchanges"]] == [
        ("GET", 200), ("POST", 201), ("GET", 200), ("DELETE", 204)]
    assert [item["url"] for item in document["exchanges"]] == [
        "https://em.redacted.invalid:9398/api/", "https://em.redacted.invalid:9398/api/sessionMngr/?v=latest",
        "https://em.redacted.invalid:9398/api/jobs?format=Entity",
        "https://em.redacted.invalid:9398/api/logonSessions/REDACTED-SESSION-ID-1"]
    assert "<Job " in document["exchanges"][2]["response_body"]
    assert len(warnings) == 1 and path in warnings[0] and "4 HTTP exchange(s)" in warnings[0]


def test_secrets_and_hosts_are_nowhere_in_the_file(http, tmp_path):
    http.expect(em_calls.logon(), em_calls.api_get(em_xml.JOB_LIST_URL).reply(200, job_list_with_server()),
                em_calls.logoff())
    with session(tmp_path, []) as em:
        em.get(em_xml.JOB_LIST_URL)
    with open(only_file(tmp_path)) as handle:
        text = handle.read()
    for secret in (em_xml.PASSWORD, em_xml.TOKEN, em_xml.SESSION_ID, BASIC, "em.example", em_xml.SERVER_NAME,
                   "srv12", "backupadmin"):
        assert secret.lower() not in text.lower(), secret
    assert "REDACTED-TOKEN-1" in text and "<SessionId>REDACTED-SESSION-ID-1</SessionId>" in text
    assert "host-1.redacted.invalid" in text  # the backup server of the job


def test_keep_hosts_keeps_hosts_and_the_user_but_no_secret(http, tmp_path):
    http.expect(em_calls.logon(), em_calls.api_get(em_xml.JOB_LIST_URL).reply(200, job_list_with_server()),
                em_calls.logoff())
    with session(tmp_path, [], keep_hosts=True) as em:
        em.get(em_xml.JOB_LIST_URL)
    document = read_capture(tmp_path)
    text = json.dumps(document)
    assert document["hosts_redacted"] is False
    assert "em.example" in text and em_xml.SERVER_NAME in text and "backupadmin" in text
    for secret in (em_xml.PASSWORD, em_xml.TOKEN, em_xml.SESSION_ID, BASIC):
        assert secret not in text


def test_a_request_without_an_answer_is_recorded_with_its_error(http, tmp_path):
    http.expect(em_calls.logon(),
                *[GET(em_xml.JOB_LIST_URL).raises(rex.ConnectionError("Connection refused")) for dummy in range(3)])
    http.expect(em_calls.logoff())
    with pytest.raises(VeeamEmTransportError):
        with session(tmp_path, []) as em:
            em.get(em_xml.JOB_LIST_URL)
    failed = [item for item in read_capture(tmp_path)["exchanges"] if item["status"] is None]
    assert len(failed) == 3 and "Connection refused" in failed[0]["error"]


def test_a_body_that_the_client_streams_is_captured_too(http, tmp_path):
    http.expect(em_calls.logon(),
                em_calls.api_get(em_xml.JOB_LIST_URL).reply(200, job_list_with_server(), chunk_size=7),
                em_calls.logoff())
    names = []
    with session(tmp_path, []) as em:
        em.stream(em_xml.JOB_LIST_URL, ("Job",), lambda element: names.append(element.get("Name")))
    assert names == ["DB Backup"]
    assert "DB Backup" in read_capture(tmp_path)["exchanges"][2]["response_body"]


def test_a_capture_that_cannot_be_written_is_one_warning_and_the_work_goes_on(http, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    warnings = []
    http.expect(em_calls.logon(), em_calls.api_get(em_xml.JOB_LIST_URL).reply(200, job_list_with_server()),
                em_calls.logoff())
    with session(blocker, warnings) as em:
        assert em.get(em_xml.JOB_LIST_URL) is not None
    assert len(warnings) == 1
    assert "Capture is off" in warnings[0] and "not affected" in warnings[0]


def test_an_existing_file_is_never_overwritten_or_followed(tmp_path, monkeypatch):
    monkeypatch.setattr(_capture.os, "getpid", lambda: 4242)
    warnings = []
    for dummy in range(2):
        capture = _capture.Capture(str(tmp_path), module_name="x", warn=warnings.append, clock=lambda: 0.0)
        capture.exchanges.append(dict(method="GET", url="https://em/api/", status=200, request_headers=[],
                                      response_headers=[], request_body=None, response_body="", at=0))
        capture.close()
    assert len(os.listdir(str(tmp_path))) == 1
    assert "Capture is off" in warnings[1]


def test_off_records_nothing_and_passes_chunks_through():
    chunks = [b"a", b"b"]
    assert list(_capture.OFF.tee(None, iter(chunks))) == chunks
    assert _capture.from_params(dict(capture_dir=None), "m", None) is _capture.OFF
    assert _capture.from_params(dict(capture_dir="/tmp/x"), "m", None).enabled


# -- the redactor on its own: headers requests adds (cookies), bodies, addresses -------------------------------
class Sent(object):
    def __init__(self, headers, body=None):
        self.headers = CaseInsensitiveDict(headers)
        self.body = body


class Answer(object):
    def __init__(self, status, headers, request):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers)
        self.request = request


def record(capture, method, url, answer, body=b""):
    chunks = list(capture.tee(answer, iter([body])))
    assert chunks == [body]
    capture.exchange(method, url, answer)


def test_headers_requests_adds_are_captured_and_redacted(tmp_path):
    capture = _capture.Capture(str(tmp_path), url="https://10.1.2.3:9398", username="CORP\\svc", password="pw&1")
    logon = Answer(201, {"X-RestSvcSessionId": "TOKEN+one==", "Set-Cookie": "X-RestSvcSessionId=TOKEN+one==; Path=/api;"},
                   Sent({"Authorization": "Basic " + base64.b64encode(b"CORP\\svc:pw&1").decode()}))
    record(capture, "POST", "https://10.1.2.3:9398/api/sessionMngr/?v=latest", logon,
           b"<LogonSession><UserName>CORP\\svc</UserName><SessionId>sid-1</SessionId></LogonSession>")
    later = Answer(200, {"Location": "https://10.1.2.3:9398/api/x"},
                   Sent({"X-RestSvcSessionId": "TOKEN+one==", "Cookie": "X-RestSvcSessionId=TOKEN+one==; other=v2"},
                        b"<Spec><Server>fe80::1</Server></Spec>"))
    record(capture, "GET", "https://10.1.2.3:9398/api/logonSessions/sid-1", later,
           b'<Ref Type="BackupServerReference" Name="vbr01.corp.example" /><Text>vbr01 at 192.168.7.9 said pw&amp;1</Text>')
    capture.close()
    text = open(capture.path).read()
    for secret in ("pw&1", "pw&amp;1", "TOKEN+one==", "sid-1", "10.1.2.3", "vbr01", "corp.example", "192.168.7.9",
                   "fe80::1", "CORP", "v2", base64.b64encode(b"CORP\\svc:pw&1").decode()):
        assert secret not in text, secret
    exchanges = json.loads(text)["exchanges"]
    headers = dict(exchanges[1]["request_headers"])
    assert headers["Cookie"] == "X-RestSvcSessionId=REDACTED; other=REDACTED"
    assert dict(exchanges[0]["response_headers"])["Set-Cookie"] == "X-RestSvcSessionId=REDACTED; Path=/api;"
    assert dict(exchanges[0]["request_headers"])["Authorization"] == "Basic REDACTED"
    assert "https://em.redacted.invalid:9398/api/x" == dict(exchanges[1]["response_headers"])["Location"]
    assert "host-1 at ip-" in exchanges[1]["response_body"]


def test_time_values_and_versions_are_not_taken_for_addresses():
    redactor = _capture.Redactor(url="https://em01.corp.example:9398")
    text = "<T>2026-01-02T12:30:00</T><V>13.0.1.1071</V><X>urn:veeam:Job:5658281f</X> :: backup"
    assert redactor.redact(text) == text
