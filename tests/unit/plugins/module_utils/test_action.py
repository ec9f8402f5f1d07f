# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action pipeline (_action) on its own: the outcome object and the steps every action module shares.

The start module's tests (test_job_start.py) run every step through a whole start; these pin what a
future action (stop, retry, quick backup) relies on without the start's rules around it.
"""

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._action import ActionRun, Outcome
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmError,
    VeeamEmInputError,
    VeeamEmWaitTimeout,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import Job
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get, api_post

RUN = "a1a1a1a1-0000-4000-8000-000000000001"
ACTION_URL = em_xml.job_href() + "?action=stop"


def action(em, warnings, **wait):
    return ActionRun(em, WaitOptions(**wait), _clock.now(), noun="stop", sent="The job was asked to stop",
                     not_sent="Nothing was sent", check_hint="look at the job.", warn=warnings.append)


def job():
    return Job(etree.fromstring(em_xml.job().encode()))


def poll_session(state="Working", **session):
    return api_get(em_xml.session_href(RUN)).reply(200, em_xml.job_session_doc(RUN, state=state, **session))


# -- Outcome ---------------------------------------------------------------------------------------------
def test_outcome_is_immutable_and_replace_gives_a_new_one():
    first = Outcome()
    second = first.replace(changed=True)
    with pytest.raises(AttributeError, match="immutable"):
        first.changed = True
    assert (first.changed, second.changed) == (False, True)


def test_outcome_renders_every_key_with_null_for_the_unknown():
    assert Outcome(job=job()).result(1.234, "msg") == dict(
        changed=False, job=job().data, task=None, session=None, elapsed=1.23, msg="msg")


# -- run(): every failure leaves with the outcome as last seen -------------------------------------------
def test_a_failure_carries_the_outcome_and_its_own_keys_win(em, warnings):
    run = action(em, warnings)

    def steps(current):
        current.update(changed=True, job=job())
        raise VeeamEmError("refused", result=dict(changed=False))

    with pytest.raises(VeeamEmError) as caught:
        run.run(steps)
    assert caught.value.result["job"]["name"] == "DB Backup"
    assert caught.value.result["changed"] is False
    assert set(caught.value.result) == {"changed", "job", "task", "session", "elapsed"}


def test_timeout_names_the_budget_what_was_awaited_and_what_was_sent(em, warnings):
    run = action(em, warnings, timeout=30)
    run.update(changed=True)
    with pytest.raises(VeeamEmWaitTimeout) as caught:
        run.timeout("the session to end")
    assert str(caught.value) == ("Timed out after 30 s waiting for the session to end. The job was asked to stop; its "
                                 "task and session are returned so that a later task can keep tracking them.")


# -- post_once -------------------------------------------------------------------------------------------
def test_post_once_returns_the_task(em, http, warnings):
    http.expect(api_post(ACTION_URL).reply(202, em_xml.task_doc(operation="StopJob")))
    posted = action(em, warnings).post_once(ACTION_URL, reconcile=lambda: None, not_applied=str)
    assert (posted.task.data["operation"], posted.evidence) == ("StopJob", None)


def test_a_lost_answer_is_reconciled_by_re_reading_never_by_a_second_post(em, http, warnings):
    http.expect(api_post(ACTION_URL).reply(503, b""))
    reads = iter([None, None, "stopping"])
    posted = action(em, warnings).post_once(ACTION_URL, reconcile=lambda: next(reads), not_applied=str)
    assert (posted.task, posted.evidence) == (None, "stopping")
    assert "503" in str(posted.lost)
    assert http.methods.count("POST") == 2  # the logon and the one action


def test_a_lost_answer_without_evidence_fails_unchanged_with_the_actions_words(em, http, warnings):
    http.expect(api_post(ACTION_URL).reply(503, b""))
    with pytest.raises(VeeamEmError) as caught:
        action(em, warnings).post_once(ACTION_URL, reconcile=lambda: None,
                                       not_applied=lambda error: "Stop not applied after: %s" % error.status)
    assert str(caught.value) == "Stop not applied after: 503"
    assert caught.value.result == {"changed": False}


def test_a_refusal_4xx_is_raised_as_is_without_re_reading(em, http, warnings):
    http.expect(api_post(ACTION_URL).reply(400, em_xml.error("Job is not running.", 400)))

    def never():
        raise AssertionError("a 4xx refusal must not be reconciled")

    with pytest.raises(VeeamEmError, match="Job is not running."):
        action(em, warnings).post_once(ACTION_URL, reconcile=never, not_applied=str)


# -- follow_session --------------------------------------------------------------------------------------
def test_one_transient_error_on_the_first_session_read_is_tolerated_like_any_poll(em, http, warnings):
    # Regression: 0.1.0 read the session once outside the waiter, so a single 500 failed the whole wait.
    http.expect(api_get(em_xml.session_href(RUN)).reply(500, em_xml.error("Database busy", 500)),
                poll_session(), poll_session("Stopped"))
    session = action(em, warnings).follow_session(em_xml.session_href(RUN))
    assert session.stopped


def test_a_non_transient_error_on_the_first_session_read_is_raised(em, http, warnings):
    http.expect(api_get(em_xml.session_href(RUN)).reply(404, em_xml.error("Not found", 404)))
    with pytest.raises(VeeamEmError, match="Not found"):
        action(em, warnings).follow_session(em_xml.session_href(RUN))


def test_finish_run_turns_warning_into_an_ansible_warning(em, http, warnings):
    http.expect(poll_session("Stopped", result="Warning", failure_message="1 VM skipped"))
    result = action(em, warnings).finish_run(em_xml.session_href(RUN), "Job 'DB Backup' stopped")
    assert result["msg"].endswith("ended with result Warning.")
    assert warnings and "1 VM skipped" in warnings[0]


def test_wait_options_need_a_known_wait_for():
    with pytest.raises(VeeamEmInputError):
        WaitOptions(wait_for="never")
