# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Waiting: the user's wait options, and polling on the monotonic clock with early polls and a hard deadline.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The waiter only polls: a predicate says "done", the waiter returns (done, last state) and the caller
decides what a timeout means (kubernetes.core's waiter is the model).
"""

from __future__ import annotations

import math

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError, VeeamEmInputError, is_transient

WAIT_FOR_START = "start"
WAIT_FOR_COMPLETION = "completion"
WAIT_FOR_CHOICES = (WAIT_FOR_START, WAIT_FOR_COMPLETION)

# Short tasks and short jobs should not cost a whole poll interval: the first poll comes after half a
# second, then one a second for the first seconds of a wait (never more often than that), then one every
# poll_interval. A 3 s job is seen finished within about a second of its end (docs/benchmarks.md).
FIRST_DELAY_S = 0.5
EARLY_DELAY_S = 1.0
EARLY_WINDOW_S = 10.0
# The floor of poll_interval: after the first poll, never more than one poll a second, whatever is asked
# (0.001 would otherwise send about 1,500 requests for a 3 s job).
MIN_POLL_INTERVAL_S = 1.0
# A poll that fails for a passing reason (the transport already retried it) is tolerated this many
# times in a row before the wait gives up.
MAX_TRANSIENT_POLL_ERRORS = 3


class WaitOptions(object):
    """The shared wait options (``wait``, ``wait_for``, ``timeout``, ``poll_interval``), checked up front."""

    def __init__(self, wait=True, wait_for=WAIT_FOR_START, timeout=900, poll_interval=5.0):
        if timeout is not None and timeout < 0:
            raise VeeamEmInputError("timeout must be 0 or more seconds (the whole wait budget), got %s." % timeout)
        if poll_interval is None or not math.isfinite(poll_interval) or poll_interval <= 0:
            raise VeeamEmInputError("poll_interval must be a positive, finite number of seconds, got %s." % poll_interval)
        if wait_for not in WAIT_FOR_CHOICES:
            raise VeeamEmInputError("wait_for must be start or completion, got %r." % wait_for)
        self.wait = wait
        self.wait_for = wait_for
        self.timeout = timeout
        self.poll_interval = poll_interval

    @classmethod
    def from_params(cls, params):
        return cls(wait=params["wait"], wait_for=params.get("wait_for") or WAIT_FOR_START,
                   timeout=params["timeout"], poll_interval=params["poll_interval"])

    @property
    def for_completion(self):
        return self.wait and self.wait_for == WAIT_FOR_COMPLETION


class WaitResult(object):
    def __init__(self, done, last):
        self.done = done
        self.last = last


def delays(poll_interval):
    """The pause before each poll: 0.5 s, then 1 s until 10 s have passed, then poll_interval.

    No pause is ever longer than poll_interval, and none after the first is shorter than MIN_POLL_INTERVAL_S.
    """
    poll_interval = max(poll_interval, MIN_POLL_INTERVAL_S)
    waited = 0.0
    pause = min(FIRST_DELAY_S, poll_interval)
    while waited + pause < EARLY_WINDOW_S and pause < poll_interval:
        yield pause
        waited += pause
        pause = min(EARLY_DELAY_S, poll_interval)
    while True:
        yield poll_interval


class Waiter(object):
    """Poll ``fetch()`` until ``is_done(state)`` or ``deadline`` (a ``_clock.now()`` value) passes."""

    def __init__(self, poll_interval, deadline):
        self.poll_interval = poll_interval
        self.deadline = deadline

    def remaining(self):
        return max(0.0, self.deadline - _clock.now())

    def wait(self, fetch, is_done, initial=None):
        last = initial
        if last is not None and is_done(last):
            return WaitResult(True, last)
        transient_errors = 0
        for pause in delays(self.poll_interval):
            remaining = self.remaining()
            if remaining <= 0:
                return WaitResult(False, last)
            # Never sleep past the deadline: the last poll happens at the deadline itself.
            _clock.sleep(min(pause, remaining))
            try:
                last = fetch()
            except VeeamEmError as error:
                if not is_transient(error):
                    raise
                transient_errors += 1
                if transient_errors > MAX_TRANSIENT_POLL_ERRORS:
                    raise
                continue
            transient_errors = 0
            if is_done(last):
                return WaitResult(True, last)
        return WaitResult(False, last)  # pragma: no cover - delays() never ends
