# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backup servers and repositories (_infrastructure): one filtered query, exact matching, typed sizes."""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._infrastructure import find_backup_servers, find_repositories
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get

SERVER_UID = "urn:veeam:BackupServer:" + em_xml.SERVER_GUID
REPO_GUID = "bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6"


def server(name=em_xml.SERVER_NAME, port="9392", version="13.0.1.1071"):
    return ('<BackupServer Type="BackupServer" Href="%sbackupServers/%s?format=Entity" Name="%s" UID="%s">'
            "<Description>Main site</Description><Port>%s</Port><Version>%s</Version></BackupServer>"
            % (em_xml.API, em_xml.SERVER_GUID, name, SERVER_UID, port, version))


def repository(name="Backup Volume 01", capacity="107374182400", free="53687091200"):
    return ('<Repository Type="Repository" Href="%srepositories/%s?format=Entity" Name="%s" '
            'UID="urn:veeam:Repository:%s"><Links><Link Rel="Up" Type="BackupServerReference" Name="%s" '
            'Href="%sbackupServers/%s" /></Links><Capacity>%s</Capacity><FreeSpace>%s</FreeSpace><Kind>WindowsLocal'
            "</Kind></Repository>" % (em_xml.API, REPO_GUID, name, REPO_GUID, em_xml.SERVER_NAME, em_xml.API,
                                      em_xml.SERVER_GUID, capacity, free))


def test_backup_servers_by_name_are_one_filtered_query(em, http):
    http.expect(api_get(em_xml.query_url("BackupServer", 'Name=="SRV12.tech.local"')).reply(
        200, em_xml.query_result([server()], "BackupServers")))
    found = find_backup_servers(em, "SRV12.tech.local")
    assert [item.data for item in found] == [{
        "id": em_xml.SERVER_GUID, "uid": SERVER_UID, "name": em_xml.SERVER_NAME, "description": "Main site",
        "port": 9392, "version": "13.0.1.1071",
        "href": "%sbackupServers/%s?format=Entity" % (em_xml.API, em_xml.SERVER_GUID)}]


def test_repositories_have_sizes_in_bytes_and_their_backup_server(em, http):
    http.expect(api_get(em_xml.query_url("Repository", 'BackupServerName=="%s"' % em_xml.SERVER_NAME)).reply(
        200, em_xml.query_result([repository(), repository(name="backup volume 01")], "Repositories")))
    found = find_repositories(em, backup_server=em_xml.SERVER_NAME)
    assert [(item.name, item.data["capacity"], item.data["free_space"], item.data["kind"], item.data["backup_server"])
            for item in found] == [("Backup Volume 01", 107374182400, 53687091200, "WindowsLocal", em_xml.SERVER_NAME),
                                   ("backup volume 01", 107374182400, 53687091200, "WindowsLocal", em_xml.SERVER_NAME)]


def test_a_repository_name_matches_exactly_after_the_servers_case_insensitive_filter(em, http):
    http.expect(api_get(em_xml.query_url("Repository", 'Name=="Backup Volume 01"')).reply(
        200, em_xml.query_result([repository(), repository(name="backup volume 01")], "Repositories")))
    assert [item.name for item in find_repositories(em, name="Backup Volume 01")] == ["Backup Volume 01"]
