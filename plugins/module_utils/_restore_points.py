# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VM restore points: the logic behind veeam_em_restore_point_info.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

One query type answers (get_query_vmrestorepoint.md: VmDisplayName, BackupServerName, CreationTime), newest first.
The requested VM names are OR-ed in chunks of NAMES_PER_QUERY, so 500 names cost a dozen queries plus the pages
of matching points, never one query per VM. security_roles_concept.md opens VmRestorePoint to the Portal User.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._input_checks import refuse_empty
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_all, filter_any, iter_query
from ansible_collections.seedops.veeam_em.plugins.module_utils._times import parse_since, quote_time
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

# VM names OR-ed in one query: a name term is ~30-80 bytes, so 40 keep the URL well under common 8 KiB limits.
NAMES_PER_QUERY = 40


def vm_name_of(element):
    """The VM's name: scenario_vm_restore.md writes a VmDisplayName attribute, vmrestorepoints_id.md does not (its
    parameter table lists a VmName element), and both name the point "<vm>@<yyyy-MM-dd HH:mm:ss>"."""
    name = element.get("VmDisplayName") or _xml.child_text(element, "VmName")
    if not name and "@" in (element.get("Name") or ""):
        name = element.get("Name").rpartition("@")[0]
    return name or None


def restore_point_to_dict(element):
    """A VmRestorePoint (scenario_vm_restore.md, vmrestorepoints_id.md: CreationTimeUTC, Algorithm, PointType, Up links)."""
    uid = element.get("UID")
    server = _xml.find_link(element, "Up", "BackupServerReference") or {}
    point = _xml.find_link(element, "Up", "RestorePointReference") or {}
    return {
        "id": _xml.id_from_uid(uid) or _xml.id_from_href(element.get("Href")),
        "uid": uid,
        "name": element.get("Name"),
        "vm_name": vm_name_of(element),
        "creation_time": _xml.utc_time(_xml.child_text(element, "CreationTimeUTC")),
        "point_type": _xml.child_text(element, "PointType"),
        "algorithm": _xml.child_text(element, "Algorithm"),
        "backup_server": server.get("name"),
        "restore_point": point.get("name"),
        "restore_point_id": _xml.id_from_href(point.get("href")),
        "href": element.get("Href"),
    }


def check_options(vm_names, backup_server=None, since=None):
    """The VM names without repeats and the parsed ``since``, or a VeeamEmInputError before anything is sent."""
    if not vm_names:
        raise VeeamEmInputError("vm_name needs at least one VM name.")
    refuse_empty([("vm_name", name, "VM name") for name in vm_names] +
                 [("backup_server", backup_server, "backup server name")], required=("vm_name",))
    return list(dict.fromkeys(vm_names)), parse_since(since)


def read_restore_points(em, vm_names, backup_server=None, newest_only=False, since=None):
    wanted, since = check_options(vm_names, backup_server, since)
    points = []
    wanted_set = set(wanted)
    for start in range(0, len(wanted), NAMES_PER_QUERY):
        query_filter = filter_all(
            filter_any("VmDisplayName", wanted[start:start + NAMES_PER_QUERY]),
            filter_any("BackupServerName", [backup_server]) if backup_server else None,
            "CreationTime>=%s" % quote_time(since) if since else None)
        for element in iter_query(em, "VmRestorePoint", "VmRestorePoint", query_filter, sort_desc="CreationTime"):
            point = restore_point_to_dict(element)
            # The query service compares names case-insensitively; VM names are matched exactly here.
            same_server = backup_server is None or (point["backup_server"] or "").lower() == backup_server.lower()
            if point["vm_name"] in wanted_set and same_server:
                points.append(point)
    points.sort(key=lambda point: point["creation_time"] or "", reverse=True)
    now = _clock.utc_now()
    by_vm = {}
    for point in points:
        by_vm.setdefault(point["vm_name"], []).append(point)
    vms = []
    for name in wanted:
        mine = by_vm.get(name, [])
        newest = mine[0] if mine else None
        vms.append(dict(name=name, newest=newest, count=len(mine),
                        age_seconds=_age(now, newest["creation_time"]) if newest else None))
    if newest_only:
        points = [vm["newest"] for vm in vms if vm["newest"]]
    return dict(changed=False, restore_points=points, vms=vms)


def _age(now, creation_time):
    moment = parse_since(creation_time) if creation_time else None
    return int((now - moment).total_seconds()) if moment else None


def run_restore_point_info(module):
    params = module.params
    module.run(lambda em, dummy: read_restore_points(em, params["vm_name"], params["backup_server"],
                                                     params["newest_only"], params["since"]),
               prepare=lambda: check_options(params["vm_name"], params["backup_server"], params["since"]),
               always=dict(restore_points=None, vms=None))
