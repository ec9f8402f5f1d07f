# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Enabling and disabling job schedules: the logic behind veeam_em_job_schedule.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

EM offers only a blind toggle (post_jobs_id_actiontogglescheduleenabled.md: ``?action=toggleScheduleEnabled``,
a Task with Operation UpdateJob), so the module reads ``ScheduleEnabled`` first and toggles only the jobs that
differ. It waits for each toggle's task to be Finished (EM has then collected the job's new state,
get_tasks_id.md) before it re-reads the jobs in bulk to verify; a job whose toggle landed the wrong way
(someone else toggled it meanwhile) is toggled once more, with a warning.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmApiError,
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmInputError,
    VeeamEmTransportError,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_selector import JobSelector
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import find_jobs_by_uid
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import Waiter

TOGGLE_REL = "ToggleScheduleEnabled"
# Guess (no docs figure): a toggle's task finishes within seconds; this bounds the wait for one round of them.
TOGGLE_TASK_TIMEOUT_S = 120.0
TOGGLE_POLL_INTERVAL_S = 1.0


class JobSchedule(object):
    """Bring the schedules of the selected jobs to ``enabled``; ``run()`` returns the module result."""

    def __init__(self, em, selector, enabled, check_mode=False, warn=None):
        self.em = em
        self.selector = selector
        self.enabled = enabled
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.jobs = None
        # The ids of every job a toggle was sent for (its answer lost included): what a later task must put back.
        self.sent = []

    def run(self):
        try:
            return self._run()
        except VeeamEmError as error:
            # A failure part-way must still hand on what was toggled, or a maintenance window could not undo it.
            error.result.setdefault("changed", bool(self.sent))
            error.result["changed_jobs"] = list(dict.fromkeys(self.sent))
            error.result.setdefault("jobs", [job.data for job in self.jobs] if self.jobs is not None else None)
            raise

    def _run(self):
        jobs = self.jobs = self.selector.select(self.em)
        before = dict((job.uid, job.data["schedule_enabled"]) for job in jobs)
        unconfigured = [job for job in jobs if not job.data["schedule_configured"]]
        for job in unconfigured:
            self.warn("Job %r (%s) has no schedule configured, so it cannot run on schedule either way; it was left "
                      "alone." % (job.name, job.data["backup_server"]))
        todo = [job for job in jobs if job.data["schedule_configured"] and job.data["schedule_enabled"] != self.enabled]
        for job in todo:
            if job.action_link(TOGGLE_REL) is None:
                raise VeeamEmInputError("Job %r offers no %s action; it offers: %s." % (
                    job.name, TOGGLE_REL, ", ".join(job.offered_actions()) or "no actions"))
        after = jobs
        if todo and not self.check_mode:
            after = self._toggle(jobs, todo)
        elif todo:
            after = [_with_schedule(job, self.enabled) if job in todo else job for job in jobs]
        word = "enabled" if self.enabled else "disabled"
        changed_ids = [job.data["id"] for job in todo]
        if not todo:
            msg = "The schedules of %d job(s) were already %s; nothing was sent." % (len(jobs) - len(unconfigured), word)
        elif self.check_mode:
            msg = "The schedules of %d job(s) would be %s (check mode: nothing was sent)." % (len(todo), word)
        else:
            msg = "The schedules of %d job(s) were %s." % (len(todo), word)
        return dict(
            changed=bool(todo), msg=msg, jobs=[job.data for job in after], changed_jobs=changed_ids,
            diff=dict(before=dict(jobs=_schedules(jobs, before)), after=dict(jobs=_schedules(after, None))))

    def _toggle(self, jobs, todo):
        pending = list(todo)
        for attempt in (1, 2):
            tasks = [self._post(job) for job in pending]
            self._wait_tasks(tasks)
            fresh = dict((job.uid, job) for job in find_jobs_by_uid(self.em, pending))
            wrong = [fresh.get(job.uid, job) for job in pending
                     if fresh.get(job.uid) is None or fresh[job.uid].data["schedule_enabled"] != self.enabled]
            jobs = self.jobs = [fresh.get(job.uid, job) for job in jobs]
            if not wrong:
                return jobs
            if attempt == 1:
                self.warn("The schedule of %s changed meanwhile (a concurrent change made the toggle land the wrong "
                          "way); toggled once more." % ", ".join(repr(job.name) for job in wrong))
            pending = wrong
        names = ", ".join(repr(job.name) for job in pending)
        raise VeeamEmError("The schedule of %s is still not %s after two toggles; someone else is changing it. Check "
                           "the job in Enterprise Manager." % (names, "enabled" if self.enabled else "disabled"),
                           result=dict(changed=True, jobs=[job.data for job in jobs]))

    def _post(self, job):
        href = job.action_link(TOGGLE_REL)["href"]
        self.sent.append(job.data["id"])
        try:
            return Task(self.em.post_action(href), href)
        except (VeeamEmTransportError, VeeamEmApiError, VeeamEmFormatError) as error:
            if isinstance(error, VeeamEmApiError) and (error.status or 0) < 500:
                raise
            # Never repeated blindly: a second blind toggle could undo the first.
            raise VeeamEmError("The schedule toggle of job %r got no usable answer (%s), so it may or may not have been "
                               "applied. Run the task again: it reads every schedule first and toggles only what still "
                               "differs." % (job.name, error), result=dict(changed=True))

    def _wait_tasks(self, tasks):
        # Each round polls every task still pending, so that N toggles take about as long as one, not N times as long.
        current = {"tasks": list(tasks)}

        def poll():
            current["tasks"] = [task if task.finished else Task(self.em.get(task.href), task.href) for task in current["tasks"]]
            return current["tasks"]

        waiter = Waiter(TOGGLE_POLL_INTERVAL_S, _clock.now() + TOGGLE_TASK_TIMEOUT_S)
        outcome = waiter.wait(poll, lambda polled: all(task.finished for task in polled), initial=current["tasks"])
        for task in outcome.last:
            if not task.finished or task.failed:
                raise VeeamEmError("Enterprise Manager did not confirm the schedule toggle (task %s: %s)."
                                   % (task.data["id"], task.data["message"] or task.data["state"]),
                                   result=dict(changed=True))


def _with_schedule(job, enabled):
    job.data = dict(job.data, schedule_enabled=enabled)
    return job


def _schedules(jobs, values):
    return dict((job.data["id"], job.data["schedule_enabled"] if values is None else values[job.uid]) for job in jobs)


def run_job_schedule(module):
    """veeam_em_job_schedule's one call: check the options, log on, toggle what differs, log off, exit."""
    module.run(lambda em, selector: JobSchedule(em, selector, module.params["enabled"], check_mode=module.check_mode,
                                                warn=module.warn).run(),
               prepare=lambda: JobSelector.from_params(module.params, several=True),
               always=dict(jobs=None, changed_jobs=[]))
