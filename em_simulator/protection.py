"""Protection and history: VMs in hierarchies, task sessions, VM restore points, quick backup.

Everything here is derived from the job sessions (state.session_list) and the jobs' includes, lazily:
a session's task sessions are built the first time they are asked for and kept on the session object,
and a restore point is the result of a task session that ended Success or Warning in a backup job.
So 10,000 jobs x 30 sessions cost nothing at start-up, and a query filtered by job, session or VM
touches only the sessions of the jobs concerned.

Pages used:
- backuptasksessions_id.md, replicatasksessions_id.md, get_query_backuptasksession.md,
  get_query_replicatasksession.md (task sessions: State InProgress|Pending|Completed, Result, Reason,
  TotalSize, JobSessionUid; Name "<vm>@<time>"; VmDisplayName attribute);
- vmrestorepoints_id.md, scenario_vm_restore.md, get_query_vmrestorepoint.md (VM restore points);
- hierarchyroots_id.md, get_query_hierarchyroot.md (hierarchy roots);
- lookup_query.md, get_lookup.md, lookupsvc.md, constructing_hierarchyobjreftype.md (the lookup service);
- get_query_objectinjob.md (objects in jobs);
- post_backupservers_id_quickbackup.md (quick backup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable

from .clock import fmt_session_name_time
from .datasets import guid
from .model import BACKUP, BACKUP_COPY, IMMEDIATE_COPY, KIND_VM, REPLICA, BackupServer, Job, JobSession, ObjectInJob

if TYPE_CHECKING:
    from .state import SimState

# constructing_hierarchyobjreftype.md: urn:<Platform>:<Type>:<HierarchyRootId>.<ObjectRef>.
_HIERARCHY_REF = re.compile(r"urn:(VMware|HyperV|vCloud):Vm:([0-9A-Fa-f-]{36})\.(.+)")
# hierarchyroots_id.md / get_query_hierarchyroot.md: HostType values; a vCenter for VMware VMs, a Hyper-V
# server for Hyper-V VMs (guess: one root per platform and backup server).
_HOST_TYPES = {"VMware": "VC", "HyperV": "HvServer", "vCloud": "VcdSystem"}
GIB = 1024 ** 3

TASK_PENDING, TASK_IN_PROGRESS, TASK_COMPLETED = "Pending", "InProgress", "Completed"
TASK_STATES = (TASK_PENDING, TASK_IN_PROGRESS, TASK_COMPLETED)
TASK_RESULTS = ("None", "Success", "Warning", "Failed")
POINT_TYPES = ("Full", "Increment", "ReverseIncrement")
ALGORITHMS = ("Full", "ReversedIncremental", "Incremental", "SyntheticFull")


@dataclass(eq=False)
class HierarchyRoot:
    """A VMware or Hyper-V host added to a backup server (hierarchyroots_id.md)."""
    id: str
    name: str
    server: BackupServer
    platform: str
    index: int = 0

    @property
    def uid(self) -> str:
        return f"urn:veeam:HierarchyRoot:{self.id}"

    @property
    def host_type(self) -> str:
        return _HOST_TYPES[self.platform]

    @property
    def unique_id(self) -> str:
        # hierarchyroots_id.md: "vCenter InstanceUUID or DNS name of the Hyper-V host".
        return self.id.upper() if self.platform == "VMware" else self.name


@dataclass(eq=False)
class Vm:
    """A VM of a hierarchy, and the VM jobs (Backup or Replica) that name it in their includes."""
    name: str
    hierarchy_ref: str
    root: HierarchyRoot
    jobs: list[tuple[Job, ObjectInJob]] = field(default_factory=list)


@dataclass(eq=False)
class ObjectEntry:
    """One row of query type ObjectInJob: an object of a VM job's includes."""
    job: Job
    obj: ObjectInJob
    index: int


@dataclass(eq=False)
class TaskSession:
    """One processed object (VM, computer or share) of a job session."""
    session: JobSession
    name: str  # the object's name (VmDisplayName)
    key: str  # the ObjectInJob id, or the object name
    order: int
    count: int
    hierarchy_ref: str = ""
    point: "RestorePoint | None" = None

    @cached_property
    def id(self) -> str:
        # Cached: a query over every task session of deep history asks each one's id (its TotalSize) again.
        return guid("tasksession", self.session.id, self.key)

    @property
    def index(self) -> tuple[int, int]:
        return (self.session.index, self.order)

    @property
    def is_replica(self) -> bool:
        return self.session.is_replica

    @property
    def type_name(self) -> str:
        return "ReplicaTaskSession" if self.is_replica else "BackupTaskSession"

    @property
    def uid(self) -> str:
        return f"urn:veeam:{self.type_name}:{self.id}"

    @property
    def collection(self) -> str:
        return "replicaTaskSessions" if self.is_replica else "backupTaskSessions"


@dataclass(frozen=True)
class TaskStatus:
    state: str
    result: str
    reason: str
    start_m: float
    end_m: float | None
    progress: int
    total_size: int


@dataclass(eq=False)
class RestorePoint:
    """A VM restore point made by a task session that ended Success or Warning (vmrestorepoints_id.md)."""
    task: TaskSession
    full: bool

    @property
    def id(self) -> str:
        return guid("vmrestorepoint", self.task.session.id, self.task.key)

    @property
    def uid(self) -> str:
        return f"urn:veeam:VmRestorePoint:{self.id}"

    @property
    def restore_point_id(self) -> str:
        # One RestorePoint (restorepoints_id.md) per job session: the VM points of one run share it.
        return guid("restorepoint", self.task.session.id)

    @property
    def backup_file_id(self) -> str:
        return guid("backupfile", self.task.session.id, self.task.key)

    @property
    def index(self) -> tuple[int, int]:
        return self.task.index

    @property
    def job(self) -> Job:
        return self.task.session.job

    @property
    def vm_name(self) -> str:
        return self.task.name


def _objects_of(job: Job, catalog: Any) -> list[ObjectInJob]:
    """The objects a run of the job processes: its includes; for a copy job, the VMs of the jobs it copies
    (its includes are the source jobs' UIDs, get_jobs_id.md examples 2 and 3)."""
    if job.job_type in (BACKUP_COPY, IMMEDIATE_COPY):
        found: list[ObjectInJob] = []
        for linked in job.includes:
            source = catalog.job(linked.hierarchy_ref.rpartition(":")[2], None)
            if source is not None and source is not job:
                found.extend(o for o in source.includes if _HIERARCHY_REF.match(o.hierarchy_ref))
        return found
    return list(job.includes)


class Protection:
    """The VMs, hierarchy roots and the derived task sessions and restore points of a SimState."""

    def __init__(self, state: "SimState") -> None:
        self.state = state
        catalog = state.catalog
        self.roots: list[HierarchyRoot] = []
        self.roots_by_id: dict[str, HierarchyRoot] = {}
        self.vms: list[Vm] = []
        self.vms_by_ref: dict[str, Vm] = {}
        self.vms_by_name_ci: dict[str, list[Vm]] = {}
        self.objects: list[ObjectEntry] = []
        self.objects_by_name_ci: dict[str, list[ObjectEntry]] = {}
        self.objects_by_job: dict[str, list[ObjectEntry]] = {}
        # Objects by name over every kind, for task sessions and restore points by VmDisplayName.
        self.jobs_by_object_ci: dict[str, list[Job]] = {}
        self._objects_cache: dict[str, list[ObjectInJob]] = {}
        self._task_index: dict[str, TaskSession] | None = None
        self._point_index: dict[str, RestorePoint] | None = None
        self._first_runs: dict[str, dict[str, str]] = {}
        self.point_age_s: dict[str, float] = {}  # VM name (casefolded) -> extra age (control API)
        for job in catalog.all_jobs:
            for obj in _objects_of(job, catalog):
                self.jobs_by_object_ci.setdefault(obj.name.casefold(), [])
                if job not in self.jobs_by_object_ci[obj.name.casefold()]:
                    self.jobs_by_object_ci[obj.name.casefold()].append(job)
            if job.kind != KIND_VM or job.job_type not in (BACKUP, REPLICA):
                continue
            for obj in job.includes:
                entry = ObjectEntry(job, obj, len(self.objects))
                self.objects.append(entry)
                self.objects_by_name_ci.setdefault(obj.name.casefold(), []).append(entry)
                self.objects_by_job.setdefault(job.id, []).append(entry)
                vm = self._vm(obj.name, obj.hierarchy_ref, job.server)
                if vm is not None:
                    vm.jobs.append((job, obj))
        # Seeded runs that processed only some of the job's objects (datasets.SeedSession.objects).
        self._seed_objects = {seed.id: seed.objects for seed in state.dataset.seeds if getattr(seed, "objects", ())}
        for server_name, vm_name, platform in getattr(state.dataset, "extra_vms", ()):
            server = next(s for s in catalog.servers if s.name == server_name)
            self._vm(vm_name, _vm_ref(platform, server, vm_name), server)

    def _vm(self, name: str, ref: str, server: BackupServer) -> Vm | None:
        match = _HIERARCHY_REF.match(ref)
        if match is None:
            return None
        vm = self.vms_by_ref.get(ref.lower())
        if vm is not None:
            return vm
        platform, root_id = match.group(1), match.group(2).lower()
        root = self.roots_by_id.get(root_id)
        if root is None:
            short = server.name.split(".", 1)[0]
            label = {"VMware": "vcenter", "HyperV": "hyperv", "vCloud": "vcd"}[platform]
            root = HierarchyRoot(root_id, f"{label}-{short}.{server.name.partition('.')[2] or 'local'}", server,
                                 platform, len(self.roots))
            self.roots.append(root)
            self.roots_by_id[root_id] = root
        vm = Vm(name, ref, root)
        self.vms.append(vm)
        self.vms_by_ref[ref.lower()] = vm
        self.vms_by_name_ci.setdefault(name.casefold(), []).append(vm)
        return vm

    def reset(self) -> None:
        self._task_index = None
        self._point_index = None
        self._first_runs.clear()
        self.point_age_s.clear()

    # ------------------------------------------------------------ task sessions
    def run_objects(self, session: JobSession) -> list[ObjectInJob]:
        """The objects one run processed: a quick backup's VM, a seed's named objects, else the job's."""
        chosen = getattr(session, "sim_objects", None)
        if chosen is None:
            names = self._seed_objects.get(session.id)
            all_objects = self.objects_of(session.job)
            chosen = [o for o in all_objects if o.name in names] if names else all_objects
        return chosen

    def objects_of(self, job: Job) -> list[ObjectInJob]:
        cached = self._objects_cache.get(job.id)
        if cached is None:
            cached = self._objects_cache[job.id] = _objects_of(job, self.state.catalog)
        return cached

    def tasks_of(self, session: JobSession) -> list[TaskSession]:
        tasks = getattr(session, "sim_tasks", None)
        if tasks is None:
            objects = self.run_objects(session)
            n = len(objects)
            tasks = [TaskSession(session, o.name, o.id, i, n, o.hierarchy_ref) for i, o in enumerate(objects)]
            session.sim_tasks = tasks  # type: ignore[attr-defined]
            if session.job.kind == KIND_VM and session.job.job_type == BACKUP:
                self._attach_points(session, tasks)
        return tasks

    def _attach_points(self, session: JobSession, tasks: list[TaskSession]) -> None:
        # The first run of a job that processes a VM makes a full point, the later ones increments
        # (guess: forever-forward incremental, the VBR default).
        firsts = self._first_runs.get(session.job.id)
        if firsts is None:
            firsts = self._first_runs[session.job.id] = {}
            for s in self.state.sessions_by_job.get(session.job.id, []):
                for o in self.run_objects(s):
                    firsts.setdefault(o.id, s.id)
        for task in tasks:
            if _HIERARCHY_REF.match(task.hierarchy_ref):
                first = firsts.setdefault(task.key, session.id)
                task.point = RestorePoint(task, full=first == session.id)

    def task_status(self, task: TaskSession, now: float) -> TaskStatus:
        """Each object gets an equal slice of the run, in order; the last object carries a Warning or Failed
        outcome (guess), with the session's message as its Reason."""
        s = task.session
        st = s.status(now)
        run_start = s.start_m + s.starting_s
        slice_s = s.duration_s / max(task.count, 1)
        start = run_start + task.order * slice_s
        end = start + slice_s
        size = (int(task.id[:4], 16) % 60 + 4) * GIB
        stopped_at = s.stop_m if s.stop_m is not None and s.stop_m < run_start + s.duration_s else None
        if stopped_at is not None and now >= stopped_at and end > stopped_at:
            if st.running:
                return TaskStatus(TASK_IN_PROGRESS if start <= stopped_at else TASK_PENDING, "None", "",
                                  min(start, stopped_at), None, 0, 0)
            return TaskStatus(TASK_COMPLETED, s.stop_result, s.stop_message, min(start, stopped_at),
                              st.end_m, 100, 0)
        if now < start:
            return TaskStatus(TASK_PENDING, "None", "", start, None, 0, 0)
        if now < end:
            progress = int(100 * (now - start) / slice_s) if slice_s > 0 else 99
            return TaskStatus(TASK_IN_PROGRESS, "None", "", start, None, min(progress, 99), 0)
        result, reason = "Success", ""
        if s.outcome != "Success" and task.order == task.count - 1:
            result = s.outcome
            reason = s.failure_message or ("Error: simulated failure" if s.outcome == "Failed"
                                           else "Warning: simulated warning")
        return TaskStatus(TASK_COMPLETED, result, reason, start, end, 100, 0 if result == "Failed" else size)

    def task_name(self, task: TaskSession, status: TaskStatus) -> str:
        # backuptasksessions_id.md: "srv04@2014-10-19 05:23:44".
        return f"{task.name}@{fmt_session_name_time(self.state.clock.utc(status.start_m))[:19]}"

    def all_tasks(self, kind: str, now: float) -> list[TaskSession]:
        return [t for s in self.state.session_list if s.kind == kind and s.visible(now) for t in self.tasks_of(s)]

    def task(self, task_id: str, now: float) -> TaskSession | None:
        if self._task_index is None or task_id.lower() not in self._task_index:
            self._task_index = {t.id: t for s in self.state.session_list for t in self.tasks_of(s)}
        t = self._task_index.get(task_id.lower())
        return t if t is not None and t.session.visible(now) else None

    def tasks_by_job(self, jobs: Iterable[Job], kind: str, now: float) -> list[TaskSession]:
        return [t for j in jobs for s in self.state.sessions_by_job.get(j.id, [])
                if s.kind == kind and s.visible(now) for t in self.tasks_of(s)]

    def tasks_by_object_name(self, name: str, kind: str, now: float) -> list[TaskSession]:
        wanted = name.casefold()
        jobs = self.jobs_by_object_ci.get(wanted, [])
        return [t for t in self.tasks_by_job(jobs, kind, now) if t.name.casefold() == wanted]

    # ----------------------------------------------------------- restore points
    def point_visible(self, point: RestorePoint, now: float) -> bool:
        st = self.task_status(point.task, now)
        return (point.task.session.visible(now) and st.state == TASK_COMPLETED
                and st.result in ("Success", "Warning"))

    def point_time(self, point: RestorePoint, now: float) -> float:
        """Monotonic creation time: the end of the task session, moved back by the control API's age."""
        st = self.task_status(point.task, now)
        end = st.end_m if st.end_m is not None else st.start_m
        return end - self.point_age_s.get(point.vm_name.casefold(), 0.0)

    def points_of_tasks(self, tasks: Iterable[TaskSession], now: float) -> list[RestorePoint]:
        return [t.point for t in tasks if t.point is not None and self.point_visible(t.point, now)]

    def all_points(self, now: float) -> list[RestorePoint]:
        return self.points_of_tasks(self.all_tasks("backup", now), now)

    def points_by_vm_name(self, name: str, now: float) -> list[RestorePoint]:
        return self.points_of_tasks(self.tasks_by_object_name(name, "backup", now), now)

    def point(self, point_id: str, now: float) -> RestorePoint | None:
        if self._point_index is None or point_id.lower() not in self._point_index:
            self._point_index = {t.point.id: t.point for s in self.state.session_list
                                 for t in self.tasks_of(s) if t.point is not None}
        p = self._point_index.get(point_id.lower())
        return p if p is not None and self.point_visible(p, now) else None

    # ------------------------------------------------------------- quick backup
    def jobs_for_vm(self, vm: Vm) -> list[Job]:
        """The backup jobs that process the VM (replica jobs make no restore points, so quick backup, "an
        incremental backup of a VM processed by a backup job", uses only backup jobs)."""
        return [j for j, _o in vm.jobs if j.job_type == BACKUP]


def _vm_ref(platform: str, server: BackupServer, name: str) -> str:
    """The hierarchy reference datasets._vm gives a VM of that name on that server."""
    if platform == "HyperV":
        return f"urn:HyperV:Vm:{guid('host', server.name)}.{guid('vm', server.name, name)}"
    return f"urn:VMware:Vm:{guid('vcenter', server.name)}.vm-{int(guid('vm', name)[:4], 16) % 9000 + 100}"


# ----------------------------------------------------------------- quick backup

class QuickBackupError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_VM_REF_XML = re.compile(r"<(?:\w+:)?VmRef>\s*([^<]*?)\s*</(?:\w+:)?VmRef>")


def parse_quick_backup_spec(body: bytes) -> str:
    """The VmRef of a QuickBackupStartupSpec (post_backupservers_id_quickbackup.md: XML, or JSON
    {"VmRef": "urn:VMware:Vm:..."}); raise QuickBackupError(400) otherwise."""
    import json

    text = body.decode("utf-8", "replace").strip()
    ref = ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("VmRef"), str):
            ref = data["VmRef"].strip()
    elif "<!DOCTYPE" not in text.upper() and "QuickBackupStartupSpec" in text:
        match = _VM_REF_XML.search(text)
        ref = match.group(1).strip() if match else ""
    if not ref:
        # Guess: the docs give no error for a bad body; EM answers 400 to bodies it cannot read.
        raise QuickBackupError(400, "The request body must be a QuickBackupStartupSpec with one VmRef "
                                    "(post_backupservers_id_quickbackup.md).")
    return ref


def quick_backup(state: "SimState", ls: Any, server: BackupServer, body: bytes) -> Any:
    """POST /backupServers/{ID}?action=quickbackup: an incremental run, by the backup job that processes the
    VM, of that VM alone. Returns the Task (Operation QuickBackup)."""
    ref = parse_quick_backup_spec(body)
    prot = state.protection
    with state.lock:
        state.counters.action("quickbackup", KIND_VM)
        now = state.clock.now()
        vm = prot.vms_by_ref.get(ref.lower())
        if vm is None or vm.root.server is not server:
            # Guess: the docs say nothing of a VmRef the backup server does not know.
            raise QuickBackupError(400, f"VM with reference '{ref}' was not found on backup server "
                                        f"\"{server.name}\".")
        jobs = prot.jobs_for_vm(vm)
        if not jobs:
            return state._refuse(ls, "QuickBackup", state.settings["quick_backup_no_job"],
                                 f'VM "{vm.name}" is not processed by any backup job. Quick backup needs a job '
                                 "that processes the VM.", now)
        # Guess: with several backup jobs, VBR takes the one that ran last.
        job = max(jobs, key=lambda j: (state.latest_session(j).index if state.latest_session(j) else -1))
        latest = state.latest_session(job)
        if latest is not None and latest.status(now).running:
            return state._refuse(ls, "QuickBackup", state.settings["start_when_running"],
                                 f'Job "{job.name}" is already running.', now)
        obj = next(o for j, o in vm.jobs if j is job)
        state._run_seq += 1
        sid = guid("quickbackup", state.epoch, job.id, state._run_seq)
        message = job.failure_message
        if job.outcome != "Success" and not message:
            message = "Error: simulated failure" if job.outcome == "Failed" else "Warning: simulated warning"
        session = state._add_session(job, sid, now, job.duration_s, job.outcome, message, False)
        session.visible_m = now + state.settings["session_visible_after_s"]
        session.sim_objects = [obj]  # type: ignore[attr-defined]
        state.counters.quick_backup(vm.name)
        related = session if state.settings["quick_backup_related_link"] else None
        # post_backupservers_id_quickbackup.md: the finished task says "Ok" and links the BackupJobSession.
        return state._new_task(ls, "QuickBackup", True, "Ok", related, now)
