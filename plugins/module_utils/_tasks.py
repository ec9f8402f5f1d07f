# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Enterprise Manager tasks: the handle an action returns, and the task dict users see.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

A task goes Running -> OperationFinished -> Finished. Only Finished means that EM has collected the
operation's data (em_api.md section 7), so that is the state we wait for, with one exception: a task in
OperationFinished that already carries a successful Result has done its operation, and EM may leave it
there (the sync task of post_jobs_id_actionsync.md rests in OperationFinished with Result Success="true").
An action then confirms the operation by its effect instead (``_action.ActionRun.follow_task``).
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmFormatError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import SESSION_TYPES
from ansible_collections.seedops.veeam_em.plugins.module_utils._resource import Resource
from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

FINISHED = "Finished"


class Task(Resource):
    def __init__(self, element, url=None):
        if _xml.local_name(element) != "Task":
            raise VeeamEmFormatError("The answer from %s is a %s document, not the Enterprise Manager Task that "
                                     "was expected." % (url or "Enterprise Manager", _xml.local_name(element)))
        super(Task, self).__init__(element, task_to_dict(element))
        if not self.data["href"]:
            raise VeeamEmFormatError("The task %s from %s has no link to follow it." % (self.data["id"], url))
        related = None
        for link in self.links:
            if link["rel"] == "Related" and link["type"] in SESSION_TYPES:
                related = link["href"]
        self.session_href = related

    @property
    def finished(self):
        return self.data["state"] == FINISHED

    @property
    def succeeded(self):
        """A successful Result is there (in OperationFinished too): the operation itself was done."""
        return self.data["success"] is True

    @property
    def failed(self):
        return self.finished and self.data["success"] is False


def task_to_dict(element):
    result = _xml.child(element, "Result")
    delete = _xml.find_link(element, "Delete")
    return {
        "id": _xml.child_text(element, "TaskId"),
        "href": element.get("Href") or (delete["href"] if delete else None),
        "state": _xml.child_text(element, "State"),
        "operation": _xml.child_text(element, "Operation"),
        # Result is absent while the task is Running: success is then unknown (null).
        "success": _xml.to_bool(result.get("Success")) if result is not None else None,
        "message": _xml.child_text(result, "Message") if result is not None else None,
    }
