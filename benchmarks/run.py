"""Benchmarks of seedops.veeam_em against the EM simulator; writes docs/benchmarks.md.

    .venv/bin/python benchmarks/run.py [--only 1,2,3,4,5] [--reps N] [--sizes 100,1000,...] [--output FILE]

Run from anywhere (paths are taken from this file's place); `make bench` runs it from the repository root.
Every figure in the report is measured by this run. Work files (module arguments, outputs, request logs,
simulator logs, results.json) go to build/bench/. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib as B  # noqa: E402
import report  # noqa: E402

DEFAULT_SIZES = (100, 1000, 10000, 50000)
SERVERS = 20
# The goals of benchmark 4 (10,000 jobs under 3 s and 150 MB, linear growth) are checked in report.py.
SHORT_TIMINGS = {"task_running_s": 0.1, "task_collect_s": 0.1, "session_starting_s": 0.2}
DEFAULT_POLL_INTERVAL = 5.0  # veeam_em_job_start's default (its argument spec)


def log(message):
    sys.stdout.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stdout.flush()


def playbook(name):
    return os.path.join(B.BENCH_DIR, "playbooks", name)


# ============================================================================================================
# 0. Baseline: ansible-playbook with one ping task
# ============================================================================================================
def baseline(reps):
    runs = []
    for i in range(reps):
        runs.append(B.PlaybookRun(playbook("ping.yml"), "baseline-ping-%d" % i).check_ok())
    walls = [run.wall for run in runs]
    log("baseline ansible-playbook + ping: median %.2f s" % B.median(walls))
    return {"command": runs[0].command(), "walls": walls, "median": B.median(walls)}


# ============================================================================================================
# 1. HTTP requests per operation
# ============================================================================================================
MIN_PARTS = {
    # kind -> (explanation in the "minimum" column)
    "entry point": "entry point (GET /api/)",
    "logon": "logon",
    # Three kinds of job, each in its own collection (VM, Veeam Agent, file share: docs/dev/contracts.md "Job
    # kinds"): listing every job reads each collection once, and without `kind` a name or id may be a job of any
    # kind (and of several: the look-up must see them all to report an ambiguous name), so a look-up queries each.
    "job list": "job lists (1 per kind: the VM jobs' streamed GET, 1 query page each for agent and file share jobs)",
    "job look-up": "job look-ups (1 filtered query per kind)",
    "session read": "newest session",
    "action": "POST start",
    "task poll": "task polls",
    "session poll": "session polls",
    "logoff": "DELETE logoff",
}
EXTRA_EXPLAINED = {
    ("job_start", "session read"): "The job's newest session is read once before the start, so that a job that is "
                                   "already running is reported (changed=false) instead of being started again "
                                   "(EM's answer to starting a running job is undocumented); and while the start "
                                   "task rests in OperationFinished with a successful result, each poll also looks "
                                   "for the job's new run, since a task may stay there (post_jobs_id_actionsync.md): "
                                   "the start counts as confirmed once the run shows.",
}


# Job kinds (VM, agent, file share): the job lists of "all jobs" and the look-ups of a job given without `kind`.
KINDS = 3


def op_specs():
    db_backup_id = "5658281f-625e-4627-89dd-d2a0c48be99e"
    return [
        dict(key="info-all", title="job_info: all jobs", module="job_info", args={},
             minimum={"entry point": 1, "logon": 1, "job list": KINDS, "logoff": 1}),
        dict(key="info-name", title="job_info: by name", module="job_info", args={"name": "DB Backup"},
             minimum={"entry point": 1, "logon": 1, "job look-up": KINDS, "logoff": 1}),
        dict(key="info-id", title="job_info: by id", module="job_info", args={"id": db_backup_id},
             minimum={"entry point": 1, "logon": 1, "job look-up": KINDS, "logoff": 1}),
        dict(key="info-name-last", title="job_info: by name, include_last_session", module="job_info",
             args={"name": "DB Backup", "include_last_session": True},
             minimum={"entry point": 1, "logon": 1, "job look-up": KINDS, "session read": 1, "logoff": 1},
             note="newest session: 1 query, newest first, page size 1"),
        dict(key="info-all-last", title="job_info: all jobs, include_last_session", module="job_info",
             args={"include_last_session": True},
             minimum={"entry point": 1, "logon": 1, "job list": KINDS, "session read": 2, "logoff": 1},
             note="newest sessions: 1 read per session type, backup and replica"),
        dict(key="start-start", title="job_start: by name, wait_for: start", module="job_start",
             args={"name": "Quick Backup", "wait_for": "start"},
             minimum={"entry point": 1, "logon": 1, "job look-up": KINDS, "action": 1, "task poll": None,
                      "logoff": 1}),
        dict(key="start-completion", title="job_start: by name, wait_for: completion", module="job_start",
             args={"name": "Quick Backup", "wait_for": "completion"},
             minimum={"entry point": 1, "logon": 1, "job look-up": KINDS, "action": 1, "task poll": None,
                      "session poll": None, "logoff": 1}),
    ]


def describe_minimum(minimum, ours):
    parts = []
    total = 0
    for kind, count in minimum.items():
        if count is None:  # polls: as many as the timeline needs; ours are taken as the reference
            count = ours.get(kind, 0)
            parts.append("%d %s (as ours)" % (count, MIN_PARTS[kind]))
        else:
            label = MIN_PARTS[kind]
            parts.append(label if count == 1 else "%d %s" % (count, label))
        total += count
    return total, " + ".join(parts)


def bench_requests(reps):
    section = {"ops": []}
    with B.SimulatorProcess("requests") as sim:
        section["simulator"] = sim.command()
        section["timings"] = {k: v for k, v in sim.configure().items()
                              if k in ("task_running_s", "task_collect_s", "session_starting_s")}
        for spec in op_specs():
            runs = []
            for i in range(reps):
                sim.reset()
                before = sim.counters()
                run = B.ModuleRun(spec["module"], dict(sim.connection_args(), **spec["args"]),
                                  "s1-%s-%d" % (spec["key"], i), request_log=True).check_ok()
                delta = B.counter_delta(before, sim.counters())
                runs.append((run, delta))
            run, delta = runs[0]
            ours = B.kinds_of(run.requests)
            totals = [d["requests_total"] for _run, d in runs]
            min_total, min_text = describe_minimum(spec["minimum"], ours)
            extra = {}
            for kind, count in ours.items():
                allowed = spec["minimum"].get(kind, 0)
                allowed = count if allowed is None else allowed
                if count > allowed:
                    extra[kind] = count - allowed
            op = dict(key=spec["key"], title=spec["title"], module=spec["module"], args=run.shown_args,
                      command=run.command(), counted=totals, client_log=len(run.requests), ours=ours,
                      minimum=min_total, minimum_text=min_text, note=spec.get("note"), extra=extra,
                      extra_explained={k: EXTRA_EXPLAINED.get((spec["module"], k)) for k in extra},
                      logons=delta["logons"], logoffs=delta["logoffs"], live_sessions=delta["live_sessions"],
                      elapsed=run.wall)
            section["ops"].append(op)
            log("requests %-45s ours %s (counted %s), minimum %d" % (spec["title"], sum(ours.values()), totals,
                                                                     min_total))
    start = next(op for op in section["ops"] if op["key"] == "start-start")
    only_explained = all(start["extra_explained"].get(k) for k in start["extra"])
    section["goal"] = dict(
        minimum=start["minimum"], ours=start["counted"][0], extra=start["extra"],
        met_strict=start["counted"][0] == start["minimum"],
        met_with_explained=only_explained and start["counted"][0] == start["minimum"] + sum(start["extra"].values()))
    return section


# ============================================================================================================
# 2. The uri playbook a user writes today vs the module
# ============================================================================================================
def bench_uri(reps, base):
    section = {"variants": [], "baseline": base}
    variants = [
        ("ours", "seedops.veeam_em.veeam_em_job_start (wait_for: start, default poll_interval 5)",
         playbook("job_start.yml"), {"wait_for": "start"}),
        ("uri-5", "ansible.builtin.uri playbook, until loop with delay: 5",
         os.path.join(B.BENCH_DIR, "uri_start_job.yml"), {"poll_delay": 5}),
        ("uri-1", "ansible.builtin.uri playbook, until loop with delay: 1",
         os.path.join(B.BENCH_DIR, "uri_start_job.yml"), {"poll_delay": 1}),
    ]
    job = "Quick Backup"
    with B.SimulatorProcess("uri") as sim:
        section["simulator"] = sim.command()
        section["job"] = job
        for key, title, book, extra_vars in variants:
            rows = []
            for i in range(reps):
                sim.reset()
                before = sim.counters()
                run = B.PlaybookRun(book, "s2-%s-%d" % (key, i), dict(sim.playbook_vars(), job_name=job, **extra_vars))
                run.check_ok()
                delta = B.counter_delta(before, sim.counters())
                if delta["started_jobs"] != [job]:
                    raise RuntimeError("%s did not start %r exactly once: %s" % (key, job, delta))
                rows.append(dict(wall=run.wall, requests=delta["requests_total"], live=delta["live_sessions"],
                                 logons=delta["logons"], logoffs=delta["logoffs"],
                                 task_polls=sum(v for k, v in delta["requests"].items()
                                                if k.startswith("GET /api/tasks/"))))
            section["variants"].append(dict(key=key, title=title, command=run.command(), runs=rows,
                                            wall=B.median([r["wall"] for r in rows]),
                                            requests=B.median([r["requests"] for r in rows]),
                                            live=max(r["live"] for r in rows),
                                            task_polls=B.median([r["task_polls"] for r in rows])))
            log("uri-vs-module %-6s wall %s requests %s sessions left %s" % (
                key, B.spread([r["wall"] for r in rows]), [r["requests"] for r in rows], [r["live"] for r in rows]))
    return section


# ============================================================================================================
# 3. Completion latency
# ============================================================================================================
def latency_run(sim, job, duration, label):
    sim.reset()
    sim.configure(jobs={job: {"duration_s": duration}})
    before = sim.counters()
    run = B.ModuleRun("job_start", dict(sim.connection_args(), name=job, wait_for="completion"),
                      label, request_log=True).check_ok()
    delta = B.counter_delta(before, sim.counters())
    session = run.result["session"]
    end = B.utc_epoch(session["end_time"])
    created = B.utc_epoch(session["creation_time"])
    polls = [r for r in run.requests if B.request_kind(r["method"], r["url"]) in ("task poll", "session poll")]
    session_polls = [r for r in polls if B.request_kind(r["method"], r["url"]) == "session poll"]
    task_polls = [r for r in polls if B.request_kind(r["method"], r["url"]) == "task poll"]
    times = [r["sent_wall"] for r in polls]
    # Gaps between two polls of the same resource (the session's first read right after the task's last
    # poll is the next step, not a second poll of the same thing); the first gap of each resource is the
    # early poll, the others are the steady ones.
    first_gaps, steady_gaps = [], []
    for series in (task_polls, session_polls):
        gaps = [b["sent_wall"] - a["sent_wall"] for a, b in zip(series, series[1:])]
        first_gaps += gaps[:1]
        steady_gaps += gaps[1:]
    detected = next((r["sent_wall"] for r in session_polls if r["sent_wall"] >= end), None)
    waited = (times[-1] - times[0]) if len(times) > 1 else 0.0
    return dict(duration=duration, label=label, command=run.command(),
                args=run.shown_args, latency=run.ended_wall - end, detect=(detected - end) if detected else None,
                run_s=end - created, polls=len(polls), session_polls=len(session_polls),
                task_polls=len(polls) - len(session_polls),
                min_gap=min(first_gaps + steady_gaps) if first_gaps + steady_gaps else None,
                min_steady_gap=min(steady_gaps) if steady_gaps else None,
                rate=(len(polls) - 1) / waited if waited else None, requests=delta["requests_total"],
                module_wall=run.wall, result=session["result"],
                schedule=[round(t - times[0], 2) for t in times],
                end_offset=round(end - times[0], 2) if times else None)


# "Without polling more than about once a second": per resource (task, session), the first early poll may
# come 0.5 s after the one before, every later one at least about 1 s after the previous.
MIN_FIRST_GAP_S = 0.45
MIN_STEADY_GAP_S = 0.95


def latency_goal(row):
    limit = 1.0 if row["duration"] <= 5 else DEFAULT_POLL_INTERVAL
    polite = ((row["min_gap"] is None or row["min_gap"] >= MIN_FIRST_GAP_S)
              and (row["min_steady_gap"] is None or row["min_steady_gap"] >= MIN_STEADY_GAP_S))
    return row["latency"] < limit and polite, limit


def bench_latency(durations):
    section = {"rows": []}
    job = "Quick Backup"
    with B.SimulatorProcess("latency") as sim:
        section["simulator"] = sim.command()
        section["job"] = job
        for duration in durations:
            row = latency_run(sim, job, duration, "s3-T%g" % duration)
            row["goal_met"], row["goal_limit"] = latency_goal(row)
            section["rows"].append(row)
            log("latency T=%gs: returned %.2f s after the job's end (%d polls, min gap %.2f s)"
                % (duration, row["latency"], row["polls"], row["min_gap"] or 0))
    return section


# ============================================================================================================
# 4. Scale
# ============================================================================================================
def bench_scale(sizes, reps, base):
    section = {"rows": [], "baseline": base, "servers": SERVERS}
    for size in sizes:
        with B.SimulatorProcess("scale-%d" % size, dataset="generated", jobs=size, servers=SERVERS,
                                start_timeout=300) as sim:
            args = sim.connection_args()
            name = "Job %06d" % max(1, size // 2)
            # warm-up: the simulator renders (and caches) the job list on the first request
            B.ModuleRun("job_info", args, "s4-%d-warmup" % size, direct=True).check_ok()
            row = dict(jobs=size, simulator=sim.command(), simulator_start=sim.started_in)

            def measure(label, module_args, count):
                runs = []
                for i in range(count):
                    before = sim.counters()
                    run = B.ModuleRun("job_info", module_args, "%s-%d" % (label, i), direct=True).check_ok()
                    delta = B.counter_delta(before, sim.counters())
                    runs.append(dict(wall=run.wall, cpu=run.cpu, rss=run.maxrss_mb, requests=delta["requests_total"],
                                     live=delta["live_sessions"], jobs=len(run.result["jobs"]), command=run.command()))
                return runs

            row["list"] = measure("s4-%d-list" % size, args, reps)
            if any(r["jobs"] != size for r in row["list"]):
                raise RuntimeError("job_info listed %s jobs, expected %d" % ([r["jobs"] for r in row["list"]], size))
            row["by_name"] = measure("s4-%d-name" % size, dict(args, name=name), reps)
            row["by_name_job"] = name
            # informational (no goal): every job with its newest session
            row["list_last"] = measure("s4-%d-list-last" % size, dict(args, include_last_session=True), 1)
            before = sim.counters()
            pb = B.PlaybookRun(playbook("job_info.yml"), "s4-%d-playbook" % size, sim.playbook_vars()).check_ok()
            delta = B.counter_delta(before, sim.counters())
            row["playbook"] = dict(wall=pb.wall, requests=delta["requests_total"], command=pb.command(),
                                   beyond_startup=pb.wall - base["median"])
            section["rows"].append(row)
            log("scale %6d jobs: list %s, cpu %s, rss %s MB, requests %s; by name requests %s; playbook %.2f s"
                % (size, B.spread([r["wall"] for r in row["list"]]), B.spread([r["cpu"] for r in row["list"]]),
                   B.spread([r["rss"] for r in row["list"]], 0, ""), [r["requests"] for r in row["list"]],
                   [r["requests"] for r in row["by_name"]], pb.wall))
    return section


# ============================================================================================================
# 5. Fan-out
# ============================================================================================================
# The generated dataset (em_simulator/datasets.py build_generated, docs/dev/contracts.md "Dataset generated")
# makes every job whose number leaves 6 or 16 divided by 20 a Veeam Agent backup job and every one leaving 12 a
# file share backup job; the others are VM jobs. The fan-out starts VM jobs only, so that its figures stay
# comparable with earlier runs (one kind of start link, one kind of task).
GENERATED_OTHER_KINDS = (6, 12, 16)


def generated_vm_job_names(count):
    """The names of the first ``count`` VM jobs of the generated dataset, in number order."""
    names = []
    number = 0
    while len(names) < count:
        number += 1
        if number % 20 not in GENERATED_OTHER_KINDS:
            names.append("Job %06d" % number)
    return names


def check_vm_jobs(sim, names):
    """Ask the simulator (job_info, kind vm) that every name is a VM job, so the rule above cannot drift."""
    run = B.ModuleRun("job_info", dict(sim.connection_args(), kind=["vm"]), "s5-vm-jobs", direct=True).check_ok()
    vm_names = set(job["name"] for job in run.result["jobs"])
    missing = [name for name in names if name not in vm_names]
    if missing:
        raise RuntimeError("not VM jobs of the generated dataset: %s" % ", ".join(missing))


def bench_fanout(count=50, forks=10):
    section = {"count": count, "forks": forks, "timings": SHORT_TIMINGS, "variants": []}
    # 100 generated jobs hold 85 VM jobs; the first 50 are Job 000001 .. Job 000059 without 6, 12, 16, 26 ...
    with B.SimulatorProcess("fanout", dataset="generated", jobs=100, servers=SERVERS) as sim:
        section["simulator"] = sim.command()
        names = generated_vm_job_names(count)
        check_vm_jobs(sim, names)
        # For the report: the jobs are not Job 000001 .. Job <count> any more, but these (VM jobs only).
        section["job_names"] = names
        hosts = ["host%02d" % i for i in range(1, count + 1)]
        inventory = B.write_inventory("fanout-%d" % count, hosts,
                                      dict((h, {"job_name": n}) for h, n in zip(hosts, names)))
        variants = [
            ("loop", "one host, a loop of %d (one module run after the other)" % count, playbook("fanout_loop.yml"),
             dict(sim.playbook_vars(), job_names=names), None, None),
            ("hosts", "%d hosts (ansible_connection=local), forks=%d, one job each" % (count, forks),
             playbook("job_start.yml"), dict(sim.playbook_vars(), wait_for="start"), inventory, forks),
        ]
        for key, title, book, extra_vars, inv, nforks in variants:
            sim.reset()
            sim.configure(**SHORT_TIMINGS)
            before = sim.counters()
            run = B.PlaybookRun(book, "s5-%s" % key, extra_vars, inventory=inv, forks=nforks).check_ok()
            time.sleep(0.2)
            delta = B.counter_delta(before, sim.counters())
            if delta["starts"] != count or len(delta["started_jobs"]) != count:
                raise RuntimeError("fan-out %s started %d runs of %d jobs, expected %d"
                                   % (key, delta["starts"], len(delta["started_jobs"]), count))
            if delta["started_jobs"] != sorted(names) or set(delta["starts_by_kind"]) != {"vm"}:
                raise RuntimeError("fan-out %s started other jobs than the %d VM jobs: %s"
                                   % (key, count, delta["starts_by_kind"]))
            section["variants"].append(dict(key=key, title=title, command=run.command(), wall=run.wall,
                                            requests=delta["requests_total"], logons=delta["logons"],
                                            logoffs=delta["logoffs"], live=delta["live_sessions"],
                                            starts=delta["starts"], jobs=len(delta["started_jobs"]),
                                            per_job=delta["requests_total"] / float(count),
                                            task_polls=sum(v for k, v in delta["requests"].items()
                                                           if k.startswith("GET /api/tasks/"))))
            log("fan-out %-5s %.2f s, %d requests, %d logons, %d logoffs, %d live EM sessions at the end"
                % (key, run.wall, delta["requests_total"], delta["logons"], delta["logoffs"], delta["live_sessions"]))
    return section


# ============================================================================================================
# 6. Job lifecycle: stop and schedule on many jobs at once, against a loop of single-job calls
# ============================================================================================================
LIFECYCLE_JOBS = 20
# The generated dataset with 23 jobs on one server holds 20 VM jobs (numbers 1..23 but 6, 12 and 16).
LIFECYCLE_DATASET_JOBS = 23


def _action_delta(before, after):
    return dict((name, count - before["actions"].get(name, 0)) for name, count in after["actions"].items()
                if count != before["actions"].get(name, 0))


def _start_running(sim, names):
    """Make every named job run for 10 minutes (so that a stop finds it running), without measuring it."""
    sim.configure(jobs=dict((name, {"duration_s": 600}) for name in names))
    for name in names:
        B.ModuleRun("job_start", dict(sim.connection_args(), name=name, wait=False), "s6-start", direct=True).check_ok()


def _lifecycle_variant(sim, key, title, calls, names, action, prepare=None):
    sim.reset()
    sim.configure(**SHORT_TIMINGS)
    if prepare:
        prepare()
    before = sim.counters()
    runs = [B.ModuleRun(module, args, "s6-%s-%d" % (key, i), direct=True).check_ok() for i, (module, args) in
            enumerate(calls)]
    time.sleep(0.2)
    after = sim.counters()
    delta = B.counter_delta(before, after)
    actions = _action_delta(before, after)
    if actions.get(action, 0) != len(names):
        raise RuntimeError("lifecycle %s sent %s, expected %d %s" % (key, actions, len(names), action))
    changed = sum(len(run.result.get("stopped") or run.result.get("changed_jobs") or []) for run in runs)
    if changed != len(names):
        raise RuntimeError("lifecycle %s reported %d jobs acted on, expected %d" % (key, changed, len(names)))
    row = dict(key=key, title=title, calls=len(runs), wall=sum(run.wall for run in runs),
               requests=delta["requests_total"], posts=sum(v for k, v in delta["requests"].items()
                                                           if k.startswith("POST ") and not k.endswith("/sessionMngr/")),
               actions=actions, logons=delta["logons"], live=delta["live_sessions"],
               command=runs[0].command())
    log("lifecycle %-13s %2d calls, %.2f s, %d requests, %s, %d live EM sessions at the end"
        % (key, row["calls"], row["wall"], row["requests"], json.dumps(actions), row["live"]))
    return row


def bench_lifecycle(count=LIFECYCLE_JOBS):
    section = {"count": count, "timings": SHORT_TIMINGS, "rows": []}
    with B.SimulatorProcess("lifecycle", dataset="generated", jobs=LIFECYCLE_DATASET_JOBS, servers=1) as sim:
        section["simulator"] = sim.command()
        names = generated_vm_job_names(count)
        check_vm_jobs(sim, names)
        server = B.ModuleRun("backup_server_info", sim.connection_args(), "s6-servers", direct=True).check_ok()
        servers = [item["name"] for item in server.result["backup_servers"]]
        if len(servers) != 1:
            raise RuntimeError("the lifecycle dataset should have one backup server, not %s" % servers)
        section["backup_server"] = servers[0]
        section["job_names"] = names
        every = dict(sim.connection_args(), backup_server=servers[0], kind=["vm"])

        def one(name, **args):
            return dict(sim.connection_args(), name=name, **args)

        def running():
            _start_running(sim, names)

        section["rows"] = [
            _lifecycle_variant(sim, "stop-one-call", "veeam_em_job_stop, one call selecting the %d jobs" % count,
                               [("job_stop", every)], names, "stop", prepare=running),
            _lifecycle_variant(sim, "stop-loop", "veeam_em_job_stop, a loop of %d calls by name" % count,
                               [("job_stop", one(name)) for name in names], names, "stop", prepare=running),
            _lifecycle_variant(sim, "schedule-one-call", "veeam_em_job_schedule (enabled: false), one call "
                               "selecting the %d jobs" % count,
                               [("job_schedule", dict(every, enabled=False))], names, "toggleScheduleEnabled"),
            _lifecycle_variant(sim, "schedule-loop", "veeam_em_job_schedule (enabled: false), a loop of %d calls by "
                               "name" % count, [("job_schedule", one(name, enabled=False)) for name in names], names,
                               "toggleScheduleEnabled"),
        ]
    return section


# ============================================================================================================
# 7. Protection and history at scale: session_info over deep history, restore_point_info for many VMs
# ============================================================================================================
HISTORY_JOBS = (1000, 10000)
HISTORY_SESSIONS_PER_JOB = 30
RESTORE_POINT_VMS = (100, 500)


def history_job_name(jobs):
    """A VM backup job near the middle of the generated dataset that has its full history: not one of the jobs
    that never ran (every 25th from job 7) nor a copy job (the 14th and 34th of every 40); see
    em_simulator/datasets.py. The benchmark checks that it has every session, so this rule cannot drift."""
    number = jobs // 2
    while number % 20 in GENERATED_OTHER_KINDS or number % 25 == 7 or number % 40 in (14, 34) or number % 10 == 0:
        number += 1
    return "Job %06d" % number


def _measured(sim, module, args, label, check=None):
    before = sim.counters()
    run = B.ModuleRun(module, dict(sim.connection_args(B.PORTAL_USER), **args), label).check_ok()
    delta = B.counter_delta(before, sim.counters())
    changing = sum(v for k, v in delta["requests"].items() if not k.startswith("GET ") and "/sessionMngr/" not in k
                   and "/logonSessions/" not in k)
    if changing:
        raise RuntimeError("%s sent changing requests: %s" % (label, delta["requests"]))
    if check:
        check(run.result)
    return dict(label=label, args=dict((k, v) for k, v in args.items() if k != "vm_name"), wall=run.wall, cpu=run.cpu,
                rss=run.maxrss_mb, requests=delta["requests_total"], by_path=delta["requests"],
                command=run.command())


def _expect(count_key, minimum):
    def check(result):
        if len(result[count_key]) < minimum:
            raise RuntimeError("expected at least %d %s, got %d" % (minimum, count_key, len(result[count_key])))
    return check


def bench_history():
    section = {"sessions_per_job": HISTORY_SESSIONS_PER_JOB, "servers": SERVERS, "sizes": [], "restore_points": []}
    for jobs in HISTORY_JOBS:
        with B.SimulatorProcess("history-%d" % jobs, dataset="generated", jobs=jobs, servers=SERVERS,
                                sessions_per_job=HISTORY_SESSIONS_PER_JOB) as sim:
            name = history_job_name(jobs)
            rows = [
                _measured(sim, "session_info", dict(job_name=name), "s7-%d-job" % jobs,
                          _expect("sessions", HISTORY_SESSIONS_PER_JOB)),
                _measured(sim, "session_info", dict(job_name=name, since="24h"), "s7-%d-job-24h" % jobs,
                          _expect("sessions", 1)),
                _measured(sim, "session_info", dict(job_name=name, include_tasks=True), "s7-%d-job-tasks" % jobs,
                          _expect("sessions", HISTORY_SESSIONS_PER_JOB)),
                _measured(sim, "session_info", dict(since="24h", limit=jobs), "s7-%d-24h" % jobs,
                          _expect("sessions", jobs // 2)),
            ]
            section["sizes"].append(dict(jobs=jobs, sessions=jobs * HISTORY_SESSIONS_PER_JOB, job_name=name,
                                         simulator=sim.command(), started_in=sim.started_in, rows=rows))
            for row in rows:
                log("history %5d jobs x %d: %-42s %.2f s, %d requests, %.0f MB"
                    % (jobs, HISTORY_SESSIONS_PER_JOB, json.dumps(row["args"], sort_keys=True), row["wall"],
                       row["requests"], row["rss"]))
    jobs = HISTORY_JOBS[0]
    with B.SimulatorProcess("restore-points", dataset="generated", jobs=jobs, servers=SERVERS,
                            sessions_per_job=HISTORY_SESSIONS_PER_JOB) as sim:
        section["restore_point_simulator"] = sim.command()
        names = [job.replace("Job ", "vm-") for job in generated_vm_job_names(max(RESTORE_POINT_VMS))]
        for count in RESTORE_POINT_VMS:
            for newest_only in (False, True):
                row = _measured(sim, "restore_point_info", dict(vm_name=names[:count], newest_only=newest_only),
                                "s7-rp-%d-%s" % (count, "newest" if newest_only else "all"), _expect("vms", count))
                row.update(vms=count, newest_only=newest_only)
                section["restore_points"].append(row)
                log("restore points of %d VMs (newest_only=%s): %.2f s, %d requests, %.0f MB"
                    % (count, newest_only, row["wall"], row["requests"], row["rss"]))
    return section


# ============================================================================================================
def environment():
    import ansible.release
    import lxml.etree
    import requests

    cpu_model = None
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                cpu_count=os.cpu_count(), cpu_model=cpu_model, python=platform.python_version(),
                ansible_core=ansible.release.__version__, requests=requests.__version__,
                lxml=".".join(str(p) for p in lxml.etree.LXML_VERSION[:3]),
                platform=platform.platform(), python_path=B.shown_python())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="1,2,3,4,5,6,7", help="comma-separated benchmark numbers (default: all)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the timed runs (default 3)")
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="job counts of the scale benchmark (default %(default)s)")
    parser.add_argument("--durations", default="3,30", help="job run times of the latency benchmark (s)")
    parser.add_argument("--output", help="report file (default docs/benchmarks.md for a full run, "
                                         "else build/bench/benchmarks-partial.md)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: write the report again from the figures of the last run "
                             "(build/bench/results.json, or results-partial.json with --only/--sizes/--durations), "
                             "e.g. after a change to benchmarks/report.py")
    options = parser.parse_args(argv)
    only = set(int(x) for x in options.only.split(",") if x.strip())
    sizes = [int(x) for x in options.sizes.split(",") if x.strip()]
    durations = [float(x) for x in options.durations.split(",") if x.strip()]
    full = only == {1, 2, 3, 4, 5, 6, 7} and sizes == list(DEFAULT_SIZES) and durations == [3.0, 30.0]
    output = options.output or (os.path.join(B.ROOT, "docs", "benchmarks.md") if full
                                else os.path.join(B.WORK, "benchmarks-partial.md"))

    B.prepare_dirs()
    # A full run's raw figures: results.json; a partial run's: results-partial.json (never mixed up).
    results_path = os.path.join(B.WORK, "results.json" if full else "results-partial.json")
    if options.render_only:
        with open(results_path) as handle:
            results = json.load(handle)
        text, goals = report.render(results)
        with open(output, "w") as handle:
            handle.write(text)
        log("wrote %s from %s (run of %s)" % (B.rel(output), B.rel(results_path), results["environment"]["date"]))
        return 0
    started = time.monotonic()
    results = dict(environment=environment(), reps=options.reps, command=" ".join(
        [B.shown_python(), "benchmarks/run.py"] + (argv if argv is not None else sys.argv[1:])))
    log("environment: %s" % json.dumps(results["environment"]))
    try:
        base = baseline(options.reps) if only & {2, 4} else None
        results["baseline"] = base
        if 1 in only:
            results["requests"] = bench_requests(2)
        if 2 in only:
            results["uri"] = bench_uri(options.reps, base)
        if 3 in only:
            results["latency"] = bench_latency(durations)
        if 4 in only:
            results["scale"] = bench_scale(sizes, options.reps, base)
        if 5 in only:
            results["fanout"] = bench_fanout()
        if 6 in only:
            results["lifecycle"] = bench_lifecycle()
        if 7 in only:
            results["history"] = bench_history()
    except BaseException:
        traceback.print_exc()
        log("FAILED after %.0f s; the figures measured so far are in %s, no report written"
            % (time.monotonic() - started, B.rel(results_path)))
        with open(results_path, "w") as handle:
            json.dump(results, handle, indent=1, default=str)
        return 1
    results["duration_s"] = time.monotonic() - started
    with open(results_path, "w") as handle:
        json.dump(results, handle, indent=1, default=str)
    text, goals = report.render(results)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as handle:
        handle.write(text)
    log("wrote %s in %.0f s" % (B.rel(output), results["duration_s"]))
    for goal in goals:
        log("goal %-7s %s" % ("MET" if goal["met"] else "MISSED", goal["text"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
