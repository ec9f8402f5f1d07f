"""Plain HTTP helpers for the simulator's own tests: a verified session, a logged-on session, parsing."""

from __future__ import annotations

import requests
from lxml import etree

ADMIN = ("admin", "Secr3t&P@ss:word")


def plain(sim) -> requests.Session:
    http = requests.Session()
    http.verify = sim.ca_path
    # REQUESTS_CA_BUNDLE in the environment would override Session.verify.
    http.trust_env = False
    return http


def logon(sim, auth=ADMIN) -> requests.Session:
    """A session logged on to the simulator; its logoff URL is in ``http.logon_href``."""
    http = plain(sim)
    resp = http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=auth)
    assert resp.status_code == 201, resp.text
    http.headers["X-RestSvcSessionId"] = resp.headers["X-RestSvcSessionId"]
    http.logon_href = resp.headers["Location"]  # type: ignore[attr-defined]
    return http


def xml(resp: requests.Response, ok=(200,)) -> etree._Element:
    assert resp.status_code in ok, resp.text
    return etree.fromstring(resp.content)
