"""XML rendering by string building (fast enough to pre-render 50,000 jobs).

Shapes follow /work/shared/reference/em_api.md: default namespace
http://www.veeam.com/ent/v1.0, elements in XSD order, Link attributes in the
order Rel, Type, Href, Name as in the 2014-era samples. Hrefs are written with
the placeholder BASE (a NUL character, which can never occur in XML text) and
the response layer replaces it with the scheme and Host the client used.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Iterable

from .config import NAMESPACE
from .model import (BACKUP_COPY, IMMEDIATE_COPY, KIND_AGENT, KIND_NAS, KIND_VM, REPLICA, BackupServer, Job,
                    JobSession, ObjectInJob, Repository, SessionStatus, Task)

BASE = "\x00"
API = BASE + "/api"
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
XSI = ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: object) -> str:
    s = str(value)
    if not s.isprintable():  # control characters and non-characters are not allowed in XML
        s = _INVALID_XML.sub("", s)
    if "&" in s or "<" in s or ">" in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s


def attr(value: object) -> str:
    s = text(value)
    return s.replace('"', "&quot;") if '"' in s else s


def href(value: str) -> str:
    """Escape an Href; unlike attr() it keeps the BASE placeholder."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def bool_text(value: bool) -> str:
    # em_api.md §4: "Booleans are lower-case true/false in XML."
    return "true" if value else "false"


def link(rel: str, url: str, type_: str | None = None, name: str | None = None) -> str:
    out = f'<Link Rel="{rel}"'
    if type_:
        out += f' Type="{type_}"'
    out += f' Href="{href(url)}"'
    if name is not None:
        out += f' Name="{attr(name)}"'
    return out + " />"


def links(items: Iterable[str]) -> str:
    body = "".join(items)
    return f"<Links>{body}</Links>" if body else "<Links />"


def el(tag: str, value: object | None) -> str:
    if value is None or value == "":
        return f"<{tag} />"
    return f"<{tag}>{text(value)}</{tag}>"


def ns_attrs(xsi: bool) -> str:
    return (XSI if xsi else "") + f' xmlns="{NAMESPACE}"'


def document(body: str, *, declaration: bool = True, xsi: bool = True) -> str:
    """Turn a rendered element into a response document: namespace declarations
    on the root element and the XML declaration in front."""
    end = 1
    while end < len(body) and body[end] not in " />":
        end += 1
    root = body[:end] + ns_attrs(xsi) + body[end:]
    return (DECLARATION if declaration else "") + root


def document_list(tag: str, items: Iterable[str], *, declaration: bool = True, xsi: bool = True) -> str:
    """document(wrap(tag, "".join(items))) in one join: list bodies of 50,000 jobs
    are 150 MB, so every avoided copy counts."""
    head = (DECLARATION if declaration else "") + f"<{tag}{ns_attrs(xsi)}>"
    out = "".join(itertools.chain((head,), items, (f"</{tag}>",)))
    return out if len(out) > len(head) + len(tag) + 3 else head[:-1] + " />"


def wrap(tag: str, inner: str) -> str:
    return f"<{tag}>{inner}</{tag}>" if inner else f"<{tag} />"


# --------------------------------------------------------------------- errors

def error(status: int, message: str) -> str:
    # em_api.md §3, the real 9.5 U4 capture: Message and StatusCode attributes and a
    # FirstChanceExceptionMessage child holding the same text.
    return (f'<Error Message="{attr(message)}" StatusCode="{status}">'
            f"{el('FirstChanceExceptionMessage', message)}</Error>")


# ----------------------------------------------------------- entry and logon

SUPPORTED_VERSIONS = ("v1_5", "v1_6", "v1_7")


def enterprise_manager() -> str:
    versions = "".join(
        f'<SupportedVersion Name="{v}">'
        f"{links([link('Create', f'{API}/sessionMngr/?v={v}', 'LogonSession')])}</SupportedVersion>"
        for v in SUPPORTED_VERSIONS)
    return ("<EnterpriseManager>"
            + links([link("Down", f"{API}/logonSessions", "LogonSessionList"),
                     link("Create", f"{API}/sessionMngr/?v=latest", "LogonSession")])
            + f"<SupportedVersions>{versions}</SupportedVersions></EnterpriseManager>")


# em_api.md §2 logon sample: the Down links in their documented order. The sample
# elides the "<X>List ?format=Entity" links; they are filled in per collection.
_REF_LISTS = [
    ("BackupServerReferenceList", "backupServers"),
    ("ManagedServerReferenceList", "managedServers"),
    ("JobReferenceList", "jobs"),
    ("FailoverPlanReferenceList", "failoverPlans"),
    ("HierarchyRootReferenceList", "hierarchyRoots"),
    ("RepositoryReferenceList", "repositories"),
    ("BackupReferenceList", "backups"),
    ("RestorePointReferenceList", "restorePoints"),
    ("VmRestorePointReferenceList", "vmRestorePoints"),
    ("VAppRestorePointReferenceList", "vAppRestorePoints"),
    ("ReplicaReferenceList", "replicas"),
    ("VmReplicaPointReferenceList", "vmReplicaPoints"),
    ("CatalogVmReferenceList", "catalog/vms"),
    ("BackupJobSessionReferenceList", "backupSessions"),
    ("RestoreSessionReferenceList", "restoreSessions"),
    ("ReplicaJobSessionReferenceList", "replicaSessions"),
    ("BackupTaskSessionReferenceList", "backupTaskSessions"),
    ("ReplicaTaskSessionReferenceList", "replicaTaskSessions"),
    ("EnterpriseSecuritySettings", "security"),
    ("WanAcceleratorReferenceList", "wanAccelerators"),
    ("BackupFileReferenceList", "backupFiles"),
    ("ExternalRepositoryReferenceList", "externalRepositories"),
    ("TaskList", "tasks"),
    ("QueryService", "querySvc"),
    ("LookupService", "lookupSvc"),
]
_ENTITY_LISTS = [
    ("FailoverPlanList", "failoverPlans"), ("HierarchyRootList", "hierarchyRoots"),
    ("RepositoryList", "repositories"), ("BackupList", "backups"),
    ("RestorePointList", "restorePoints"), ("VmRestorePointList", "vmRestorePoints"),
    ("VAppRestorePointList", "vAppRestorePoints"), ("ReplicaList", "replicas"),
    ("VmReplicaPointList", "vmReplicaPoints"), ("CatalogVmList", "catalog/vms"),
    ("BackupJobSessionList", "backupSessions"), ("RestoreSessionList", "restoreSessions"),
    ("ReplicaJobSessionList", "replicaSessions"), ("BackupTaskSessionList", "backupTaskSessions"),
    ("ReplicaTaskSessionList", "replicaTaskSessions"), ("WanAcceleratorList", "wanAccelerators"),
    ("BackupFileList", "backupFiles"), ("ExternalRepositoryList", "externalRepositories"),
]
_SERVICES = [("VCloudService", "vCloud"), ("AgentsService", "agents"),
             ("VSphereSelfService", "selfService/vSphere"), ("NasService", "nas")]
# em_api.md §3 role matrix: a Portal User has no /jobs and no /failoverPlans and
# cannot create backup servers ("links of resources available for the user account").
_ADMIN_ONLY_TYPES = {"JobReferenceList", "JobList", "FailoverPlanReferenceList", "FailoverPlanList"}


def logon_session(session_id: str, user: str, admin: bool) -> str:
    self_href = f"{API}/logonSessions/{session_id}"
    items = [link("Up", f"{API}/", "EnterpriseManager")]
    for type_, path in _REF_LISTS:
        if admin or type_ not in _ADMIN_ONLY_TYPES:
            items.append(link("Down", f"{API}/{path}", type_))
    items.append(link("Down", f"{API}/reports/summary", "Report", "Summary"))
    items.append(link("Down", f"{API}/backupServers?format=Entity", "BackupServerList"))
    items.append(link("Down", f"{API}/managedServers?format=Entity", "ManagedServerList"))
    if admin:
        items.append(link("Create", f"{API}/backupServers?action=create"))
        items.append(link("Down", f"{API}/jobs?format=Entity", "JobList"))
    for type_, path in _ENTITY_LISTS:
        if admin or type_ not in _ADMIN_ONLY_TYPES:
            items.append(link("Down", f"{API}/{path}?format=Entity", type_))
    for type_, path in _SERVICES:
        items.append(link("Down", f"{API}/{path}", type_))
    items.append(link("Delete", self_href))
    return (f'<LogonSession Type="LogonSession" Href="{self_href}">{links(items)}'
            f"{el('UserName', user)}{el('SessionId', session_id)}</LogonSession>")


# ------------------------------------------------------------- backup servers

def server_ref_links(server: BackupServer) -> str:
    base = f"{API}/backupServers/{server.id}"
    return links([
        link("Alternate", f"{base}?format=Entity", "BackupServer", server.name),
        link("Down", f"{base}/jobs", "JobReferenceList"),
        link("Down", f"{base}/repositories", "RepositoryReferenceList"),
        link("Down", f"{base}/externalRepositories", "ExternalRepositoryReferenceList"),
        link("Down", f"{base}/credentials", "CredentialsList"),
        link("Down", f"{base}/passwords", "PasswordKeyList"),
        link("Down", f"{base}/managedServers", "ManagedServerReferenceList"),
    ])


def server_ref(server: BackupServer, tag: str = "Ref") -> str:
    return (f'<{tag} Type="BackupServerReference" Href="{API}/backupServers/{server.id}" '
            f'Name="{attr(server.name)}" UID="{server.uid}">{server_ref_links(server)}</{tag}>')


def server_entity(server: BackupServer) -> str:
    # em_api.md §9 and the backupservers_id.md sample: links, then Description,
    # Port, Version, WcfPort, VbrCertificateThumbprint.
    base = f"{API}/backupServers/{server.id}"
    items = links([
        link("Alternate", base, "BackupServerReference", server.name),
        link("Edit", base, "BackupServerReference"),
        link("Delete", base, "BackupServerReference"),
        link("Down", f"{base}/jobs", "JobReferenceList"),
        link("Down", f"{base}/managedServers", "ManagedServerReferenceList"),
        link("Down", f"{base}/repositories", "RepositoryReferenceList"),
        link("Down", f"{base}/externalRepositories", "ExternalRepositoryReferenceList"),
        link("Down", f"{base}/credentials", "CredentialsList"),
        link("Create", f"{base}/credentials?action=create"),
        link("Down", f"{base}/passwords", "PasswordKeyList"),
        link("Create", f"{base}/passwords?action=create"),
        link("VeeamZip", f"{base}?action=veeamzip"),
        link("QuickBackup", f"{base}?action=quickbackup"),
        link("Start", f"{base}?action=collect"),
    ])
    return (f'<BackupServer Type="BackupServer" Href="{base}?format=Entity" '
            f'Name="{attr(server.name)}" UID="{server.uid}">{items}'
            f"{el('Description', server.description)}<Port>{server.port}</Port>"
            f"{el('Version', server.version)}<WcfPort>{server.wcf_port}</WcfPort>"
            f"{el('VbrCertificateThumbprint', server.thumbprint)}</BackupServer>")


# ----------------------------------------------------------------------- jobs

def _job_base(job: Job) -> str:
    # /jobs/{ID}, /agents/jobs/{ID} or /nas/jobs/{ID}.
    return f"{API}/{job.collection}/{job.id}"


def _sessions_link(job: Job) -> str:
    if job.is_replica:
        return link("Down", f"{_job_base(job)}/replicaSessions", "ReplicaJobSessionReferenceList")
    return link("Down", f"{_job_base(job)}/backupSessions", "BackupJobSessionReferenceList")


def _server_up(server: BackupServer) -> str:
    return link("Up", f"{API}/backupServers/{server.id}", "BackupServerReference", server.name)


def job_ref_body(job: Job) -> str:
    """Attributes and links shared by <Ref> (lists) and <EntityRef> (one job).

    Types: JobReference (jobs_id.md), AgentBackupJobReference (agents_jobs_id.md),
    NasJobReference (nas_jobs_id.md; its sample's Href says /agents/jobs, a doc slip: the
    simulator writes /nas/jobs). The reference links follow the scenario_starting_a_job.md
    list sample for every kind (guess for agent and file share jobs: the docs show none)."""
    spec = job.spec
    base = _job_base(job)
    return (f' Type="{spec.ref_type}" Href="{base}" Name="{attr(job.name)}" UID="{job.uid}">'
            + links([_server_up(job.server),
                     link("Alternate", f"{base}?format=Entity", spec.entity_type, job.name),
                     _sessions_link(job)]))


def job_ref(job: Job, tag: str = "Ref") -> str:
    return f"<{tag}{job.ref_xml}</{tag}>"


def job_links(job: Job, immediate_copy_sync: bool) -> str:
    base = _job_base(job)
    items = [_server_up(job.server), link("Alternate", base, "JobReference", job.name)]
    if job.job_type in (BACKUP_COPY, IMMEDIATE_COPY):
        # get_jobs_id.md backup-copy samples: no Edit, no includes, no Start/Stop/Retry.
        items += [
            link("Clone", f"{base}?action=clone"),
            link("ToggleScheduleEnabled", f"{base}?action=toggleScheduleEnabled"),
            _sessions_link(job),
        ]
        if job.job_type == BACKUP_COPY or immediate_copy_sync:
            items.append(link("Sync", f"{base}?action=sync"))
        items += [
            link("Down", f"{base}/linkedJobs", "LinkedJobObjectList"),
            link("Down", f"{base}/linkedBackupRepositories", "LinkedBackupRepositoryObjectList"),
            link("Create", f"{base}/linkedJobs", "LinkedJobObject"),
            link("Create", f"{base}/linkedBackupRepositories", "LinkedBackupRepositoryObject"),
        ]
        return links(items)
    items += [
        link("Edit", base, "JobReference", job.name),
        link("Clone", f"{base}?action=clone"),
        link("ToggleScheduleEnabled", f"{base}?action=toggleScheduleEnabled"),
        link("Down", f"{base}/includes", "ObjectInJobList"),
        _sessions_link(job),
        link("Create", f"{base}/includes", "ObjectInJob"),
        # get_jobs_id.md: Start "is available for backup and replication jobs".
        link("Start", f"{base}?action=start"),
        link("Stop", f"{base}?action=stop"),
        link("Retry", f"{base}?action=retry"),
    ]
    return links(items)


_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_ALL_HOURS = ",".join(["1"] * 24)


def _day_grid(tag: str) -> str:
    days = "".join(f'<Day Name="{d}">{_ALL_HOURS}</Day>' for d in _DAYS)
    return f"<{tag}>{days}</{tag}>"


def _sched_time(hhmm: str, offset_h: int) -> str:
    sign = "+" if offset_h >= 0 else "-"
    return f"{hhmm}:00.0000000{sign}{abs(offset_h):02d}:00"


def schedule_options(job: Job) -> str:
    return _schedule_options(job.job_type, job.rich, job.schedule_enabled, job.daily_time, job.utc_offset_h,
                             job.retry_specified, job.retry_times, job.retry_timeout)


@functools.lru_cache(maxsize=4096)
def _schedule_options(job_type: str, rich: bool, schedule_enabled: bool, daily_time: str | None,
                      utc_offset_h: int, retry_specified: bool = True, retry_times: int = 3,
                      retry_timeout: int = 10) -> str:
    """JobScheduleOptions in the VBR 12+ shape with the "Standart" (sic) wrapper
    (em_api.md §4, jobs_id.md sample); ImmediateBackupCopy uses ImmediateCopyMode."""
    if job_type == IMMEDIATE_COPY:
        return ("<JobScheduleOptions><ImmediateCopyMode>"
                f'<OptionsContinuous Enabled="{bool_text(schedule_enabled)}">{_day_grid("Schedule")}'
                "</OptionsContinuous></ImmediateCopyMode></JobScheduleOptions>")
    hhmm = daily_time or "22:00"
    time_ = _sched_time(hhmm, utc_offset_h)
    offset = f"<TimeOffsetUtc>{utc_offset_h}</TimeOffsetUtc>"
    days = "".join(f"<Days>{d}</Days>" for d in _DAYS)
    daily = (f'<OptionsDaily Enabled="{bool_text(daily_time is not None)}"><Kind>Everyday</Kind>'
             f"{days}<Time>{time_}</Time>{offset}</OptionsDaily>")
    # jobs_id.md: RetryOptions, its elements in the sample's order (RetryTimes, RetryTimeout, RetrySpecified).
    head = (f"<RetryOptions><RetryTimes>{retry_times}</RetryTimes><RetryTimeout>{retry_timeout}</RetryTimeout>"
            f"<RetrySpecified>{bool_text(retry_specified)}</RetrySpecified></RetryOptions>"
            "<WaitForBackupCompletion>true</WaitForBackupCompletion>"
            "<BackupCompetitionWaitingPeriodMin>180</BackupCompetitionWaitingPeriodMin>")
    if not rich:
        # Generated dataset: the same elements, disabled ones left empty, to keep
        # 50,000 jobs in memory and on the wire at a sane size.
        rest = ('<OptionsMonthly Enabled="false" /><OptionsPeriodically Enabled="false" />'
                '<OptionsContinuous Enabled="false" /><OptionsBackupWindow Enabled="false" />'
                '<OptionsDaisyChaining Enabled="false"><PreviousJobUid /></OptionsDaisyChaining>')
        return f"<JobScheduleOptions><Standart>{head}{daily}{rest}</Standart></JobScheduleOptions>"
    months = "".join(f"<Months>{m}</Months>" for m in _MONTHS)
    monthly = (f'<OptionsMonthly Enabled="false"><Time>{_sched_time("22:00", utc_offset_h)}</Time>'
               f"{offset}<DayNumberInMonth>Fourth</DayNumberInMonth><DayOfWeek>Saturday</DayOfWeek>"
               f"{months}<DayOfMonth>1</DayOfMonth></OptionsMonthly>")
    periodically = (f'<OptionsPeriodically Enabled="false"><Kind>Hours</Kind><FullPeriod>1</FullPeriod>'
                    f'{_day_grid("Schedule")}</OptionsPeriodically>')
    continuous = f'<OptionsContinuous Enabled="false">{_day_grid("Schedule")}</OptionsContinuous>'
    window = f'<OptionsBackupWindow Enabled="false">{_day_grid("TimePeriods")}</OptionsBackupWindow>'
    chain = '<OptionsDaisyChaining Enabled="false"><PreviousJobUid /></OptionsDaisyChaining>'
    return (f"<JobScheduleOptions><Standart>{head}{daily}{monthly}{periodically}{continuous}"
            f"{window}{chain}</Standart></JobScheduleOptions>")


_WIN_EXCLUDES = ("%windir%", "%ProgramFiles%", "%ProgramFiles(x86)%", "%ProgramW6432%", "%TEMP%")
_LINUX_EXCLUDES = ("/cdrom", "/dev", "/media", "/mnt", "/proc", "/tmp", "/lost+found")


@functools.lru_cache(maxsize=4)
def _guest_processing(per_object: bool, persistent_agent: bool = False) -> str:
    def fs(tag: str, paths: tuple[str, ...]) -> str:
        excluded = "".join(f"<Path>{text(p)}</Path>" for p in paths) if per_object else ""
        mode = "ExceptSpecifiedFolders" if per_object else "Disabled"
        return (f"<{tag}><FileSystemIndexingMode>{mode}</FileSystemIndexingMode>"
                f"<IncludedIndexingFolders />{wrap('ExcludedIndexingFolders', excluded)}</{tag}>")
    return ("<GuestProcessingOptions><VssSnapshotOptions><VssSnapshotMode>RequireSuccess</VssSnapshotMode>"
            "<IsCopyOnly>false</IsCopyOnly>"
            # jobs_id.md: only a VM job's objects have UsePersistentGuestAgent (the job's own options, and the
            # objects of agents_jobs_id.md, have none).
            f"{'<UsePersistentGuestAgent>false</UsePersistentGuestAgent>' if persistent_agent else ''}</VssSnapshotOptions>"
            f"{fs('WindowsGuestFSIndexingOptions', _WIN_EXCLUDES)}"
            f"{fs('LinuxGuestFSIndexingOptions', _LINUX_EXCLUDES)}"
            "<SqlBackupOptions><TransactionLogsProcessing>OnlyOnSuccessJob</TransactionLogsProcessing>"
            "<BackupLogsFrequencyMin>15</BackupLogsFrequencyMin><UseDbBackupRetention>true</UseDbBackupRetention>"
            "<RetainDays>15</RetainDays></SqlBackupOptions>"
            "<WindowsCredentialsId>00000000-0000-0000-0000-000000000000</WindowsCredentialsId>"
            "<LinuxCredentialsId>00000000-0000-0000-0000-000000000000</LinuxCredentialsId>"
            "</GuestProcessingOptions>")


def object_in_job(job: Job, obj: ObjectInJob) -> str:
    # jobs_id.md sample order: ObjectInJobId, HierarchyObjRef, Name, DisplayName, then GuestProcessingOptions.
    # The XSD (ObjectInJobType) has an Order after DisplayName, but no docs example shows one (jobs_id.md,
    # resource_representation_for_ke.md, scenario_starting_a_job.md): the examples win (make conformance).
    gpo = _guest_processing(True, persistent_agent=True) if job.rich else ""
    return (f'<ObjectInJob Type="ObjectInJob" Href="{_job_base(job)}/includes/{obj.id}">'
            f"{el('ObjectInJobId', obj.id)}{el('HierarchyObjRef', obj.hierarchy_ref)}"
            f"{el('Name', obj.name)}{el('DisplayName', obj.display_name or obj.name)}"
            f"{gpo}</ObjectInJob>")


def includes(job: Job) -> str:
    return wrap("Includes", "".join(object_in_job(job, o) for o in job.includes))


def job_info(job: Job) -> str:
    if job.job_type == IMMEDIATE_COPY or job.job_type == BACKUP_COPY:
        tag = "ImmediateBackupCopyJobInfo" if job.job_type == IMMEDIATE_COPY else "BackupCopyJobInfo"
        # Guess for BackupCopyJobInfo: the ImmediateBackupCopyJobInfo shape of the
        # get_jobs_id.md sample (linked jobs instead of Includes).
        linked = "".join(
            f"<LinkedJobObject>{el('ObjectInJobId', o.id)}"
            f"{el('LinkedJobUid', o.hierarchy_ref)}</LinkedJobObject>" for o in job.includes)
        return (f"<JobInfo><{tag}>{wrap('LinkedJobIncludes', linked)}<LinkedBackupIncludes />"
                f"<LinkedBackupRepositoryIncludes /></{tag}></JobInfo>")
    if job.job_type == REPLICA:
        gpo = _guest_processing(False) if job.rich else ""
        return f"<JobInfo><ReplicaJobInfo>{includes(job)}{gpo}</ReplicaJobInfo></JobInfo>"
    if not job.rich:
        return (f"<JobInfo><BackupJobInfo>{includes(job)}<SimpleRetentionPolicy><RetainCycles>7</RetainCycles>"
                "<RetainDaysToKeep>7</RetainDaysToKeep><RetainLimitType>Cycles</RetainLimitType>"
                "</SimpleRetentionPolicy></BackupJobInfo></JobInfo>")
    return (f"<JobInfo><BackupJobInfo>{includes(job)}{_guest_processing(False)}"
            "<AdvancedStorageOptions><PasswordKeyId /></AdvancedStorageOptions>"
            '<GfsRetentionPolicy Enabled="false"><Weekly><Enabled>false</Enabled><RetentionPeriod>1</RetentionPeriod>'
            "<SelectedDay>Sunday</SelectedDay></Weekly><Monthly><Enabled>false</Enabled>"
            "<RetentionPeriod>1</RetentionPeriod><SelectedWeek>First</SelectedWeek></Monthly>"
            "<Yearly><Enabled>false</Enabled><RetentionPeriod>1</RetentionPeriod>"
            "<SelectedMonth>January</SelectedMonth></Yearly></GfsRetentionPolicy>"
            "<SimpleRetentionPolicy><RetainCycles>14</RetainCycles><RetainDaysToKeep>7</RetainDaysToKeep>"
            "<RetainLimitType>Cycles</RetainLimitType></SimpleRetentionPolicy></BackupJobInfo></JobInfo>")


def job_entity(job: Job, next_run: str | None, immediate_copy_sync: bool) -> str:
    # get_jobs_id.md: JobType, Platform, Description, ScheduleConfigured,
    # ScheduleEnabled, NextRun (omitted when none), JobScheduleOptions, JobInfo.
    base = _job_base(job)
    return (f'<Job Type="Job" Href="{base}?format=Entity" Name="{attr(job.name)}" UID="{job.uid}">'
            f"{job_links(job, immediate_copy_sync)}"
            f"{el('JobType', job.job_type)}{el('Platform', job.platform)}{el('Description', job.description)}"
            f"<ScheduleConfigured>{bool_text(job.schedule_configured)}</ScheduleConfigured>"
            f"<ScheduleEnabled>{bool_text(job.schedule_enabled)}</ScheduleEnabled>"
            + (el("NextRun", next_run) if next_run else "")
            + schedule_options(job) + job_info(job) + "</Job>")


def _gfs_off() -> str:
    return ('<GfsRetentionPolicy Enabled="false"><Weekly><Enabled>false</Enabled><RetentionPeriod>1</RetentionPeriod>'
            "<SelectedDay>Sunday</SelectedDay></Weekly><Monthly><Enabled>false</Enabled>"
            "<RetentionPeriod>1</RetentionPeriod><SelectedWeek>First</SelectedWeek></Monthly>"
            "<Yearly><Enabled>false</Enabled><RetentionPeriod>1</RetentionPeriod>"
            "<SelectedMonth>January</SelectedMonth></Yearly></GfsRetentionPolicy>")


def agent_job_links(job: Job) -> str:
    # agents_jobs_id.md, in its order: Up, Alternate (Type JobReference, as written), Down includes,
    # ToggleScheduleEnabled, Down backupSessions, Start, Stop, Retry; all actions are ?action= links.
    base = _job_base(job)
    return links([
        _server_up(job.server),
        link("Alternate", base, "JobReference", job.name),
        link("Down", f"{base}/includes", "ObjectInJobList"),
        link("ToggleScheduleEnabled", f"{base}?action=toggleScheduleEnabled"),
        _sessions_link(job),
        link("Start", f"{base}?action=start"),
        link("Stop", f"{base}?action=stop"),
        link("Retry", f"{base}?action=retry"),
    ])


def object_in_agent_job(job: Job, obj: ObjectInJob) -> str:
    # agents_jobs_id.md: ObjectInAgentBackupJob with ObjectInJobId, Name, DisplayName, GuestProcessingOptions.
    gpo = _guest_processing(True) if job.rich else ""
    return (f'<ObjectInAgentBackupJob Type="ObjectInAgentBackupJob" Href="{_job_base(job)}/includes/{obj.id}">'
            f"{el('ObjectInJobId', obj.id)}{el('Name', obj.name)}{el('DisplayName', obj.display_name or obj.name)}"
            f"{gpo}</ObjectInAgentBackupJob>")


def agent_job_entity(job: Job, next_run: str | None) -> str:
    # agents_jobs_id.md: root <AgentBackupJob Type="AgentBackupJob">, UID urn:veeam:AgentBackupJob:<guid>;
    # JobType, Platform, Description, ScheduleConfigured, ScheduleEnabled, NextRun, JobScheduleOptions, and
    # a JobInfo holding Includes, GuestProcessingOptions and the retention policies directly.
    base = _job_base(job)
    objects = "".join(object_in_agent_job(job, o) for o in job.includes)
    info = (wrap("Includes", objects) + (_guest_processing(False) + _gfs_off() if job.rich else "")
            + "<SimpleRetentionPolicy><RetainCycles>7</RetainCycles><RetainDaysToKeep>7</RetainDaysToKeep>"
            "<RetainLimitType>Cycles</RetainLimitType></SimpleRetentionPolicy>")
    return (f'<AgentBackupJob Type="AgentBackupJob" Href="{base}?format=Entity" Name="{attr(job.name)}" '
            f'UID="{job.uid}">{agent_job_links(job)}'
            f"{el('JobType', job.job_type)}{el('Platform', job.platform)}{el('Description', job.description)}"
            f"<ScheduleConfigured>{bool_text(job.schedule_configured)}</ScheduleConfigured>"
            f"<ScheduleEnabled>{bool_text(job.schedule_enabled)}</ScheduleEnabled>"
            + (el("NextRun", next_run) if next_run else "")
            + schedule_options(job) + f"<JobInfo>{info}</JobInfo></AgentBackupJob>")


def nas_job_links(job: Job) -> str:
    # nas_jobs_id.md, in its order. The actions are path links (/nas/jobs/{ID}/start), written in lower
    # case as the entity sample writes them (the link table writes /Start).
    base = _job_base(job)
    return links([
        _server_up(job.server),
        link("Alternate", base, "JobReference", job.name),
        link("Down", f"{base}/includes", "NasObjectList"),
        link("ToggleScheduleEnabled", f"{base}/toggleScheduleEnabled"),
        _sessions_link(job),
        link("Start", f"{base}/start"),
        link("Stop", f"{base}/stop"),
        link("Retry", f"{base}/retry"),
    ])


def nas_object(job: Job, obj: ObjectInJob) -> str:
    # nas_jobs_id.md: NASObject (Type "NasObject") with HierarchyObjRef, ObjectInJobId, FileOrFolder,
    # FileServerUid, InclusionMask, ExclusionMask. The sample's "\*.\*" is the dump's Markdown escape of *.*.
    snapshots = "".join(el("Extension", f"{obj.name}\\{d}") for d in (".snapshot", "~snapshot"))
    return (f'<NASObject Type="NasObject" Href="{_job_base(job)}/includes/{obj.id}">'
            f"{el('HierarchyObjRef', obj.hierarchy_ref)}{el('ObjectInJobId', obj.id)}{el('FileOrFolder', obj.name)}"
            f"{el('FileServerUid', obj.file_server_uid)}<InclusionMask><Extension>*.*</Extension></InclusionMask>"
            f"<ExclusionMask>{snapshots}</ExclusionMask></NASObject>")


def nas_job_entity(job: Job, next_run: str | None) -> str:
    # nas_jobs_id.md: root <NASJob Type="NasJob"> (upper-case element, mixed-case Type), UID
    # urn:veeam:NasJob:<guid>; Description, Includes, StorageOptions, ScheduleConfigured,
    # ScheduleEnabled, NextRun, JobScheduleOptions. No JobType, no Platform, no JobInfo.
    base = _job_base(job)
    repo_uid = job.repository.uid if job.repository is not None else ""
    storage = (f"<StorageOptions>{el('BackupRepositoryUid', repo_uid)}"
               "<ShorttermRetentionType>Day</ShorttermRetentionType><ShorttermRetentionPeriod>3</ShorttermRetentionPeriod>"
               "<LongtermRetentionEnabled>false</LongtermRetentionEnabled><AdvancedStorageOptions><ACL>"
               "<FileAttributesChangeTrackingMode>TrackOnlyFolderAttributesChanges</FileAttributesChangeTrackingMode>"
               "</ACL></AdvancedStorageOptions></StorageOptions>")
    return (f'<NASJob Type="NasJob" Href="{base}?format=Entity" Name="{attr(job.name)}" UID="{job.uid}">'
            f"{nas_job_links(job)}{el('Description', job.description)}"
            + wrap("Includes", "".join(nas_object(job, o) for o in job.includes)) + storage
            + f"<ScheduleConfigured>{bool_text(job.schedule_configured)}</ScheduleConfigured>"
            f"<ScheduleEnabled>{bool_text(job.schedule_enabled)}</ScheduleEnabled>"
            + (el("NextRun", next_run) if next_run else "")
            + schedule_options(job) + "</NASJob>")


def job_includes(job: Job) -> str:
    """GET {job}/includes: ObjectsInJob, ObjectsInAgentBackupJob or NASObjects
    (mapping_link_types_to_xml_schema.md; get_nas_jobs_id_includes.md shows <NASObjects>)."""
    if job.kind == KIND_AGENT:
        return wrap("ObjectsInAgentBackupJob", "".join(object_in_agent_job(job, o) for o in job.includes))
    if job.kind == KIND_NAS:
        return wrap("NASObjects", "".join(nas_object(job, o) for o in job.includes))
    return wrap("ObjectsInJob", "".join(object_in_job(job, o) for o in job.includes))


def agents_service() -> str:
    # get_agents.md shows only the root <Agents Type="AgentsService" Href=".../api/agents">; the links
    # (agents.md lists the resources it points to) are a guess.
    base = f"{API}/agents"
    return (f'<Agents Href="{base}" Type="AgentsService">'
            + links([link("Down", f"{base}/jobs", "AgentBackupJobReferenceList"),
                     link("Down", f"{base}/jobs?format=Entity", "AgentBackupJobList"),
                     link("Down", f"{base}/backupSessions", "BackupJobSessionReferenceList")])
            + "</Agents>")


def nas_service() -> str:
    # get_nas.md shows only the root <NASService>; the links (nas.md lists NasJob, FileServer and
    # BackupJobSession) are a guess.
    base = f"{API}/nas"
    return (f'<NASService Href="{base}" Type="NasService">'
            + links([link("Down", f"{base}/jobs", "NasJobReferenceList"),
                     link("Down", f"{base}/jobs?format=Entity", "NASJobList"),
                     link("Down", f"{base}/backupSessions", "BackupJobSessionReferenceList")])
            + "</NASService>")


# ------------------------------------------------------------- repositories

def repository_ref(repo: Repository, tag: str = "Ref") -> str:
    # repositories_id.md: EntityRef Type "RepositoryReference"; the links of a reference are a guess
    # (the sample shows only the opening tag), in the shape of the job and backup server references.
    base = f"{API}/repositories/{repo.id}"
    return (f'<{tag} Type="RepositoryReference" Href="{base}" Name="{attr(repo.name)}" UID="{repo.uid}">'
            + links([_server_up(repo.server), link("Alternate", f"{base}?format=Entity", "Repository", repo.name)])
            + f"</{tag}>")


def repository_entity(repo: Repository) -> str:
    # repositories_id.md: Links (Up, Alternate, Down backups, Down replicas), Capacity, FreeSpace, Kind.
    base = f"{API}/repositories/{repo.id}"
    return (f'<Repository Type="Repository" Href="{base}?format=Entity" Name="{attr(repo.name)}" UID="{repo.uid}">'
            + links([_server_up(repo.server),
                     link("Alternate", base, "RepositoryReference", repo.name),
                     link("Down", f"{base}/backups", "BackupReferenceList"),
                     link("Down", f"{base}/replicas", "ReplicaReferenceList")])
            + f"<Capacity>{repo.capacity}</Capacity><FreeSpace>{repo.free_space}</FreeSpace>"
            + el("Kind", repo.kind) + "</Repository>")


# ----------------------------------------------------------------- sessions

def _session_base(s: JobSession) -> str:
    return f"{API}/{s.collection}/{s.id}"


def _task_sessions_link(s: JobSession) -> str:
    if s.is_replica:
        return link("Down", f"{_session_base(s)}/replicaTaskSessions", "ReplicaTaskSessionReferenceList")
    return link("Down", f"{_session_base(s)}/taskSessions", "BackupTaskSessionReferenceList")


def _session_job_href(job: Job, own_collection: bool) -> str:
    # backupsessions_id.md: Up JobReference /jobs/{ID}; for agent and file share jobs the docs say nothing
    # (setting session_job_link).
    return _job_base(job) if own_collection or job.kind == KIND_VM else f"{API}/jobs/{job.id}"


def session_ref(s: JobSession, tag: str = "Ref", own_collection: bool = True) -> str:
    base = _session_base(s)
    job = s.job
    return (f'<{tag} Type="{s.type_name}Reference" Href="{base}" Name="{attr(s.name)}" UID="{s.uid}">'
            + links([_server_up(job.server),
                     link("Up", _session_job_href(job, own_collection), "JobReference", job.name),
                     link("Alternate", f"{base}?format=Entity", s.type_name, s.name),
                     _task_sessions_link(s)])
            + f"</{tag}>")


def session_entity(s: JobSession, st: SessionStatus, creation: str, end: str | None,
                   own_collection: bool = True, restore_point: tuple[str, str] | None = None) -> str:
    base = _session_base(s)
    job = s.job
    items = [_server_up(job.server),
             link("Up", _session_job_href(job, own_collection), "JobReference", job.name),
             link("Alternate", base, f"{s.type_name}Reference", s.name),
             _task_sessions_link(s)]
    if not s.is_replica:
        # The 2025 sample keeps Stop on a stopped session; replica sessions have none
        # (replicasessions_id.md and the get_replicasessions_id.md link table show no Stop link).
        items.append(link("Stop", f"{base}?action=stop"))
    if restore_point is not None:
        # backupsessions_id.md example 2: a run that made a restore point links it (Related RestorePointReference).
        items.append(link("Related", f"{API}/restorePoints/{restore_point[0]}", "RestorePointReference",
                          restore_point[1]))
    # XSD order (em_api.md §8): JobUid, JobName, JobType, CreationTimeUTC,
    # EndTimeUTC, State, Result, Progress, FailureMessage, IsRetry. While running,
    # EndTimeUTC is omitted and FailureMessage is empty (CDP sample, unknown #10);
    # finished Success sessions carry no FailureMessage (2014 and 2025 samples).
    failure = ""
    if st.running:
        failure = "<FailureMessage />"
    elif st.failure_message:
        failure = el("FailureMessage", st.failure_message)
    return (f'<{s.type_name} Type="{s.type_name}" Href="{base}?format=Entity" Name="{attr(s.name)}" UID="{s.uid}">'
            + links(items)
            + el("JobUid", job.uid) + el("JobName", job.name) + el("JobType", job.job_type)
            + el("CreationTimeUTC", creation)
            + (el("EndTimeUTC", end) if end else "")
            + el("State", st.state) + el("Result", st.result)
            + f"<Progress>{st.progress}</Progress>{failure}"
            + f"<IsRetry>{bool_text(s.is_retry)}</IsRetry></{s.type_name}>")


# -------------------------------------------------------------------- tasks

def task(t: Task, state: str) -> str:
    self_href = f"{API}/tasks/{t.task_id}"
    # get_tasks_id.md and post_jobs_id_actionsync.md: an OperationFinished task's Delete link has no Type; a
    # Running (post_method.md) or Finished (get_tasks_id.md task-3) one has Type="Task".
    items = [link("Delete", self_href, None if state == "OperationFinished" else "Task")]
    result = ""
    if state != "Running":
        # em_api.md §7: Result is absent while Running; OperationFinished carries
        # Message "OperationFinished" (get_tasks_id.md sample).
        message = "OperationFinished" if state == "OperationFinished" and t.success else t.message
        result = (f'<Result Success="{bool_text(t.success)}">{el("Message", message)}</Result>')
    if state == "Finished" and t.related is not None:
        s = t.related
        items.append(link("Related", f"{API}/{s.collection}/{s.id}?format=Entity", s.type_name))
    return (f'<Task Type="Task" Href="{self_href}">{links(items)}{el("TaskId", t.task_id)}'
            f"{el('State', state)}{el('Operation', t.operation)}{result}</Task>")


# -------------------------------------------------------------------- query

def query_svc(types: Iterable[str]) -> str:
    # get_querysvc.md shows only the root element; the Links are a guess.
    items = [link("Down", f"{API}/query?type={t}", "QueryResult", t) for t in types]
    return f'<QuerySvc Type="QueryService" Href="{API}/querySvc">{links(items)}</QuerySvc>'


def paging_info(page: int, page_size: int, pages: int, hrefs: list[tuple[str, str]]) -> str:
    items = "".join(link(rel, href) for rel, href in hrefs)
    return (f'<PagingInfo PageNum="{page}" PageSize="{page_size}" PagesCount="{pages}">'
            f"<Links>{items}</Links></PagingInfo>")
