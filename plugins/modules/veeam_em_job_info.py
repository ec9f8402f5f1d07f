#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import job_selector_argument_spec
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_info import run_job_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    module = VeeamEmModule(
        argument_spec=dict(
            job_selector_argument_spec(job_type=True),
            include_last_session=dict(type="bool", default=False),
            details=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    run_job_info(module)


if __name__ == "__main__":
    main()
