# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one clock of the client: every wait, back-off and elapsed time reads and sleeps through here.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Callers look the functions up at call time (``_clock.now()``), so a test replaces both in one place and no
test ever really sleeps.
"""

from __future__ import annotations

import datetime
import time


def now():
    """Seconds on a monotonic clock: immune to changes of the wall clock during a long wait."""
    return time.monotonic()


def sleep(seconds):
    time.sleep(seconds)


def utc_now():
    """The wall clock in UTC, for comparing with Enterprise Manager's times (``since``); not for measuring waits."""
    return datetime.datetime.now(datetime.timezone.utc)
