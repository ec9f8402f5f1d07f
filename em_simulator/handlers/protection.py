"""Task sessions, VM restore points, hierarchy roots, the lookup service, ObjectInJob and quick backup.

Endpoints (security_roles_concept.md: all open to a Portal User except query type ObjectInJob):
- GET /backupSessions/{ID}/taskSessions (get_backupsessions_id_tasksessions.md),
  /replicaSessions/{ID}/replicaTaskSessions, /backupTaskSessions[/{ID}], /replicaTaskSessions[/{ID}];
- GET /vmRestorePoints[/{ID}] (get_vmrestorepoints.md, get_vmrestorepoints_id.md);
- GET /hierarchyRoots[/{ID}] (get_hierarchyroots.md, hierarchyroots_id.md);
- GET /lookupSvc, GET /lookup?host=&name=&type= and ?hierarchyRef= (get_lookupsvc.md, get_lookup.md);
- POST /backupServers/{ID}?action=quickbackup (post_backupservers_id_quickbackup.md);
- query types BackupTaskSession, ReplicaTaskSession, VmRestorePoint, HierarchyRoot, ObjectInJob.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from .. import protection_xml as px
from .. import xmlout
from ..httpio import HttpError, Request, Response
from ..protection import (ALGORITHMS, POINT_TYPES, TASK_RESULTS, TASK_STATES, QuickBackupError, RestorePoint,
                          TaskSession, quick_backup)
from ..query import FieldSpec
from .common import entity_format, not_found, xml
from .query import QUERY_TYPES, QueryType, Source, _fields, _uid_guid

if TYPE_CHECKING:
    from ..app import App


# ----------------------------------------------------------------- rendering

def _task_parts(app: "App", t: TaskSession, now: float) -> tuple[Any, str]:
    st = app.state.protection.task_status(t, now)
    return st, app.state.protection.task_name(t, st)


def task_ref(app: "App", t: TaskSession, now: float, tag: str = "Ref") -> str:
    _st, name = _task_parts(app, t, now)
    return px.task_session_ref(t, name, tag)


def task_entity(app: "App", t: TaskSession, now: float) -> str:
    state = app.state
    prot = state.protection
    st, name = _task_parts(app, t, now)
    clock = state.clock
    point_name = None
    if t.point is not None and prot.point_visible(t.point, now):
        point_name = px.point_name(t.point, clock.wall(prot.point_time(t.point, now)))
    return px.task_session_entity(t, st, name, clock.wall(st.start_m),
                                  clock.wall(st.end_m) if st.end_m is not None else None, point_name,
                                  state.settings["task_session_progress"])


def _point_wall(app: "App", p: RestorePoint, now: float) -> float:
    return app.state.clock.wall(app.state.protection.point_time(p, now))


def point_ref(app: "App", p: RestorePoint, now: float, tag: str = "Ref") -> str:
    return px.restore_point_ref(p, _point_wall(app, p, now), tag)


def point_entity(app: "App", p: RestorePoint, now: float) -> str:
    return px.restore_point_entity(p, _point_wall(app, p, now), app.state.settings["restore_point_vm_display_name"])


# ----------------------------------------------------------------- endpoints

def _task_list(app: "App", req: Request, tasks: list[TaskSession], kind: str, now: float) -> Response:
    if entity_format(req):
        plural = "ReplicaTaskSessions" if kind == "replica" else "BackupTaskSessions"
        return xml(app, req, xmlout.wrap(plural, "".join(task_entity(app, t, now) for t in tasks)))
    return xml(app, req, xmlout.wrap("EntityReferences", "".join(task_ref(app, t, now) for t in tasks)))


def session_tasks(app: "App", req: Request, session_id: str, kind: str) -> Response:
    state = app.state
    with state.lock:
        now = state.clock.now()
        s = state.session(session_id)
        if s is None or s.kind != kind or not s.visible(now):
            raise not_found("Replica job session" if kind == "replica" else "Backup job session", session_id)
        return _task_list(app, req, state.protection.tasks_of(s), kind, now)


def list_tasks(app: "App", req: Request, kind: str) -> Response:
    state = app.state
    with state.lock:
        now = state.clock.now()
        return _task_list(app, req, state.protection.all_tasks(kind, now), kind, now)


def get_task(app: "App", req: Request, task_id: str, kind: str) -> Response:
    state = app.state
    with state.lock:
        now = state.clock.now()
        t = state.protection.task(task_id, now)
        if t is None or t.session.kind != kind:
            raise not_found("Replica task session" if kind == "replica" else "Backup task session", task_id)
        return xml(app, req, task_entity(app, t, now) if entity_format(req) else task_ref(app, t, now, "EntityRef"))


def list_points(app: "App", req: Request) -> Response:
    state = app.state
    with state.lock:
        now = state.clock.now()
        points = state.protection.all_points(now)
        if entity_format(req):
            return xml(app, req, xmlout.wrap("VmRestorePoints", "".join(point_entity(app, p, now) for p in points)))
        return xml(app, req, xmlout.wrap("EntityReferences", "".join(point_ref(app, p, now) for p in points)))


def get_point(app: "App", req: Request, point_id: str) -> Response:
    state = app.state
    with state.lock:
        now = state.clock.now()
        p = state.protection.point(point_id, now)
        if p is None:
            raise not_found("VM restore point", point_id)
        return xml(app, req, point_entity(app, p, now) if entity_format(req) else point_ref(app, p, now, "EntityRef"))


def list_roots(app: "App", req: Request) -> Response:
    roots = app.state.protection.roots
    if entity_format(req):
        return xml(app, req, xmlout.wrap("HierarchyRoots", "".join(px.hierarchy_root_entity(r) for r in roots)))
    return xml(app, req, xmlout.wrap("EntityReferences", "".join(px.hierarchy_root_ref(r) for r in roots)))


def get_root(app: "App", req: Request, root_id: str) -> Response:
    root = app.state.protection.roots_by_id.get(root_id.lower())
    if root is None:
        raise not_found("Hierarchy root", root_id)
    return xml(app, req, px.hierarchy_root_entity(root) if entity_format(req) else px.hierarchy_root_ref(root, "EntityRef"))


def lookup_svc(app: "App", req: Request) -> Response:
    return xml(app, req, px.lookup_svc(app.state.protection.roots))


def lookup(app: "App", req: Request) -> Response:
    """lookup_query.md: ?hierarchyRef= (one object) or ?host={root UID}&name=&type= (a list). The docs' own
    example finds the VM "DNS" with name=dns, so names and types compare case-insensitively."""
    prot = app.state.protection
    q = req.query
    ref = q.get("hierarchyref")
    if ref:
        vm = prot.vms_by_ref.get(ref.strip().lower())
        return xml(app, req, px.hierarchy_items([vm] if vm else [], []))
    host = (q.get("host") or "").strip()
    if not host:
        # Guess: the docs give no error for a lookup with neither host nor hierarchyRef.
        raise HttpError(400, "The lookup needs either hierarchyRef or host (a HierarchyRoot UID).")
    root = prot.roots_by_id.get(_uid_guid(host))
    if root is None or root.uid.lower() != host.lower():
        if app.state.settings["lookup_unknown_host"] == "error_404":
            raise not_found("Hierarchy root", host)
        return xml(app, req, px.hierarchy_items([], []))
    obj_type = (q.get("type") or "Vm").strip().casefold()
    name = q.get("name")
    if obj_type == "vm":
        pool = prot.vms_by_name_ci.get(name.casefold(), []) if name else prot.vms
        return xml(app, req, px.hierarchy_items([v for v in pool if v.root is root], []))
    if obj_type == "host":
        hosts = [root] if not name or name.casefold() == root.name.casefold() else []
        return xml(app, req, px.hierarchy_items([], hosts))
    # Guess: the other documented types (Cluster, Folder, Tag ...) hold nothing in the simulated hierarchy.
    return xml(app, req, px.hierarchy_items([], []))


def server_action(app: "App", req: Request, server_id: str) -> Response:
    state = app.state
    server = state.catalog.server(server_id)
    if server is None:
        raise not_found("Backup server", server_id)
    action = (req.query.get("action") or "").lower()
    if action != "quickbackup":
        if action in ("veeamzip", "collect"):
            raise HttpError(501, f"The {action} action is not implemented by the simulator.")
        raise HttpError(400, f"Unknown action '{req.query.get('action', '')}'. Supported actions: quickbackup, "
                             "veeamzip, collect.")
    assert req.logon is not None
    try:
        task = quick_backup(state, req.logon, server, req.body)
    except QuickBackupError as exc:
        raise HttpError(exc.status, exc.message) from None
    except Exception as exc:
        from ..state import ActionError
        if isinstance(exc, ActionError):
            raise HttpError(exc.status, exc.message) from None
        raise
    now = state.clock.now()
    return xml(app, req, xmlout.task(task, task.state(now)), 202,
               [("Location", f"{req.base}/api/tasks/{task.task_id}")])


# ------------------------------------------------------------- query types

def _task_fields(app: "App", now: float) -> Any:
    prot = app.state.protection
    wall = app.state.clock.wall

    def st(t: TaskSession) -> Any:
        return prot.task_status(t, now)
    # get_query_backuptasksession.md, get_query_replicatasksession.md.
    return _fields(
        FieldSpec("UID", "uid", lambda t: t.uid, indexed=True),
        FieldSpec("Name", "string", lambda t: prot.task_name(t, st(t)), dynamic=True),
        FieldSpec("CreationTime", "datetime", lambda t: wall(st(t).start_m), dynamic=True),
        FieldSpec("EndTime", "datetime", lambda t: wall(st(t).end_m) if st(t).end_m is not None else None,
                  dynamic=True),
        FieldSpec("State", "enum", lambda t: st(t).state, TASK_STATES, dynamic=True),
        FieldSpec("Result", "enum", lambda t: st(t).result, TASK_RESULTS, dynamic=True),
        FieldSpec("Reason", "string", lambda t: st(t).reason, dynamic=True),
        FieldSpec("TotalSize", "int", lambda t: st(t).total_size, dynamic=True),
        FieldSpec("JobSessionUid", "uid", lambda t: t.session.uid, indexed=True),
        FieldSpec("JobUid", "uid", lambda t: t.session.job.uid, indexed=True),
        FieldSpec("JobName", "string", lambda t: t.session.job.name, indexed=True),
        FieldSpec("BackupServerUid", "uid", lambda t: t.session.job.server.uid),
        FieldSpec("BackupServerName", "string", lambda t: t.session.job.server.name),
        FieldSpec("VmDisplayName", "string", lambda t: t.name, indexed=True),
        aliases={"CreationTimeUTC": "CreationTime", "EndTimeUTC": "EndTime"},
    )


def _jobs_named(app: "App", name: str) -> list[Any]:
    wanted = name.casefold()
    return [j for index in app.state.catalog.kinds.values() for j in index.by_name_ci.get(wanted, [])]


def _task_source(kind: str) -> Callable[["App", Request, float], Source]:
    def make(app: "App", req: Request, now: float) -> Source:
        state = app.state
        prot = state.protection

        def lookup(spec: FieldSpec, value: str) -> Iterable[Any]:
            if spec.name == "UID":
                t = prot.task(_uid_guid(value), now)
                return [t] if t is not None and t.uid.lower() == value.strip().lower() else []
            if spec.name == "JobSessionUid":
                s = state.session(_uid_guid(value))
                ok = s is not None and s.uid.lower() == value.strip().lower() and s.kind == kind and s.visible(now)
                return prot.tasks_of(s) if ok and s is not None else []
            if spec.name == "JobUid":
                job = state.catalog.job(_uid_guid(value), None)
                return prot.tasks_by_job([job], kind, now) if job is not None else []
            if spec.name == "JobName":
                return prot.tasks_by_job(_jobs_named(app, value), kind, now)
            return prot.tasks_by_object_name(value, kind, now)

        plural = "ReplicaTaskSessions" if kind == "replica" else "BackupTaskSessions"
        return Source(lambda: prot.all_tasks(kind, now), _task_fields(app, now), lookup,  # type: ignore[arg-type]
                      lambda page: xmlout.wrap("Refs", "".join(task_ref(app, t, now) for t in page)),
                      lambda page: xmlout.wrap("Entities", xmlout.wrap(
                          plural, "".join(task_entity(app, t, now) for t in page))), cached=True)
    return make


def _point_fields(app: "App", now: float) -> Any:
    prot = app.state.protection
    wall = app.state.clock.wall
    # get_query_vmrestorepoint.md (PointType, the element name, is accepted for Type).
    return _fields(
        FieldSpec("UID", "uid", lambda p: p.uid, indexed=True),
        FieldSpec("Name", "string", lambda p: px.point_name(p, wall(prot.point_time(p, now)))),
        FieldSpec("CreationTime", "datetime", lambda p: wall(prot.point_time(p, now))),
        FieldSpec("Type", "enum", lambda p: "Full" if p.full else "Increment", POINT_TYPES),
        FieldSpec("Algorithm", "enum", lambda p: "Full" if p.full else "Incremental", ALGORITHMS),
        FieldSpec("RestorePointId", "uid", lambda p: f"urn:veeam:RestorePoint:{p.restore_point_id}"),
        FieldSpec("RestorePointName", "string", lambda p: px.restore_point_label(wall(prot.point_time(p, now)))),
        FieldSpec("VmDisplayName", "string", lambda p: p.vm_name, indexed=True),
        FieldSpec("BackupServerUid", "uid", lambda p: p.job.server.uid),
        FieldSpec("BackupServerName", "string", lambda p: p.job.server.name),
        aliases={"CreationTimeUTC": "CreationTime", "PointType": "Type"},
    )


def _point_source(app: "App", req: Request, now: float) -> Source:
    prot = app.state.protection

    def lookup(spec: FieldSpec, value: str) -> Iterable[Any]:
        if spec.name == "UID":
            p = prot.point(_uid_guid(value), now)
            return [p] if p is not None and p.uid.lower() == value.strip().lower() else []
        return prot.points_by_vm_name(value, now)

    return Source(lambda: prot.all_points(now), _point_fields(app, now), lookup,  # type: ignore[arg-type]
                  lambda page: xmlout.wrap("Refs", "".join(point_ref(app, p, now) for p in page)),
                  lambda page: xmlout.wrap("Entities", xmlout.wrap(
                      "VmRestorePoints", "".join(point_entity(app, p, now) for p in page))),
                  # A point is visible once its task session has ended (Protection.point_visible); its age
                  # can be moved (Protection.point_age_s).
                  cached=True, always_dynamic=True, cache_tag=tuple(sorted(prot.point_age_s.items())))


def _root_source(app: "App", req: Request, now: float) -> Source:
    # get_query_hierarchyroot.md.
    fields = _fields(
        FieldSpec("UID", "uid", lambda r: r.uid),
        FieldSpec("Name", "string", lambda r: r.name),
        FieldSpec("UniqueId", "string", lambda r: r.unique_id),
        FieldSpec("HostType", "enum", lambda r: r.host_type,
                  ("ESX", "VC", "ESXi", "HvServer", "HvCluster", "Scvmm", "VcdSystem")),
        FieldSpec("BackupServerUid", "uid", lambda r: r.server.uid),
        FieldSpec("BackupServerName", "string", lambda r: r.server.name),
    )
    roots = app.state.protection.roots
    return Source(roots, fields, None,
                  lambda page: xmlout.wrap("Refs", "".join(px.hierarchy_root_ref(r) for r in page)),
                  lambda page: xmlout.wrap("Entities", xmlout.wrap(
                      "HierarchyRoots", "".join(px.hierarchy_root_entity(r) for r in page))))


def _object_source(app: "App", req: Request, now: float) -> Source:
    prot = app.state.protection
    # get_query_objectinjob.md: UID is the ObjectInJobId (a plain GUID, "for example:
    # e310aa12-eff2-41f4-97c8-631b677fc17f").
    fields = _fields(
        FieldSpec("UID", "string", lambda e: e.obj.id),
        FieldSpec("Name", "string", lambda e: e.obj.name, indexed=True),
        FieldSpec("JobUid", "uid", lambda e: e.job.uid, indexed=True),
        FieldSpec("JobName", "string", lambda e: e.job.name, indexed=True),
        FieldSpec("BackupServerUid", "uid", lambda e: e.job.server.uid),
        FieldSpec("BackupServerName", "string", lambda e: e.job.server.name),
    )

    def lookup(spec: FieldSpec, value: str) -> Iterable[Any]:
        if spec.name == "Name":
            return prot.objects_by_name_ci.get(value.casefold(), [])
        if spec.name == "JobUid":
            job = app.state.catalog.job(_uid_guid(value), None)
            return prot.objects_by_job.get(job.id, []) if job is not None and job.uid.lower() == value.strip().lower() else []
        return [e for j in _jobs_named(app, value) for e in prot.objects_by_job.get(j.id, [])]

    return Source(prot.objects, fields, lookup,
                  lambda page: xmlout.wrap("Refs", "".join(px.object_in_job_ref(e) for e in page)),
                  lambda page: xmlout.wrap("Entities", xmlout.wrap(
                      "ObjectsInJob", "".join(px.object_in_job_entity(e) for e in page))))


def query_types() -> list[QueryType]:
    # security_roles_concept.md: BackupTaskSession, ReplicaTaskSession, VmRestorePoint and HierarchyRoot are
    # available to a Portal User; ObjectInJob is in its unavailable list.
    return [
        QueryType("BackupTaskSession", _task_source("backup")),
        QueryType("ReplicaTaskSession", _task_source("replica")),
        QueryType("VmRestorePoint", _point_source),
        QueryType("HierarchyRoot", _root_source),
        QueryType("ObjectInJob", _object_source, admin=True),
    ]


# The query service serves these types too (handlers/query.py looks types up in QUERY_TYPES).
QUERY_TYPES.update({q.name.lower(): q for q in query_types()})
