# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Twin: plugins/module_utils/_argspec.py (wait_argument_spec) holds the argument spec of exactly these options;
# change both together (tests/unit/plugins/module_utils/test_argspec.py compares them).

from __future__ import annotations


class ModuleDocFragment(object):

    # wait, timeout and poll_interval: every module that sends an action and can follow it.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to wait at all. With V(false) the module returns the task handle as soon as Enterprise Manager accepted
        the request.
    type: bool
    default: true
  timeout:
    description:
      - The whole wait budget in seconds, counted from the start of the module (logon included) to the awaited state.
      - When the budget is used up before the action request would be sent, nothing is sent and the task fails
        with C(changed=false).
      - This is not the limit of one HTTP request; that is O(request_timeout).
    type: int
    default: 900
    aliases: [wait_timeout]
  poll_interval:
    description:
      - Seconds between two polls of the task or session. The first polls come sooner (after 0.5 s, then every second
        for the first 10 seconds of a wait) so that short tasks and short jobs return promptly.
      - After the first poll there is at most one poll a second; a smaller value counts as 1.
    type: float
    default: 5
"""

    # wait_for: the modules whose action starts a run (start, retry, quick backup).
    WAIT_FOR = r"""
options:
  wait_for:
    description:
      - V(start) waits until Enterprise Manager has started the run (its task is V(Finished), not merely
        V(OperationFinished)).
      - V(completion) waits until the run has ended and reports its result.
    type: str
    choices: [start, completion]
    default: start
"""
