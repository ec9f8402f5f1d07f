# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stopping jobs: the logic behind veeam_em_job_stop.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Only jobs whose newest session runs are touched (one bulk read of the newest sessions). Each gets its Stop
link posted once (post_jobs_id_actionstop.md; a job without one is stopped through its running session's
Stop link, post_backupsessions_id_actionstop.md). Then all of them are followed together: one round of
polls reads every pending task, then the sessions in bulk, so the wall time is about one stop, not N.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._action import ActionRun, sentence
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmError,
    VeeamEmInputError,
    VeeamEmTaskFailedError,
    VeeamEmWaitTimeout,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import (
    get_sessions_by_uid,
    is_running,
    latest_sessions,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WaitOptions

CHECK_HINT = "check with seedops.veeam_em.veeam_em_job_info and include_last_session: true."


class _Stop(object):
    """One job being stopped: its action run (outcome), task and session as last seen."""

    def __init__(self, job, session, run):
        self.job = job
        self.run = run
        run.update(job=job, session=session)

    def entry(self):
        outcome = self.run.outcome
        return dict(job_id=self.job.data["id"], job_name=self.job.name,
                    task=outcome.task.data if outcome.task else None,
                    session=outcome.session.data if outcome.session else None)


class JobStop(object):
    def __init__(self, em, selector, wait, started, check_mode=False, warn=None):
        self.em = em
        self.selector = selector
        self.wait = wait
        self.started = started
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.jobs = None
        self.stops = []

    def run(self):
        try:
            return self._run()
        except VeeamEmError as error:
            result = self._result(None)
            result["changed"] = any(stop.run.outcome.changed for stop in self.stops)
            result.update(error.result)
            error.result = result
            raise

    def _result(self, msg):
        result = dict(changed=bool(self.stops), jobs=[job.data for job in self.jobs] if self.jobs is not None else None,
                      stopped=[stop.entry() for stop in self.stops], elapsed=round(_clock.now() - self.started, 2))
        if msg is not None:
            result["msg"] = msg
        return result

    def _run(self):
        self.jobs = self.selector.select(self.em)
        newest = latest_sessions(self.em, self.jobs)
        running = [(job, newest[job.uid]) for job in self.jobs if is_running(newest.get(job.uid))]
        if not running:
            return dict(self._result("None of the %d selected job(s) is running; nothing was sent." % len(self.jobs)),
                        changed=False)
        links = [(job, session, job.action_link("Stop") or session.action_link("Stop")) for job, session in running]
        for job, session, link in links:
            if link is None:
                raise VeeamEmInputError("Job %r cannot be stopped through Enterprise Manager: neither the job nor its "
                                        "session %s offers a Stop link (the job offers: %s)."
                                        % (job.name, session.name, ", ".join(job.offered_actions()) or "no actions"))
        names = ", ".join(repr(job.name) for job, dummy in running)
        if self.check_mode:
            self.stops = [_Stop(job, session, self._action()) for job, session, dummy in links]
            return dict(self._result("%d running job(s) would be stopped (check mode: nothing was sent): %s."
                                     % (len(running), names)), stopped=[stop.entry() for stop in self.stops])
        for job, session, link in links:
            stop = _Stop(job, session, self._action())
            self.stops.append(stop)
            self._post(stop, link["href"])
        if not self.wait.wait:
            return self._result("The stop of %d job(s) was sent; not waiting (wait: false): %s." % (len(running), names))
        self._follow()
        return self._result("%d job(s) stopped: %s." % (len(running), names))

    def _action(self):
        return ActionRun(self.em, self.wait, self.started, noun="stop", sent="The stop was sent",
                         not_sent="Nothing was sent", check_hint=CHECK_HINT, warn=self.warn)

    def _post(self, stop, href):
        before = stop.run.outcome.session
        posted = stop.run.post_once(
            href, reconcile=lambda: _stopping(get_sessions_by_uid(self.em, [before]).get(before.uid)),
            not_applied=lambda error: "Stopping job %r failed: %s Its session was read again afterwards and it still "
            "runs, so the stop was not applied; nothing changed for it. Run the task again."
            % (stop.job.name, sentence(error)))
        stop.run.update(changed=True, task=posted.task, session=posted.evidence or before)

    def _follow(self):
        """Poll every pending task, then every pending session in bulk, until all have stopped or time runs out."""
        waiter = self.stops[0].run.waiter()
        outcome = waiter.wait(self._poll, lambda pending: not pending, initial=self._pending())
        if outcome.done:
            return
        last = self.stops[0].run
        late = ", ".join("%r (%s)" % (stop.job.name, _state(stop)) for stop in outcome.last)
        raise VeeamEmWaitTimeout("Timed out after %s s waiting for %s to stop. The stop was sent; the tasks and "
                                 "sessions as last seen are returned in stopped." % (last.wait.timeout, late),
                                 result=dict(changed=True))

    def _pending(self):
        return [stop for stop in self.stops if not _is_done(stop)]

    def _poll(self):
        pending = self._pending()
        for stop in pending:
            task = stop.run.outcome.task
            if task is not None and not task.finished:
                stop.run.update(task=Task(self.em.get(task.href), task.href))
                if stop.run.outcome.task.failed:
                    raise VeeamEmTaskFailedError("Enterprise Manager refused to stop job %r: task %s ended with: %s"
                                                 % (stop.job.name, task.data["id"],
                                                    stop.run.outcome.task.data["message"] or "no message"))
        waiting = [stop for stop in pending if _task_done(stop)]
        fresh = get_sessions_by_uid(self.em, [stop.run.outcome.session for stop in waiting])
        for stop in waiting:
            session = fresh.get(stop.run.outcome.session.uid)
            if session is not None:
                stop.run.update(session=session)
        return self._pending()


def _task_done(stop):
    task = stop.run.outcome.task
    return task is None or task.finished


def _is_done(stop):
    return _task_done(stop) and stop.run.outcome.session.stopped


def _state(stop):
    task, session = stop.run.outcome.task, stop.run.outcome.session
    if task is not None and not task.finished:
        return "task %s %s" % (task.data["id"], task.data["state"])
    return "session %s" % session.state


def _stopping(session):
    return session if session is not None and session.state in ("Stopping", "Stopped") else None


def run_job_stop(module):
    """veeam_em_job_stop's one call: check the options, log on, stop what runs, log off, exit."""
    module.run(lambda em, prepared: JobStop(em, prepared[0], prepared[1], module.started,
                                            check_mode=module.check_mode, warn=module.warn).run(),
               prepare=lambda: (JobSelector.from_params(module.params, several=True),
                                WaitOptions.from_params(module.params)),
               always=dict(jobs=None, stopped=[], elapsed=None))
