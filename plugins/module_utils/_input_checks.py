# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of the user's options that several modules share, made before anything is sent.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError


def refuse_empty(options, required=()):
    """``options``: (option name, value, what it names). An empty or white-space-only value is refused.

    An empty variable is a common mistake, and an empty name filter would match everything. The options named in
    ``required`` cannot be left out, so their message does not suggest it.
    """
    for option, value, what in options:
        if value is not None and not value.strip():
            way_out = "" if option in required else ", or leave the option out"
            raise VeeamEmInputError(
                "%s is empty%s: give the exact %s%s (an empty value would match everything)."
                % (option, "" if value == "" else " (only white space)", what, way_out))
