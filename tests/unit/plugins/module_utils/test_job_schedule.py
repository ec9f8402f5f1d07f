# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Job schedules (_job_schedule): read first, toggle only what differs, verify after EM confirmed."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_schedule import JobSchedule
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

OTHER_GUID = "b04c217b-0538-4650-bec4-19deff4ea1ac"
THIRD_GUID = "c04c217b-0538-4650-bec4-19deff4ea1ac"
SERVER_FILTER = 'BackupServerName=="%s"' % em_xml.SERVER_NAME


def jobs_on_server(*jobs):
    return [api_get(em_xml.query_url("Job", SERVER_FILTER)).reply(200, em_xml.jobs_page(list(jobs)))
            ] + em_calls.other_kinds_empty(SERVER_FILTER)


def toggle(guid=em_xml.JOB_GUID, task_id="task-1"):
    return [api_post(em_xml.job_href(guid) + "?action=toggleScheduleEnabled").reply(
        202, em_xml.task_doc(task_id=task_id, operation="UpdateJob")),
        api_get(em_xml.task_href(task_id)).reply(200, em_xml.task_doc(task_id=task_id, state="Finished",
                                                                      operation="UpdateJob", success=True,
                                                                      message="Ok"))]


def re_read(*jobs):
    terms = sorted('UID=="urn:veeam:Job:%s"' % guid for guid, dummy in jobs)
    query_filter = terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)
    return api_get(em_xml.query_url("Job", query_filter)).reply(200, em_xml.jobs_page(
        [em_xml.job(guid=guid, name="Job " + guid[:4], schedule_enabled=enabled) for guid, enabled in jobs]))


def run(em, warnings, enabled=False, check_mode=False):
    return JobSchedule(em, JobSelector(backup_server=em_xml.SERVER_NAME, several=True), enabled,
                       check_mode=check_mode, warn=warnings.append).run()


def three_jobs():
    return (em_xml.job(), em_xml.job(name="Off already", guid=OTHER_GUID, schedule_enabled=False),
            em_xml.job(name="No schedule", guid=THIRD_GUID, schedule_configured=False))


def test_only_the_jobs_that_differ_are_toggled_and_verified_in_bulk(em, http, warnings):
    http.expect(jobs_on_server(*three_jobs()), toggle(), re_read((em_xml.JOB_GUID, False)))
    result = run(em, warnings)
    assert (result["changed"], result["changed_jobs"]) == (True, [em_xml.JOB_GUID])
    assert [job["schedule_enabled"] for job in result["jobs"]] == [False, False, True]
    assert result["diff"]["before"]["jobs"][em_xml.JOB_GUID] is True
    assert result["diff"]["after"]["jobs"][em_xml.JOB_GUID] is False
    assert http.methods.count("POST") == 2  # the logon and exactly one toggle
    assert len(warnings) == 1 and "'No schedule'" in warnings[0] and "has no schedule configured" in warnings[0]


def test_nothing_is_sent_when_every_schedule_is_as_wanted(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job(guid=OTHER_GUID, schedule_enabled=False)))
    result = run(em, warnings)
    assert (result["changed"], result["changed_jobs"]) == (False, [])
    assert result["msg"] == "The schedules of 1 job(s) were already disabled; nothing was sent."


def test_check_mode_sends_nothing_and_shows_the_schedules_as_they_would_be(em, http, warnings):
    http.expect(jobs_on_server(*three_jobs()))
    result = run(em, warnings, check_mode=True)
    assert (result["changed"], result["changed_jobs"]) == (True, [em_xml.JOB_GUID])
    assert result["jobs"][0]["schedule_enabled"] is False
    assert http.methods.count("POST") == 1


def test_a_toggle_that_landed_the_wrong_way_is_toggled_once_more_with_a_warning(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()), toggle(), re_read((em_xml.JOB_GUID, True)),
                toggle(task_id="task-2"), re_read((em_xml.JOB_GUID, False)))
    result = run(em, warnings)
    assert result["jobs"][0]["schedule_enabled"] is False
    assert any("toggled once more" in warning for warning in warnings)


def test_a_schedule_that_keeps_flipping_fails_after_two_toggles(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()), toggle(), re_read((em_xml.JOB_GUID, True)),
                toggle(task_id="task-2"), re_read((em_xml.JOB_GUID, True)))
    with pytest.raises(VeeamEmError, match="still not disabled after two toggles"):
        run(em, warnings)


def test_a_lost_toggle_answer_is_never_toggled_blindly_again_and_says_to_run_again(em, http, warnings):
    http.expect(jobs_on_server(em_xml.job()),
                api_post(em_xml.job_href() + "?action=toggleScheduleEnabled").reply(503, b""))
    with pytest.raises(VeeamEmError) as caught:
        run(em, warnings)
    assert caught.value.result["changed"] is True
    assert "may or may not have been applied. Run the task again" in str(caught.value)
    assert http.methods.count("POST") == 2


def test_a_failure_part_way_still_hands_on_every_job_a_toggle_was_sent_for(em, http, warnings):
    # Regression: changed_jobs came back empty, so a maintenance window could not re-enable what was disabled.
    http.expect(jobs_on_server(em_xml.job(), em_xml.job(name="Second", guid=OTHER_GUID)),
                toggle()[0], api_post(em_xml.job_href(OTHER_GUID) + "?action=toggleScheduleEnabled").reply(503, b""))
    with pytest.raises(VeeamEmError) as caught:
        run(em, warnings)
    assert caught.value.result["changed"] is True
    assert caught.value.result["changed_jobs"] == [em_xml.JOB_GUID, OTHER_GUID]
    assert [job["name"] for job in caught.value.result["jobs"]] == ["DB Backup", "Second"]


def test_the_tasks_of_several_toggles_are_polled_together_not_one_wait_after_the_other(em, http, warnings, clock):
    first, second = toggle(), toggle(guid=OTHER_GUID, task_id="task-2")
    running = api_get(em_xml.task_href("task-2")).reply(200, em_xml.task_doc(task_id="task-2", state="Running",
                                                                             operation="UpdateJob"))
    # Both toggles are sent before any task is polled; the first round finds task-1 done and task-2 running, and the
    # next round polls only task-2.
    http.expect(jobs_on_server(em_xml.job(), em_xml.job(name="Second", guid=OTHER_GUID)), first[0], second[0],
                first[1], running, second[1], re_read((em_xml.JOB_GUID, False), (OTHER_GUID, False)))
    result = run(em, warnings)
    assert sorted(result["changed_jobs"]) == sorted([em_xml.JOB_GUID, OTHER_GUID])
    assert len(clock.sleeps) == 2, "two rounds of polls, not one wait per task: %s" % clock.sleeps
