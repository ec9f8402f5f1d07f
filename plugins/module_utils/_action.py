# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action pipeline: what every module that acts on a job does between "found it" and "here is how it went".

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

An action (start, sync, stop, retry, quick backup) is a POST to a link EM offers (em_api.md section 6). EM
answers with a Task (section 7), the Task leads to a job session (section 8), and the session ends Stopped.
``ActionRun`` does those steps within one wait budget and keeps an immutable ``Outcome`` of what is known,
which becomes the module result on every path, failures and time-outs included. The wording and the rules
of one action (when to act at all, what a refusal means) stay in that action's own module_utils file.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import (
    VeeamEmApiError,
    VeeamEmError,
    VeeamEmFormatError,
    VeeamEmJobFailedError,
    VeeamEmNotFoundError,
    VeeamEmTaskLostError,
    VeeamEmTransportError,
    VeeamEmWaitTimeout,
    is_transient,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import get_session, is_new, latest_session
from ansible_collections.seedops.veeam_em.plugins.module_utils._task_sessions import failure_reasons
from ansible_collections.seedops.veeam_em.plugins.module_utils._tasks import Task
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import Waiter

# After an action request whose answer was lost, how long to look for the effect it may have had. EM
# creates a job's session a moment after it accepted a start.
POST_CHECK_GRACE_S = 5.0


class Outcome(object):
    """What an action knows at one moment. Immutable: every step hands on a new one through ``replace``.

    ``extra``: more result keys of one action (job_start's ``confirmed_by`` and ``worker_sessions``).
    """

    __slots__ = ("changed", "job", "task", "session", "extra")

    def __init__(self, changed=False, job=None, task=None, session=None, extra=None):
        for name, value in (("changed", changed), ("job", job), ("task", task), ("session", session),
                            ("extra", dict(extra or {}))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("Outcome is immutable; use replace(%s=...)" % name)

    def replace(self, **changes):
        values = dict((name, getattr(self, name)) for name in self.__slots__)
        values.update(changes)
        return Outcome(**values)

    def result(self, elapsed, msg=None):
        """The module result: ``job``, ``task`` and ``session`` as their dicts (null when unknown)."""
        result = dict(changed=self.changed, job=_data(self.job), task=_data(self.task), session=_data(self.session),
                      elapsed=round(elapsed, 2))
        result.update(self.extra)
        if msg is not None:
            result["msg"] = msg
        return result


def _data(resource):
    return resource.data if resource is not None else None


class Posted(object):
    """What one POST of an action link left: the Task EM answered, or, when that answer was lost, the
    ``evidence`` that re-reading found that EM carried the action out (and the ``lost`` error)."""

    def __init__(self, task=None, evidence=None, lost=None):
        self.task = task
        self.evidence = evidence
        self.lost = lost


class ActionRun(object):
    """One action within one wait budget: ``run(steps)`` calls ``steps(self)`` and returns its result.

    ``noun`` names the action in messages ("start"); ``sent`` and ``not_sent`` say in one sentence what a
    time-out leaves behind, with and without the action sent; ``check_hint`` tells how to see what happened.
    """

    def __init__(self, em, wait, started, noun, sent, not_sent, check_hint, warn=None):
        self.em = em
        # How a user finds out what happened when the module cannot tell (one sentence).
        self.check_hint = check_hint
        self.wait = wait
        self.started = started
        self.deadline = started + wait.timeout
        self.noun = noun
        self._effect = (not_sent, sent)
        self.warn = warn or (lambda message: None)
        self.outcome = Outcome()
        # What follow_task saw besides the task: the new runs that confirmed a task resting in OperationFinished.
        self.confirmation = None

    # -- the outcome -----------------------------------------------------------------------------------
    def update(self, **changes):
        self.outcome = self.outcome.replace(**changes)

    def update_extra(self, **keys):
        extra = dict(self.outcome.extra)
        extra.update(keys)
        self.update(extra=extra)

    def elapsed(self):
        return _clock.now() - self.started

    def done(self, msg):
        return self.outcome.result(self.elapsed(), msg)

    def run(self, steps):
        """Every VeeamEmError leaves with the outcome as last seen, its own keys (``changed`` ...) winning."""
        try:
            return steps(self)
        except VeeamEmError as error:
            merged = self.outcome.result(self.elapsed())
            merged.update(error.result)
            error.result = merged
            raise

    def waiter(self):
        return Waiter(self.wait.poll_interval, self.deadline)

    def timeout(self, what):
        raise VeeamEmWaitTimeout(
            "Timed out after %s s waiting for %s. %s; its task and session are returned so that a later task can "
            "keep tracking them." % (_format_seconds(self.wait.timeout), what, self._effect[bool(self.outcome.changed)]))

    # -- the steps -------------------------------------------------------------------------------------
    def post_once(self, href, reconcile, not_applied, body=None):
        """POST an action link exactly once; never repeated blindly, since the first may have acted.

        When the answer is lost (no answer, or a 5xx after EM may have acted), ``reconcile()`` re-reads
        the state for a short grace period and returns the evidence that the action took effect, or None.
        No evidence: a VeeamEmError with ``not_applied(error)`` as its message and ``changed`` false. No
        readable state at all (the re-reads failed too), or no way to re-read it (``reconcile`` None): the action
        may have taken effect, so ``changed`` is true and the message says how to check.
        """
        if self.wait.wait and _clock.now() >= self.deadline:
            # Sending the action now would start work that the module then reports as timed out at once.
            raise VeeamEmWaitTimeout(
                "The wait budget (timeout: %s s) was used up after %.1f s, before the %s request could be sent, "
                "so nothing was sent and nothing changed. Raise timeout (it counts from the start of the module, "
                "logon included)." % (_format_seconds(self.wait.timeout), self.elapsed(), self.noun),
                result=dict(changed=False))
        try:
            return Posted(task=Task(self.em.post_action(href, body), href))
        except VeeamEmFormatError as error:
            # EM accepted the action (2xx) but its answer is unreadable: it may well have acted, so say so
            # rather than invite a second request.
            raise VeeamEmFormatError(
                "The %s request was sent and Enterprise Manager accepted it, but its answer could not be read: %s "
                "The %s may have taken effect: %s" % (self.noun, sentence(error), self.noun, self.check_hint),
                result=dict(changed=True))
        except (VeeamEmTransportError, VeeamEmApiError) as error:
            if isinstance(error, VeeamEmApiError) and (error.status or 0) < 500:
                raise
            lost = error
        if reconcile is None:
            raise VeeamEmError(
                "The %s request got no usable answer (%s), and nothing shows whether Enterprise Manager carried it out. "
                "The %s may have taken effect: %s" % (self.noun, sentence(lost).rstrip("."), self.noun, self.check_hint),
                result=dict(changed=True))
        reads = _TolerantReads(reconcile)
        grace = Waiter(min(self.wait.poll_interval, 1.0), min(_clock.now() + POST_CHECK_GRACE_S, self.deadline))
        try:
            evidence = grace.wait(reads, lambda found: found is not None, initial=reads()).last
        except VeeamEmError as error:
            reads.failed(error)
            evidence = None
        if evidence is not None:
            return Posted(evidence=evidence, lost=lost)
        if reads.last_error is not None:
            raise VeeamEmError(
                "The %s request got no usable answer (%s) and re-reading the state failed too (%s), so it is not "
                "known whether Enterprise Manager carried it out. The %s may have taken effect: %s"
                % (self.noun, sentence(lost).rstrip("."), sentence(reads.last_error).rstrip("."), self.noun,
                   self.check_hint), result=dict(changed=True))
        raise VeeamEmError(not_applied(lost), result=dict(changed=False))

    def follow_task(self, task, confirm=None):
        """Poll the task until Finished and return it; a time-out raises with the task as last seen.

        ``confirm``: for a task that may rest in OperationFinished (post_jobs_id_actionsync.md), a call that
        returns the operation's visible effect (the job's new runs) or nothing. While the task is not
        Finished but already has a successful Result, each poll also asks ``confirm``; once it answers, the
        task counts as done and ``self.confirmation`` holds that answer (else None).

        EM scopes tasks to the logon session (em_api.md section 7): when the task vanishes because that
        session expired and was renewed, VeeamEmTaskLostError says so, and the job's session must tell.
        """
        self.update(changed=True)
        self.confirmation = None
        generation = self.em.generation

        def fetch():
            current = Task(self.em.get(task.href), task.href)
            if confirm is not None and not current.finished and current.succeeded:
                self.confirmation = confirm() or None
            return current
        try:
            outcome = self.waiter().wait(fetch, lambda item: item.finished or self.confirmation is not None,
                                         initial=task)
        except VeeamEmNotFoundError as error:
            if self.em.generation == generation:
                raise
            raise VeeamEmTaskLostError("The %s task %s ended with the expired logon session: %s"
                                       % (self.noun, task.data["id"], error), result=dict(changed=True))
        except VeeamEmError as error:
            if not is_transient(error):
                raise
            raise type(error)(
                "Enterprise Manager accepted the %s (task %s), but following its task failed: %s The %s has probably "
                "taken effect: %s" % (self.noun, task.data["id"], sentence(error), self.noun, self.check_hint),
                result=dict(changed=True))
        self.update(task=outcome.last)
        if not outcome.done:
            resting = " with a successful result, while no new run of the job showed" \
                if confirm is not None and outcome.last.succeeded else ""
            self.timeout("the %s task %s to reach Finished (last state: %s%s)"
                         % (self.noun, task.data["id"], outcome.last.data["state"], resting))
        return outcome.last

    def find_new_session(self, job, before):
        """Wait for the job's newest session to be one that was not there before the action."""
        outcome = self.waiter().wait(lambda: latest_session(self.em, job), lambda item: is_new(item, before))
        if not outcome.done:
            self.timeout("the job session created by the %s to appear" % self.noun)
        self.update(session=outcome.last)
        return outcome.last

    def session_href(self, task, job, before):
        """The session the task started: its Related link, else the job's new session (EM does not always
        add the link, em_api.md section 7)."""
        return task.session_href or self.find_new_session(job, before).href

    def follow_session(self, href):
        """Poll the session until Stopped and return it; a time-out raises with the session as last seen."""
        try:
            current = get_session(self.em, href)
        except VeeamEmError as error:
            # The first read is a poll like the others: a passing error is the waiter's to tolerate.
            if not is_transient(error):
                raise
            current = None
        if current is not None:
            self.update(session=current)
        outcome = self.waiter().wait(lambda: get_session(self.em, href), lambda item: item.stopped, initial=current)
        session = outcome.last
        self.update(session=session)
        if not outcome.done:
            if session is None:
                self.timeout("job session %s to be readable" % href)
            self.timeout("job session %s to end (last state: %s, progress %s%%)"
                         % (session.name, session.state, session.data["progress"]))
        return session

    def find_new_runs(self, runs, before):
        """Wait until the job's new runs show (``runs`` a ``_job_sessions.JobRuns``) and return them."""
        outcome = self.waiter().wait(lambda: runs.new_runs(before), bool)
        if not outcome.done:
            self.timeout("the job session created by the %s to appear" % self.noun)
        self.update(session=outcome.last[0])
        return outcome.last

    def finish_runs(self, runs, before, sessions, what):
        """Follow the new runs of a job that runs as several sessions (the worker sessions of one sync of an
        immediate backup copy job) until every one is Stopped; report the worst result of them.

        Each poll reads the job's new runs again (one query), so a worker that shows late is followed too.
        """
        def stopped(items):
            return bool(items) and all(item.stopped for item in items)
        outcome = self.waiter().wait(lambda: runs.new_runs(before) or sessions, stopped, initial=sessions)
        sessions = outcome.last
        worst = max(sessions, key=_severity)
        self.update(session=worst)
        self.update_extra(worker_sessions=[session.data for session in sessions])
        if not outcome.done:
            running = [session for session in sessions if not session.stopped]
            self.timeout("job sessions %s to end (still running: %s)"
                         % (", ".join(session.name for session in sessions),
                            ", ".join("%s, state %s, progress %s%%" % (session.name, session.state,
                                                                       session.data["progress"])
                                      for session in running)))
        return self.report(worst, what)

    def finish_run(self, href, what):
        """Follow a run to its end and report its result: Failed fails, Warning warns, Success succeeds."""
        return self.report(self.follow_session(href), what)

    def report(self, session, what):
        """The result of a run that has ended: Failed fails, Warning warns, Success succeeds."""
        if session.result in ("Failed", "Warning") and not session.data["failure_message"]:
            session.data["failure_message"] = self._reasons(session)
            self.update(session=session)
        summary = "%s: session %s ended with result %s" % (what, session.name, session.result)
        if session.result == "Failed":
            raise VeeamEmJobFailedError("%s. %s" % (summary, session.data["failure_message"] or "No failure message."))
        if session.result == "Warning":
            self.warn("%s. %s" % (summary, session.data["failure_message"] or ""))
        return self.done(summary + ".")

    def _reasons(self, session):
        """The reasons the session's task sessions give (None when there are none, or they cannot be read).

        Only a detail of a run that has ended: whatever stops the look-up (a role, an older EM without the query
        type, a passing error) must not hide the run's result.
        """
        try:
            reasons = failure_reasons(self.em, session)
        except VeeamEmError:
            return None
        return "; ".join(reasons) or None


_SEVERITY = {"Success": 1, "Warning": 2, "Failed": 3}


def _severity(session):
    return _SEVERITY.get(session.result, 0)


class _TolerantReads(object):
    """``reconcile`` as a poll that counts a passing error as "no evidence yet" and remembers it."""

    def __init__(self, reconcile):
        self._reconcile = reconcile
        self.last_error = None

    def __call__(self):
        try:
            found = self._reconcile()
        except VeeamEmError as error:
            if not is_transient(error):
                raise
            self.failed(error)
            return None
        self.last_error = None
        return found

    def failed(self, error):
        self.last_error = error


def sentence(error):
    text = str(error).rstrip()
    return text if text.endswith(".") else text + "."


def _format_seconds(value):
    return ("%g" % value) if isinstance(value, float) else str(value)
