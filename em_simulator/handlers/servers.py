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


# ------------------------------------------------------------------ repositories
# repositories.md, repositories_id.md; security_roles_concept.md does not restrict /repositories for a
# Portal User (query type Repository is in its available list).

def _repository_list(app: "App", req: Request, repos: list) -> Response:
    if entity_format(req):
        # mapping_link_types_to_xml_schema.md: RepositoryList is <Repositories>.
        return xml(app, req, xmlout.wrap("Repositories", "".join(xmlout.repository_entity(r) for r in repos)))
    # get_repositories.md: <EntityReferences>.
    return xml(app, req, xmlout.wrap("EntityReferences", "".join(xmlout.repository_ref(r) for r in repos)))


def list_repositories(app: "App", req: Request) -> Response:
    return _repository_list(app, req, app.state.catalog.repositories)


def get_repository(app: "App", req: Request, repo_id: str) -> Response:
    repo = app.state.catalog.repository(repo_id)
    if repo is None:
        raise not_found("Repository", repo_id)
    if entity_format(req):
        return xml(app, req, xmlout.repository_entity(repo))
    return xml(app, req, xmlout.repository_ref(repo, "EntityRef"))


def server_repositories(app: "App", req: Request, server_id: str) -> Response:
    # The Down RepositoryReferenceList link of backupservers_id.md.
    catalog = app.state.catalog
    server = catalog.server(server_id)
    if server is None:
        raise not_found("Backup server", server_id)
    return _repository_list(app, req, [r for r in catalog.repositories if r.server is server])
