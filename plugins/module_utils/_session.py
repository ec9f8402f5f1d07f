# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Enterprise Manager logon sessions: logon, the token, re-logon after expiry, logoff, and authenticated requests.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

``EmSession`` is a context manager: it logs on at enter and logs off through the LogonSession's Delete
link at exit, on every path. It owns the session token and hands it to the transport with each request.
Apart from the entry point ``/api/`` and the query service (``_query``), every URL comes from a link in a
response.
"""

from __future__ import annotations

import re

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAuthenticationError,
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmInputError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._transport import SESSION_HEADER, Transport
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import normalize_url, rebase
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

# The REST API versions a user may pin (em_api.md section 1); "latest" takes the newest the server offers.
API_VERSIONS = ("latest", "v1_5", "v1_6", "v1_7")


class EmSession(object):
    """A logged-on Enterprise Manager session. Use as ``with EmSession(...) as em:``.

    ``generation`` counts the logons of this object: it changes when an expired session was renewed, which
    is how a caller learns that objects scoped to the old logon session (its tasks) are gone.
    """

    def __init__(self, url, username, password, api_version="latest", validate_certs=True, ca_path=None,
                 request_timeout=60.0, warn=None, transport=None, capture=None):
        self.api_root = normalize_url(url)
        self.username = username
        self._password = password
        self.api_version = api_version
        self.transport = transport or Transport(validate_certs=validate_certs, ca_path=ca_path,
                                                request_timeout=request_timeout, origin=self.api_root, capture=capture)
        self._warn = warn or (lambda message: None)
        self._token = None
        self._delete_href = None
        self.logon_session = None
        self.session_id = None
        self.generation = 0
        self.logoffs = 0

    @property
    def logged_on(self):
        return self._token is not None

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
        entry = _xml.parse_document(self.transport.request("GET", self.api_root).body, self.api_root)
        create_href = rebase(self.api_root, self._logon_href(entry))
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
        self._token = token
        # Logged on from here: whatever fails below must still log off, so remember the Delete link first.
        root = _xml.parse_document(response.body, create_href)
        self.logon_session = root
        self.session_id = _xml.child_text(root, "SessionId")
        delete = _xml.find_link(root, "Delete")
        delete_href = delete["href"] if delete else root.get("Href")
        self._delete_href = rebase(self.api_root, delete_href) if delete_href else None
        self.generation += 1
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
        if not self._token:
            return
        href = self._delete_href
        try:
            if href:
                self.transport.request("DELETE", href, expected=(204, 200), token=self._token)
                self.logoffs += 1
            else:
                self._warn("Enterprise Manager gave no logoff link; the session will expire after 15 idle minutes.")
        except VeeamEmError as exc:
            self._warn("Logging off from Enterprise Manager failed (the session will expire after 15 idle "
                       "minutes): %s" % exc)
        finally:
            self._token = None
            self._delete_href = None

    def _relogon(self):
        # A 401 on a live session usually means that EM expired it (15 idle minutes, em_api.md section 2),
        # but not always (a service restart, a proxy). Delete it with its own token before logging on again:
        # deleting it with the new token would be refused and leave it live on the server.
        old_token, old_delete = self._token, self._delete_href
        self._token = None
        if old_delete:
            try:
                self.transport.request("DELETE", old_delete, expected=(204, 200, 401, 404), token=old_token)
            except VeeamEmError:
                pass
        self.logon()

    # -- requests --------------------------------------------------------------------------------------
    def _request(self, method, href, expected, stream_to=None, body=None):
        href = rebase(self.api_root, href)
        try:
            return self.transport.request(method, href, expected=expected, token=self._token, stream_to=stream_to,
                                          body=body)
        except VeeamEmAuthenticationError:
            if self.logon_session is None:
                raise
            # Log on again once and repeat: a 401 means the request was refused before it did anything,
            # POSTs included.
            self._relogon()
            return self.transport.request(method, href, expected=expected, token=self._token, stream_to=stream_to,
                                          body=body)

    def get(self, href):
        """GET a resource by its Href and return its root element."""
        response = self._request("GET", href, (200,))
        return _xml.parse_document(response.body, response.url)

    def stream(self, href, local_names, on_element):
        """GET a (large) collection and hand each element of ``local_names`` to ``on_element``."""
        self._request("GET", href, (200,), stream_to=_xml.ElementStream(href, local_names, on_element))

    def post_action(self, href, body=None):
        """POST an action link (with an XML ``body`` where the action takes one). EM answers 202 with a Task."""
        response = self._request("POST", href, (202, 200, 201), body=body)
        return _xml.parse_document(response.body, response.url)

    # -- links -----------------------------------------------------------------------------------------
    def link(self, rel, link_type):
        """A link of the logon session (the user's map of the API), or None when the role lacks it."""
        return _xml.find_link(self.logon_session, rel, link_type)


def _version_key(name):
    return [int(part) if part.isdigit() else 0 for part in re.findall(r"\d+", name or "")]
