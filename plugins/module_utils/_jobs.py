# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Jobs: look-up through the query service or the JobList link, and the job dict users see.

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
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_all, filter_any, query
from ansible_collections.seedops.veeam_em.plugins.module_utils._resource import Resource
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import shorten
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

JOB_TYPES = ("Backup", "Replica", "BackupCopy", "ImmediateBackupCopy")
JOB_UID_PREFIX = "urn:veeam:Job:"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# The typed fields of a job's details, from the docs' tables: jobscheduleoptions.md (Boolean, Int64 and the
# repeated Days, Months and Day of a continuous schedule), jobinfo.md (Boolean, Int, Int64),
# get_jobs_id_includes_id.md (ObjectInJob Order: Int) and simple_and_gfs_retention_policies.md.
JOB_DETAILS_SCHEMA = _xml.Schema(
    booleans=("Enabled", "WaitForBackupCompletion", "RetrySpecified", "BackupLogsEnabled", "IsCopyOnly",
              "ProxyAutoSelect", "UseDbBackupRetention", "UsePersistentGuestAgent"),
    integers=("RetryTimes", "RetryTimeout", "BackupCompetitionWaitingPeriodMin", "FullPeriod", "RetainCycles",
              "RetainDaysToKeep", "RetentionPeriod", "RetainDays", "ArchivedLogsMaxAgeHours", "ArchivedLogsMaxSizeMb",
              "BackupLogsFrequencyMin", "BackupScope", "Order"),
    lists=("Days", "Months", "Day"),
)

ROLE_HINT = ("Enterprise Manager gives access to jobs to the Portal Administrator role only; a Portal User or "
             "Restore Operator account can neither list nor start jobs. Use an account with the Portal "
             "Administrator role.")


def normalize_job_id(value):
    """Accept a job GUID or its UID urn:veeam:Job:<GUID>; return the bare GUID in lower case."""
    text = (value or "").strip()
    if text.lower().startswith(JOB_UID_PREFIX.lower()):
        text = text[len(JOB_UID_PREFIX):]
    if not _GUID.match(text):
        raise VeeamEmInputError("id %r is not a job id: give the job's GUID (e.g. "
                                "5658281f-625e-4627-89dd-d2a0c48be99e) or its UID urn:veeam:Job:<GUID>." % shorten(value))
    return text.lower()


class Job(Resource):
    """A job entity: the user-facing dict and the links the client walks."""

    def __init__(self, element, details=False, keep_links=True):
        super(Job, self).__init__(element, job_to_dict(element, details), keep_links)

    @property
    def job_type(self):
        return self.data["job_type"]

    def start_link(self):
        """The link that starts the job: Start, or Sync for backup copy jobs (em_api.md section 6)."""
        return self.action_link("Start", "Sync")


def job_to_dict(element, details=False):
    uid = element.get("UID")
    server = _xml.find_link(element, "Up", "BackupServerReference") or {}
    data = {
        "id": _xml.id_from_uid(uid) or _xml.id_from_href(element.get("Href")),
        "uid": uid,
        "name": element.get("Name"),
        "job_type": _xml.child_text(element, "JobType"),
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
        info = _xml.child(element, "JobInfo")
        includes = _xml.descendants(info, "ObjectInJob") if info is not None else []
        data["includes"] = [_xml.element_to_dict(item, JOB_DETAILS_SCHEMA) for item in includes]
    return data


def _with_role_hint(error):
    if ROLE_HINT in error.message:
        return error
    return VeeamEmPermissionError("%s %s" % (error.message, ROLE_HINT), method=error.method, url=error.url,
                                  status=error.status, server_message=error.server_message)


def find_jobs(em, name=None, job_id=None, backup_server=None, job_types=None, details=False):
    """The jobs matching every given criterion (an empty list when none does).

    With any criterion the query service filters on the server, so the number of requests does not grow
    with the number of jobs; EM compares names case-insensitively, so exact matching is done here too.
    Without criteria the whole JobList is streamed in one request.
    """
    job_types = list(job_types or [])
    try:
        if not (name or job_id or backup_server or job_types):
            return _list_all(em, details)
        query_filter = filter_all(
            "UID==%s" % _quote_uid(job_id) if job_id else None,
            filter_any("Name", [name]) if name else None,
            filter_any("BackupServerName", [backup_server]) if backup_server else None,
            filter_any("JobType", job_types) if job_types else None,
        )
        jobs = [Job(element, details) for element in query(em, "Job", "Job", query_filter)]
    except VeeamEmPermissionError as error:
        raise _with_role_hint(error)
    return [job for job in jobs if _matches(job, name, job_id, backup_server, job_types)]


def _quote_uid(job_id):
    return '"%s%s"' % (JOB_UID_PREFIX, normalize_job_id(job_id))


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


def _list_all(em, details):
    link = em.link("Down", "JobList")
    if link is None:
        raise VeeamEmPermissionError("The logon session of \"%s\" offers no job list. %s" % (em.username, ROLE_HINT))
    jobs = []
    em.stream(link["href"], ("Job",), lambda element: jobs.append(Job(element, details, keep_links=False)))
    return jobs


def find_one_job(em, name=None, job_id=None, backup_server=None):
    """Exactly one job, or a typed error that tells the user how to be more precise."""
    jobs = find_jobs(em, name=name, job_id=job_id, backup_server=backup_server)
    where = " on backup server %r" % shorten(backup_server) if backup_server else ""
    if not jobs:
        if name:
            raise VeeamEmNotFoundError("No job named %r%s on Enterprise Manager %s. Job names are case-sensitive "
                                       "here; veeam_em_job_info lists the jobs." % (shorten(name), where, em.api_root))
        raise VeeamEmNotFoundError("No job with id %s%s on Enterprise Manager %s; veeam_em_job_info lists the jobs "
                                   "with their ids." % (normalize_job_id(job_id), where, em.api_root))
    if len(jobs) > 1:
        servers = ", ".join(sorted("%s (id %s)" % (job.data["backup_server"], job.data["id"]) for job in jobs))
        raise VeeamEmAmbiguousError(
            "%d jobs are named %r%s, on these backup servers: %s. Set backup_server, or give the job's id."
            % (len(jobs), shorten(name), where, servers))
    return jobs[0]


_WHAT = {"name": "job name", "id": "job id (GUID or UID)", "backup_server": "backup server name"}


class JobSelector(object):
    """The shared job selector options (``name``, ``id``, ``backup_server``), checked before anything is sent."""

    def __init__(self, name=None, job_id=None, backup_server=None):
        for option, value in (("name", name), ("id", job_id), ("backup_server", backup_server)):
            # An empty variable is a common mistake; EM would read an empty filter as "match everything".
            if value is not None and not value.strip():
                raise VeeamEmInputError(
                    "%s is empty%s: give the exact %s, or leave the option out (an empty value would match every "
                    "job)." % (option, "" if value == "" else " (only white space)", _WHAT[option]))
        if job_id is not None:
            normalize_job_id(job_id)
        self.name = name
        self.job_id = job_id
        self.backup_server = backup_server

    @classmethod
    def from_params(cls, params):
        return cls(params.get("name"), params.get("id"), params.get("backup_server"))

    def find_one(self, em):
        return find_one_job(em, name=self.name, job_id=self.job_id, backup_server=self.backup_server)

    def find_all(self, em, job_types=None, details=False):
        return find_jobs(em, name=self.name, job_id=self.job_id, backup_server=self.backup_server,
                         job_types=job_types, details=details)
