"""Proposed fixes for plugins/, applied at run time by benchmarks/modrun.py --patch NAME.

The benchmark owns benchmarks/ only; a cause it finds in plugins/ is fixed there by its owner. To show the
effect of a proposed fix before that ("before/after"), run.py runs the module once more with the fix
monkeypatched into the module process. Each fix names the place in plugins/ it belongs to. A fix whose
change is already in plugins/ reports that and patches nothing (``apply`` returns False), and run.py then
shows no "after" row.
"""

from __future__ import annotations

import inspect

FIXES = {}


def fix(name, where, what, marker):
    """``marker``: (module_utils module, text) whose presence in that module's source means that plugins/
    already has the change."""
    def register(function):
        FIXES[name] = dict(apply=function, where=where, what=what, marker=marker)
        return function
    return register


def _source(module_name):
    import importlib

    module = importlib.import_module("ansible_collections.seedops.veeam_em.plugins.module_utils." + module_name)
    return inspect.getsource(module)


def needed(name):
    """True while plugins/ lacks the fix (its marker text is not in the module's source)."""
    module_name, text = FIXES[name]["marker"]
    return text not in _source(module_name)


def apply(name):
    """Apply one fix in this process; False (nothing patched) when plugins/ already has it."""
    if not needed(name):
        return False
    FIXES[name]["apply"]()
    return True


# --- 1. ElementStream: only the wanted elements' end events -----------------------------------------------
@fix("xml-tag-filter",
     where="plugins/module_utils/_xml.py, ElementStream.__init__ (the XMLPullParser line)",
     what="XMLPullParser(events=('end',), tag=['{*}' + name for name in local_names], ...): lxml then reports "
          "only the Job elements' ends, instead of every element's end (about 50 per job) that _drain() "
          "walks in Python. The unfiltered events are Python proxies that pile up in the parser's event list "
          "during each 256 KiB feed() (about 4,000 per chunk), survive the young GC generations and trigger "
          "a full garbage collection about every 1,000 jobs, each over every job read so far: O(n^2).",
     marker=("_xml", "tag="))
def _xml_tag_filter():
    from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

    original_init = _xml.ElementStream.__init__

    def __init__(self, url, local_names, on_element):
        original_init(self, url, local_names, on_element)
        self._parser = _xml.etree.XMLPullParser(events=("end",), tag=["{*}%s" % name for name in local_names],
                                                **_xml._parser_options())

    _xml.ElementStream.__init__ = __init__


# --- 2. Listing all jobs: keep the user-facing dict, not every job's 8-11 links ---------------------------
@fix("lean-job-list",
     where="plugins/module_utils/_jobs.py, _list_all() and Job.__init__",
     what="_list_all() builds Job objects that keep only job.data (job_info never follows a listed job's "
          "links): Job(element, details, keep_links=False) setting self.links = (). Each job otherwise keeps "
          "a list of 8-11 link dicts with their URLs (about 1.5 KB per job), which is most of the module's "
          "memory after the result itself, and 11 more objects per job for the garbage collector to walk.",
     marker=("_jobs", "keep_links"))
def _lean_job_list():
    from ansible_collections.seedops.veeam_em.plugins.module_utils import _jobs

    full_job = _jobs.Job
    original_list_all = _jobs._list_all

    class LeanJob(full_job):
        def __init__(self, element, details=False):  # pylint: disable=super-init-not-called
            self.links = ()
            self.data = _jobs.job_to_dict(element, details)

    def _list_all(em, details):
        # _list_all() looks Job up in its module when it runs: swap in the lean class for this call only,
        # so that the look-ups (find_jobs' query path, job_start) keep full Job objects.
        _jobs.Job = LeanJob
        try:
            return original_list_all(em, details)
        finally:
            _jobs.Job = full_job

    _jobs._list_all = _list_all


# --- 3. Early polls: about once a second during the first seconds of a wait --------------------------------
EARLY_FIRST_S = 0.5
EARLY_STEP_S = 1.0
EARLY_WINDOW_S = 10.0


@fix("early-polls",
     where="plugins/module_utils/_waiter.py, delays() and EARLY_DELAYS_S",
     what="delays() yields 0.5 s, then 1 s until %g s of the wait have passed, then poll_interval (today: "
          "0.5, 1, 2, then poll_interval). A run that ends in the first %g s of a wait is then seen within "
          "about 1 s, one that ends later within poll_interval, and no two polls are less than 0.5 s apart "
          "(1 s after the first)." % (EARLY_WINDOW_S, EARLY_WINDOW_S),
     marker=("_waiter", "EARLY_WINDOW_S"))
def _early_polls():
    from ansible_collections.seedops.veeam_em.plugins.module_utils import _waiter

    def delays(poll_interval):
        waited = 0.0
        for step in (EARLY_FIRST_S,):
            if step >= poll_interval:
                break
            waited += step
            yield step
        while EARLY_STEP_S < poll_interval and waited < EARLY_WINDOW_S:
            waited += EARLY_STEP_S
            yield EARLY_STEP_S
        while True:
            yield poll_interval

    _waiter.delays = delays
