# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Expected HTTP exchanges, in the style of community.internal_test_tools' open_url_framework.

A test declares the exact, ordered list of requests the code must send, each with its canned answer
(status, headers, body bytes) or the exception ``requests`` would raise. ``requests.Session.request`` is
replaced for the test: any call that is not the next declared one fails the test, and at the end every
declared call must have been made and every response closed.

    http.expect(
        GET(API).reply(200, em_xml.entry_point()),
        POST(LOGON_URL).expect_header("Authorization", basic).reply(201, em_xml.logon_session(), headers=...),
        GET(JOB_URL).raises(requests.exceptions.ConnectionError("Connection refused")),
    )

``FakeClock`` stands in for ``time.monotonic`` and ``time.sleep``: sleeping advances the clock at once.
"""

from __future__ import annotations

import requests
from requests.structures import CaseInsensitiveDict

ABSENT = object()


class SentRequest(object):
    """What the code under test sent: method, URL, the effective headers and the keyword arguments.

    ``verify`` is the request's own ``verify`` argument, else the Session's.
    """

    def __init__(self, method, url, headers, kwargs, verify):
        self.method = method
        self.url = url
        self.headers = headers
        self.kwargs = kwargs
        self.verify = verify

    def __repr__(self):
        return "%s %s" % (self.method, self.url)


class FakeResponse(object):
    """The parts of requests.Response that the transport reads."""

    def __init__(self, status, headers, body, chunk_size=None, read_error=None):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers or {})
        self._body = body
        self._chunk_size = chunk_size
        self._read_error = read_error
        self.closed = False
        self.chunks_read = 0

    def iter_content(self, chunk_size=1, decode_unicode=False):
        size = self._chunk_size or chunk_size
        for start in range(0, len(self._body), size):
            self.chunks_read += 1
            yield self._body[start:start + size]
        if self._read_error is not None:
            raise self._read_error

    def close(self):
        self.closed = True


class Exchange(object):
    """One expected request and its canned answer. Build with GET(url) / POST(url) / DELETE(url)."""

    def __init__(self, method, url):
        self.method = method
        self.url = url
        self._header_checks = []
        self._checks = []
        self.status = 200
        self.headers = {}
        self.body = b""
        self.chunk_size = None
        self.read_error = None
        self.exception = None

    # -- what the request must look like --------------------------------------------------------------
    def expect_header(self, name, value):
        """The request must carry this header with exactly this value."""
        self._header_checks.append((name, value))
        return self

    def expect_no_header(self, name):
        self._header_checks.append((name, ABSENT))
        return self

    def expect(self, predicate, description):
        """Any other assertion on the SentRequest."""
        self._checks.append((predicate, description))
        return self

    # -- the answer -----------------------------------------------------------------------------------
    def reply(self, status=200, body=b"", headers=None, chunk_size=None):
        if isinstance(body, str):
            raise TypeError("give the body as bytes: the transport reads bytes")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if body and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = "application/xml; charset=utf-8"
        self.chunk_size = chunk_size
        return self

    def raises(self, exception):
        """requests raises this instead of answering (ConnectionError, SSLError, ReadTimeout ...)."""
        self.exception = exception
        return self

    def breaks_while_reading(self, exception):
        """The status and headers arrive, then reading the body raises this after the body bytes."""
        self.read_error = exception
        return self

    # -- matching -------------------------------------------------------------------------------------
    def problems(self, sent):
        found = []
        if sent.method != self.method:
            found.append("method %s, expected %s" % (sent.method, self.method))
        if sent.url != self.url:
            found.append("URL\n    %s\n  expected\n    %s" % (sent.url, self.url))
        for name, value in self._header_checks:
            actual = sent.headers.get(name, ABSENT)
            if value is ABSENT and actual is not ABSENT:
                found.append("header %s is %r, expected absent" % (name, actual))
            elif value is not ABSENT and actual != value:
                found.append("header %s is %r, expected %r"
                             % (name, None if actual is ABSENT else actual, value))
        for predicate, description in self._checks:
            if not predicate(sent):
                found.append("expectation failed: %s" % description)
        return found

    def __repr__(self):
        return "%s %s" % (self.method, self.url)


def GET(url):  # noqa: N802 pylint: disable=invalid-name
    return Exchange("GET", url)


def POST(url):  # noqa: N802 pylint: disable=invalid-name
    return Exchange("POST", url)


def DELETE(url):  # noqa: N802 pylint: disable=invalid-name
    return Exchange("DELETE", url)


class HttpExpectations(object):
    """The ordered list of expected exchanges of one test, and the record of what was really sent."""

    def __init__(self):
        self.expected = []
        self.used = 0
        self.sent = []
        self.responses = []
        self.errors = []

    def expect(self, *exchanges):
        for exchange in exchanges:
            if isinstance(exchange, (list, tuple)):
                self.expect(*exchange)
            else:
                self.expected.append(exchange)
        return self

    # -- the replacement of requests.Session.request -------------------------------------------------
    def handle(self, session, method, url, **kwargs):
        headers = CaseInsensitiveDict(session.headers)
        headers.update(kwargs.get("headers") or {})
        sent = SentRequest(method, url, headers, kwargs, kwargs.get("verify", session.verify))
        self.sent.append(sent)
        if self.used >= len(self.expected):
            self._fail("Unexpected request #%d: %s %s (all %d expected requests were already made)"
                       % (len(self.sent), method, url, len(self.expected)))
        exchange = self.expected[self.used]
        self.used += 1
        problems = exchange.problems(sent)
        # The transport's invariants, checked on every request.
        if kwargs.get("stream") is not True:
            problems.append("stream=%r, expected True" % kwargs.get("stream"))
        if kwargs.get("allow_redirects") is not False:
            problems.append("allow_redirects=%r, expected False" % kwargs.get("allow_redirects"))
        if not kwargs.get("timeout"):
            problems.append("no timeout")
        if problems:
            self._fail("Request #%d (%s %s) does not match the expected %r:\n  %s"
                       % (len(self.sent), method, url, exchange, "\n  ".join(problems)))
        if exchange.exception is not None:
            raise exchange.exception
        response = FakeResponse(exchange.status, exchange.headers, exchange.body, exchange.chunk_size,
                                exchange.read_error)
        self.responses.append(response)
        return response

    def install(self, monkeypatch):
        expectations = self

        def request(session, method, url, **kwargs):
            return expectations.handle(session, method, url, **kwargs)

        monkeypatch.setattr(requests.Session, "request", request)
        return self

    def _fail(self, text):
        self.errors.append(text)
        raise AssertionError(text)

    # -- checks ---------------------------------------------------------------------------------------
    @property
    def methods(self):
        return [sent.method for sent in self.sent]

    def assert_all_used(self):
        assert not self.errors, "\n".join(self.errors)
        unused = self.expected[self.used:]
        assert not unused, "%d expected request(s) were not made: %s" % (len(unused), unused)
        unclosed = [response for response in self.responses if not response.closed]
        assert not unclosed, "%d response(s) were never closed" % len(unclosed)


class FakeClock(object):
    """A monotonic clock that only moves when something sleeps (or the test advances it)."""

    def __init__(self, start=1000.0):
        self.now = float(start)
        self.sleeps = []

    def monotonic(self):
        return self.now

    __call__ = monotonic

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep %r" % seconds
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds):
        self.now += seconds
