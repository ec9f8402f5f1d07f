# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Canned Enterprise Manager XML, in the shapes of /work/shared/reference/em_api.md.

Element builders return ``str`` (an element without namespace declaration, to be nested in a document);
the ``*_doc`` builders and the document builders return ``bytes`` of a whole response body, with the
XML declaration and the default namespace ``http://www.veeam.com/ent/v1.0`` as EM sends them.
"""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

EM = "https://em.example:9398"
API = EM + "/api/"
NAMESPACE = "http://www.veeam.com/ent/v1.0"
NS = ' xmlns="%s"' % NAMESPACE
NS_FULL = (' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
           + NS)
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

USER = "CORP\\backupadmin"
PASSWORD = "Secr3t&P@ss:word"
TOKEN = "O9Msj3rq7EGUhtSMBQx+mw=="
SESSION_ID = "15a3fc97-0325-4119-b789-5c0367c6c565"
LOGOFF_URL = API + "logonSessions/" + SESSION_ID
JOB_LIST_URL = API + "jobs?format=Entity"

JOB_GUID = "5658281f-625e-4627-89dd-d2a0c48be99e"
JOB_UID = "urn:veeam:Job:" + JOB_GUID
SERVER_NAME = "srv12.tech.local"
SERVER_GUID = "d1444f74-27e6-4399-81a9-d28ba98913f0"


def _attrs(**attributes):
    return "".join(" %s=%s" % (key, quoteattr(str(value))) for key, value in attributes.items() if value is not None)


def link(rel, href, link_type=None, name=None):
    # Attribute order as in the VBR 12+ samples: Rel, Type, Href, Name.
    return "<Link%s />" % _attrs(Rel=rel, Type=link_type, Href=href, Name=name)


def links(*items):
    return "<Links>%s</Links>" % "".join(items)


def document(element):
    return (DECLARATION + element).encode("utf-8")


# -- section 1: entry point -------------------------------------------------------------------------------
def entry_point(versions=("v1_5", "v1_6", "v1_7"), latest=True):
    top = [link("Down", API + "logonSessions", "LogonSessionList")]
    if latest:
        top.append(link("Create", API + "sessionMngr/?v=latest", "LogonSession"))
    supported = "".join(
        '<SupportedVersion Name="%s">%s</SupportedVersion>'
        % (name, links(link("Create", API + "sessionMngr/?v=" + name, "LogonSession")))
        for name in versions)
    return document("<EnterpriseManager%s>%s<SupportedVersions>%s</SupportedVersions></EnterpriseManager>"
                    % (NS_FULL, links(*top), supported))


# -- section 2: logon session -----------------------------------------------------------------------------
def logon_session(session_id=SESSION_ID, job_list=True, delete=True, user=USER):
    href = API + "logonSessions/" + session_id
    items = [
        link("Up", API, "EnterpriseManager"),
        link("Down", API + "backupServers", "BackupServerReferenceList"),
        link("Down", API + "jobs", "JobReferenceList"),
        link("Down", API + "backupSessions", "BackupJobSessionReferenceList"),
        link("Down", API + "replicaSessions", "ReplicaJobSessionReferenceList"),
        link("Down", API + "tasks", "TaskList"),
        link("Down", API + "querySvc", "QueryService"),
        link("Down", API + "backupServers?format=Entity", "BackupServerList"),
        link("Create", API + "backupServers?action=create"),
    ]
    if job_list:
        items.append(link("Down", JOB_LIST_URL, "JobList"))
    items.append(link("Down", API + "backupSessions?format=Entity", "BackupJobSessionList"))
    if delete:
        items.append(link("Delete", href))
    return document('<LogonSession%s Type="LogonSession" Href="%s">%s<UserName>%s</UserName>'
                    '<SessionId>%s</SessionId></LogonSession>'
                    % (NS, href, links(*items), escape(user), session_id))


# -- section 3: errors ------------------------------------------------------------------------------------
def error(message, status_code, first_chance=None):
    inner = ""
    if first_chance is not None:
        inner = "<FirstChanceExceptionMessage>%s</FirstChanceExceptionMessage>" % escape(first_chance)
    return document("<Error%s%s>%s</Error>" % (_attrs(Message=message, StatusCode=status_code), NS_FULL, inner))


# -- section 4: jobs --------------------------------------------------------------------------------------
def job_href(guid=JOB_GUID):
    return API + "jobs/" + guid


def job(name="DB Backup", guid=JOB_GUID, job_type="Backup", server=SERVER_NAME, server_guid=SERVER_GUID,
        actions=None, platform="HyperV", description="Backup of MS SQL Server DB", schedule_configured=True,
        schedule_enabled=True, next_run="2020-02-01T17:00:00Z", details=True, ns=False, schedule=None):
    """A Job entity (VBR 12+ shape). ``actions``: the action links; by default what EM gives the job type.
    ``schedule``: JobScheduleOptions in place of SCHEDULE_OPTIONS (jobs_id.md's, retries on: 3 times, 10 minutes)."""
    if actions is None:
        actions = ("Sync",) if job_type in ("BackupCopy", "ImmediateBackupCopy") else ("Start", "Stop", "Retry")
    ref = job_href(guid)
    sessions = "replicaSessions" if job_type == "Replica" else "backupSessions"
    items = [
        link("Up", API + "backupServers/" + server_guid, "BackupServerReference", server),
        link("Alternate", ref, "JobReference", name),
        link("Edit", ref, "JobReference", name),
        link("Clone", ref + "?action=clone"),
        link("ToggleScheduleEnabled", ref + "?action=toggleScheduleEnabled"),
        link("Down", ref + "/includes", "ObjectInJobList"),
        link("Down", ref + "/" + sessions,
             "ReplicaJobSessionReferenceList" if job_type == "Replica" else "BackupJobSessionReferenceList"),
        link("Create", ref + "/includes", "ObjectInJob"),
    ]
    items.extend(link(action, "%s?action=%s" % (ref, action[0].lower() + action[1:])) for action in actions)
    body = ["<JobType>%s</JobType>" % job_type, "<Platform>%s</Platform>" % platform,
            "<Description>%s</Description>" % escape(description),
            "<ScheduleConfigured>%s</ScheduleConfigured>" % _bool(schedule_configured),
            "<ScheduleEnabled>%s</ScheduleEnabled>" % _bool(schedule_enabled)]
    if next_run is not None:
        body.append("<NextRun>%s</NextRun>" % next_run)
    if details:
        body.append(SCHEDULE_OPTIONS if schedule is None else schedule)
        body.append(JOB_INFO)
    attributes = _attrs(Type="Job", Href=ref + "?format=Entity", Name=name, UID="urn:veeam:Job:" + guid)
    return "<Job%s%s>%s%s</Job>" % (NS if ns else "", attributes, links(*items), "".join(body))


SCHEDULE_OPTIONS = (
    "<JobScheduleOptions><Standart>"
    "<RetryOptions><RetryTimes>3</RetryTimes><RetryTimeout>10</RetryTimeout><RetrySpecified>true</RetrySpecified>"
    "</RetryOptions>"
    "<WaitForBackupCompletion>true</WaitForBackupCompletion>"
    "<BackupCompetitionWaitingPeriodMin>180</BackupCompetitionWaitingPeriodMin>"
    '<OptionsDaily Enabled="true"><Kind>Everyday</Kind><Days>Sunday</Days><Days>Monday</Days>'
    "<Time>18:00:00.0000000+01:00</Time><TimeOffsetUtc>1</TimeOffsetUtc></OptionsDaily>"
    '<OptionsMonthly Enabled="false"><Time>22:00:00.0000000+01:00</Time></OptionsMonthly>'
    '<OptionsDaisyChaining Enabled="false"><PreviousJobUid /></OptionsDaisyChaining>'
    "</Standart></JobScheduleOptions>"
)


def schedule_options(retry_times=3, retry_timeout=10, retry_specified=True):
    """SCHEDULE_OPTIONS with other RetryOptions values (jobs_id.md: RetryTimes, RetryTimeout, RetrySpecified)."""
    return SCHEDULE_OPTIONS.replace(
        "<RetryTimes>3</RetryTimes><RetryTimeout>10</RetryTimeout><RetrySpecified>true</RetrySpecified>",
        "<RetryTimes>%d</RetryTimes><RetryTimeout>%d</RetryTimeout><RetrySpecified>%s</RetrySpecified>"
        % (retry_times, retry_timeout, _bool(retry_specified)))


JOB_INFO = (
    "<JobInfo><BackupJobInfo><Includes>"
    '<ObjectInJob Type="ObjectInJob" Href="%(api)sjobs/%(job)s/includes/0493ea16-1111-4f00-9a0c-0c5e3a2b7d01">'
    '<Links><Link Rel="Delete" Href="%(api)sjobs/%(job)s/includes/0493ea16-1111-4f00-9a0c-0c5e3a2b7d01" /></Links>'
    "<ObjectInJobId>0493ea16-1111-4f00-9a0c-0c5e3a2b7d01</ObjectInJobId>"
    "<HierarchyObjRef>urn:HyperV:Vm:d1444f74.sql01</HierarchyObjRef>"
    "<Name>sql01</Name><DisplayName>sql01</DisplayName><Order>0</Order></ObjectInJob>"
    '<ObjectInJob Type="ObjectInJob" Href="%(api)sjobs/%(job)s/includes/0493ea16-2222-4f00-9a0c-0c5e3a2b7d02">'
    "<ObjectInJobId>0493ea16-2222-4f00-9a0c-0c5e3a2b7d02</ObjectInJobId>"
    "<HierarchyObjRef>urn:HyperV:Vm:d1444f74.sql02</HierarchyObjRef>"
    "<Name>sql02</Name><DisplayName>sql02</DisplayName><Order>1</Order></ObjectInJob>"
    "</Includes>"
    "<SimpleRetentionPolicy><RetainCycles>5</RetainCycles><RetainDaysToKeep>7</RetainDaysToKeep>"
    "<RetainLimitType>Cycles</RetainLimitType></SimpleRetentionPolicy>"
    "</BackupJobInfo></JobInfo>"
) % {"api": API, "job": JOB_GUID}


def job_doc(**kwargs):
    return document(job(ns=True, **kwargs))


def job_list(jobs):
    """GET /jobs?format=Entity (the JobList link): <Jobs> with one <Job> per job (inferred root)."""
    return document("<Jobs%s>%s</Jobs>" % (NS, "".join(jobs)))


# -- section 5: query service -----------------------------------------------------------------------------
def query_url(query_type, query_filter=None, sort_desc=None, page_size=100, page=1):
    """The URL of a query-service page, built independently of the code under test."""
    params = [("type", query_type), ("format", "Entities")]
    if query_filter:
        params.append(("filter", query_filter))
    if sort_desc:
        params.append(("sortDesc", sort_desc))
    params += [("pageSize", str(page_size)), ("page", str(page))]
    return API + "query?" + "&".join("%s=%s" % (key, quote(value, safe="")) for key, value in params)


def query_result(elements, plural, container="Entities", next_href=None, page=1, pages=1, page_size=100,
                 first_href=None):
    """A QueryResult page: <Entities><{plural}>...</Entities> (or Resources for tasks) and PagingInfo."""
    first = first_href or API + "query?type=x&pageSize=%d&page=1" % page_size
    paging = [link("First", first)]
    if next_href:
        paging.append(link("Next", next_href))
    paging.append(link("Last", first))
    inner = "<%s><%s>%s</%s></%s>" % (container, plural, "".join(elements), plural, container)
    return document('<QueryResult%s>%s<PagingInfo PageNum="%d" PageSize="%d" PagesCount="%d">%s</PagingInfo>'
                    "</QueryResult>" % (NS_FULL, inner, page, page_size, pages, links(*paging)))


def jobs_page(jobs, next_href=None, page=1, pages=1):
    return query_result(jobs, "Jobs", next_href=next_href, page=page, pages=pages)


def sessions_page(sessions, next_href=None, page=1, pages=1, kind="BackupJobSession"):
    return query_result(sessions, kind + "s", next_href=next_href, page=page, pages=pages)


def empty_page(plural="Jobs"):
    return query_result([], plural)


# -- section 7: tasks -------------------------------------------------------------------------------------
def task_href(task_id="task-1"):
    return API + "tasks/" + task_id


def task(task_id="task-1", state="Running", operation="StartJob", success=None, message=None, related=None,
         related_type="BackupJobSession", ns=False):
    """A Task. ``success``: None (no Result, as while Running), True or False. ``related``: session Href."""
    items = [link("Delete", task_href(task_id), "Task")]
    if related:
        items.append(link("Related", related, related_type))
    result = ""
    if success is not None:
        result = '<Result Success="%s"><Message>%s</Message></Result>' % (_bool(success), escape(message or ""))
    return '<Task%s Type="Task" Href="%s">%s<TaskId>%s</TaskId><State>%s</State><Operation>%s</Operation>%s</Task>' % (
        NS if ns else "", task_href(task_id), links(*items), task_id, state, operation, result)


def task_doc(**kwargs):
    return document(task(ns=True, **kwargs))


# -- section 8: job sessions ------------------------------------------------------------------------------
def session_href(guid, kind="BackupJobSession"):
    collection = "replicaSessions" if kind == "ReplicaJobSession" else "backupSessions"
    return "%s%s/%s?format=Entity" % (API, collection, guid)


def job_session(guid, job_name="DB Backup", job_guid=JOB_GUID, job_type="Backup", state="Working", result=None,
                progress=None, creation="2026-11-29T20:00:24.003406Z", end=None, failure_message=None,
                is_retry=False, kind="BackupJobSession", ns=False):
    """A BackupJobSession / ReplicaJobSession entity (2025 query shape: Href before Type).

    A running session (state other than Stopped) has Result None, Progress 0, an empty FailureMessage and no
    EndTimeUTC, like the running CDP sample of em_api.md section 8.
    """
    running = state != "Stopped"
    if result is None:
        result = "None" if running else "Success"
    if progress is None:
        progress = 0 if running else 100
    if end is None and not running:
        end = "2026-11-29T20:04:13.487602Z"
    name = "%s@%s" % (job_name, creation.replace("T", " ").rstrip("Z"))
    href = session_href(guid, kind)
    ref = href.split("?", 1)[0]
    items = [
        link("Up", API + "backupServers/" + SERVER_GUID, "BackupServerReference", SERVER_NAME),
        link("Up", job_href(job_guid), "JobReference", job_name),
        link("Alternate", ref, kind + "Reference", name),
        link("Down", ref + "/taskSessions", "BackupTaskSessionReferenceList"),
        link("Stop", ref + "?action=stop"),
    ]
    body = ["<JobUid>urn:veeam:Job:%s</JobUid>" % job_guid, "<JobName>%s</JobName>" % escape(job_name),
            "<JobType>%s</JobType>" % job_type, "<CreationTimeUTC>%s</CreationTimeUTC>" % creation]
    if end:
        body.append("<EndTimeUTC>%s</EndTimeUTC>" % end)
    body += ["<State>%s</State>" % state, "<Result>%s</Result>" % result, "<Progress>%d</Progress>" % progress]
    if running:
        body.append("<FailureMessage />")
    elif failure_message is not None:
        body.append("<FailureMessage>%s</FailureMessage>" % escape(failure_message))
    body.append("<IsRetry>%s</IsRetry>" % _bool(is_retry))
    return "<%s%s%s>%s%s</%s>" % (kind, NS if ns else "",
                                  _attrs(Href=href, Type=kind, Name=name, UID="urn:veeam:%s:%s" % (kind, guid)),
                                  links(*items), "".join(body), kind)


def job_session_doc(guid, **kwargs):
    return document(job_session(guid, ns=True, **kwargs))


def _bool(value):
    return "true" if value else "false"
