# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job session history: the logic behind veeam_em_session_info.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Every filter goes to the query service (get_query_backupjobsession.md, get_query_replicajobsession.md: JobName,
JobUid, BackupServerName, JobType, State, Result, CreationTime with >=), so the requests follow the number of
matching sessions (pages of 100), never the size of the history. Sessions are queried directly, never through
/jobs, because a Portal User may read sessions but not jobs (security_roles_concept.md). Task sessions come in
bulk (``_task_sessions``).
"""

from __future__ import annotations

import heapq
import itertools

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._input_checks import refuse_empty
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import (
    KIND_NAMES,
    SESSION_JOB_TYPES,
    job_uid_candidates,
    kind_of_session_job_type,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import session_to_dict
from ansible_collections.seedops.veeam_em.plugins.module_utils._task_sessions import TASK_SESSION_TYPES, task_sessions_of
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import normalize_job_id
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import PAGE_SIZE, filter_all, filter_any, iter_query
from ansible_collections.seedops.veeam_em.plugins.module_utils._times import parse_since, quote_time
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

RESULTS = ("Success", "Warning", "Failed")
STATES = ("Starting", "Working", "Stopping", "Pausing", "Resuming", "Stopped")
# (query type, task session query type) of each job session type.
_SESSION_TYPES = tuple(TASK_SESSION_TYPES.items())


class SessionQuery(object):
    """The options of veeam_em_session_info, checked before anything is sent."""

    def __init__(self, job_name=None, job_id=None, backup_server=None, kinds=None, results=None, states=None,
                 since=None, limit=100, include_tasks=False):
        refuse_empty((("job_name", job_name, "job name"), ("job_id", job_id, "job id (GUID or UID)"),
                      ("backup_server", backup_server, "backup server name")))
        if limit is None or limit < 1:
            raise VeeamEmInputError("limit must be 1 or more sessions, got %s." % limit)
        self.job_name = job_name
        self.job_guid = normalize_job_id(job_id) if job_id is not None else None
        self.backup_server = backup_server
        self.kinds = list(kinds or KIND_NAMES)
        self.results = list(results or [])
        self.states = list(states or [])
        self.since = parse_since(since)
        self.limit = limit
        self.include_tasks = include_tasks

    @classmethod
    def from_params(cls, params):
        return cls(params["job_name"], params["job_id"], params["backup_server"], params["kind"], params["result"],
                   params["state"], params["since"], params["limit"], params["include_tasks"])

    def filter_for(self, session_type):
        """The query filter for one session type, or None when that type cannot match."""
        job_types = [job_type for kind in self.kinds for job_type in SESSION_JOB_TYPES[kind]
                     if (job_type == "Replica") == (session_type == "ReplicaJobSession")]
        if not job_types:
            return None
        all_types = session_type == "ReplicaJobSession" or len(self.kinds) == len(KIND_NAMES)
        # "" (no filter at all) asks for the newest sessions of every job, one page of them.
        return filter_all(
            filter_any("JobName", [self.job_name]) if self.job_name else None,
            filter_any("JobUid", job_uid_candidates(self.job_guid)) if self.job_guid else None,
            filter_any("BackupServerName", [self.backup_server]) if self.backup_server else None,
            None if all_types else filter_any("JobType", job_types),
            filter_any("Result", self.results) if self.results else None,
            filter_any("State", self.states) if self.states else None,
            "CreationTime>=%s" % quote_time(self.since) if self.since else None,
        ) or ""


def session_item(element):
    """The session dict of veeam_em_job_info's last_session, plus job_id, kind and backup_server."""
    data = session_to_dict(element)
    server = _xml.find_link(element, "Up", "BackupServerReference") or {}
    data["job_id"] = _xml.id_from_uid(data["job_uid"])
    data["kind"] = kind_of_session_job_type(data["job_type"])
    data["backup_server"] = server.get("name")
    return data


def read_sessions(em, query):
    streams = []
    for session_type, task_type in _SESSION_TYPES:
        query_filter = query.filter_for(session_type)
        if query_filter is None:
            continue
        page = min(query.limit, PAGE_SIZE)
        elements = iter_query(em, session_type, session_type, query_filter or None, sort_desc="CreationTime",
                              page_size=page)
        streams.append(_keyed(elements, task_type, query.job_name))
    newest = list(itertools.islice(heapq.merge(*streams, key=lambda entry: entry[0], reverse=True), query.limit))
    sessions = [item for dummy, dummy_type, item in newest]
    if query.include_tasks:
        tasks = task_sessions_of(em, [(task_type, item["uid"]) for dummy, task_type, item in newest])
        for dummy, dummy_type, item in newest:
            item["tasks"] = tasks.get(item["uid"], [])
    return dict(changed=False, sessions=sessions)


def _keyed(elements, task_type, job_name=None):
    """(creation time, task session type, session dict) of each session, lazily: a page is read when needed."""
    for element in elements:
        item = session_item(element)
        # The query service compares JobName without regard to case ("Exchange Backup" and "exchange backup" are
        # two jobs); the job name is matched exactly here, as job_info does.
        if job_name is None or item["job_name"] == job_name:
            yield item["creation_time"] or "", task_type, item


def run_session_info(module):
    """veeam_em_session_info's one call: check the options, log on, read, log off, exit."""
    module.run(read_sessions, prepare=lambda: SessionQuery.from_params(module.params),
               always=dict(sessions=None))
