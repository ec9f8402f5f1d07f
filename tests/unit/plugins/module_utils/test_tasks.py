# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task, task_to_dict
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml

SESSION = em_xml.session_href("35c24055-bdee-4e43-b655-a42de408d2ec")


def parse(**kwargs):
    return etree.fromstring(em_xml.task(**kwargs).encode())


def test_running_task_has_no_result_yet():
    assert task_to_dict(parse(task_id="task-1")) == {
        "id": "task-1", "href": em_xml.task_href("task-1"), "state": "Running", "operation": "StartJob",
        "success": None, "message": None,
    }


def test_finished_task_with_its_result():
    data = task_to_dict(parse(task_id="task-5", state="Finished", success=True,
                              message='Job "DB Backup" triggered to start.'))
    assert (data["state"], data["success"], data["message"]) == ("Finished", True, 'Job "DB Backup" triggered to start.')


def test_task_href_falls_back_to_the_delete_link():
    element = etree.fromstring(('<Task xmlns="%s"><Links><Link Rel="Delete" Href="https://em/api/tasks/task-9"/>'
                                "</Links><TaskId>task-9</TaskId><State>Running</State></Task>" % em_xml.NAMESPACE)
                               .encode())
    assert Task(element).href == "https://em/api/tasks/task-9"


@pytest.mark.parametrize("related_type", ["BackupJobSession", "ReplicaJobSession"])
def test_related_session_link_is_the_session_href(related_type):
    task = Task(parse(state="Finished", success=True, message="Ok", related=SESSION, related_type=related_type))
    assert task.session_href == SESSION


@pytest.mark.parametrize("related_type", ["Job", "RestorePointReference"])
def test_related_links_to_other_objects_are_not_a_session(related_type):
    assert Task(parse(state="Finished", success=True, related=SESSION, related_type=related_type)).session_href is None


@pytest.mark.parametrize("state, success, finished, failed", [
    ("Running", None, False, False),
    ("OperationFinished", True, False, False),
    ("OperationFinished", False, False, False),
    ("Finished", True, True, False),
    ("Finished", False, True, True),
    ("Finished", None, True, False),
])
def test_only_finished_counts_and_only_success_false_is_failure(state, success, finished, failed):
    task = Task(parse(state=state, success=success, message="m"))
    assert (task.finished, task.failed) == (finished, failed)


def test_an_answer_that_is_not_a_task_is_refused_with_the_url():
    from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmFormatError

    with pytest.raises(VeeamEmFormatError, match="https://em/api/jobs/1.action=start is a html document"):
        Task(etree.fromstring(b"<html><body>Bad gateway</body></html>"), "https://em/api/jobs/1?action=start")
