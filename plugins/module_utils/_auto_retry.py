# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whether Veeam Backup & Replication will retry a failed run by itself: the ``retry`` key of veeam_em_job_start.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The VBR user guide ("Job Retry"): VBR retries a failed run by the job's retry options (jobs_id.md: RetryOptions with
RetrySpecified, RetryTimes, RetryTimeout), each retry a new session with IsRetry true
(get_query_backupjobsession.md), and it does not retry a run that was started or stopped manually. A start through
Enterprise Manager is taken as a manual start. EM does not say who started a run (no session field does), so a run
that this task joined as already running is taken as a scheduled one, and the sentence says that a run started by
hand is not retried.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_sessions import newest_sessions

RECIPE_HINT = "the guide's \"Automatic retries\" shows how to wait them out."


def _retry(options, will_retry):
    options = options or {}
    return dict(specified=options.get("specified"), times=options.get("times"),
                timeout_minutes=options.get("timeout_minutes"), will_retry=will_retry)


def manual_run(job):
    """A run this task started: (the ``retry`` value, one sentence). VBR does not retry it."""
    return (_retry(job.retry_options, False),
            "Veeam Backup & Replication does not retry this run by itself: it was started through Enterprise Manager, "
            "which counts as a manual start (automatic retries follow scheduled runs only).")


def joined_run(em, job, session):
    """A failed run this task did not start (it joined it as already running): (the ``retry`` value, one sentence)."""
    options = job.retry_options
    if options is None:
        return (_retry(None, None), "The job's schedule options hold no retry options, so whether Veeam Backup & "
                                    "Replication retries this run is not known.")
    if not options["specified"] or not options["times"]:
        return (_retry(options, False), "The job's retry options are off (RetrySpecified %s, RetryTimes %s): Veeam "
                "Backup & Replication will not retry this run." % (_text(options["specified"]), options["times"]))
    left = options["times"]
    if session.data["is_retry"]:
        used = _retries_so_far(em, job, session, options["times"])
        if used is None:
            return (_retry(options, None), "This run was itself an automatic retry, and how many came before it could "
                    "not be read, so whether Veeam Backup & Replication retries it again (up to %d retries in all) is "
                    "not known." % options["times"])
        if used >= options["times"]:
            return (_retry(options, False), "This run was retry %d of %d (the job's retry options): Veeam Backup & "
                    "Replication will not retry it again." % (used, options["times"]))
        left -= used
    return (_retry(options, True),
            "This task did not start this run: if its schedule started it, Veeam Backup & Replication retries it up "
            "to %d more time%s, %s minutes after each failure (the job's retry options), each retry a new session "
            "with is_retry true (a run started by hand is not retried); %s"
            % (left, "" if left == 1 else "s", _text(options["timeout_minutes"]), RECIPE_HINT))


def _retries_so_far(em, job, session, times):
    """Which retry ``session`` is: the unbroken run of is_retry sessions from it back (one request of at most
    times + 1 sessions), or None when that cannot be read. Only a detail of a run that has ended: no error here
    may hide the run's result."""
    try:
        recent = newest_sessions(em, job, min(times, 99) + 1)
    except VeeamEmError:
        return None
    uids = [item.uid for item in recent]
    if session.uid not in uids:
        return None
    count = 0
    for item in recent[uids.index(session.uid):]:
        if not item.data["is_retry"]:
            return count
        count += 1
    # Every session read is a retry: at least this many (more would not change the answer).
    return count


def _text(value):
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
