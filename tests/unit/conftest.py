# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the unit tests: the expected-HTTP-exchanges framework and a fake clock.

``http``: declare the requests a test expects (see tests/unit/plugins/module_utils/framework.py); after a
test that passed, every declared request must have been made.
``clock`` (used by every test): the client's sleeps and monotonic clock are a FakeClock, so waits and
retry back-offs take no time and tests can assert on them.
"""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import FakeClock, HttpExpectations


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.veeam_em_call_failed = report.failed


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every sleep and clock read of the client goes to one FakeClock: no test really waits."""
    fake = FakeClock()
    monkeypatch.setattr(_clock, "now", fake.monotonic)
    monkeypatch.setattr(_clock, "sleep", fake.sleep)
    return fake


@pytest.fixture
def http(monkeypatch, request):
    expectations = HttpExpectations().install(monkeypatch)
    yield expectations
    if not getattr(request.node, "veeam_em_call_failed", False):
        expectations.assert_all_used()
