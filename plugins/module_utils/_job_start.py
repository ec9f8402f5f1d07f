# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting a job: the rules and wording of veeam_em_job_start, on ``_job_run.JobRun``.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

A job that is already running is not started again (em_api.md section 6); otherwise its Start (or, for a
backup copy job, Sync) link is posted once. An immediate backup copy job runs as worker sessions
(``_job_sessions.WorkerRuns``): it is running while one of them runs, whatever its own perpetual session says.
A run that ends Failed says whether VBR retries it by itself (``_auto_retry``): never one this module started.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_run import JobRun, run_job_action


class JobStart(JobRun):
    noun, gerund, done = "start", "Starting", "started"
    follows_workers = True
    evidence_key = "confirmed_by"
    reports_retry = True

    def precheck(self, run, job, before):
        running = self.runs.running(before)
        if running is not None:
            return self.already_running(run, job, running)
        return None

    def action_link(self, job):
        link = job.start_link()
        if link is None:
            raise VeeamEmInputError(
                "Job %r (%s) cannot be started through Enterprise Manager: it has neither a Start nor a Sync link. "
                "It offers: %s." % (job.name, job.job_type, ", ".join(job.offered_actions()) or "no actions"))
        return link


def run_job_start(module):
    """veeam_em_job_start's one call: check the options, log on, start, log off, exit."""
    run_job_action(module, JobStart)
