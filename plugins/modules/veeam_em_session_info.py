#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule
from ansible_collections.seedops.veeam_em.plugins.module_utils._session_info import RESULTS, STATES, run_session_info
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import KIND_NAMES


def main():
    module = VeeamEmModule(
        argument_spec=dict(
            job_name=dict(type="str"),
            job_id=dict(type="str"),
            backup_server=dict(type="str"),
            kind=dict(type="list", elements="str", choices=list(KIND_NAMES)),
            result=dict(type="list", elements="str", choices=list(RESULTS)),
            state=dict(type="list", elements="str", choices=list(STATES)),
            since=dict(type="str"),
            limit=dict(type="int", default=100),
            include_tasks=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("job_name", "job_id")],
        supports_check_mode=True,
    )
    run_session_info(module)


if __name__ == "__main__":
    main()
