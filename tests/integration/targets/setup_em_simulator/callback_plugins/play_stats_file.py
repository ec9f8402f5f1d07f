# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a playbook's per-host stats and its set_stats data as JSON into the file named by PLAY_STATS_FILE.

ansible-core has no JSON callback of its own (ansible.posix.json is another collection), and what an example
publishes with set_stats reaches no variable, so the script targets (rpo_gate, night_report) enable this callback
for the example's run (ANSIBLE_CALLBACK_PLUGINS=<this directory>, ANSIBLE_CALLBACKS_ENABLED=play_stats_file) and
their verify.yml reads the file.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: play_stats_file
type: aggregate
short_description: the play's stats and set_stats data as JSON, for the script integration targets
description:
  - Writes the per-host summaries (C(stats)) and the set_stats data (C(custom)) into the file E(PLAY_STATS_FILE).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "play_stats_file"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        result = {"stats": dict((host, stats.summarize(host)) for host in hosts), "custom": stats.custom}
        with open(os.environ["PLAY_STATS_FILE"], "w") as handle:
            json.dump(result, handle, default=str)
