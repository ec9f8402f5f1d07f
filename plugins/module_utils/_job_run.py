# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""An action that starts a run of one job (start, retry), on the action pipeline (``_action``).

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

``JobRun`` does what every such action shares: find the job, read its newest session, let the action decide
whether to act at all (``precheck``), post the action's link once (``action_link``), and follow the Task and
the session as ``wait`` and ``wait_for`` ask. A refusal by EM that a concurrent run explains is reported as
that run. The subclasses (``_job_start``, ``_job_retry``) hold their own rules and words.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._action import ActionRun, sentence
from ansible_collections.seedops.veeam_em.plugins.module_utils._auto_retry import joined_run, manual_run
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmError,
    VeeamEmJobFailedError,
    VeeamEmTaskFailedError,
    VeeamEmTaskLostError,
    is_transient,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import JobRuns, WorkerRuns, is_running, job_runs
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WAIT_FOR_START, WaitOptions


CHECK_HINT = ("check with seedops.veeam_em.veeam_em_job_info and include_last_session: true before starting the job "
              "again.")


# The evidence that a start (or retry) took effect, as the ``confirmed_by`` key reports it.
BY_TASK = "task"
BY_TASK_RESULT_AND_SESSION = "task_result_and_session"
BY_SESSION = "session"


class JobRun(object):
    """One action that starts a run of one job. ``run()`` returns the module result or raises a VeeamEmError.

    Subclasses set ``noun`` ("start"), ``gerund`` ("Starting"), ``done`` ("started") and implement
    ``precheck(run, job, before)`` (a result dict when nothing is to be sent, else None) and
    ``action_link(job)`` (the link to post, or raise a VeeamEmInputError naming the offered actions).
    ``follows_workers``: an immediate backup copy job's runs are its worker sessions (``_job_sessions.WorkerRuns``;
    ``before`` is then a list of them). ``evidence_key``: the result key that says what confirmed the action.
    ``reports_retry``: a run that ends Failed fills the ``retry`` key (``_auto_retry``: will VBR retry it by itself).
    """

    noun = gerund = done = None
    follows_workers = False
    evidence_key = None
    reports_retry = False

    def __init__(self, em, selector, wait, started, check_mode=False, warn=None):
        self.em = em
        self.selector = selector
        self.wait = wait
        self.check_mode = check_mode
        self.runs = None
        self.action = ActionRun(em, wait, started, noun=self.noun, sent="The job was %s" % self.done,
                                not_sent="The job was not %s by this task" % self.done, check_hint=CHECK_HINT,
                                warn=warn)

    def precheck(self, run, job, before):
        raise NotImplementedError

    def action_link(self, job):
        raise NotImplementedError

    def run(self):
        return self.action.run(self._steps)

    @classmethod
    def extra_keys(cls):
        """The result keys this action adds, with their value before anything is known."""
        keys = dict.fromkeys([cls.evidence_key] if cls.evidence_key else [])
        if cls.follows_workers:
            keys["worker_sessions"] = None
        if cls.reports_retry:
            keys["retry"] = None
        return keys

    def _follow(self, run, job, joined, follow):
        """``follow()`` follows a run to its end. When it ended Failed, an action that ``reports_retry`` says
        whether VBR will retry it: never a run this task started (a manual start), maybe one it ``joined``."""
        try:
            return follow()
        except VeeamEmJobFailedError as error:
            if not self.reports_retry:
                raise
            retry, note = joined_run(self.em, job, run.outcome.session) if joined else manual_run(job)
            run.update_extra(retry=retry)
            raise VeeamEmJobFailedError("%s %s" % (sentence(error), note), result=error.result)

    def _confirmed(self, run, evidence):
        if self.evidence_key:
            run.update_extra(**{self.evidence_key: evidence})

    def _steps(self, run):
        job = self.selector.find_one(self.em)
        run.update(job=job)
        run.update_extra(**self.extra_keys())
        self.runs = runs = job_runs(self.em, job) if self.follows_workers else JobRuns(self.em, job)
        before = runs.snapshot()
        answer = self.precheck(run, job, before)
        if answer is not None:
            return answer
        link = self.action_link(job)
        if self.check_mode:
            run.update(changed=True)
            return run.done("Job %r would be %s (check mode: nothing was sent)." % (job.name, self.done))

        posted = run.post_once(
            link["href"], reconcile=lambda: _first(runs.new_runs(before)),
            not_applied=lambda error: "%s job %r failed: %s The job's sessions were read again afterwards and "
            "no new run appeared, so the job was not %s; nothing changed. Run the task again."
            % (self.gerund, job.name, sentence(error), self.done))
        if posted.task is None:
            run.warn("The %s request failed (%s), but the job did start: session %s."
                     % (self.noun, posted.lost, posted.evidence.name))
            run.update(changed=True, session=posted.evidence)
            return self._known_by_session(run, job, before, [posted.evidence], "")
        task = posted.task
        run.update(task=task, changed=True)
        if not self.wait.wait:
            return self._not_waiting(run, job, task, before)
        try:
            # A task in OperationFinished with a successful Result counts once the job's new run shows: EM may
            # leave a task there (the sync task of post_jobs_id_actionsync.md), or take a collection to finish it.
            task = run.follow_task(task, confirm=lambda: runs.new_runs(before))
        except VeeamEmTaskLostError:
            return self._known_by_session(run, job, before, run.find_new_runs(runs, before),
                                          "; its task ended with the expired logon session")
        if task.failed:
            return self._refused(run, job, task, before)
        new = run.confirmation
        if new:
            self._confirmed(run, BY_TASK_RESULT_AND_SESSION)
            run.update(session=new[0])
            how = ("task %s: %s, state %s, confirmed by its successful result and the new session %s"
                   % (task.data["id"], task.data["message"], task.data["state"], new[0].name))
        else:
            self._confirmed(run, BY_TASK)
            how = "task %s: %s" % (task.data["id"], task.data["message"])
        if self.wait.wait_for == WAIT_FOR_START:
            return run.done("Job %r %s (%s)." % (job.name, self.done, how))
        return self._finish(run, job, before, task, new)

    def _finish(self, run, job, before, task=None, new=None):
        """Follow the new run (for an immediate backup copy job: every new worker session) to its end."""
        what = "Job %r ran" % job.name
        if isinstance(self.runs, WorkerRuns):
            # The worker sessions are found by name, never through the task (the sync task has no Related link).
            return self._follow(run, job, False, lambda: run.finish_runs(
                self.runs, before, new or run.find_new_runs(self.runs, before), what))
        href = new[0].href if new else run.session_href(task, job, before)
        return self._follow(run, job, False, lambda: run.finish_run(href, what))

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
            self._confirmed(run, BY_TASK)
            return run.done("Job %r %s (task %s: %s); not waiting (wait: false)."
                            % (job.name, self.done, task.data["id"], task.data["message"]))
        return run.done("%s of job %r accepted (task %s, state %s); not waiting (wait: false), so whether "
                        "Enterprise Manager refuses it is not known: %s"
                        % (self.noun.capitalize(), job.name, task.data["id"], task.data["state"], CHECK_HINT))

    def _refused(self, run, job, task, before):
        """EM's task says the start failed: nothing changed. A run that is going on now is the likely cause
        (another start won the race), and then the answer is that run, exactly as for a job already running."""
        run.update(changed=False)
        reason = task.data["message"] or "no message"
        current = _first([session for session in self.runs.new_runs(before) if is_running(session)])
        if current is not None:
            return self.already_running(run, job, current, " (Enterprise Manager refused this %s: %s)"
                                        % (self.noun, reason))
        raise VeeamEmTaskFailedError("Enterprise Manager could not %s job %r: task %s ended with: %s"
                                     % (self.noun, job.name, task.data["id"], reason))

    def already_running(self, run, job, session, note=""):
        """The job runs already: nothing is sent; with wait_for=completion that run is followed."""
        run.update(session=session)
        what = "Job %r is already running (session %s, state %s)%s; it was not %s again" % (
            job.name, session.name, session.state, note, self.done)
        if self.wait.for_completion and not self.check_mode:
            return self._follow(run, job, True, lambda: run.finish_run(session.href, what + "; that run"))
        return run.done(what + ".")

    def _known_by_session(self, run, job, before, sessions, note):
        """The run is known by its session only (its task was lost): answer as wait and wait_for ask."""
        session = sessions[0]
        self._confirmed(run, BY_SESSION)
        run.update(session=session)
        what = "Job %r %s (session %s, state %s)%s" % (job.name, self.done, session.name, session.state, note)
        if not self.wait.wait:
            return run.done(what + "; not waiting (wait: false).")
        if self.wait.wait_for == WAIT_FOR_START:
            return run.done(what + ".")
        return self._finish(run, job, before, None, sessions)


def _first(sessions):
    return sessions[0] if sessions else None


def run_job_action(module, action_class):
    """The one call of a module built on JobRun: check the options, log on, act, log off, exit."""
    module.run(lambda em, prepared: action_class(em, prepared[0], prepared[1], module.started,
                                                 check_mode=module.check_mode, warn=module.warn).run(),
               prepare=lambda: (JobSelector.from_params(module.params), WaitOptions.from_params(module.params)),
               always=dict(dict(job=None, task=None, session=None, elapsed=None), **action_class.extra_keys()))
