# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's ``url`` option turned into the API root, and URLs made safe to show.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError

DEFAULT_PORT = 9398


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
        raise VeeamEmInputError("url %r is not a valid URL (%s)." % (strip_userinfo(url), exc))
    # Plain http would send the password in clear text; EM's API has been HTTPS-only since v1_5.
    if parts.scheme != "https":
        raise VeeamEmInputError("url %r: the scheme must be https (Enterprise Manager's REST API listens on "
                                "https://HOST:9398)." % strip_userinfo(url))
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


def strip_userinfo(url):
    return re.sub(r"//[^/]*@", "//", url or "")
