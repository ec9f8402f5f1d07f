# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test framework itself must fail when the code strays from the declared exchanges."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._transport import Transport
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import (
    GET,
    POST,
    FakeClock,
    HttpExpectations,
)

URL = "https://em.example:9398/api/"


@pytest.fixture
def expectations(monkeypatch):
    return HttpExpectations().install(monkeypatch)


def test_an_unexpected_request_fails(expectations):
    with pytest.raises(AssertionError, match="Unexpected request #1: GET"):
        Transport().request("GET", URL)
    with pytest.raises(AssertionError):
        expectations.assert_all_used()


@pytest.mark.parametrize("exchange, text", [
    (POST(URL), "method GET, expected POST"),
    (GET(URL + "other"), "expected\n    %sother" % URL),
    (GET(URL).expect_header("X-RestSvcSessionId", "token"), "header X-RestSvcSessionId is None, expected 'token'"),
    (GET(URL).expect_no_header("Accept"), "header Accept is 'application/xml', expected absent"),
    (GET(URL).expect(lambda sent: False, "never"), "expectation failed: never"),
])
def test_a_request_that_does_not_match_fails(expectations, exchange, text):
    expectations.expect(exchange.reply(200, b"<a/>"))
    with pytest.raises(AssertionError) as caught:
        Transport().request("GET", URL)
    assert text in str(caught.value)


def test_unused_expected_requests_fail_the_test(expectations):
    expectations.expect(GET(URL).reply(200, b"<a/>"), GET(URL).reply(200, b"<a/>"))
    Transport().request("GET", URL)
    with pytest.raises(AssertionError, match="1 expected request"):
        expectations.assert_all_used()


def test_an_unclosed_response_fails_the_test(expectations):
    expectations.expect(GET(URL).reply(200, b"<a/>"))
    requests.Session().request("GET", URL, stream=True, allow_redirects=False, timeout=5)
    with pytest.raises(AssertionError, match="never closed"):
        expectations.assert_all_used()


def test_requests_without_stream_or_timeout_fail(expectations):
    expectations.expect(GET(URL).reply(200, b"<a/>"))
    with pytest.raises(AssertionError, match="stream=None, expected True"):
        requests.Session().request("GET", URL, timeout=5)


def test_str_bodies_are_refused():
    with pytest.raises(TypeError):
        GET(URL).reply(200, "<a/>")


def test_fake_clock_advances_only_on_sleep():
    clock = FakeClock(start=10)
    assert clock() == 10.0
    clock.sleep(2.5)
    assert (clock.monotonic(), clock.sleeps) == (12.5, [2.5])


def test_the_client_never_really_sleeps(clock, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda seconds: pytest.fail("real sleep of %s s" % seconds))
    _clock.sleep(3)
    assert clock.sleeps == [3]
