"""The two datasets of the contract ("Dataset default", "Dataset generated").

GUIDs are uuid5 of the object names so that every run serves the same ids, except
the seed ids em_api.md quotes for 'SQL Replication', 'DB Backup' and their servers.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from .model import (AGENT_BACKUP, BACKUP, BACKUP_COPY, IMMEDIATE_COPY, KIND_AGENT, KIND_NAS, NAS_BACKUP,
                    REPLICA, BackupServer, Job, ObjectInJob, Repository)

_NS = uuid.UUID("6f1d2c3e-5a4b-4c6d-8e9f-0a1b2c3d4e5f")
_NS_BYTES = _NS.bytes


def guid(*parts: object) -> str:
    """uuid5(_NS, "/".join(parts)), computed without building UUID objects
    (50,000 generated jobs need a few hundred thousand of them)."""
    digest = bytearray(hashlib.sha1(_NS_BYTES + "/".join(str(p) for p in parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _thumbprint(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest().upper()


@dataclass
class SeedSession:
    """A session that exists when the dataset is (re)loaded; times are relative to
    the moment of loading."""
    job: Job
    key: str
    age_s: float  # started this many seconds before load
    duration_s: float
    outcome: str = "Success"
    failure_message: str = ""
    is_retry: bool = False
    id: str = ""
    # Names of the job's objects this run processed (a quick backup processes one VM); () = all of them.
    objects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.id:
            self.id = guid("session", self.job.id, self.key)
        # Spread the sub-second part so seeded sessions do not all share it.
        self.age_s += int(self.id[:5], 16) % 1_000_000 / 1e6


@dataclass
class Dataset:
    name: str
    servers: list[BackupServer]
    jobs: list[Job]  # every kind
    seeds: list[SeedSession] = field(default_factory=list)
    repositories: list[Repository] = field(default_factory=list)
    # VMs in a backup server's hierarchy that no job processes: (server name, VM name, platform).
    extra_vms: list[tuple[str, str, str]] = field(default_factory=list)


def _server(id_: str | None, name: str, description: str, version: str) -> BackupServer:
    return BackupServer(id=id_ or guid("server", name), name=name, description=description,
                        version=version, thumbprint=_thumbprint(name))


def _vm(platform: str, host_key: str, name: str, order: int = 0) -> ObjectInJob:
    if platform == "HyperV":
        ref = f"urn:HyperV:Vm:{guid('host', host_key)}.{guid('vm', host_key, name)}"
    else:
        ref = f"urn:VMware:Vm:{guid('vcenter', host_key)}.vm-{int(guid('vm', name)[:4], 16) % 9000 + 100}"
    return ObjectInJob(id=guid("oij", host_key, name), name=name, hierarchy_ref=ref, order=order)


HOUR = 3600.0
DAY = 86400.0
GB = 1024 ** 3


def _repository(server: BackupServer, name: str, kind: str, capacity_gb: int, free_gb: int,
                id_: str | None = None) -> Repository:
    return Repository(id=id_ or guid("repository", server.name, name), name=name, server=server,
                      capacity=capacity_gb * GB, free_space=free_gb * GB, kind=kind)


def _agent_job(name: str, platform: str, server: BackupServer, groups: list[str], id_: str | None = None,
               **kw: object) -> Job:
    """A Veeam Agent backup job (agents_jobs_id.md); `groups` are its protection groups or computers."""
    jid = id_ or guid("agentjob", server.name, name)
    j = Job(id=jid, name=name, job_type=AGENT_BACKUP, platform=platform, server=server, kind=KIND_AGENT,
            **kw)  # type: ignore[arg-type]
    j.includes = [ObjectInJob(id=guid("oiaj", jid, g), name=g, hierarchy_ref="", order=i)
                  for i, g in enumerate(groups)]
    return j


def _share_host(path: str) -> str:
    """The file server of a UNC path: srv12 for \\\\srv12\\share."""
    return path.lstrip("\\").split("\\", 1)[0]


def _nas_job(name: str, server: BackupServer, shares: list[str], repository: Repository, id_: str | None = None,
             **kw: object) -> Job:
    """A file share backup job (nas_jobs_id.md); `shares` are its FileOrFolder paths."""
    jid = id_ or guid("nasjob", server.name, name)
    j = Job(id=jid, name=name, job_type=NAS_BACKUP, platform="", server=server, kind=KIND_NAS,
            repository=repository, **kw)  # type: ignore[arg-type]
    j.includes = [ObjectInJob(id=guid("nasobject", jid, p), name=p,
                              hierarchy_ref=f"urn:NasBackup:BackupServer:{guid('nasroot', server.name)}",
                              file_server_uid=f"urn:veeam:FileServer:{guid('fileserver', _share_host(p))}")
                  for p in shares]
    return j


def build_default() -> Dataset:
    vbr01 = _server("d1444f74-27e6-4399-81a9-d28ba98913f0", "vbr01.tech.local",
                    "Headquarters backup server", "13.0.1.1071")
    vbr02 = _server(None, "vbr02.tech.local", "Branch office backup server", "12.3.2.3617")
    srv02 = _server("ce15a8c7-aa49-495e-b05b-ee3398c91018", "srv02.tech.local", "", "12.3.1.1139")
    jobs: list[Job] = []
    seeds: list[SeedSession] = []

    def job(name: str, job_type: str, platform: str, server: BackupServer, vms: list[str],
            id_: str | None = None, **kw: object) -> Job:
        j = Job(id=id_ or guid("job", server.name, name), name=name, job_type=job_type,
                platform=platform, server=server, **kw)  # type: ignore[arg-type]
        if job_type in (BACKUP_COPY, IMMEDIATE_COPY):
            j.includes = [ObjectInJob(id=guid("linked", j.id, v), name=v, hierarchy_ref=v) for v in vms]
        else:
            j.includes = [_vm(platform, server.name, v, i) for i, v in enumerate(vms)]
        jobs.append(j)
        return j

    def seed(j: Job, key: str, age_s: float, duration_s: float, outcome: str = "Success",
             message: str = "", is_retry: bool = False) -> None:
        seeds.append(SeedSession(j, key, age_s, duration_s, outcome, message, is_retry))

    # The seed document's job (em_api.md §4, scenario_starting_a_job.md).
    sql = job("SQL Replication", REPLICA, "VMware", srv02, [], id_="b04c217b-0538-4650-bec4-19deff4ea1ac",
              description="Created by SRV02\\Administrator at 10/7/2025 6:02 AM.",
              schedule_configured=False, schedule_enabled=True, has_next_run=False,
              daily_time="22:00", utc_offset_h=-7, duration_s=5.0)
    sql.includes = [ObjectInJob(id="d8f628b7-6fe4-498b-bfca-01a167b2124c", name="sql02",
                                hierarchy_ref="urn:VMware:Vm:ca2f751f-8f26-4f39-815e-ce493b61fd80.11")]
    seed(sql, "1", 2 * DAY, 9 * 60)

    db = job("DB Backup", BACKUP, "HyperV", vbr01, [], id_="5658281f-625e-4627-89dd-d2a0c48be99e",
             description="Backup of MS SQL Server DB", daily_time="18:00", utc_offset_h=1)
    db.includes = [ObjectInJob(
        id="0493ea16-2c1f-4d02-b74b-994bd438b89a", name="sqlsrv03",
        hierarchy_ref="urn:HyperV:Vm:8e7fef9f-87a8-48b4-bed1-632c3035a1a1.020aa5ab-3523-4946-b658-b8ad5b372439")]
    seed(db, "1", 20 * HOUR, 14 * 60)

    # Same name on two servers.
    fs1 = job("Fileserver Backup", BACKUP, "VMware", vbr01, ["fs01", "fs02"],
              description="File servers at headquarters", daily_time="22:00")
    seed(fs1, "1", 40 * DAY, 21 * 60)  # older than the 30 days /backupSessions shows
    seed(fs1, "2", 26 * HOUR, 18 * 60)
    fs2 = job("Fileserver Backup", BACKUP, "VMware", vbr02, ["fs-branch01"],
              description="File server at the branch office", daily_time="23:00")
    seed(fs2, "1", 25 * HOUR, 7 * 60)

    # Names that differ only in case.
    ex1 = job("Exchange Backup", BACKUP, "VMware", vbr01, ["mail01", "mail02"],
              description="Exchange DAG members", daily_time="21:00", related_link=False)
    seed(ex1, "1", 27 * HOUR, 33 * 60)
    ex2 = job("exchange backup", BACKUP, "HyperV", vbr02, ["exch-branch"],
              description="Branch Exchange (lower-case twin)", daily_time="21:30")
    seed(ex2, "1", 27 * HOUR, 12 * 60, "Warning", "Processing exch-branch Warning: Guest processing skipped.")

    # Quotes, ampersand and non-ASCII.
    fin = job('Finance "Q4" & Payroll', BACKUP, "VMware", vbr01, ["fin-db01", "payroll01"],
              description='Quarter-end <finance> & "payroll" systems', daily_time="20:00")
    seed(fin, "1", 30 * HOUR, 25 * 60)
    zur = job("Sauvegarde Comptabilité Zürich", BACKUP, "HyperV", vbr02, ["compta-zürich"],
              description="Sauvegarde quotidienne — comptabilité (Zürich)", daily_time="19:00")
    seed(zur, "1", 29 * HOUR, 11 * 60)

    # Running now: its newest session is Working for hours.
    web = job("Web Servers Backup", BACKUP, "VMware", vbr01, ["web01", "web02", "web03"],
              description="Front-end web farm", daily_time="01:00")
    seed(web, "1", 25 * HOUR, 40 * 60)
    seed(web, "2", 5 * 60, 4 * HOUR)

    legacy_msg = ("Error: Failed to connect to host legacy01.tech.local: The RPC server is unavailable. "
                  "(Exception from HRESULT: 0x800706BA)")
    legacy = job("Legacy App Backup", BACKUP, "VMware", srv02, ["legacy01"],
                 description="Old ERP server", daily_time="02:00",
                 outcome="Failed", failure_message=legacy_msg)
    seed(legacy, "1", 23 * HOUR, 3 * 60, "Failed", legacy_msg)

    mail_msg = "Processing mail-archive01 Warning: Changed block tracking is disabled for this VM."
    mail = job("Mail Archive Backup", BACKUP, "VMware", vbr02, ["mail-archive01"],
               description="Mail archive appliance", daily_time="03:00",
               outcome="Warning", failure_message=mail_msg, related_link=False)
    seed(mail, "1", 22 * HOUR, 16 * 60, "Warning", mail_msg)

    # The RPO gate VMs (contract "Protection and history") are in this job too: its 6-hour-old run processed
    # demo01 and rpo-fresh01, a 3-day-old one rpo-stale01 alone, so rpo-fresh01's newest restore point is
    # 6 hours old and rpo-stale01's 3 days. rpo-nojob01 (extra_vms) is in vbr01's vCenter but in no job.
    quick = job("Quick Backup", BACKUP, "VMware", vbr01, ["demo01", "rpo-fresh01", "rpo-stale01"],
                description="Small job for the demo", daily_time="12:00", duration_s=2.0)
    seeds.append(SeedSession(quick, "0", 3 * DAY, 3 * 60, objects=("rpo-stale01",)))
    seeds.append(SeedSession(quick, "1", 6 * HOUR, 2 * 60, objects=("demo01", "rpo-fresh01")))
    qrep = job("Quick Replica", REPLICA, "VMware", srv02, ["demo02"],
               description="Small replica job for the demo", daily_time="12:30", duration_s=2.0,
               related_link=False)
    seed(qrep, "1", 6 * HOUR, 3 * 60)

    copy = job("Offsite Copy", BACKUP_COPY, "VMware", vbr01, [db.uid, quick.uid],
               description="Copies DB Backup and Quick Backup offsite", daily_time="23:30",
               duration_s=3.0)
    seed(copy, "1", 19 * HOUR, 45 * 60)
    imm = job("Immediate Copy to DR", IMMEDIATE_COPY, "CustomPlatform", vbr02, [fs2.uid],
              description="Created by VBR02\\veeamadmin", has_next_run=False, duration_s=3.0)
    seed(imm, "1", 24 * HOUR, 4 * 60)

    job("New Job Never Run", BACKUP, "VMware", vbr02, ["new01"], description="",
        schedule_configured=False, schedule_enabled=False, has_next_run=False)

    # Two repositories per backup server (repositories_id.md; Kind values from get_repositories_id.md).
    # srv02's first one is the documented "Backup Volume 01" with its documented id and sizes.
    repos = [
        _repository(vbr01, "Default Backup Repository", "WindowsLocal", 2048, 1311),
        # The repository the nas_jobs_id.md sample's StorageOptions name.
        _repository(vbr01, "NAS Backup Repository", "CifsShare", 8192, 5120, id_="efdea468-7d1d-4b63-8246-31b83849880d"),
        _repository(vbr02, "Branch Hardened Repository", "LinuxLocal", 4096, 3900),
        # Under 100 GB free: the get_query_repository.md sample's filter FreeSpace<107374182400 finds it.
        _repository(vbr02, "Branch DD Boost", "DDBoost", 1024, 50),
        Repository(id="bffeb9f5-1bdd-4bbd-9299-6fcb7c37bdf6", name="Backup Volume 01", server=srv02,
                   capacity=1079639011328, free_space=881812750336, kind="WindowsLocal"),
        _repository(srv02, "Scale-out Repository", "Extendable", 16384, 9000),
    ]

    # Veeam Agent backup jobs (agents_jobs_id.md): each has a finished session.
    laptop = _agent_job("Laptop Backup", "AgentForWindows", vbr01, ["Sales Laptops"],
                        description="Backup of the sales laptops", daily_time="13:00", utc_offset_h=2)
    seed(laptop, "1", 21 * HOUR, 9 * 60)
    linux = _agent_job("Linux Servers", "AgentForLinux", vbr02, ["lnx-app01", "lnx-app02"],
                       description="Backup of physical Linux servers", schedule_configured=False,
                       has_next_run=False, daily_time="04:00")
    seed(linux, "1", 28 * HOUR, 17 * 60, "Warning",
         "Processing lnx-app02 Warning: Snapshot creation took longer than expected.")
    # Same name, same backup server as the VM job "Legacy App Backup": only the kind tells them apart.
    legacy_agent = _agent_job("Legacy App Backup", "AgentForWindows", srv02, ["legacy-phys01"],
                              description="Physical ERP server (Veeam Agent)", daily_time="02:30",
                              schedule_enabled=False)
    seed(legacy_agent, "1", 3 * DAY, 6 * 60)
    # File share backup jobs (nas_jobs_id.md): the sample's job with its documented id, and one that never ran.
    shared = _nas_job("Shared Files Backup", vbr01, ["\\\\srv12\\share"], repos[1],
                      id_="93dfbb3e-f420-45cf-addc-4ee9297113f2", description="Backup of file share",
                      daily_time="16:00", utc_offset_h=1)
    seed(shared, "1", 23 * HOUR, 35 * 60)
    projects = _nas_job("Projects Share", vbr02, ["\\\\nas02\\projects", "\\\\nas02\\archive"], repos[2],
                        description="Project folders on the branch NAS", daily_time="20:30")
    jobs += [laptop, linux, legacy_agent, shared, projects]

    return Dataset("default", [vbr01, vbr02, srv02], jobs, seeds, repos,
                   extra_vms=[(vbr01.name, "rpo-nojob01", "VMware")])


def build_generated(n_jobs: int, n_servers: int, sessions_per_job: int = 1) -> Dataset:
    """`sessions_per_job` 1 keeps the dataset as it always was (one past session per job). More gives deep,
    mixed history (issue 12 item 6): that many daily sessions per job (newest first about an hour ago),
    every 25th job (from job 7 on) never ran, VM backup jobs process 1-3 VMs, and of every 40 jobs the 14th
    is a BackupCopy and the 34th an ImmediateBackupCopy job (sessions of the JobType values
    get_query_backupjobsession.md lists, beside the AgentBackup and NasBackup sessions of the agent and file
    share jobs)."""
    if n_jobs < 0 or n_servers < 1 or sessions_per_job < 1:
        raise ValueError("generated dataset needs jobs >= 0, servers >= 1 and sessions_per_job >= 1")
    deep = sessions_per_job > 1
    sw = max(2, len(str(n_servers)))
    jw = max(6, len(str(n_jobs)))
    servers = [_server(None, f"vbr-{i:0{sw}d}.example.local", f"Generated backup server {i}", "13.0.1.1071")
               for i in range(1, n_servers + 1)]
    repos = [_repository(s, f"Repository {k} on {s.name}", kind, 4096 * k, 1024 * k + i)
             for i, s in enumerate(servers) for k, kind in ((1, "WindowsLocal"), (2, "LinuxLocal"))]
    jobs: list[Job] = []
    seeds: list[SeedSession] = []
    for i in range(1, n_jobs + 1):
        server = servers[(i - 1) % n_servers]
        name = f"Job {i:0{jw}d}"
        vm = f"vm-{i:0{jw}d}"
        daily = f"{(i % 24):02d}:{(i * 7) % 60:02d}"
        # Of every 20 jobs two are Veeam Agent backup jobs and one a file share backup job (10 % and 5 %);
        # the others are VM jobs, every 10th of them a replica job. Jobs 1-5 are VM jobs.
        if i % 20 in (6, 16):
            j = _agent_job(name, "AgentForLinux" if i % 20 == 16 else "AgentForWindows", server, [f"computer-{i}"],
                           id_=guid("job", server.name, name), description=f"Generated agent job {i}",
                           daily_time=daily, rich=False, duration_s=2.0)
        elif i % 20 == 12:
            j = _nas_job(name, server, [f"\\\\nas-{i % 97:02d}\\share-{i}"], repos[2 * ((i - 1) % n_servers)],
                         id_=guid("job", server.name, name), description=f"Generated file share job {i}",
                         daily_time=daily, rich=False, duration_s=2.0)
        else:
            job_type = REPLICA if i % 10 == 0 else BACKUP
            if deep and i % 40 in (14, 34) and jobs:
                job_type = BACKUP_COPY if i % 40 == 14 else IMMEDIATE_COPY
            platform = "HyperV" if job_type == BACKUP and i % 3 == 0 else "VMware"
            jid = guid("job", server.name, name)
            root = guid('vcenter', server.name)
            includes = [ObjectInJob(id=guid("oij", jid), name=vm, hierarchy_ref=f"urn:VMware:Vm:{root}.vm-{i}")]
            if job_type in (BACKUP_COPY, IMMEDIATE_COPY):
                # A copy job's includes are its source jobs (get_jobs_id.md examples 2 and 3): the job before it.
                includes = [ObjectInJob(id=guid("linked", jid), name=jobs[-1].uid, hierarchy_ref=jobs[-1].uid)]
            elif deep and job_type == BACKUP:
                includes += [ObjectInJob(id=guid("oij", jid, k), name=f"{vm}-{k}",
                                         hierarchy_ref=f"urn:VMware:Vm:{root}.vm-{i}-{k}", order=k)
                             for k in range(1, i % 3 + 1)]
            j = Job(id=jid, name=name, job_type=job_type, platform=platform, server=server,
                    description=f"Generated job {i}", daily_time=daily, rich=False, duration_s=2.0,
                    includes=includes)
        jobs.append(j)
        if deep:
            if i % 25 == 7:
                continue  # a job that never ran
            # One hash per job, the session number in the GUID's last group: 300,000 sessions start in seconds.
            head = guid("session", j.id)[:24]
            for k in range(sessions_per_job):
                mix = i * 31 + k * 7
                outcome, message = "Success", ""
                if mix % 17 == 0:
                    outcome, message = "Failed", f"Error: {vm} is not reachable"
                elif mix % 13 == 0:
                    outcome, message = "Warning", f"Processing {vm} Warning: low free space on datastore"
                seeds.append(SeedSession(j, str(k + 1), HOUR + (i * 7919) % 3600 + k * DAY, 60 + (i * 31) % 3540,
                                         outcome, message, id=f"{head}{k:012x}"))
            continue
        outcome, message = "Success", ""
        if i % 17 == 0:
            outcome, message = "Failed", f"Error: {vm} is not reachable"
        elif i % 13 == 0:
            outcome, message = "Warning", f"Processing {vm} Warning: low free space on datastore"
        seeds.append(SeedSession(j, "1", HOUR + (i * 7919) % int(28 * DAY), 60 + (i * 31) % 3540,
                                 outcome, message))
    return Dataset("generated", servers, jobs, seeds, repos)
