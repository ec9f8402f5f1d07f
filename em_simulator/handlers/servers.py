"""/api/backupServers (em_api.md §9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import Request, Response
from .common import access_denied, entity_format, not_found, xml

if TYPE_CHECKING:
    from ..app import App


def list_servers(app: "App", req: Request) -> Response:
    servers = app.state.catalog.servers
    if entity_format(req):
        return xml(app, req, xmlout.wrap("BackupServers", "".join(xmlout.server_entity(s) for s in servers)))
    return xml(app, req, xmlout.wrap("EntityReferences", "".join(xmlout.server_ref(s) for s in servers)))


def get_server(app: "App", req: Request, server_id: str) -> Response:
    server = app.state.catalog.server(server_id)
    if server is None:
        raise not_found("Backup server", server_id)
    if entity_format(req):
        return xml(app, req, xmlout.server_entity(server))
    return xml(app, req, xmlout.server_ref(server, "EntityRef"))


def server_jobs(app: "App", req: Request, server_id: str) -> Response:
    catalog = app.state.catalog
    server = catalog.server(server_id)
    if server is None:
        raise not_found("Backup server", server_id)
    assert req.logon is not None
    if not app.state.is_admin(req.logon):
        raise access_denied()
    jobs = catalog.jobs_by_server.get(server.id, [])
    if entity_format(req):
        return xml(app, req, xmlout.wrap("Jobs", "".join(j.entity_xml for j in jobs)))
    return xml(app, req, xmlout.wrap("EntityReferences", "".join(xmlout.job_ref(j) for j in jobs)))
