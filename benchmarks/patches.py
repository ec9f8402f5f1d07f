"""Fixes for causes the benchmark found in plugins/, and the old behaviour they replaced, applied at run time
by benchmarks/modrun.py (--patch NAME applies a fix, --revert NAME puts the old behaviour back).

The benchmark owns benchmarks/ only; a cause it finds in plugins/ is fixed there by its owner. Each entry
names the place in plugins/ the fix belongs to and a marker text whose presence in that module's source means
that plugins/ has the fix. run.py shows before/after figures in both states:

- plugins/ lacks the fix (``needed(name)``): "before" is plugins/ as is, "after" runs the module with the fix
  monkeypatched into the module process (``apply``).
- plugins/ has the fix: "after" is plugins/ as is, "before" runs the module with the OLD behaviour
  monkeypatched back into the module process (``revert``), so that the figure the fix improved is measured
  by every run instead of being quoted from the past.

Either way nothing in plugins/ is edited, and a patch only ever changes the one module process it runs in.
"""

from __future__ import annotations

import inspect

FIXES = {}


def fix(name, where, what, old, label, figure, marker):
    """Register a fix (the decorated function applies it).

    ``what``: the change; ``old``: the behaviour before it (what ``revert`` restores) and why it cost;
    ``label``: a few words naming the old behaviour, for table rows ("before: <label>");
    ``figure``: the measured figure the fix is about ("latency", "cpu" or "rss"), named in the report's summary;
    ``marker``: (module_utils module, text) whose presence in that module's source means that plugins/ has
    the fix."""
    def register(function):
        FIXES[name] = dict(apply=function, revert=None, where=where, what=what, old=old, label=label,
                           figure=figure, marker=marker)
        return function
    return register


def reverts(name):
    """Register the function that puts the behaviour before fix ``name`` back."""
    def register(function):
        FIXES[name]["revert"] = function
        return function
    return register


def _module(module_name):
    import importlib

    return importlib.import_module("ansible_collections.seedops.veeam_em.plugins.module_utils." + module_name)


def needed(name):
    """True while plugins/ lacks the fix (its marker text is not in the module's source)."""
    module_name, text = FIXES[name]["marker"]
    return text not in inspect.getsource(_module(module_name))


def state(name):
    """'proposed' while plugins/ lacks the fix, 'fixed' once it has it."""
    return "proposed" if needed(name) else "fixed"


def describe(name):
    """The fix's texts (no functions), as stored in results.json and shown in the report."""
    entry = FIXES[name]
    return dict(name=name, state=state(name), **{k: entry[k] for k in ("where", "what", "old", "label", "figure")})


def apply(name):
    """Apply one fix in this process; False (nothing patched) when plugins/ already has it."""
    if not needed(name):
        return False
    FIXES[name]["apply"]()
    return True


def revert(name):
    """Put the behaviour before fix ``name`` back in this process; False (nothing patched) while plugins/
    lacks the fix (it has the old behaviour already)."""
    if needed(name):
        return False
    FIXES[name]["revert"]()
    return True


# --- 1. ElementStream: only the wanted elements' end events -----------------------------------------------
@fix("xml-tag-filter",
     where="plugins/module_utils/_xml.py, ElementStream.__init__ (the XMLPullParser line) and _drain()",
     what="XMLPullParser(events=('end',), tag=['{*}' + name for name in local_names], ...): lxml reports only "
          "the wanted (Job) elements' ends, and _drain() hands each of them on without looking at its name.",
     old="XMLPullParser(events=('end',)) without tag=, and _drain() walking every element's end event (about "
         "50 per job) in Python to keep those whose local name is wanted. The unfiltered events are Python "
         "proxies that pile up in the parser's event list during each 256 KiB feed() (about 4,000 per chunk), "
         "survive the young GC generations and trigger a full garbage collection about every 1,000 jobs, each "
         "over every job read so far: O(n^2) CPU.",
     label="no tag filter",
     figure="cpu",
     marker=("_xml", "tag="))
def _xml_tag_filter():
    _xml = _module("_xml")
    original_init = _xml.ElementStream.__init__

    def __init__(self, url, local_names, on_element, *args, **kwargs):
        original_init(self, url, local_names, on_element, *args, **kwargs)
        self._parser = _xml.etree.XMLPullParser(events=("end",), tag=["{*}%s" % name for name in local_names],
                                                **_xml._parser_options())

    _xml.ElementStream.__init__ = __init__


@reverts("xml-tag-filter")
def _xml_tag_filter_revert():
    _xml = _module("_xml")
    stream = _xml.ElementStream
    original_init = stream.__init__

    def __init__(self, url, local_names, on_element, *args, **kwargs):
        original_init(self, url, local_names, on_element, *args, **kwargs)
        self._old_wanted = frozenset(local_names)
        # The parser as it was before the fix: every element's end event, no tag filter.
        self._parser = _xml.etree.XMLPullParser(events=("end",), **_xml._parser_options())

    def _drain(self):
        # The drain as it was before the fix: every end event, kept by its local name. (The gap counter
        # came later than the fix; it is reset per wanted element, as the fixed code does.)
        for dummy, element in self._parser.read_events():
            if _xml.local_name(element) in self._old_wanted:
                self._gap = 0
                self._on_element(element)
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]

    stream.__init__ = __init__
    stream._drain = _drain


# --- 2. Listing all jobs: keep the user-facing dict, not every job's 8-11 links ---------------------------
@fix("lean-job-list",
     where="plugins/module_utils/_jobs.py, _list_all() and Job.__init__ (keep_links)",
     what="_list_all() builds Job(element, details, keep_links=False): a listed job keeps only job.data "
          "(job_info never follows a listed job's links); look-ups by name or id keep their links.",
     old="_list_all() built Job(element, details), which keeps a list of 8-11 link dicts with their URLs "
         "(about 1.5 KB per job) next to job.data: most of the module's memory after the result itself, and "
         "11 more objects per job for the garbage collector to walk.",
     label="links kept",
     figure="rss",
     marker=("_jobs", "keep_links"))
def _lean_job_list():
    _jobs = _module("_jobs")
    full_job = _jobs.Job
    original_list_all = _jobs._list_all

    class LeanJob(full_job):
        def __init__(self, element, details=False, keep_links=False):  # pylint: disable=super-init-not-called
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


@reverts("lean-job-list")
def _lean_job_list_revert():
    _jobs = _module("_jobs")
    full_job = _jobs.Job
    original_list_all = _jobs._list_all

    class LinkedJob(full_job):
        def __init__(self, element, details=False, keep_links=True):
            full_job.__init__(self, element, details, keep_links=True)

    def _list_all(em, details):
        # As before the fix: every listed job keeps its links (keep_links=True whatever _list_all asks).
        _jobs.Job = LinkedJob
        try:
            return original_list_all(em, details)
        finally:
            _jobs.Job = full_job

    _jobs._list_all = _list_all


# --- 3. Early polls: about once a second during the first seconds of a wait --------------------------------
EARLY_FIRST_S = 0.5
EARLY_STEP_S = 1.0
EARLY_WINDOW_S = 10.0
OLD_EARLY_DELAYS_S = (0.5, 1.0, 2.0)


@fix("early-polls",
     where="plugins/module_utils/_waiter.py, delays() and EARLY_WINDOW_S",
     what="delays() yields 0.5 s, then 1 s until %g s of the wait have passed, then poll_interval. A run that "
          "ends in the first %g s of a wait is seen within about 1 s, one that ends later within "
          "poll_interval, and no two polls are less than 0.5 s apart (1 s after the first)."
          % (EARLY_WINDOW_S, EARLY_WINDOW_S),
     old="delays() yielded %s s, then poll_interval (%g s by default): the polls of a wait came %s s after "
         "its start, then only every poll_interval, so a job that ended just after the last early poll was "
         "seen up to a whole poll_interval late." % (
             ", ".join("%g" % d for d in OLD_EARLY_DELAYS_S), 5.0,
             ", ".join("%g" % sum(OLD_EARLY_DELAYS_S[:i + 1]) for i in range(len(OLD_EARLY_DELAYS_S)))),
     label="old early polls (%s s)" % ", ".join("%g" % d for d in OLD_EARLY_DELAYS_S),
     figure="latency",
     marker=("_waiter", "EARLY_WINDOW_S"))
def _early_polls():
    _waiter = _module("_waiter")

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


@reverts("early-polls")
def _early_polls_revert():
    _waiter = _module("_waiter")

    def delays(poll_interval):
        # The schedule before the fix: 0.5, 1, 2 s (each only while shorter than poll_interval), then
        # poll_interval forever.
        for early in OLD_EARLY_DELAYS_S:
            if early >= poll_interval:
                break
            yield early
        while True:
            yield poll_interval

    _waiter.delays = delays
