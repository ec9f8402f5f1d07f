# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's ``url`` option turned into the API root; links re-based onto it; values made safe to show.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The link rule (docs/docsite/rst/guide_connecting.rst, "Which address the modules use"): the client trusts a link
from Enterprise Manager for its path and query only. Every link it follows is re-based onto the scheme, host
and port of the configured ``url`` before a request is sent, so the password and the session token go to
that origin only, and only over https, whatever host or scheme EM (or a TLS-offloading proxy in front of
it) writes into its links; and a user who connects through an alias, an IP or a NAT address can follow
links that name a host they cannot resolve.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError

DEFAULT_PORT = 9398
# How much of a user's value a message repeats: a 100,000-character name must not become the message.
ECHO_LIMIT = 200


def normalize_url(url):
    """Turn the user's ``url`` into the API root ``https://host:port/api/``.

    Accepts a bare host (``em01``), host:port, and a trailing ``/api`` or ``/api/``. Refuses anything that
    would be silently wrong: credentials in the URL, another path, a query string or an unknown scheme.
    """
    text = (url or "").strip()
    shown = shorten(strip_userinfo(url))
    if not text:
        raise VeeamEmInputError("url is empty: give the Enterprise Manager address, e.g. https://em01.example.com:9398")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise VeeamEmInputError("url %r is not a valid URL (%s)." % (shown, exc))
    # Plain http would send the password in clear text; EM's API has been HTTPS-only since v1_5.
    if parts.scheme != "https":
        raise VeeamEmInputError("url %r: the scheme must be https (Enterprise Manager's REST API listens on "
                                "https://HOST:9398)." % shown)
    if parts.username or parts.password or "@" in parts.netloc:
        raise VeeamEmInputError("url must not contain credentials; pass them as username and password "
                                "(the password option is never logged).")
    host = parts.hostname
    if not host:
        raise VeeamEmInputError("url %r has no host name." % shown)
    if any(char.isspace() for char in parts.netloc):
        raise VeeamEmInputError("url %r has white space in its host name; give the host name or address alone, "
                                "e.g. https://em01.example.com:9398." % shown)
    if port == 0:
        raise VeeamEmInputError("url %r has port 0, which no server listens on; Enterprise Manager's REST API "
                                "listens on port %d unless it was changed." % (shown, DEFAULT_PORT))
    if parts.query or parts.fragment:
        raise VeeamEmInputError("url %r must not have a query string or fragment; give only "
                                "https://HOST:PORT." % shown)
    path = parts.path.rstrip("/")
    if path not in ("", "/api"):
        raise VeeamEmInputError("url %r has the path %r; give only the server, e.g. https://%s:%d (the API "
                                "root /api/ is found from there)." % (shown, shorten(parts.path), host,
                                                                      port or DEFAULT_PORT))
    netloc = parts.netloc
    if port is None:
        netloc = "%s:%d" % (netloc, DEFAULT_PORT)
    return urlunsplit((parts.scheme, netloc, "/api/", "", ""))


def strip_userinfo(url):
    return re.sub(r"//[^/]*@", "//", url or "")


def rebase(api_root, href):
    """``href`` with the scheme, host and port of ``api_root``: EM's path and query, our origin (the link rule)."""
    parts = urlsplit(urljoin(api_root, href))
    root = urlsplit(api_root)
    return urlunsplit((root.scheme, root.netloc, parts.path, parts.query, ""))


def shorten(text, limit=ECHO_LIMIT):
    """At most ``limit`` characters of ``text``, marked when cut."""
    text = "%s" % (text,)
    return text if len(text) <= limit else "%s...(%d characters)" % (text[:limit], len(text))
