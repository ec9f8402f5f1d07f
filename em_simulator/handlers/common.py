"""Helpers shared by the EM endpoint handlers."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Callable, Iterable

from .. import xmlout
from ..clock import fmt_utc
from ..httpio import HttpError, Request, Response
from ..model import JobSession, SessionStatus
from ..protection_xml import restore_point_label

if TYPE_CHECKING:
    from ..app import App

XML_TYPE = "application/xml; charset=utf-8"
# em_api.md §2: 401 answers carry this challenge.
WWW_AUTHENTICATE = ("WWW-Authenticate", "Basic Realm=RestSvc")


def render(app: "App", req: Request, element: str) -> bytes:
    s = app.state.settings
    doc = xmlout.document(element, declaration=s["xml_declaration"], xsi=s["xsi_namespaces"])
    return doc.replace(xmlout.BASE, xmlout.href(req.link_base or req.base)).encode("utf-8")


def xml(app: "App", req: Request, element: str, status: int = 200,
        headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, render(app, req, element), XML_TYPE, list(headers))


def cached_list(app: "App", req: Request, key: str, tag: str,
                items: Callable[[], Iterable[str]]) -> Response:
    """A big list document, rendered once per base URL until a job changes."""
    s = app.state.settings
    full_key = f"{key}|{s['xml_declaration']}|{s['xsi_namespaces']}"

    def doc() -> str:
        return xmlout.document_list(tag, items(), declaration=s["xml_declaration"], xsi=s["xsi_namespaces"])
    return Response(200, app.state.catalog.cached(full_key, xmlout.href(req.link_base or req.base), doc), XML_TYPE)


def error(app: "App", req: Request, status: int, message: str,
          headers: Iterable[tuple[str, str]] = ()) -> Response:
    return xml(app, req, xmlout.error(status, message), status, headers)


def entity_format(req: Request) -> bool:
    """?format=Entity selects the entity representation (em_api.md §4)."""
    return req.query.get("format", "").lower() == "entity"


def not_found(kind: str, ident: str) -> HttpError:
    # Guess (unknown #2): the wording of a 404 Message.
    return HttpError(404, f"{kind} with id '{ident}' was not found.")


def access_denied() -> HttpError:
    # em_api.md §3: the docs only call it "the Access denied error" (unknown #2).
    return HttpError(403, "Access denied.")


def _own_collection(app: "App") -> bool:
    return app.state.settings["session_job_link"] == "kind"


def session_entity(app: "App", s: JobSession, now: float) -> str:
    st = s.status(now)
    if not app.state.settings["session_failure_message"] and st.failure_message:
        # Setting session_failure_message false: FailureMessage empty, as captured v12 sessions show it
        # (the reasons stay in the task sessions).
        st = dataclasses.replace(st, failure_message="")
    clock = app.state.clock
    end = fmt_utc(clock.utc(st.end_m)) if st.end_m is not None else None
    return xmlout.session_entity(s, st, fmt_utc(clock.utc(s.start_m)), end, _own_collection(app),
                                 _restore_point_of(app, s, st, now))


def _restore_point_of(app: "App", s: JobSession, st: "SessionStatus", now: float) -> tuple[str, str] | None:
    """(id, name) of the restore point a finished VM backup run made, for its Related link."""
    if s.is_replica or st.state != "Stopped" or st.result not in ("Success", "Warning"):
        return None
    protection = app.state.protection
    points = protection.points_of_tasks(protection.tasks_of(s), now)
    if not points:
        return None
    return points[0].restore_point_id, restore_point_label(app.state.clock.wall(protection.point_time(points[0], now)))


def session_ref(app: "App", s: JobSession, tag: str = "Ref") -> str:
    return xmlout.session_ref(s, tag, _own_collection(app))


def session_list_body(app: "App", req: Request, sessions: list, kind: str, now: float) -> str:
    """A list of job sessions: entities with ?format=Entity, else EntityReferences (em_api.md 8)."""
    if entity_format(req):
        plural = "ReplicaJobSessions" if kind == "replica" else "BackupJobSessions"
        return xmlout.wrap(plural, "".join(session_entity(app, s, now) for s in sessions))
    return xmlout.wrap("EntityReferences", "".join(session_ref(app, s) for s in sessions))
