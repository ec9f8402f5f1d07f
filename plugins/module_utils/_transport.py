# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP transport to Enterprise Manager: TLS, timeouts, retries and the mapping of failures to typed errors.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

This layer knows HTTP and nothing of EM's resources. Above it, ``_session`` logs on and walks links.
"""

from __future__ import annotations

import base64
import http.client as http_client
import http.cookiejar as http_cookiejar
from urllib.parse import urlsplit

try:
    import requests
    from requests import exceptions as requests_exceptions
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    requests = None
    requests_exceptions = None

from ansible_collections.seedops.veeam_em.plugins.module_utils import _capture, _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    TRANSIENT_STATUSES,
    VeeamEmApiError,
    VeeamEmAuthenticationError,
    VeeamEmFormatError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
    VeeamEmRequestTimeout,
    VeeamEmTlsError,
    VeeamEmTransportError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import shorten, strip_userinfo

SESSION_HEADER = "X-RestSvcSessionId"

# GETs (and the logoff DELETE) are safe to repeat; a POST action is not: repeating "start" could start a
# job twice, so POSTs are never retried here (the module re-reads the job's state instead).
RETRYABLE_METHODS = frozenset(("GET", "HEAD", "DELETE"))
# EM's 500 is transient for a wait (which polls again anyway) but not retried here at once: the
# request-level retry is for gateways and overload.
RETRYABLE_STATUS = TRANSIENT_STATUSES - frozenset((500,))
MAX_TRIES = 3
BACKOFF_S = (0.5, 1.0)

# A whole document larger than this is refused: nothing EM sends as one document comes near it, and the
# large collections are streamed through ElementStream instead.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
CHUNK_BYTES = 256 * 1024

USER_AGENT = "seedops.veeam_em (Ansible collection)"
# A message shows at most this much of a URL: a query URL built from a huge name must not become the message.
URL_ECHO_LIMIT = 300


class HttpResponse(object):
    def __init__(self, method, url, status, headers, body):
        self.method = method
        self.url = url
        self.status = status
        self.headers = headers
        self.body = body


def basic_auth_header(username, password):
    # requests encodes str credentials as Latin-1; EM accounts may hold any character, so encode UTF-8 here.
    raw = (username or "").encode("utf-8") + b":" + (password or "").encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _status_error_class(status):
    if status == 401:
        return VeeamEmAuthenticationError
    if status == 403:
        return VeeamEmPermissionError
    if status == 404:
        return VeeamEmNotFoundError
    return VeeamEmApiError


def server_message(body):
    """The Message (and FirstChanceExceptionMessage) of an EM Error document, or None."""
    root = _xml.try_parse_document(body)
    if root is None or _xml.local_name(root) != "Error":
        return None
    parts = []
    for text in (root.get("Message"), _xml.child_text(root, "FirstChanceExceptionMessage")):
        if text and text not in parts:
            parts.append(text)
    return " ".join(parts) or None


def status_error(method, url, status, headers, body):
    """Build the typed error for an unexpected status, with the server's own words in it."""
    message = server_message(body)
    if message:
        detail = "Enterprise Manager said: %s" % message
    else:
        content_type = (headers.get("Content-Type") or "no content type").split(";")[0]
        snippet = _xml._describe_non_xml(body or b"")[:160]
        detail = "The body is not an Enterprise Manager Error document (%s%s)." % (
            content_type, ": %r" % snippet if snippet else ", empty")
    text = "%s %s returned HTTP %s. %s" % (method, _shown(url), status, detail)
    return _status_error_class(status)(text, method=method, url=url, status=status, server_message=message)


class Transport(object):
    """A requests.Session with EM's TLS settings, per-request timeout, retries and error mapping."""

    def __init__(self, validate_certs=True, ca_path=None, request_timeout=60.0, origin=None, capture=None):
        self.request_timeout = request_timeout
        self.capture = capture or _capture.OFF  # every exchange, for a bug report (off unless the user asks)
        # The one origin (https://host:port) that may receive the password or the token; None: not checked.
        self._origin = _origin_of(origin) if origin else None
        self._http = requests.Session()
        self._http.headers["User-Agent"] = USER_AGENT
        # EM answers XML without an Accept header too, but asking for it avoids the 9.5 U4 bug where any
        # mention of application/json in Accept broke XML bodies (em_api.md, section 1).
        self._http.headers["Accept"] = "application/xml"
        # http_authentication.md: the logon answer sets the token as a cookie too, and EM takes a cookie over the
        # X-RestSvcSessionId header. A kept cookie would outlive an expired session and override the token we
        # hold (on the re-logon too), so no cookie is ever stored or sent: the header is the only credential.
        self._http.cookies.set_policy(http_cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        # Passed with every request, not set on the Session: requests lets REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE from the environment override Session.verify, which would silently drop ca_path.
        if not validate_certs:
            self._verify = False
        elif ca_path:
            self._verify = ca_path
        else:
            self._verify = True
        self.requests_sent = 0

    def close(self):
        self._http.close()
        self.capture.close()

    def request(self, method, url, expected=(200,), auth=None, token=None, stream_to=None, body=None):
        """Send one request and return an HttpResponse whose status is in ``expected``.

        ``auth``: (username, password) for the logon only; ``token``: the logon session's token, owned by the
        caller (``_session.EmSession``) and passed with each request, so that no stale token outlives a logoff.
        ``stream_to``: an ElementStream; the body is fed to it chunk by chunk and not kept.
        Raises a VeeamEmTransportError subclass when no answer came, and a VeeamEmApiError subclass for
        an unexpected status.
        """
        tries = MAX_TRIES if method in RETRYABLE_METHODS else 1
        for attempt in range(1, tries + 1):
            try:
                response = self._send(method, url, auth, token, body)
            except VeeamEmTransportError as exc:
                self.capture.no_answer(method, url, exc)
                if attempt < tries and not isinstance(exc, (VeeamEmTlsError, VeeamEmRequestTimeout)):
                    _clock.sleep(BACKOFF_S[attempt - 1])
                    continue
                raise
            try:
                if response.status_code in RETRYABLE_STATUS and attempt < tries:
                    response.close()
                    _clock.sleep(BACKOFF_S[attempt - 1])
                    continue
                if response.status_code not in expected:
                    body = self._read_body(method, url, response)
                    raise status_error(method, url, response.status_code, response.headers, body)
                if stream_to is not None:
                    self._stream_body(method, url, response, stream_to)
                    body = b""
                else:
                    body = self._read_body(method, url, response)
                return HttpResponse(method, url, response.status_code, response.headers, body)
            finally:
                self.capture.exchange(method, url, response)
                response.close()
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method, url, auth, token, body=None):
        if (auth is not None or token) and self._origin is not None and _origin_of(url) != self._origin:
            # A second guard behind the session's re-basing of links: never a credential to another origin.
            raise VeeamEmFormatError("Refused to send credentials to %s: only %s (the configured url) may receive "
                                     "them." % (_origin_of(url), self._origin))
        headers = {}
        if auth is not None:
            headers["Authorization"] = basic_auth_header(*auth)
        elif token:
            headers[SESSION_HEADER] = token
        if body is not None:
            # post_backupservers_id_quickbackup.md: Content-Type is required with a body.
            headers["Content-Type"] = "application/xml"
        self.requests_sent += 1
        try:
            return self._http.request(method, url, headers=headers, data=body, timeout=self.request_timeout, stream=True,
                                      allow_redirects=False, verify=self._verify)
        except requests_exceptions.SSLError as exc:
            raise VeeamEmTlsError(
                "TLS connection to %s failed: %s. If Enterprise Manager uses a self-signed or private-CA "
                "certificate, set ca_path to the PEM file of that CA (recommended), or set "
                "validate_certs: false to skip the check." % (_shown(url), _reason(exc))
            )
        except (requests_exceptions.ConnectTimeout, requests_exceptions.ReadTimeout):
            raise VeeamEmRequestTimeout(
                "%s %s got no answer within request_timeout=%s s (the limit for one HTTP request, not the "
                "wait budget). Raise request_timeout if Enterprise Manager is slow, or check the network."
                % (method, _shown(url), _seconds(self.request_timeout))
            )
        except requests_exceptions.ProxyError as exc:
            raise VeeamEmTransportError(
                "Could not connect to %s through the proxy %s (from the environment variables HTTPS_PROXY/https_proxy "
                "or ALL_PROXY): %s. Check the proxy, or add the Enterprise Manager host to NO_PROXY."
                % (_shown(url), _proxy_for(url), _reason(exc)))
        except requests_exceptions.ConnectionError as exc:
            if isinstance(_innermost(exc), _DROPPED):
                raise VeeamEmTransportError(
                    "%s %s: the connection closed before an answer came (%s). Enterprise Manager, or something "
                    "between it and Ansible (a proxy, a load balancer), dropped it." % (method, _shown(url), _reason(exc)))
            raise VeeamEmTransportError(
                "Could not connect to %s: %s. Check url (Enterprise Manager listens on port 9398) and that "
                "the service is running and reachable." % (_shown(url), _reason(exc))
            )
        except requests_exceptions.RequestException as exc:
            raise VeeamEmTransportError("%s %s failed: %s" % (method, _shown(url), _reason(exc)))
        except OSError as exc:
            # requests raises a bare OSError when the CA bundle it was given cannot be read.
            raise VeeamEmTlsError("Could not use the CA bundle for %s: %s. Check ca_path (a readable PEM file)."
                                  % (_shown(url), exc))

    def _chunks(self, method, url, response):
        try:
            yield from self.capture.tee(response, response.iter_content(CHUNK_BYTES))
        except (requests_exceptions.ConnectionError, requests_exceptions.ChunkedEncodingError) as exc:
            # requests raises ConnectionError for a read timeout while streaming, too.
            if "timed out" in str(exc).lower():
                raise VeeamEmRequestTimeout(
                    "%s %s: the answer stopped for longer than request_timeout=%s s."
                    % (method, _shown(url), _seconds(self.request_timeout)))
            raise VeeamEmTransportError("%s %s: the connection broke while reading the answer: %s"
                                        % (method, _shown(url), _reason(exc)))

    def _read_body(self, method, url, response):
        parts = []
        size = 0
        for chunk in self._chunks(method, url, response):
            size += len(chunk)
            if size > MAX_DOCUMENT_BYTES:
                raise VeeamEmFormatError(
                    "The response to %s %s is larger than %d MiB, far more than any Enterprise Manager "
                    "document; refused." % (method, _shown(url), MAX_DOCUMENT_BYTES // (1024 * 1024)))
            parts.append(chunk)
        return b"".join(parts)

    def _stream_body(self, method, url, response, stream):
        for chunk in self._chunks(method, url, response):
            stream.feed(chunk)
        stream.close()


# A connection that was made and then closed without an answer, as opposed to one that never came about.
_DROPPED = (http_client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


def _innermost(exc):
    """Follow ``reason`` and exception ``args`` (requests -> urllib3 -> socket/ssl) to the root cause."""
    for dummy in range(8):
        nested = getattr(exc, "reason", None)
        if not isinstance(nested, BaseException):
            nested = next((arg for arg in getattr(exc, "args", ()) if isinstance(arg, BaseException)), None)
        if nested is None or nested is exc:
            return exc
        exc = nested
    return exc


def _reason(exc):
    """The root cause of a requests/urllib3 exception in words (never holds credentials: URLs have none)."""
    text = str(_innermost(exc))
    # urllib3 prefixes its messages with the connection object's repr; keep the human part.
    if ">: " in text:
        text = text.split(">: ", 1)[1]
    text = text.strip().strip("'\"").strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1]
    return text.rstrip(".") or exc.__class__.__name__


def _shown(url):
    return shorten(url, URL_ECHO_LIMIT)


def _proxy_for(url):
    """The proxy requests takes from the environment for ``url``, without its credentials."""
    proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url)) or "(none found)"
    return strip_userinfo(proxy)


def _origin_of(url):
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme.lower(), parts.netloc.lower())


def _seconds(value):
    return ("%g" % value) if isinstance(value, float) else str(value)
