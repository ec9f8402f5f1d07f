# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Task sessions (one processed VM, computer or share of a job session), read in bulk.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

get_query_backuptasksession.md: JobSessionUid filters by the parent session, so the task sessions of many
sessions come from one query per UIDS_PER_QUERY sessions, never one request per session. A Portal User may
read them (security_roles_concept.md).
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import UIDS_PER_QUERY, session_type_of
from ansible_collections.seedops.veeam_em.plugins.module_utils._query import filter_any, iter_query
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

# The task session query type of each job session type.
TASK_SESSION_TYPES = {"BackupJobSession": "BackupTaskSession", "ReplicaJobSession": "ReplicaTaskSession"}


def task_session_to_dict(element):
    """A BackupTaskSession or ReplicaTaskSession (backuptasksessions_id.md), one per processed object."""
    return {
        "name": element.get("VmDisplayName") or element.get("Name"),
        "session_name": element.get("Name"),
        "state": _xml.child_text(element, "State"),
        "result": _xml.child_text(element, "Result") or None,
        "reason": _xml.child_text(element, "Reason") or None,
        "progress": _xml.to_int(_xml.child_text(element, "Progress")),
        "creation_time": _xml.utc_time(_xml.child_text(element, "CreationTimeUTC")),
        "end_time": _xml.utc_time(_xml.child_text(element, "EndTimeUTC")),
        "total_size": _xml.to_int(_xml.child_text(element, "TotalSize")),
        "job_session_uid": _xml.child_text(element, "JobSessionUid"),
    }


def task_sessions_of(em, typed_uids):
    """{job session uid: [task session dicts]} for (task session type, job session uid) pairs."""
    by_type = {}
    for task_type, uid in typed_uids:
        by_type.setdefault(task_type, set()).add(uid)
    found = {}
    for task_type, uids in sorted(by_type.items()):
        ordered = sorted(uids)
        for start in range(0, len(ordered), UIDS_PER_QUERY):
            chunk_filter = filter_any("JobSessionUid", ordered[start:start + UIDS_PER_QUERY])
            for element in iter_query(em, task_type, task_type, chunk_filter):
                task = task_session_to_dict(element)
                if task["job_session_uid"] in uids:
                    found.setdefault(task["job_session_uid"], []).append(task)
    return found


def failure_reasons(em, session):
    """The reasons of a session's failed or warned objects, in one sentence each: what EM leaves in the task
    sessions when the session's own FailureMessage is empty (captured v12 traffic shows it null)."""
    task_type = TASK_SESSION_TYPES.get(session_type_of(session), "BackupTaskSession")
    tasks = task_sessions_of(em, [(task_type, session.uid)]).get(session.uid, [])
    return ["%s: %s" % (task["name"], task["reason"]) for task in tasks
            if task["result"] in ("Failed", "Warning") and task["reason"]]
