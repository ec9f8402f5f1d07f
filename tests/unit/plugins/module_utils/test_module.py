# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""VeeamEmModule.run: log on, work, log off on every path, then exit_json or fail_json."""

from __future__ import annotations

import os
import signal

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError, VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import GET, POST
from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import (
    ModuleExit,
    ModuleFail,
    module_args,
    patch_results,
)

ARGS = dict(url=em_xml.EM, username=em_xml.USER, password=em_xml.PASSWORD)


def run(monkeypatch, http, work, prepare=None, always=None, args=None):
    """VeeamEmModule(...).run(work, prepare); returns (failed, result), result with the methods sent before it."""
    patch_results(monkeypatch, [], on_fail=lambda result: result.update(sent_before=list(http.methods)))
    with module_args(monkeypatch, dict(ARGS, **(args or {}))):
        module = VeeamEmModule(argument_spec={}, supports_check_mode=True)
        try:
            module.run(work, prepare=prepare, always=always)
        except ModuleExit as done:
            return False, done.result
        except ModuleFail as failed:
            return True, failed.result
    raise AssertionError("neither exit_json nor fail_json")


def test_the_work_result_is_exited_after_logoff(monkeypatch, http):
    http.expect(em_calls.logon(), em_calls.logoff())
    failed, result = run(monkeypatch, http, lambda em, prepared: dict(changed=False, prepared=prepared,
                                                                      session=em.session_id),
                         prepare=lambda: "checked")
    assert not failed
    assert result == dict(changed=False, prepared="checked", session=em_xml.SESSION_ID)


def test_a_client_error_fails_with_its_result_keys_after_logoff(monkeypatch, http):
    http.expect(em_calls.logon(), em_calls.logoff())

    def work(em, prepared):
        raise VeeamEmError("Timed out after 5 s", result=dict(changed=True, task={"id": "task-1"}, msg="stale"))

    failed, result = run(monkeypatch, http, work)
    assert failed
    assert (result["msg"], result["changed"], result["task"]) == ("Timed out after 5 s", True, {"id": "task-1"})
    assert result["sent_before"][-1] == "DELETE"


def test_a_client_error_without_result_fails_with_changed_false(monkeypatch, http):
    http.expect(em_calls.logon(), em_calls.logoff())

    def work(em, prepared):
        raise VeeamEmError("nope")

    failed, result = run(monkeypatch, http, work)
    assert (failed, result["changed"], result["msg"]) == (True, False, "nope")


def test_a_prepare_error_fails_without_logging_on(monkeypatch, http):
    def prepare():
        raise VeeamEmInputError("id 'x' is not a job id")

    failed, result = run(monkeypatch, http, lambda em, prepared: {}, prepare=prepare)
    assert failed and "is not a job id" in result["msg"]
    assert http.sent == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_work_logs_off_then_fails(monkeypatch, http, signum):
    # SIGINT regression: 0.1.0 ended with a KeyboardInterrupt traceback and "Module result deserialization failed".
    http.expect(em_calls.logon(), em_calls.logoff())
    before = signal.getsignal(signum)

    def work(em, prepared):
        os.kill(os.getpid(), signum)
        raise AssertionError("the signal did not interrupt the work")

    failed, result = run(monkeypatch, http, work)
    assert failed
    assert "stopped by signal %d (%s)" % (signum, signal.Signals(signum).name) in result["msg"]
    assert "It logged off from Enterprise Manager." in result["msg"]
    assert result["sent_before"][-1] == "DELETE"
    assert signal.getsignal(signum) == before


def test_a_failed_logon_still_returns_every_key_the_module_documents_as_always(monkeypatch, http):
    # Regression: a logon failure returned only changed and msg, and the guide's rescue example then broke.
    http.expect(em_calls.anonymous(GET(em_xml.API)).reply(200, em_xml.entry_point()),
                POST(em_xml.API + "sessionMngr/?v=latest").reply(401, em_xml.error("Unauthorized", 401)))
    failed, result = run(monkeypatch, http, lambda em, prepared: {},
                         always=dict(job=None, task=None, session=None, elapsed=None))
    assert failed and "was refused (HTTP 401)" in result["msg"]
    assert (result["job"], result["task"], result["session"]) == (None, None, None)
    assert isinstance(result["elapsed"], float)


def test_an_unexpected_exception_still_logs_off(monkeypatch, http):
    http.expect(em_calls.logon(), em_calls.logoff())

    def work(em, prepared):
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        run(monkeypatch, http, work)
    assert http.methods[-1] == "DELETE"
