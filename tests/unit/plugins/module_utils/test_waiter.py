# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import itertools

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmApiError,
    VeeamEmAuthenticationError,
    VeeamEmFormatError,
    VeeamEmNotFoundError,
    VeeamEmRequestTimeout,
    VeeamEmTransportError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import Waiter, delays


class Polls(object):
    """fetch() answers from a script: values are returned, exceptions raised; each poll may take time."""

    def __init__(self, clock, script, takes=0.0):
        self.clock = clock
        self.script = list(script)
        self.takes = takes
        self.count = 0

    def __call__(self):
        self.count += 1
        self.clock.advance(self.takes)
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def is_done(state):
    return state == "done"


def waiter(clock, budget, poll_interval=5.0):
    return Waiter(poll_interval, clock() + budget)


def transient():
    return VeeamEmApiError("GET x returned HTTP 503.", status=503)


# 0.5 s, then 1 s pauses while less than 10 s have been waited (0.5 + 9 x 1 = 9.5 s), then poll_interval.
EARLY_PAUSES = [0.5] + [1.0] * 9


@pytest.mark.parametrize("poll_interval, expected", [
    (5.0, EARLY_PAUSES + [5.0, 5.0, 5.0]),
    (30, EARLY_PAUSES + [30, 30, 30]),
    (2.0, EARLY_PAUSES + [2.0, 2.0, 2.0]),
    (1.0, [0.5] + [1.0] * 12),
    # Below the floor of 1 s: the first poll after 0.5 s, then one a second (0.001 once sent ~1,500 polls in 3 s).
    (0.5, [0.5] + [1.0] * 12),
    (0.3, [0.5] + [1.0] * 12),
    (0.001, [0.5] + [1.0] * 12),
])
def test_delays_start_early_and_never_exceed_poll_interval(poll_interval, expected):
    assert list(itertools.islice(delays(poll_interval), 13)) == expected


def test_done_state_is_returned_after_the_early_polls(clock):
    start = clock()
    polls = Polls(clock, ["running", "running", "running", "done"])
    result = waiter(clock, 900).wait(polls, is_done)
    assert (result.done, result.last, clock() - start) == (True, "done", 3.5)
    assert clock.sleeps == [0.5, 1.0, 1.0, 1.0]


def test_initial_done_state_returns_at_once(clock):
    polls = Polls(clock, [])
    result = waiter(clock, 900).wait(polls, is_done, initial="done")
    assert (result.done, result.last, polls.count, clock.sleeps) == (True, "done", 0, [])


def test_last_sleep_ends_exactly_at_the_deadline(clock):
    deadline = clock() + 12
    polls = Polls(clock, ["running"] * 12)
    result = Waiter(5.0, deadline).wait(polls, is_done, initial="first")
    assert (result.done, result.last) == (False, "running")
    # The early pauses end at 9.5 s; the 5 s pause that follows is cut to the 2.5 s left.
    assert clock.sleeps == EARLY_PAUSES + [2.5]
    assert polls.count == 11
    assert clock() == deadline


def test_polls_at_most_once_a_second_after_the_first_then_every_poll_interval_after_10_s(clock):
    start = clock()
    times = []

    def fetch():
        times.append(clock() - start)
        return "done" if len(times) == 13 else "running"

    result = Waiter(5.0, start + 900).wait(fetch, is_done)
    assert (result.done, clock() - start) == (True, 24.5)
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert times[0] == 0.5
    assert min(gaps) == 1.0, "never more than one poll a second after the first"
    assert [moment for moment in times if moment < 10] == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]
    assert gaps == [1.0] * 9 + [5.0] * 3, "one poll a second for about 10 s, then one every poll_interval"
    assert times[-3:] == [14.5, 19.5, 24.5]


def test_slow_polls_never_push_a_sleep_past_the_deadline(clock, monkeypatch):
    start = clock()
    deadline = start + 20
    ends = []
    real_sleep = clock.sleep

    def sleep(seconds):
        real_sleep(seconds)
        ends.append(clock())

    monkeypatch.setattr(_clock, "sleep", sleep)
    polls = Polls(clock, ["running"] * 20, takes=1.7)
    result = Waiter(5.0, deadline).wait(polls, is_done)
    assert not result.done
    assert ends and all(end <= deadline for end in ends)


def test_no_poll_when_the_deadline_has_passed(clock):
    polls = Polls(clock, [])
    result = Waiter(5.0, clock() - 1).wait(polls, is_done, initial="running")
    assert (result.done, result.last, polls.count) == (False, "running", 0)


def test_zero_budget_returns_the_initial_state(clock):
    result = waiter(clock, 0).wait(Polls(clock, []), is_done, initial="running")
    assert (result.done, result.last, clock.sleeps) == (False, "running", [])


@pytest.mark.parametrize("error", [
    VeeamEmTransportError("reset"),
    VeeamEmRequestTimeout("slow"),
    VeeamEmApiError("500", status=500),
    VeeamEmApiError("502", status=502),
    VeeamEmApiError("504", status=504),
])
def test_three_transient_errors_in_a_row_are_tolerated(clock, error):
    polls = Polls(clock, [error, error, error, "done"])
    assert waiter(clock, 900).wait(polls, is_done).done
    assert polls.count == 4


def test_a_fourth_transient_error_in_a_row_is_raised(clock):
    polls = Polls(clock, [transient(), transient(), transient(), VeeamEmTransportError("fourth"), "done"])
    with pytest.raises(VeeamEmTransportError, match="fourth"):
        waiter(clock, 900).wait(polls, is_done)


def test_a_good_poll_resets_the_transient_error_count(clock):
    script = [transient()] * 3 + ["running"] + [transient()] * 3 + ["done"]
    assert waiter(clock, 900).wait(Polls(clock, script), is_done).done


@pytest.mark.parametrize("error", [
    VeeamEmNotFoundError("gone", status=404),
    VeeamEmAuthenticationError("refused", status=401),
    VeeamEmApiError("bad request", status=400),
    VeeamEmFormatError("not xml"),
    ValueError("bug"),
])
def test_other_errors_are_raised_at_once(clock, error):
    polls = Polls(clock, [error, "done"])
    with pytest.raises(type(error)):
        waiter(clock, 900).wait(polls, is_done)
    assert polls.count == 1


def test_remaining_follows_the_clock(clock):
    wait = Waiter(5.0, clock() + 10)
    clock.advance(4)
    assert wait.remaining() == 6.0
    clock.advance(20)
    assert wait.remaining() == 0.0
