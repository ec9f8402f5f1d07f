# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Enterprise Manager logon sessions, link walking and the query service.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

``EmSession`` is a context manager: it logs on at enter and logs off through the LogonSession's Delete
link at exit, on every path. Apart from the entry point ``/api/`` and the query service (a search URL
with parameters, em_api.md section 5), every URL comes from a link in a response.
"""

from __future__ import annotations

import re

try:
    from urllib.parse import quote, urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit, urlunsplit  # type: ignore
    from urllib import quote  # type: ignore

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAuthenticationError,
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmInputError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._transport import SESSION_HEADER, Transport
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

DEFAULT_PORT = 9398
API_VERSIONS = ("latest", "v1_5", "v1_6", "v1_7")

# The query service returns at most 100 items a page whatever pageSize asks (em_api.md section 5 and
# unknown #14), so we ask for exactly that and follow the Next links.
QUERY_PAGE_SIZE = 100

_HOST_ONLY = re.compile(r"^[A-Za-z0-9.\-]+$|^\[[0-9A-Fa-f:.]+\]$")


def normalize_url(url):
    """Turn the user's ``url`` into the API root ``https://host:port/api/``.

    Accepts a bare host (``em01``), host:port, and a trailing ``/api`` or ``/api/``. Refuses anything that
    would be silently wrong: credentials in the URL, another path, a query string or an unknown scheme.
    """
    text = (url or "").strip()
    if not text:
        raise VeeamEmInputError("url is empty: give the Enterprise Manager address, e.g. https://em01.example.com:9398")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise VeeamEmInputError("url %r is not a valid URL (%s)." % (_strip_userinfo(url), exc))
    # Plain http would send the password in clear text; EM's API has been HTTPS-only since v1_5.
    if parts.scheme != "https":
        raise VeeamEmInputError("url %r: the scheme must be https (Enterprise Manager's REST API listens on "
                                "https://HOST:9398)." % _strip_userinfo(url))
    if parts.username or parts.password or "@" in parts.netloc:
        raise VeeamEmInputError("url must not contain credentials; pass them as username and password "
                                "(the password option is never logged).")
    host = parts.hostname
    if not host:
        raise VeeamEmInputError("url %r has no host name." % url)
    if parts.query or parts.fragment:
        raise VeeamEmInputError("url %r must not have a query string or fragment; give only "
                                "https://HOST:PORT." % url)
    path = parts.path.rstrip("/")
    if path not in ("", "/api"):
        raise VeeamEmInputError("url %r has the path %r; give only the server, e.g. https://%s:%d (the API "
                                "root /api/ is found from there)." % (url, parts.path, host, port or DEFAULT_PORT))
    netloc = parts.netloc
    if port is None:
        netloc = "%s:%d" % (netloc, DEFAULT_PORT)
    return urlunsplit((parts.scheme, netloc, "/api/", "", ""))


def _strip_userinfo(url):
    return re.sub(r"//[^/]*@", "//", url or "")


def quote_filter_value(value):
    """A query filter value in double quotes; an embedded double quote is doubled (em_api.md section 5)."""
    return '"%s"' % ("%s" % value).replace('"', '""')


def filter_any(field, values):
    """field=="a",field=="b" (the comma is OR), parenthesised so that it can be AND-ed with more terms."""
    terms = ["%s==%s" % (field, quote_filter_value(value)) for value in values]
    return terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)


def filter_all(*terms):
    """AND (``;``) of the non-empty terms, or None."""
    kept = [term for term in terms if term]
    return ";".join(kept) if kept else None


class EmSession(object):
    """A logged-on Enterprise Manager session. Use as ``with EmSession(...) as em:``."""

    def __init__(self, url, username, password, api_version="latest", validate_certs=True, ca_path=None,
                 request_timeout=60.0, warn=None, transport=None):
        self.api_root = normalize_url(url)
        self.username = username
        self._password = password
        self.api_version = api_version
        self.transport = transport or Transport(validate_certs=validate_certs, ca_path=ca_path,
                                                request_timeout=request_timeout)
        self._warn = warn or (lambda message: None)
        self.logon_session = None
        self.session_id = None
        self._delete_href = None
        self.logons = 0
        self.logoffs = 0

    # -- context manager -------------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.logon()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def close(self):
        try:
            self.logoff()
        finally:
            self.transport.close()

    # -- logon / logoff --------------------------------------------------------------------------------
    def logon(self):
        if not self.username or self._password is None:
            raise VeeamEmInputError("username and password are required to log on to Enterprise Manager "
                                    "(options username/password or VEEAM_EM_USERNAME/VEEAM_EM_PASSWORD).")
        entry = self._get_document(self.api_root, authenticated=False)
        create_href = self._logon_href(entry)
        try:
            response = self.transport.request("POST", create_href, expected=(201,),
                                              auth=(self.username, self._password))
        except VeeamEmAuthenticationError as exc:
            raise VeeamEmAuthenticationError(
                "Logon to Enterprise Manager as \"%s\" was refused (HTTP 401): check username and password, and "
                "that the account has an Enterprise Manager role (Portal Administrator to start jobs)."
                % self.username, method="POST", url=create_href, status=401, server_message=exc.server_message)
        token = response.headers.get(SESSION_HEADER)
        if not token:
            raise VeeamEmFormatError("The logon response from %s has no %s header." % (create_href, SESSION_HEADER))
        self.transport.session_token = token
        # Logged on from here: whatever fails below must still log off, so remember the Delete link first.
        root = _xml.parse_document(response.body, create_href)
        self.logon_session = root
        self.session_id = _xml.child_text(root, "SessionId")
        delete = _xml.find_link(root, "Delete")
        self._delete_href = delete["href"] if delete else root.get("Href")
        self.logons += 1
        return root

    def _logon_href(self, entry):
        versions = dict((item.get("Name"), item) for item in _xml.descendants(entry, "SupportedVersion"))
        name = self.api_version
        if name in (None, "", "latest"):
            link = _xml.find_link(entry, "Create", "LogonSession")
            if link:
                return link["href"]
            if not versions:
                raise VeeamEmFormatError("The entry point %s offers no logon link." % self.api_root)
            name = max(versions, key=_version_key)
        version = versions.get(name)
        link = _xml.find_link(version, "Create") if version is not None else None
        if link:
            return link["href"]
        raise VeeamEmInputError(
            "api_version %s is not offered by this Enterprise Manager; it supports: %s. Use api_version: latest "
            "or one of those." % (name, ", ".join(sorted(versions, key=_version_key)) or "none listed"))

    def logoff(self):
        """Log off through the Delete link; a failure here is a warning, never a failure of the work."""
        if not self.transport.session_token:
            return
        href = self._delete_href
        try:
            if href:
                self.transport.request("DELETE", href, expected=(204, 200))
                self.logoffs += 1
            else:
                self._warn("Enterprise Manager gave no logoff link; the session will expire after 15 idle minutes.")
        except VeeamEmError as exc:
            self._warn("Logging off from Enterprise Manager failed (the session will expire after 15 idle "
                       "minutes): %s" % exc)
        finally:
            self.transport.session_token = None
            self._delete_href = None

    # -- requests --------------------------------------------------------------------------------------
    def _get_document(self, href, authenticated=True):
        response = self._request("GET", href, (200,), authenticated)
        return _xml.parse_document(response.body, href)

    def _request(self, method, href, expected, authenticated=True, stream_to=None):
        if not authenticated:
            saved, self.transport.session_token = self.transport.session_token, None
            try:
                return self.transport.request(method, href, expected=expected)
            finally:
                self.transport.session_token = saved
        try:
            return self.transport.request(method, href, expected=expected, stream_to=stream_to)
        except VeeamEmAuthenticationError:
            if self.logon_session is None:
                raise
            # EM expires a session after 15 idle minutes (em_api.md section 2). Log on again once and
            # repeat: a 401 means the request was refused before it did anything, POSTs included.
            self._relogon()
            return self.transport.request(method, href, expected=expected, stream_to=stream_to)

    def _relogon(self):
        # The old session is gone on the server side; try to delete it anyway in case it is not.
        old_delete = self._delete_href
        self.transport.session_token = None
        self.logon()
        if old_delete and old_delete != self._delete_href:
            try:
                self.transport.request("DELETE", old_delete, expected=(204, 200, 401, 404))
            except VeeamEmError:
                pass

    def get(self, href):
        """GET a resource by its Href and return its root element."""
        return self._get_document(href)

    def stream(self, href, local_names, on_element):
        """GET a (large) collection and hand each element of ``local_names`` to ``on_element``."""
        self._request("GET", href, (200,), stream_to=_xml.ElementStream(href, local_names, on_element))

    def post_action(self, href):
        """POST an action link (no body). EM answers 202 with a Task."""
        response = self._request("POST", href, (202, 200, 201))
        return _xml.parse_document(response.body, href)

    # -- links -----------------------------------------------------------------------------------------
    def link(self, rel, link_type):
        """A link of the logon session (the user's map of the API), or None when the role lacks it."""
        return _xml.find_link(self.logon_session, rel, link_type)

    def query_href(self, query_type, query_filter=None, sort_desc=None, sort_asc=None, page_size=QUERY_PAGE_SIZE):
        # The query service is a search URL with parameters (em_api.md section 5); EM offers no link
        # that carries a filter, so this is the one place where a URL is composed.
        params = [("type", query_type), ("format", "Entities")]
        if query_filter:
            params.append(("filter", query_filter))
        if sort_desc:
            params.append(("sortDesc", sort_desc))
        if sort_asc:
            params.append(("sortAsc", sort_asc))
        params.append(("pageSize", str(page_size)))
        params.append(("page", "1"))
        query = "&".join("%s=%s" % (key, quote(value, safe="")) for key, value in params)
        return "%squery?%s" % (self.api_root, query)

    def iter_query(self, query_type, entity_name, query_filter=None, sort_desc=None, sort_asc=None,
                   page_size=QUERY_PAGE_SIZE):
        """Yield the entity elements of a query, page by page (following PagingInfo Next links).

        A generator, so that a caller who has what it needs stops before the next page is fetched.
        """
        href = self.query_href(query_type, query_filter, sort_desc, sort_asc, page_size)
        while href:
            root = self._get_document(href)
            for container_name in ("Entities", "Resources", "Refs"):
                container = _xml.child(root, container_name)
                if container is not None:
                    yield from _xml.descendants(container, entity_name)
            paging = _xml.child(root, "PagingInfo")
            nxt = _xml.find_link(paging, "Next") if paging is not None else None
            href = nxt["href"] if nxt else None

    def query(self, query_type, entity_name, query_filter=None, sort_desc=None, sort_asc=None, limit=None):
        """The entity elements of a query as a list (at most ``limit``; one small page when limit is small)."""
        page_size = min(limit, QUERY_PAGE_SIZE) if limit else QUERY_PAGE_SIZE
        found = []
        for element in self.iter_query(query_type, entity_name, query_filter, sort_desc, sort_asc, page_size):
            found.append(element)
            if limit is not None and len(found) >= limit:
                break
        return found


def _version_key(name):
    return [int(part) if part.isdigit() else 0 for part in re.findall(r"\d+", name or "")]
