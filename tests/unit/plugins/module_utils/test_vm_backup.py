# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quick backup of one VM (_vm_backup): the look-up a Portal User may do, the checks, one POST with the spec."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAmbiguousError,
    VeeamEmError,
    VeeamEmInputError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._vm_backup import VmBackup
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

ROOT_GUID = "0d7ea80c-6ac8-46bf-863c-3a6093f8baec"
ROOT_UID = "urn:veeam:HierarchyRoot:" + ROOT_GUID
VM_REF = "urn:VMware:Vm:%s.vm-80225" % ROOT_GUID
SERVER_HREF = em_xml.API + "backupServers/" + em_xml.SERVER_GUID
RUN = "d34e76fb-86d6-41e9-b84f-88a87b52e07a"


def roots():
    root = ('<HierarchyRoot Type="HierarchyRoot" Href="%shierarchyRoots/%s?format=Entity" Name="vc01" UID="%s"><Links>'
            '<Link Rel="Up" Type="BackupServerReference" Href="%s" Name="%s" /></Links><HierarchyRootId>%s'
            "</HierarchyRootId><HostType>VC</HostType></HierarchyRoot>"
            % (em_xml.API, ROOT_GUID, ROOT_UID, SERVER_HREF, em_xml.SERVER_NAME, ROOT_GUID))
    return api_get(em_xml.query_url("HierarchyRoot")).reply(200, em_xml.query_result([root], "HierarchyRoots"))


def lookup(*items):
    body = em_xml.document('<HierarchyItems xmlns="%s">%s</HierarchyItems>' % (em_xml.NAMESPACE, "".join(
        '<HierarchyItem Type="HierarchyItem"><ObjectRef>%s</ObjectRef><ObjectType>Vm</ObjectType><ObjectName>%s'
        "</ObjectName></HierarchyItem>" % (ref, name) for ref, name in items)))
    return api_get(em_xml.API + "lookup?host=%s&name=web01&type=Vm" % ROOT_UID.replace(":", "%3A")).reply(200, body)


def in_job(found=True):
    return api_get(em_xml.query_url("ObjectInJob", 'Name=="web01";BackupServerName=="%s"' % em_xml.SERVER_NAME,
                                    page_size=1)).reply(200, em_xml.query_result(
                                        ['<ObjectInJob Type="ObjectInJob"><Name>web01</Name></ObjectInJob>'] if found else [],
                                        "ObjectsInJob"))


def server_entity(quick_backup_link=True):
    link = '<Link Rel="QuickBackup" Href="%s?action=quickbackup" />' % SERVER_HREF if quick_backup_link else ""
    server = ('<BackupServer Type="BackupServer" Href="%s?format=Entity" Name="%s" UID="urn:veeam:BackupServer:%s">'
              '<Links><Link Rel="Alternate" Type="BackupServerReference" Href="%s" />%s</Links><Port>9392</Port>'
              "</BackupServer>" % (SERVER_HREF, em_xml.SERVER_NAME, em_xml.SERVER_GUID, SERVER_HREF, link))
    return api_get(em_xml.query_url("BackupServer", 'Name=="%s"' % em_xml.SERVER_NAME)).reply(
        200, em_xml.query_result([server], "BackupServers"))


def quick_backup():
    spec = ('<?xml version="1.0" encoding="utf-8"?>\n<QuickBackupStartupSpec xmlns="http://www.veeam.com/ent/v1.0">'
            "<VmRef>%s</VmRef></QuickBackupStartupSpec>" % VM_REF).encode()
    return api_post(SERVER_HREF + "?action=quickbackup").expect(
        lambda sent: sent.kwargs.get("data") == spec and sent.headers.get("Content-Type") == "application/xml",
        "the QuickBackupStartupSpec body").reply(202, em_xml.task_doc(operation="QuickBackup"))


def run(em, warnings, check_mode=False, **wait):
    return VmBackup(em, "web01", None, WaitOptions(**wait), _clock.now(), check_mode=check_mode,
                    warn=warnings.append).run()


def test_a_quick_backup_is_one_post_with_the_vm_reference_and_is_followed_to_its_session(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01"), ("urn:VMware:Vm:x.vm-1", "web01-old")), in_job(), server_entity(),
                quick_backup(),
                api_get(em_xml.task_href()).reply(200, em_xml.task_doc(state="Finished", operation="QuickBackup",
                                                                       success=True, message="Ok",
                                                                       related=em_xml.session_href(RUN))),
                api_get(em_xml.session_href(RUN)).reply(200, em_xml.job_session_doc(RUN, state="Stopped")))
    result = run(em, warnings, wait_for="completion")
    assert result["changed"] is True
    assert result["vm"] == {"name": "web01", "hierarchy_ref": VM_REF, "backup_server": em_xml.SERVER_NAME}
    assert (result["task"]["operation"], result["session"]["result"]) == ("QuickBackup", "Success")
    assert "job" not in result


def test_a_portal_user_is_checked_through_the_restore_points(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01")),
                api_get(em_xml.query_url("ObjectInJob", 'Name=="web01";BackupServerName=="%s"' % em_xml.SERVER_NAME,
                                         page_size=1)).reply(403, em_xml.error("Access denied.", 403)),
                api_get(em_xml.query_url("VmRestorePoint", 'VmDisplayName=="web01";BackupServerName=="%s"'
                                         % em_xml.SERVER_NAME, page_size=1)).reply(200, em_xml.query_result(
                                             ['<VmRestorePoint Type="VmRestorePoint" VmDisplayName="web01" />'],
                                             "VmRestorePoints")))
    result = run(em, warnings, check_mode=True)
    assert result["changed"] is True and "check mode: nothing was sent" in result["msg"]


def test_a_vm_that_no_job_processes_fails_clearly_and_nothing_is_sent(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01")), in_job(found=False),
                api_get(em_xml.query_url("VmRestorePoint", 'VmDisplayName=="web01";BackupServerName=="%s"'
                                         % em_xml.SERVER_NAME, page_size=1)).reply(200, em_xml.empty_page("VmRestorePoints")))
    with pytest.raises(VeeamEmInputError, match="Quick backup needs a job that processes the VM"):
        run(em, warnings)
    assert http.methods.count("POST") == 1


def test_a_name_that_matches_several_vms_fails_listing_them(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01"), ("urn:VMware:Vm:%s.vm-99" % ROOT_GUID, "web01")))
    with pytest.raises(VeeamEmAmbiguousError) as caught:
        run(em, warnings)
    assert VM_REF in str(caught.value) and "Set backup_server" in str(caught.value)
    assert caught.value.result["vm"] is None


def test_a_lost_answer_cannot_be_reconciled_so_it_fails_as_changed(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01")), in_job(), server_entity(),
                api_post(SERVER_HREF + "?action=quickbackup").reply(503, b""))
    with pytest.raises(VeeamEmError) as caught:
        run(em, warnings)
    assert caught.value.result["changed"] is True
    assert "may have taken effect" in str(caught.value)
    assert http.methods.count("POST") == 2


def test_the_post_goes_to_the_servers_quick_backup_link_and_without_one_nothing_is_sent(em, http, warnings):
    http.expect(roots(), lookup((VM_REF, "web01")), in_job(), server_entity(quick_backup_link=False))
    with pytest.raises(VeeamEmError, match="no QuickBackup link") as caught:
        run(em, warnings)
    assert caught.value.result["changed"] is False
    assert http.methods.count("POST") == 1
