# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):

    # Common attributes: every module documents its check and diff mode support with these, and every module is
    # in the action group that module_defaults uses (meta/runtime.yml).
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
  action_group:
    description: Use C(group/seedops.veeam_em.veeam_em) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - seedops.veeam_em.veeam_em
"""

    # For *_info modules: they change nothing, so check mode is fully supported.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""

    # For modules that send an action and show no diff (all but veeam_em_job_schedule); each module documents its
    # own check mode.
    NO_DIFF = r"""
options: {}
attributes:
  diff_mode:
    support: none
"""
