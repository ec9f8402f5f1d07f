"""The two datasets of the contract ("Dataset default", "Dataset generated").

GUIDs are uuid5 of the object names so that every run serves the same ids, except
the seed ids em_api.md quotes for 'SQL Replication', 'DB Backup' and their servers.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from .model import (BACKUP, BACKUP_COPY, IMMEDIATE_COPY, REPLICA, BackupServer, Job,
                    ObjectInJob)

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

    def __post_init__(self) -> None:
        self.id = guid("session", self.job.id, self.key)
        # Spread the sub-second part so seeded sessions do not all share it.
        self.age_s += int(self.id[:5], 16) % 1_000_000 / 1e6


@dataclass
class Dataset:
    name: str
    servers: list[BackupServer]
    jobs: list[Job]
    seeds: list[SeedSession] = field(default_factory=list)


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

    quick = job("Quick Backup", BACKUP, "VMware", vbr01, ["demo01"],
                description="Small job for the demo", daily_time="12:00", duration_s=2.0)
    seed(quick, "1", 6 * HOUR, 2 * 60)
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

    return Dataset("default", [vbr01, vbr02, srv02], jobs, seeds)


def build_generated(n_jobs: int, n_servers: int) -> Dataset:
    if n_jobs < 0 or n_servers < 1:
        raise ValueError("generated dataset needs jobs >= 0 and servers >= 1")
    sw = max(2, len(str(n_servers)))
    jw = max(6, len(str(n_jobs)))
    servers = [_server(None, f"vbr-{i:0{sw}d}.example.local", f"Generated backup server {i}", "13.0.1.1071")
               for i in range(1, n_servers + 1)]
    jobs: list[Job] = []
    seeds: list[SeedSession] = []
    for i in range(1, n_jobs + 1):
        server = servers[(i - 1) % n_servers]
        name = f"Job {i:0{jw}d}"
        job_type = REPLICA if i % 10 == 0 else BACKUP
        platform = "HyperV" if job_type == BACKUP and i % 3 == 0 else "VMware"
        jid = guid("job", server.name, name)
        vm = f"vm-{i:0{jw}d}"
        j = Job(id=jid, name=name, job_type=job_type, platform=platform, server=server,
                description=f"Generated job {i}", daily_time=f"{(i % 24):02d}:{(i * 7) % 60:02d}",
                rich=False, duration_s=2.0,
                includes=[ObjectInJob(id=guid("oij", jid), name=vm,
                                      hierarchy_ref=f"urn:VMware:Vm:{guid('vcenter', server.name)}.vm-{i}")])
        jobs.append(j)
        outcome, message = "Success", ""
        if i % 17 == 0:
            outcome, message = "Failed", f"Error: {vm} is not reachable"
        elif i % 13 == 0:
            outcome, message = "Warning", f"Processing {vm} Warning: low free space on datastore"
        seeds.append(SeedSession(j, "1", HOUR + (i * 7919) % int(28 * DAY), 60 + (i * 31) % 3540,
                                 outcome, message))
    return Dataset("generated", servers, jobs, seeds)
