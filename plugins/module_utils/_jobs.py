# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jobs of every kind: look-up through the query service or the JobList link, and the job dict users see.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

import re

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmAmbiguousError,
    VeeamEmInputError,
    VeeamEmNotFoundError,
    VeeamEmPermissionError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import VM, kinds_named
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_all, filter_any, iter_query
from ansible_collections.seedops.veeam_em.plugins.module_utils._resource import Resource
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import shorten
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_UID = re.compile(r"^urn:veeam:[A-Za-z]*Job:", re.IGNORECASE)
# Job UIDs OR-ed in one query: keeps the URL well below common 8 KiB limits (a UID term is ~60 bytes).
UIDS_PER_QUERY = 40

# The typed fields of a job's details, from the docs' tables: jobscheduleoptions.md (Boolean, Int64 and the
# repeated Days, Months and Day of a continuous schedule), jobinfo.md (Boolean, Int, Int64),
# get_jobs_id_includes_id.md (ObjectInJob Order: Int) and simple_and_gfs_retention_policies.md.
JOB_DETAILS_SCHEMA = _xml.Schema(
    booleans=("Enabled", "WaitForBackupCompletion", "RetrySpecified", "BackupLogsEnabled", "IsCopyOnly",
              "ProxyAutoSelect", "UseDbBackupRetention", "UsePersistentGuestAgent"),
    integers=("RetryTimes", "RetryTimeout", "BackupCompetitionWaitingPeriodMin", "FullPeriod", "RetainCycles",
              "RetainDaysToKeep", "RetentionPeriod", "RetainDays", "ArchivedLogsMaxAgeHours", "ArchivedLogsMaxSizeMb",
              "BackupLogsFrequencyMin", "BackupScope", "Order"),
    # nas_jobs_id.md: a file share job's InclusionMask and ExclusionMask hold repeated Extension elements.
    lists=("Days", "Months", "Day", "Extension"),
    # StringListType (guestprocessingoptions.md): a list of paths, [] when empty.
    string_lists=("IncludedIndexingFolders", "ExcludedIndexingFolders"),
)
INCLUDED_OBJECTS = ("ObjectInJob", "LinkedJobObject", "LinkedBackupRepository", "ObjectInAgentBackupJob", "NASObject")

ROLE_HINT = ("Enterprise Manager gives access to jobs to the Portal Administrator role only; a Portal User or "
             "Restore Operator account cannot list, start, stop, retry or reschedule jobs. Use an account with the "
             "Portal Administrator role.")


def normalize_job_id(value):
    """Accept a job GUID or its UID (urn:veeam:Job:<GUID>, urn:veeam:NasJob:<GUID> ...); return the GUID in lower case."""
    text = (value or "").strip()
    match = _UID.match(text)
    if match:
        text = text[match.end():]
    if not _GUID.match(text):
        raise VeeamEmInputError("id %r is not a job id: give the job's GUID (e.g. "
                                "5658281f-625e-4627-89dd-d2a0c48be99e) or its UID urn:veeam:Job:<GUID>." % shorten(value))
    return text.lower()


class Job(Resource):
    """A job entity of one kind: the user-facing dict and the links the client walks."""

    def __init__(self, element, details=False, keep_links=True, kind=VM):
        super(Job, self).__init__(element, job_to_dict(element, details, kind), keep_links)
        self.kind = kind
        self.retry_options = retry_options(element)

    @property
    def job_type(self):
        return self.data["job_type"]

    def start_link(self):
        """The link that starts the job: Start, or Sync for backup copy jobs (em_api.md section 6)."""
        return self.action_link("Start", "Sync")


def retry_options(element):
    """The job's automatic retry settings: {specified, times, timeout_minutes}, or None when the entity has no
    RetryOptions (an immediate backup copy job's ImmediateCopyMode, get_jobs_id.md examples 2 and 3).

    jobs_id.md: JobScheduleOptions > Standart (sic, VBR 12+) > RetryOptions with RetryTimes, RetryTimeout and
    RetrySpecified; older EMs write RetryOptions right under JobScheduleOptions, so it is looked for anywhere below.
    jobscheduleoptions.md gives RetryTimeout no unit; the VBR console sets it in minutes.
    """
    options = _xml.child(element, "JobScheduleOptions")
    found = _xml.descendants(options, ("RetryOptions",)) if options is not None else []
    if not found:
        return None
    retry = found[0]
    return {
        "specified": _xml.to_bool(_xml.child_text(retry, "RetrySpecified")),
        "times": _xml.to_int(_xml.child_text(retry, "RetryTimes")),
        "timeout_minutes": _xml.to_int(_xml.child_text(retry, "RetryTimeout")),
    }


def job_to_dict(element, details=False, kind=VM):
    uid = element.get("UID")
    server = _xml.find_link(element, "Up", "BackupServerReference") or {}
    data = {
        "id": _xml.id_from_uid(uid) or _xml.id_from_href(element.get("Href")),
        "uid": uid,
        "name": element.get("Name"),
        "kind": kind.name,
        "job_type": _xml.child_text(element, "JobType") or kind.default_job_type,
        "platform": _xml.child_text(element, "Platform"),
        "description": _xml.child_text(element, "Description", ""),
        "backup_server": server.get("name"),
        "backup_server_id": _xml.id_from_href(server.get("href")),
        "schedule_configured": _xml.to_bool(_xml.child_text(element, "ScheduleConfigured")),
        "schedule_enabled": _xml.to_bool(_xml.child_text(element, "ScheduleEnabled")),
        "next_run": _xml.utc_time(_xml.child_text(element, "NextRun")),
        "href": element.get("Href"),
    }
    if details:
        options = _xml.child(element, "JobScheduleOptions")
        data["schedule"] = _xml.element_to_dict(options, JOB_DETAILS_SCHEMA) if options is not None else None
        # Where each kind keeps its objects (jobinfo.md, get_jobs_id.md examples 2-3, agents_jobs_id.md,
        # nas_jobs_id.md): VM jobs' JobInfo ObjectInJob, backup copy jobs' linked jobs and repositories, agent jobs'
        # ObjectInAgentBackupJob, file share jobs' own Includes of NASObject.
        holders = [child for child in (_xml.child(element, "JobInfo"), _xml.child(element, "Includes")) if child is not None]
        includes = [item for holder in holders for item in _xml.descendants(holder, INCLUDED_OBJECTS)]
        data["includes"] = [_xml.element_to_dict(item, JOB_DETAILS_SCHEMA) for item in includes]
    return data


def _with_role_hint(error):
    if ROLE_HINT in error.message:
        return error
    return VeeamEmPermissionError("%s %s" % (error.message, ROLE_HINT), method=error.method, url=error.url,
                                  status=error.status, server_message=error.server_message)


def find_jobs(em, name=None, job_id=None, backup_server=None, job_types=None, kinds=None, details=False):
    """The jobs of the given kinds (all by default) matching every given criterion (an empty list when none does).

    With any criterion the query service filters on the server: one filtered query per kind, so the number of
    requests does not grow with the number of jobs. EM compares names case-insensitively, so exact matching is
    done here too. Without criteria a kind that has a list link (VM jobs' JobList) is streamed in one request.
    """
    job_types = list(job_types or [])
    jobs = []
    try:
        for kind in kinds_named(kinds):
            if job_types and not set(job_types) & set(kind.job_types):
                continue
            if not (name or job_id or backup_server or job_types) and kind.list_link:
                jobs.extend(_list_all(em, kind, details))
                continue
            kind_types = [job_type for job_type in job_types if job_type in kind.job_types]
            query_filter = filter_all(
                filter_any("UID", [prefix + normalize_job_id(job_id) for prefix in kind.uid_prefixes]) if job_id else None,
                filter_any("Name", [name]) if name else None,
                filter_any("BackupServerName", [backup_server]) if backup_server else None,
                filter_any("JobType", kind_types) if kind_types and kind.job_type_filter else None,
            )
            jobs.extend(_query_kind(em, kind, query_filter, details))
    except VeeamEmPermissionError as error:
        raise _with_role_hint(error)
    return [job for job in jobs if _matches(job, name, job_id, backup_server, job_types)]


def find_jobs_by_uid(em, jobs):
    """The current state of known jobs, in bulk: one query per UIDS_PER_QUERY jobs of a kind."""
    fresh = []
    by_kind = {}
    for job in jobs:
        by_kind.setdefault(job.kind.name, (job.kind, []))[1].append(job.uid)
    for kind, uids in by_kind.values():
        ordered = sorted(set(uids))
        for start in range(0, len(ordered), UIDS_PER_QUERY):
            fresh.extend(_query_kind(em, kind, filter_any("UID", ordered[start:start + UIDS_PER_QUERY]), False))
    return fresh


def _query_kind(em, kind, query_filter, details):
    return [Job(element, details, kind=kind)
            for element in iter_query(em, kind.query_type, kind.entity_names, query_filter)]


def _matches(job, name, job_id, backup_server, job_types):
    data = job.data
    if name is not None and data["name"] != name:
        return False
    if job_id is not None and (data["id"] or "").lower() != normalize_job_id(job_id):
        return False
    # Backup server names are DNS names or addresses: compared without regard to case.
    if backup_server is not None and (data["backup_server"] or "").lower() != backup_server.lower():
        return False
    if job_types and data["job_type"] not in job_types:
        return False
    return True


def _list_all(em, kind, details):
    link = em.link(*kind.list_link)
    if link is None:
        raise VeeamEmPermissionError("The logon session of \"%s\" offers no job list. %s" % (em.username, ROLE_HINT))
    jobs = []
    em.stream(link["href"], kind.entity_names,
              lambda element: jobs.append(Job(element, details, keep_links=False, kind=kind)))
    return jobs


def find_one_job(em, name=None, job_id=None, backup_server=None, kinds=None):
    """Exactly one job, or a typed error that tells the user how to be more precise."""
    jobs = find_jobs(em, name=name, job_id=job_id, backup_server=backup_server, kinds=kinds)
    where = " on backup server %r" % shorten(backup_server) if backup_server else ""
    if not jobs:
        if name:
            raise VeeamEmNotFoundError("No job named %r%s on Enterprise Manager %s. Job names are case-sensitive "
                                       "here; veeam_em_job_info lists the jobs." % (shorten(name), where, em.api_root))
        raise VeeamEmNotFoundError("No job with id %s%s on Enterprise Manager %s; veeam_em_job_info lists the jobs "
                                   "with their ids." % (normalize_job_id(job_id), where, em.api_root))
    if len(jobs) > 1:
        candidates = ", ".join(sorted("%s job on %s (id %s)" % (job.kind.name, job.data["backup_server"], job.data["id"])
                                      for job in jobs))
        # Name only the options that would tell these candidates apart.
        differing = (("backup_server", set(job.data["backup_server"] for job in jobs)),
                     ("kind", set(job.kind.name for job in jobs)))
        tellers = [option for option, values in differing if len(values) > 1]
        hint = "Set %s, or give the job's id." % " or ".join(tellers) if tellers else "Give the job's id."
        raise VeeamEmAmbiguousError("%d jobs are named %r%s: %s. %s" % (len(jobs), shorten(name), where, candidates, hint))
    return jobs[0]
