# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting a job: the rules and wording of veeam_em_job_start, on the action pipeline (``_action``).

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

A job that is already running is not started again (em_api.md section 6); otherwise its Start (or, for a
backup copy job, Sync) link is posted once and the pipeline follows the Task and the session.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._action import ActionRun, sentence
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmError,
    VeeamEmInputError,
    VeeamEmTaskFailedError,
    VeeamEmTaskLostError,
    is_transient,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import is_new, is_running, latest_session
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WAIT_FOR_START, WaitOptions


CHECK_HINT = ("check with seedops.veeam_em.veeam_em_job_info and include_last_session: true before starting the job "
              "again.")


class JobStart(object):
    """One start of one job. ``run()`` returns the module result or raises a VeeamEmError with ``result``."""

    def __init__(self, em, selector, wait, started, check_mode=False, warn=None):
        self.em = em
        self.selector = selector
        self.wait = wait
        self.check_mode = check_mode
        self.action = ActionRun(em, wait, started, noun="start", sent="The job was started",
                                not_sent="The job was not started by this task", check_hint=CHECK_HINT, warn=warn)

    def run(self):
        return self.action.run(self._steps)

    def _steps(self, run):
        job = self.selector.find_one(self.em)
        run.update(job=job)
        before = latest_session(self.em, job)
        if is_running(before):
            return self._already_running(run, job, before)
        link = job.start_link()
        if link is None:
            raise VeeamEmInputError(
                "Job %r (%s) cannot be started through Enterprise Manager: it has neither a Start nor a Sync link. "
                "It offers: %s." % (job.name, job.job_type, ", ".join(job.offered_actions()) or "no actions"))
        if self.check_mode:
            run.update(changed=True)
            return run.done("Job %r would be started (check mode: nothing was sent)." % job.name)

        posted = run.post_once(
            link["href"], reconcile=lambda: _newer(latest_session(self.em, job), before),
            not_applied=lambda error: "Starting job %r failed: %s The job's sessions were read again afterwards and "
            "no new run appeared, so the job was not started; nothing changed. Run the task again."
            % (job.name, sentence(error)))
        if posted.task is None:
            run.warn("The start request failed (%s), but the job did start: session %s." % (posted.lost, posted.evidence.name))
            run.update(changed=True, session=posted.evidence)
            return self._known_by_session(run, job, posted.evidence, "")
        task = posted.task
        run.update(task=task, changed=True)
        if not self.wait.wait:
            return self._not_waiting(run, job, task, before)
        try:
            task = run.follow_task(task)
        except VeeamEmTaskLostError:
            return self._known_by_session(run, job, run.find_new_session(job, before),
                                          "; its task ended with the expired logon session")
        if task.failed:
            return self._refused(run, job, task, before)
        if self.wait.wait_for == WAIT_FOR_START:
            return run.done("Job %r started (task %s: %s)." % (job.name, task.data["id"], task.data["message"]))
        return run.finish_run(run.session_href(task, job, before), "Job %r ran" % job.name)

    def _not_waiting(self, run, job, task, before):
        # One look at the task: when EM has already finished it, its Result says whether the start was refused
        # (a concurrent start, for one). A task still Running cannot tell, and the message says so.
        try:
            task = Task(self.em.get(task.href), task.href)
        except VeeamEmError as error:
            if not is_transient(error):
                raise
        run.update(task=task)
        if task.failed:
            return self._refused(run, job, task, before)
        if task.finished:
            return run.done("Job %r started (task %s: %s); not waiting (wait: false)."
                            % (job.name, task.data["id"], task.data["message"]))
        return run.done("Start of job %r accepted (task %s, state %s); not waiting (wait: false), so whether "
                        "Enterprise Manager refuses it is not known: %s" % (job.name, task.data["id"],
                                                                          task.data["state"], CHECK_HINT))

    def _refused(self, run, job, task, before):
        """EM's task says the start failed: nothing changed. A run that is going on now is the likely cause
        (another start won the race), and then the answer is that run, exactly as for a job already running."""
        run.update(changed=False)
        reason = task.data["message"] or "no message"
        current = latest_session(self.em, job)
        if is_running(current) and is_new(current, before):
            return self._already_running(run, job, current, " (Enterprise Manager refused this start: %s)" % reason)
        raise VeeamEmTaskFailedError("Enterprise Manager could not start job %r: task %s ended with: %s"
                                     % (job.name, task.data["id"], reason))

    def _already_running(self, run, job, session, note=""):
        run.update(session=session)
        what = "Job %r is already running (session %s, state %s)%s; it was not started again" % (
            job.name, session.name, session.state, note)
        if self.wait.for_completion and not self.check_mode:
            return run.finish_run(session.href, what + "; that run")
        return run.done(what + ".")

    def _known_by_session(self, run, job, session, note):
        """The run is known by its session only (its task was lost): answer as wait and wait_for ask."""
        what = "Job %r started (session %s, state %s)%s" % (job.name, session.name, session.state, note)
        if not self.wait.wait:
            return run.done(what + "; not waiting (wait: false).")
        if self.wait.wait_for == WAIT_FOR_START:
            return run.done(what + ".")
        return run.finish_run(session.href, "Job %r ran" % job.name)


def _newer(session, before):
    return session if is_new(session, before) else None


def run_job_start(module):
    """veeam_em_job_start's one call: check the options, log on, start, log off, exit."""
    module.run(lambda em, prepared: JobStart(em, prepared[0], prepared[1], module.started,
                                             check_mode=module.check_mode, warn=module.warn).run(),
               prepare=lambda: (JobSelector.from_params(module.params), WaitOptions.from_params(module.params)),
               always=dict(job=None, task=None, session=None, elapsed=None))
