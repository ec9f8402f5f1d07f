# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kinds of job Enterprise Manager serves, each from its own collection.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

- ``vm``: VM backup, replica and backup copy jobs, /jobs (get_jobs_id.md, get_query_job.md);
- ``agent``: Veeam Agent backup jobs, /agents/jobs (get_agents_jobs_id.md, get_query_agentbackupjob.md);
- ``file_share``: file share backup jobs, /nas/jobs (get_nas_jobs_id.md, get_query_nasjob.md).

Every kind's sessions are BackupJobSessions with the kind's JobType (get_query_backupjobsession.md: AgentBackup,
NasBackup), except replica jobs' ReplicaJobSessions. The actions are the links each entity offers: ``?action=``
links for VM and agent jobs, path links (``/nas/jobs/{id}/start``) for file share jobs.
"""

from __future__ import annotations


class JobKind(object):
    def __init__(self, name, query_type, entity_names, uid_prefixes, job_types, job_type_filter, list_link=None,
                 default_job_type=None):
        self.name = name
        self.query_type = query_type
        # The entity's element name as the docs' examples write it (get_nas_jobs_id.md: <NASJob Type="NasJob">).
        self.entity_names = entity_names
        self.uid_prefixes = uid_prefixes
        self.job_types = job_types
        # Whether the query service documents JobType as a filter for this kind.
        self.job_type_filter = job_type_filter
        # (Rel, Type) of a logon-session link that lists the whole collection in one streamed request.
        self.list_link = list_link
        self.default_job_type = default_job_type


VM = JobKind("vm", "Job", ("Job",), ("urn:veeam:Job:",), ("Backup", "Replica", "BackupCopy", "ImmediateBackupCopy"),
             job_type_filter=True, list_link=("Down", "JobList"))
# get_query_agentbackupjob.md gives the UID as urn:veeam:Job:<guid> in its parameter table and the entity example
# of get_agents_jobs_id.md as urn:veeam:AgentBackupJob:<guid>; an id filter asks for both (guess: either may occur).
AGENT = JobKind("agent", "AgentBackupJob", ("AgentBackupJob",), ("urn:veeam:AgentBackupJob:", "urn:veeam:Job:"),
                ("AgentBackup",), job_type_filter=True, default_job_type="AgentBackup")
# get_query_nasjob.md documents no JobType filter and the entity shows none; the session type of a file share
# job is NasBackup (get_query_backupjobsession.md), which the module reports as the job's job_type (guess).
FILE_SHARE = JobKind("file_share", "NasJob", ("NASJob", "NasJob"), ("urn:veeam:NasJob:",), ("NasBackup",),
                     job_type_filter=False, default_job_type="NasBackup")

KINDS = (VM, AGENT, FILE_SHARE)
KIND_NAMES = tuple(kind.name for kind in KINDS)
JOB_TYPES = tuple(job_type for kind in KINDS for job_type in kind.job_types)


def kinds_named(names):
    """The JobKind objects of ``names`` (all kinds when empty), in the table's order."""
    wanted = set(names or KIND_NAMES)
    return [kind for kind in KINDS if kind.name in wanted]


# The JobType of a session, by kind (get_query_backupjobsession.md lists seven values; Replica is a
# ReplicaJobSession). Worker and child sessions belong to their parent's kind.
SESSION_JOB_TYPES = {
    "vm": ("Backup", "BackupCopy", "ImmediateBackupCopy", "ImmediateBackupCopyWorker", "Replica"),
    "agent": ("AgentBackup", "AgentManagement"),
    "file_share": ("NasBackup",),
}


def kind_of_session_job_type(job_type):
    for name, job_types in SESSION_JOB_TYPES.items():
        if job_type in job_types:
            return name
    return None


def job_uid_candidates(guid):
    """Every UID a job with this GUID may have, whatever its kind."""
    found = []
    for kind in KINDS:
        for prefix in kind.uid_prefixes:
            if prefix + guid not in found:
                found.append(prefix + guid)
    return found
