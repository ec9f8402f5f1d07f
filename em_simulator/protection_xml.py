"""XML of task sessions, VM restore points, hierarchy roots and the lookup service (protection.py).

Shapes are the docs' samples, element for element and links in their order; each function names its page.
"""

from __future__ import annotations

import datetime as _dt
from urllib.parse import quote

from .clock import UTC, fmt_utc
from .datasets import guid
from .protection import HierarchyRoot, ObjectEntry, RestorePoint, TaskSession, TaskStatus, Vm
from .xmlout import API, _server_up, attr, el, link, links, object_in_job, wrap


def _utc(epoch: float) -> str:
    return fmt_utc(_dt.datetime.fromtimestamp(epoch, UTC))


# --------------------------------------------------------------- task sessions

def task_session_ref(t: TaskSession, name: str, tag: str = "Ref") -> str:
    # backuptasksessions_id.md: EntityRef Type "BackupTaskSessionReference" (the links of a reference are a
    # guess, in the shape of the session references).
    base = f"{API}/{t.collection}/{t.id}"
    s = t.session
    return (f'<{tag} Type="{t.type_name}Reference" Href="{base}" Name="{attr(name)}" UID="{t.uid}">'
            + links([_server_up(s.job.server),
                     link("Up", f"{API}/{s.collection}/{s.id}", f"{s.type_name}Reference", s.name),
                     link("Alternate", f"{base}?format=Entity", t.type_name, name)])
            + f"</{tag}>")


def task_session_entity(t: TaskSession, st: TaskStatus, name: str, start_wall: float, end_wall: float | None,
                        point_name: str | None, progress: bool) -> str:
    # backuptasksessions_id.md and replicatasksessions_id.md: attributes Name "<vm>@<time>", UID,
    # VmDisplayName; links Up BackupServerReference, Up <session>Reference, Alternate, Related VmRestorePoint
    # (VmReplicaPoint for replicas) once the point exists; JobSessionUid, CreationTimeUTC, EndTimeUTC (omitted
    # while running, as for job sessions), State, Result, Reason, TotalSize.
    base = f"{API}/{t.collection}/{t.id}"
    s = t.session
    items = [_server_up(s.job.server),
             link("Up", f"{API}/{s.collection}/{s.id}", f"{s.type_name}Reference", s.name),
             link("Alternate", base, f"{t.type_name}Reference", name)]
    if point_name is not None and t.point is not None:
        items.append(link("Related", f"{API}/vmRestorePoints/{t.point.id}?format=Entity", "VmRestorePoint",
                          point_name))
    elif s.is_replica and end_wall is not None and st.result in ("Success", "Warning"):
        # replicatasksessions_id.md example 2: a replica task session links the VM replica point it made, named
        # "<vm>@<time>". Guess: /vmReplicaPoints is not served; the id is derived from the task session.
        replica_point = guid("vmreplicapoint", s.id, t.key)
        stamp = _dt.datetime.fromtimestamp(end_wall, UTC).strftime('%Y-%m-%d %H:%M:%S')
        items.append(link("Related", f"{API}/vmReplicaPoints/{replica_point}?format=Entity", "VmReplicaPoint",
                          f"{t.name}@{stamp}"))
    return (f'<{t.type_name} Type="{t.type_name}" Href="{base}?format=Entity" Name="{attr(name)}" UID="{t.uid}" '
            f'VmDisplayName="{attr(t.name)}">'
            + links(items)
            + el("JobSessionUid", s.uid) + el("CreationTimeUTC", _utc(start_wall))
            + (el("EndTimeUTC", _utc(end_wall)) if end_wall is not None else "")
            + el("State", st.state) + el("Result", st.result) + el("Reason", st.reason)
            + (f"<Progress>{st.progress}</Progress>" if progress else "")
            + f"<TotalSize>{st.total_size}</TotalSize></{t.type_name}>")


# -------------------------------------------------------------- restore points

def point_name(p: RestorePoint, created_wall: float) -> str:
    # vmrestorepoints_id.md: "oracle03@2016-10-06 13:59:50".
    return f"{p.vm_name}@{_dt.datetime.fromtimestamp(created_wall, UTC).strftime('%Y-%m-%d %H:%M:%S')}"


def restore_point_label(created_wall: float) -> str:
    # vmrestorepoints_id.md: the RestorePointReference is named "Oct  6 2016  1:59PM" (SQL Server's default
    # date format: day and hour padded with a space).
    d = _dt.datetime.fromtimestamp(created_wall, UTC)
    hour = d.hour % 12 or 12
    return f"{d.strftime('%b')} {d.day:>2} {d.year} {hour:>2}:{d.minute:02d}{'AM' if d.hour < 12 else 'PM'}"


def _backup_file_name(p: RestorePoint, created_wall: float) -> str:
    # vmrestorepoints_id.md: "Oracle BackupD2016-10-06T165918.vib" (.vbk for a full point).
    d = _dt.datetime.fromtimestamp(created_wall, UTC)
    return f"{p.job.name}D{d.strftime('%Y-%m-%dT%H%M%S')}.{'vbk' if p.full else 'vib'}"


def restore_point_ref(p: RestorePoint, created_wall: float, tag: str = "Ref") -> str:
    base = f"{API}/vmRestorePoints/{p.id}"
    name = point_name(p, created_wall)
    return (f'<{tag} Type="VmRestorePointReference" Href="{base}" Name="{attr(name)}" UID="{p.uid}">'
            + links([_server_up(p.job.server), link("Alternate", f"{base}?format=Entity", "VmRestorePoint", name)])
            + f"</{tag}>")


def restore_point_entity(p: RestorePoint, created_wall: float, vm_display_name: bool) -> str:
    # vmrestorepoints_id.md (links in its order: Restore, Up BackupServerReference, Up RestorePointReference,
    # Up BackupFileReference, Alternate, Down mounts, Create mounts; CreationTimeUTC, Algorithm, PointType,
    # HierarchyObjRef) with the VmDisplayName attribute of scenario_vm_restore.md (setting).
    base = f"{API}/vmRestorePoints/{p.id}"
    name = point_name(p, created_wall)
    display = f' VmDisplayName="{attr(p.vm_name)}"' if vm_display_name else ""
    algorithm, point_type = ("Full", "Full") if p.full else ("Incremental", "Increment")
    return (f'<VmRestorePoint Type="VmRestorePoint" Href="{base}?format=Entity" Name="{attr(name)}" '
            f'UID="{p.uid}"{display}>'
            + links([link("Restore", f"{base}?action=restore"),
                     _server_up(p.job.server),
                     link("Up", f"{API}/restorePoints/{p.restore_point_id}", "RestorePointReference",
                          restore_point_label(created_wall)),
                     link("Up", f"{API}/backupFiles/{p.backup_file_id}", "BackupFileReference",
                          _backup_file_name(p, created_wall)),
                     link("Alternate", base, "VmRestorePointReference", name),
                     link("Down", f"{base}/mounts", "VmRestorePointMountList"),
                     link("Create", f"{base}/mounts", "VmRestorePointMount")])
            + el("CreationTimeUTC", _utc(created_wall)) + el("Algorithm", algorithm) + el("PointType", point_type)
            + el("HierarchyObjRef", p.task.hierarchy_ref) + "</VmRestorePoint>")


# ------------------------------------------------------------- hierarchy roots

def hierarchy_root_ref(r: HierarchyRoot, tag: str = "Ref") -> str:
    # hierarchyroots_id.md: EntityRef Type "HierarchyRootReference" (reference links: a guess).
    base = f"{API}/hierarchyRoots/{r.id}"
    return (f'<{tag} Type="HierarchyRootReference" Href="{base}" Name="{attr(r.name)}" UID="{r.uid}">'
            + links([_server_up(r.server), link("Alternate", f"{base}?format=Entity", "HierarchyRoot", r.name)])
            + f"</{tag}>")


def hierarchy_root_entity(r: HierarchyRoot) -> str:
    # hierarchyroots_id.md: Up BackupServerReference, Alternate, Related ManagedServer; HierarchyRootId,
    # UniqueId, HostType.
    base = f"{API}/hierarchyRoots/{r.id}"
    return (f'<HierarchyRoot Type="HierarchyRoot" Href="{base}?format=Entity" Name="{attr(r.name)}" UID="{r.uid}">'
            + links([_server_up(r.server),
                     link("Alternate", base, "HierarchyRootReference", r.name),
                     link("Related", f"{API}/managedServers/{r.id}?format=Entity", "ManagedServer", r.name)])
            + el("HierarchyRootId", r.id) + el("UniqueId", r.unique_id) + el("HostType", r.host_type)
            + "</HierarchyRoot>")


# -------------------------------------------------------------- lookup service

def lookup_svc(roots: list[HierarchyRoot]) -> str:
    # lookupsvc.md: "a set of links of lookup queries that are composed for each hierarchy root"; only the
    # root element survives in the dump, so the links (one per root for its hosts and its VMs) are a guess.
    items = []
    for r in roots:
        host = quote(r.uid, safe="")
        items.append(link("Down", f"{API}/lookup?host={host}&type=Host", "HierarchyItemList", r.name))
        items.append(link("Down", f"{API}/lookup?host={host}&type=Vm", "HierarchyItemList", r.name))
    return f'<LookupSvc Type="LookupService" Href="{API}/lookupSvc">{links(items)}</LookupSvc>'


def hierarchy_item(ref: str, object_type: str, name: str) -> str:
    # lookup_query.md: HierarchyItem Type="HierarchyItem" with ObjectRef, ObjectType, ObjectName.
    return (f'<HierarchyItem Type="HierarchyItem">{el("ObjectRef", ref)}{el("ObjectType", object_type)}'
            f"{el('ObjectName', name)}</HierarchyItem>")


def hierarchy_items(vms: list[Vm], hosts: list[HierarchyRoot]) -> str:
    host_items = [hierarchy_item(f"urn:{r.platform}:Host:{r.id}.{r.id}", "Host", r.name) for r in hosts]
    vm_items = [hierarchy_item(v.hierarchy_ref, "Vm", v.name) for v in vms]
    return wrap("HierarchyItems", "".join(host_items + vm_items))


# ------------------------------------------------------------ objects in jobs

def object_in_job_entity(entry: ObjectEntry) -> str:
    # get_query_objectinjob.md: the query returns the jobs' ObjectInJob entities (jobs_id.md shape).
    return object_in_job(entry.job, entry.obj)


def object_in_job_ref(entry: ObjectEntry) -> str:
    job, obj = entry.job, entry.obj
    # Guess: a reference of the same object (the docs show none).
    return (f'<Ref Type="ObjectInJobReference" Href="{API}/jobs/{job.id}/includes/{obj.id}" '
            f'Name="{attr(obj.name)}" UID="{obj.id}">'
            + links([link("Up", f"{API}/jobs/{job.id}", "JobReference", job.name)]) + "</Ref>")
