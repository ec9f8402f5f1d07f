#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import some_jobs_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_stop import run_job_stop
from ansible_collections.seedops.veeam_em.plugins.module_utils._module import VeeamEmModule


def main():
    run_job_stop(VeeamEmModule(**some_jobs_action()))


if __name__ == "__main__":
    main()
