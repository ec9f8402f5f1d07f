# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backup servers and repositories: the look-ups behind veeam_em_backup_server_info and veeam_em_repository_info.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Both come from the query service, filtered on the server (get_query_backupserver.md, get_query_repository.md),
so a look-up by name costs the same whatever the size of the infrastructure. security_roles_concept.md opens
both query types to the Portal User role.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._input_checks import refuse_empty
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_all, filter_any, iter_query
from ansible_collections.seedops.veeam_em.plugins.module_utils._resource import Resource
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml


def backup_server_to_dict(element):
    """A BackupServer entity (get_backupservers_id.md: Name, Description, Port Int64, Version)."""
    uid = element.get("UID")
    return {
        "id": _xml.id_from_uid(uid) or _xml.id_from_href(element.get("Href")),
        "uid": uid,
        "name": element.get("Name"),
        "description": _xml.child_text(element, "Description", ""),
        "port": _xml.to_int(_xml.child_text(element, "Port")),
        "version": _xml.child_text(element, "Version"),
        "href": element.get("Href"),
    }


def repository_to_dict(element):
    """A Repository entity (get_repositories_id.md: Capacity and FreeSpace Int64 bytes, Kind, the Up link)."""
    uid = element.get("UID")
    server = _xml.find_link(element, "Up", "BackupServerReference") or {}
    return {
        "id": _xml.id_from_uid(uid) or _xml.id_from_href(element.get("Href")),
        "uid": uid,
        "name": element.get("Name"),
        "kind": _xml.child_text(element, "Kind"),
        "capacity": _xml.to_int(_xml.child_text(element, "Capacity")),
        "free_space": _xml.to_int(_xml.child_text(element, "FreeSpace")),
        "backup_server": server.get("name"),
        "backup_server_id": _xml.id_from_href(server.get("href")),
        "href": element.get("Href"),
    }


def find_backup_servers(em, name=None):
    found = [Resource(element, backup_server_to_dict(element), keep_links=False)
             for element in iter_query(em, "BackupServer", "BackupServer", filter_any("Name", [name]) if name else None)]
    # The query service compares names without regard to case; server names are host names, so that is right.
    return [server for server in found if name is None or (server.name or "").lower() == name.lower()]


def find_repositories(em, name=None, backup_server=None):
    query_filter = filter_all(filter_any("Name", [name]) if name else None,
                              filter_any("BackupServerName", [backup_server]) if backup_server else None)
    found = [Resource(element, repository_to_dict(element), keep_links=False)
             for element in iter_query(em, "Repository", "Repository", query_filter)]
    return [repository for repository in found
            if (name is None or repository.name == name)
            and (backup_server is None or (repository.data["backup_server"] or "").lower() == backup_server.lower())]


def run_backup_server_info(module):
    """veeam_em_backup_server_info's one call."""
    params = module.params
    module.run(lambda em, dummy: dict(changed=False, backup_servers=[
        server.data for server in find_backup_servers(em, params["name"])]),
        prepare=lambda: refuse_empty((("name", params["name"], "backup server name"),)), always=dict(backup_servers=None))


def run_repository_info(module):
    """veeam_em_repository_info's one call."""
    params = module.params
    module.run(lambda em, dummy: dict(changed=False, repositories=[
        repository.data for repository in find_repositories(em, params["name"], params["backup_server"])]),
        prepare=lambda: refuse_empty((("name", params["name"], "repository name"),
                                      ("backup_server", params["backup_server"], "backup server name"))),
        always=dict(repositories=None))
