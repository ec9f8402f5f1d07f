# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Polling on a monotonic clock, with early polls and a hard deadline.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The waiter only polls: a predicate says "done", the waiter returns (done, last state, elapsed) and the
caller decides what a timeout means (kubernetes.core's waiter is the model).
"""

from __future__ import annotations

import time

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmApiError, VeeamEmTransportError

# Short tasks and short jobs should not cost a whole poll interval: the first poll comes after half a
# second, then one a second for the first seconds of a wait (never more often than that), then one every
# poll_interval. A 3 s job is seen finished within about a second of its end (docs/benchmarks.md).
FIRST_DELAY_S = 0.5
EARLY_DELAY_S = 1.0
EARLY_WINDOW_S = 10.0
# A poll that fails for a passing reason (the transport already retried it) is tolerated this many
# times in a row before the wait gives up.
MAX_TRANSIENT_POLL_ERRORS = 3


class WaitResult(object):
    def __init__(self, done, last, elapsed):
        self.done = done
        self.last = last
        self.elapsed = elapsed


def _is_transient(error):
    if isinstance(error, VeeamEmTransportError):
        return True
    return isinstance(error, VeeamEmApiError) and error.status in (500, 502, 503, 504)


def delays(poll_interval):
    """The pause before each poll: 0.5 s, then 1 s until 10 s have passed, then poll_interval.

    No pause is ever longer than poll_interval.
    """
    waited = 0.0
    pause = min(FIRST_DELAY_S, poll_interval)
    while waited + pause < EARLY_WINDOW_S and pause < poll_interval:
        yield pause
        waited += pause
        pause = min(EARLY_DELAY_S, poll_interval)
    while True:
        yield poll_interval


class Waiter(object):
    """Poll ``fetch()`` until ``is_done(state)`` or ``deadline`` (a time.monotonic() value) passes."""

    def __init__(self, poll_interval, deadline, clock=time.monotonic, sleep=time.sleep, started=None):
        self.poll_interval = poll_interval
        self.deadline = deadline
        self._clock = clock
        self._sleep = sleep
        self.started = clock() if started is None else started

    def remaining(self):
        return max(0.0, self.deadline - self._clock())

    def elapsed(self):
        return self._clock() - self.started

    def wait(self, fetch, is_done, initial=None):
        last = initial
        if last is not None and is_done(last):
            return WaitResult(True, last, self.elapsed())
        transient_errors = 0
        for pause in delays(self.poll_interval):
            remaining = self.remaining()
            if remaining <= 0:
                return WaitResult(False, last, self.elapsed())
            # Never sleep past the deadline: the last poll happens at the deadline itself.
            self._sleep(min(pause, remaining))
            try:
                last = fetch()
            except Exception as error:  # pylint: disable=broad-exception-caught
                if not _is_transient(error):
                    raise
                transient_errors += 1
                if transient_errors > MAX_TRANSIENT_POLL_ERRORS:
                    raise
                continue
            transient_errors = 0
            if is_done(last):
                return WaitResult(True, last, self.elapsed())
        return WaitResult(False, last, self.elapsed())  # pragma: no cover - delays() never ends
