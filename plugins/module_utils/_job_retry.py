# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Retrying a job: the rules and wording of veeam_em_job_retry, on ``_job_run.JobRun``.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

EM retries a job "only for jobs that have been finished with the Failed status" (post_jobs_id_actionretry.md),
so the module sends the Retry link only when the job's newest session is Stopped with result Failed, and says
why not otherwise: running, last result Success or Warning, or never ran.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_run import JobRun, run_job_action
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import is_running

RETRY_REL = "Retry"


class JobRetry(JobRun):
    noun, gerund, done = "retry", "Retrying", "retried"

    def precheck(self, run, job, before):
        if before is None:
            return run.done("Job %r has never run, so there is nothing to retry; nothing was sent." % job.name)
        if before.result == "Failed" and not is_running(before):
            return None
        run.update(session=before)
        if is_running(before):
            if self.wait.for_completion and not self.check_mode:
                return run.finish_run(before.href, "Job %r is running (session %s), so it was not retried; that run"
                                      % (job.name, before.name))
            return run.done("Job %r is running (session %s, state %s), so it was not retried; nothing was sent."
                            % (job.name, before.name, before.state))
        return run.done("The last run of job %r (session %s) ended with result %s, not Failed, so there is nothing "
                        "to retry; nothing was sent." % (job.name, before.name, before.result))

    def action_link(self, job):
        link = job.action_link(RETRY_REL)
        if link is None:
            raise VeeamEmInputError("Job %r (%s) offers no Retry action through Enterprise Manager. It offers: %s."
                                    % (job.name, job.job_type, ", ".join(job.offered_actions()) or "no actions"))
        return link


def run_job_retry(module):
    """veeam_em_job_retry's one call: check the options, log on, retry a failed run, log off, exit."""
    run_job_action(module, JobRetry)
