"""Entry point, logon, logon sessions and logoff (em_api.md §1 and §2)."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import HttpError, Request, Response
from .common import WWW_AUTHENTICATE, render, xml

if TYPE_CHECKING:
    from ..app import App

_VERSIONS = {"latest", *xmlout.SUPPORTED_VERSIONS}


def entry_point(app: "App", req: Request) -> Response:
    return xml(app, req, xmlout.enterprise_manager())


def _credentials(req: Request) -> tuple[str, str] | None:
    header = req.headers.get("Authorization") or ""
    scheme, _space, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    # RFC 7617: the user-id cannot contain a colon, the password may; split at the first.
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def logon(app: "App", req: Request) -> Response:
    state = app.state
    version = req.query.get("v")
    if version is None and not state.settings["logon_without_version_ok"]:
        version = ""
    if version is not None and version.lower() not in _VERSIONS:
        # Guess (unknown #3): status and text for an unsupported API version.
        raise HttpError(state.settings["unsupported_version_status"],
                        f"API version '{version}' is not supported. Supported versions: "
                        f"{', '.join(xmlout.SUPPORTED_VERSIONS)} and latest.")
    creds = _credentials(req)
    user = state.check_credentials(*creds) if creds else None
    if user is None:
        state.counters.bump("failed_logons")
        # Guess (unknown #2): the 401 Message text.
        raise HttpError(401, "Authentication failed: the user name or password is incorrect.",
                        [WWW_AUTHENTICATE])
    ls = state.logon(user)
    body = xmlout.logon_session(ls.session_id, ls.user, state.is_admin(ls))
    location = f"{req.base}/api/logonSessions/{ls.session_id}"
    headers = [("X-RestSvcSessionId", ls.token)]
    if state.settings["logon_cookie"]:
        # http_authentication.md: the cookie is set with Path=/api.
        headers.append(("Set-Cookie", f"X-RestSvcSessionId={ls.token}; Path=/api;"))
    headers.append(("Location", location))
    return Response(201, render(app, req, body), headers=headers)


def list_sessions(app: "App", req: Request) -> Response:
    items = "".join(xmlout.logon_session(ls.session_id, ls.user, app.state.is_admin(ls))
                    for ls in app.state.live_logons())
    return xml(app, req, xmlout.wrap("LogonSessions", items))


def get_session(app: "App", req: Request, session_id: str) -> Response:
    for ls in app.state.live_logons():
        if ls.session_id == session_id.lower():
            return xml(app, req, xmlout.logon_session(ls.session_id, ls.user, app.state.is_admin(ls)))
    raise HttpError(404, f"Logon session with id '{session_id}' was not found.")


def logoff(app: "App", req: Request, session_id: str) -> Response:
    assert req.logon is not None
    # em_api.md §2: the path id is the SessionId GUID, and only the caller's own
    # session can be closed this way (guess: any other id is "not found").
    if not app.state.logoff(req.logon, session_id):
        raise HttpError(404, f"Logon session with id '{session_id}' was not found.")
    return Response(204, b"", None)
