# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VM restore points (_restore_points): names OR-ed in chunks, exact matching, newest and age per VM."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._restore_points import check_options, read_restore_points
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get

NOW = datetime.datetime(2026, 12, 1, 6, 0, 0, tzinfo=datetime.timezone.utc)


def point(guid, vm, created):
    return ('<VmRestorePoint Type="VmRestorePoint" Href="%svmRestorePoints/%s?format=Entity" Name="%s@%s" '
            'UID="urn:veeam:VmRestorePoint:%s" VmDisplayName="%s"><Links><Link Rel="Up" Type="BackupServerReference" '
            'Href="%sbackupServers/%s" Name="%s" /><Link Rel="Up" Type="RestorePointReference" '
            'Href="%srestorePoints/6f30b893-7103-4925-bef0-48ca943ae6b6" Name="Nov 30 2026 10:44PM" /></Links>'
            "<CreationTimeUTC>%s</CreationTimeUTC><Algorithm>Incremental</Algorithm><PointType>Increment</PointType>"
            "</VmRestorePoint>" % (em_xml.API, guid, vm, created, guid, vm, em_xml.API, em_xml.SERVER_GUID,
                                   em_xml.SERVER_NAME, em_xml.API, created))


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(_clock, "utc_now", lambda: NOW)


def names_filter(names):
    terms = ['VmDisplayName=="%s"' % name for name in names]
    return terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)


def test_newest_and_age_per_vm_and_a_vm_without_points_is_not_a_failure(em, http):
    points = [point("11111111-0000-4000-8000-000000000001", "web01", "2026-12-01T05:00:00Z"),
              point("11111111-0000-4000-8000-000000000002", "WEB01", "2026-12-01T04:00:00Z"),
              point("11111111-0000-4000-8000-000000000003", "web01", "2026-11-30T05:00:00Z")]
    http.expect(api_get(em_xml.query_url("VmRestorePoint", names_filter(["web01", "web02"]), sort_desc="CreationTime"))
                .reply(200, em_xml.query_result(points, "VmRestorePoints")))
    result = read_restore_points(em, ["web01", "web02"])
    summary = [(vm["name"], vm["count"], vm["age_seconds"]) for vm in result["vms"]]
    assert summary == [("web01", 2, 3600), ("web02", 0, None)]
    assert result["vms"][1]["newest"] is None
    assert result["vms"][0]["newest"]["point_type"] == "Increment"
    assert [rp["creation_time"] for rp in result["restore_points"]] == ["2026-12-01T05:00:00Z", "2026-11-30T05:00:00Z"]


def test_500_names_cost_one_query_per_40_names_not_one_per_vm(em, http):
    names = ["vm%03d" % number for number in range(500)]
    http.expect([api_get(em_xml.query_url("VmRestorePoint", names_filter(names[start:start + 40]),
                                          sort_desc="CreationTime")).reply(200, em_xml.empty_page("VmRestorePoints"))
                 for start in range(0, 500, 40)])
    result = read_restore_points(em, names)
    assert len(result["vms"]) == 500
    assert len(http.sent) == 2 + 13


def test_newest_only_keeps_one_point_per_vm(em, http):
    http.expect(api_get(em_xml.query_url("VmRestorePoint", names_filter(["web01"]), sort_desc="CreationTime")).reply(
        200, em_xml.query_result([point("11111111-0000-4000-8000-000000000001", "web01", "2026-12-01T05:00:00Z"),
                                  point("11111111-0000-4000-8000-000000000003", "web01", "2026-11-30T05:00:00Z")],
                                 "VmRestorePoints")))
    assert len(read_restore_points(em, ["web01"], newest_only=True)["restore_points"]) == 1


@pytest.mark.parametrize("names, text", [([], "at least one VM name"), (["web01", " "], "vm_name is empty")])
def test_bad_names_are_refused(names, text):
    with pytest.raises(VeeamEmInputError, match=text):
        read_restore_points(None, names)


def test_a_point_without_vm_display_name_is_matched_by_the_name_before_the_at_sign(em, http):
    # vmrestorepoints_id.md writes no VmDisplayName attribute; its Name is "<vm>@<time>".
    bare = point("11111111-0000-4000-8000-000000000004", "web01", "2026-12-01T05:00:00Z").replace(' VmDisplayName="web01"', "")
    http.expect(api_get(em_xml.query_url("VmRestorePoint", names_filter(["web01"]), sort_desc="CreationTime"))
                .reply(200, em_xml.query_result([bare], "VmRestorePoints")))
    result = read_restore_points(em, ["web01"])
    assert result["vms"][0]["count"] == 1 and result["restore_points"][0]["vm_name"] == "web01"


def test_an_empty_vm_name_is_refused_without_suggesting_to_leave_out_the_required_option():
    with pytest.raises(VeeamEmInputError) as caught:
        check_options(["web01", " "])
    assert str(caught.value) == ("vm_name is empty (only white space): give the exact VM name (an empty value would "
                                 "match everything).")
    with pytest.raises(VeeamEmInputError) as caught:
        check_options(["web01"], backup_server="")
    assert "backup_server is empty: give the exact backup server name, or leave the option out" in str(caught.value)
