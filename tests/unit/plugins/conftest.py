# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``em``: an EmSession logged on through the expected exchanges, logged off when the test ends."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_calls, em_xml


@pytest.fixture
def warnings():
    return []


@pytest.fixture
def em(http, warnings, request):
    """A logged-on session; the test declares its own exchanges after the logon ones."""
    http.expect(em_calls.logon())
    session = EmSession(em_xml.EM, em_xml.USER, em_xml.PASSWORD, warn=warnings.append)
    session.__enter__()
    yield session
    if getattr(request.node, "veeam_em_call_failed", False):
        # The test failed already: do not pile a second failure (an unexpected DELETE) on top of it.
        session._token = None  # pylint: disable=protected-access
    else:
        http.expect(em_calls.logoff())
    session.__exit__(None, None, None)
