# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Starting a job and following it: the logic behind veeam_em_job_start.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The sequence (em_api.md sections 6 to 8): find the job, read its newest session (a job that is already
running is not started again), POST its Start (or Sync) link, poll the returned Task until Finished, then
find the session that run created (the Task's Related link, else the job's newest session that was not
there before the start) and poll it until it is Stopped.
"""

from __future__ import annotations

import time

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmApiError,
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmInputError,
    VeeamEmJobFailedError,
    VeeamEmNotFoundError,
    VeeamEmTaskFailedError,
    VeeamEmTransportError,
    VeeamEmWaitTimeout,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import find_one_job, normalize_job_id
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import (
    STOPPED,
    get_session,
    is_running,
    latest_session,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import Waiter

WAIT_FOR_START = "start"
WAIT_FOR_COMPLETION = "completion"
# After a start request whose answer was lost, how long to look for the run it may have created.
POST_CHECK_GRACE_S = 5.0


class JobStartRequest(object):
    def __init__(self, name=None, job_id=None, backup_server=None, wait=True, wait_for=WAIT_FOR_START,
                 timeout=900, poll_interval=5.0, check_mode=False):
        if timeout is not None and timeout < 0:
            raise VeeamEmInputError("timeout must be 0 or more seconds (the whole wait budget), got %s." % timeout)
        if poll_interval is None or poll_interval <= 0:
            raise VeeamEmInputError("poll_interval must be a positive number of seconds, got %s." % poll_interval)
        if wait_for not in (WAIT_FOR_START, WAIT_FOR_COMPLETION):
            raise VeeamEmInputError("wait_for must be start or completion, got %r." % wait_for)
        if job_id is not None:
            normalize_job_id(job_id)
        self.name = name
        self.job_id = job_id
        self.backup_server = backup_server
        self.wait = wait
        self.wait_for = wait_for
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.check_mode = check_mode


class JobStarter(object):
    """One start of one job. ``run()`` returns the module result or raises a VeeamEmError with ``result``."""

    def __init__(self, em, request, warn=None, clock=time.monotonic, sleep=time.sleep, started=None):
        self.em = em
        self.request = request
        self._warn = warn or (lambda message: None)
        self._clock = clock
        self._sleep = sleep
        self.started = clock() if started is None else started
        self.job = None
        self.result = dict(changed=False, job=None, task=None, session=None, elapsed=0.0)

    def run(self):
        try:
            return self._run()
        except VeeamEmError as error:
            merged = self._snapshot()
            merged.update(error.result)
            error.result = merged
            raise

    def _snapshot(self):
        self.result["elapsed"] = round(self._clock() - self.started, 2)
        return dict(self.result)

    def _done(self, msg):
        result = self._snapshot()
        result["msg"] = msg
        return result

    def _waiter(self):
        return Waiter(self.request.poll_interval, self.started + self.request.timeout, clock=self._clock,
                      sleep=self._sleep, started=self.started)

    # -- steps ---------------------------------------------------------------------------------------
    def _run(self):
        request = self.request
        job = find_one_job(self.em, name=request.name, job_id=request.job_id, backup_server=request.backup_server)
        self.job = job
        self.result["job"] = job.data
        before = latest_session(self.em, job)
        if is_running(before):
            return self._already_running(before)
        link = job.start_link()
        if link is None:
            raise VeeamEmInputError(
                "Job %r (%s) cannot be started through Enterprise Manager: it has neither a Start nor a Sync link. "
                "It offers: %s." % (job.name, job.job_type, ", ".join(job.offered_actions()) or "no actions"))
        if request.check_mode:
            self.result["changed"] = True
            return self._done("Job %r would be started (check mode: nothing was sent)." % job.name)

        task = self._post_start(link["href"], before)
        if task is None:
            # The POST failed, but re-reading showed that the job did start: follow its session.
            return self._follow_session(self.result["session"], "")
        self.result["task"] = task.data
        self.result["changed"] = True
        if not request.wait:
            return self._done("Start of job %r accepted (task %s, state %s); not waiting (wait: false)."
                              % (job.name, task.data["id"], task.data["state"]))

        task = self._wait_task(task)
        if task is None:
            # EM scopes tasks to the logon session (em_api.md section 7): after the session expired and was
            # renewed the task is gone, so the job's new session tells how the start went.
            return self._follow_session(self._wait_new_session(before), "; its task ended with the expired logon session")
        if request.wait_for == WAIT_FOR_START:
            return self._done("Job %r started (task %s: %s)." % (job.name, task.data["id"], task.data["message"]))
        session_href = task.session_href or self._wait_new_session(before)["href"]
        return self._wait_completion(session_href, "Job %r ran" % job.name)

    def _already_running(self, session):
        self.result["session"] = session
        what = "Job %r is already running (session %s, state %s); it was not started again" % (
            self.job.name, session["name"], session["state"])
        if self.request.wait and self.request.wait_for == WAIT_FOR_COMPLETION and not self.request.check_mode:
            return self._wait_completion(session["href"], what + "; that run")
        return self._done(what + ".")

    def _post_start(self, href, before):
        try:
            return Task(self.em.post_action(href), href)
        except VeeamEmFormatError as error:
            # EM accepted the start (2xx) but its answer is unreadable: the job may well run, so say so
            # rather than invite a second start.
            error.result["changed"] = True
            raise
        except (VeeamEmTransportError, VeeamEmApiError) as error:
            if isinstance(error, VeeamEmApiError) and (error.status or 0) < 500:
                raise
            # Never repeated blindly: the POST may have started the job before the answer was lost.
            # Re-read the job's newest session to learn what really happened; EM creates the session a
            # moment after accepting the start, so look for a short while before concluding.
            grace = Waiter(min(self.request.poll_interval, 1.0),
                           min(self._clock() + POST_CHECK_GRACE_S, self.started + self.request.timeout),
                           clock=self._clock, sleep=self._sleep)
            after = grace.wait(lambda: latest_session(self.em, self.job), lambda item: _is_new(item, before),
                               initial=latest_session(self.em, self.job)).last
            if _is_new(after, before):
                self._warn("The start request failed (%s), but the job did start: session %s." % (error, after["name"]))
                self.result["changed"] = True
                self.result["session"] = after
                return None
            raise VeeamEmError(
                "Starting job %r failed: %s The job's sessions were read again afterwards and no new run "
                "appeared, so the job was not started; nothing changed. Run the task again."
                % (self.job.name, _sentence(error)),
                result=dict(changed=False))

    def _follow_session(self, session, note):
        """The run is known by its session only (its task was lost): answer as wait and wait_for ask."""
        what = "Job %r started (session %s, state %s)%s" % (self.job.name, session["name"], session["state"], note)
        if not self.request.wait:
            return self._done(what + "; not waiting (wait: false).")
        if self.request.wait_for == WAIT_FOR_START:
            return self._done(what + ".")
        return self._wait_completion(session["href"], "Job %r ran" % self.job.name)

    def _wait_task(self, task):
        self.result["changed"] = True
        logons = self.em.logons
        try:
            outcome = self._waiter().wait(lambda: Task(self.em.get(task.href), task.href), lambda item: item.finished,
                                          initial=task)
        except VeeamEmNotFoundError:
            if self.em.logons == logons:
                raise
            return None
        self.result["task"] = outcome.last.data
        if not outcome.done:
            self._timeout("the start task %s to reach Finished (last state: %s)"
                          % (task.data["id"], outcome.last.data["state"]))
        if outcome.last.failed:
            # EM refused the start (its task says so): the job did not start, nothing changed.
            self.result["changed"] = False
            raise VeeamEmTaskFailedError("Enterprise Manager could not start job %r: task %s ended with: %s"
                                         % (self.job.name, task.data["id"], outcome.last.data["message"] or "no message"))
        return outcome.last

    def _wait_new_session(self, before):
        # The Task has no Related link (EM does not always add one, em_api.md section 7): the run's session
        # is the job's newest one that was not there before the POST. Comparing ids instead of times makes
        # this immune to clock skew between Ansible and Enterprise Manager.
        outcome = self._waiter().wait(lambda: latest_session(self.em, self.job), lambda item: _is_new(item, before))
        if not outcome.done:
            self._timeout("the job session created by the start to appear")
        self.result["session"] = outcome.last
        return outcome.last

    def _wait_completion(self, href, what):
        current = get_session(self.em, href)
        self.result["session"] = current
        outcome = self._waiter().wait(lambda: get_session(self.em, href), lambda item: item["state"] == STOPPED,
                                      initial=current)
        session = outcome.last
        self.result["session"] = session
        if not outcome.done:
            self._timeout("job session %s to end (last state: %s, progress %s%%)"
                          % (session["name"], session["state"], session["progress"]))
        summary = "%s: session %s ended with result %s" % (what, session["name"], session["result"])
        if session["result"] == "Failed":
            raise VeeamEmJobFailedError("%s. %s" % (summary, session["failure_message"] or "No failure message."))
        if session["result"] == "Warning":
            self._warn("%s. %s" % (summary, session["failure_message"] or ""))
        return self._done(summary + ".")

    def _timeout(self, what):
        raise VeeamEmWaitTimeout(
            "Timed out after %s s waiting for %s. The job %s; its task and session are returned so that a later "
            "task can keep tracking them." % (
                _format_seconds(self.request.timeout), what,
                "was started" if self.result["changed"] else "was not started by this task"))


def _is_new(session, before):
    return session is not None and (before is None or session["uid"] != before["uid"])


def _sentence(error):
    text = str(error).rstrip()
    return text if text.endswith(".") else text + "."


def _format_seconds(value):
    return ("%g" % value) if isinstance(value, float) else str(value)
