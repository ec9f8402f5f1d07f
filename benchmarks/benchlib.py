"""Infrastructure of the benchmarks: paths, simulator processes, module and playbook runs, statistics.

Everything a benchmark writes goes under build/bench/ (git-ignored). See benchmarks/README.md.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from urllib.parse import parse_qsl, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(ROOT, "benchmarks")
WORK = os.path.join(ROOT, "build", "bench")
COLLECTIONS = os.path.join(WORK, "collections")
COLLECTION_LINK = os.path.join(COLLECTIONS, "ansible_collections", "seedops", "veeam_em")
TLS_DIR = os.path.join(WORK, "sim-tls")
LOGS = os.path.join(WORK, "logs")
ARGS = os.path.join(WORK, "args")
# The interpreter that runs the benchmark runs the modules and the simulator too (.venv/bin/python under
# make bench). Not resolved: a venv's python is a symlink, and resolving it would leave the venv.
PYTHON = sys.executable
BIN = os.path.dirname(PYTHON)
ANSIBLE_PLAYBOOK = os.path.join(BIN, "ansible-playbook")
# Every module, by its name without the veeam_em_ prefix ("job_start": plugins/modules/veeam_em_job_start.py).
MODULES = dict((name[len("veeam_em_"):-len(".py")], os.path.join(ROOT, "plugins", "modules", name))
               for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
               if name.startswith("veeam_em_") and name.endswith(".py"))
MODRUN = os.path.join(BENCH_DIR, "modrun.py")
MEASURE = os.path.join(BENCH_DIR, "measure.py")

ADMIN = ("admin", "Secr3t&P@ss:word")
# The simulator's Portal User (docs/dev/contracts.md "Accounts"): the role the protection modules are made for.
PORTAL_USER = ("portaluser", "User&P@ss:1")


def rel(path):
    """A path as shown in the report: relative to the repository root."""
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def shown_python():
    return rel(PYTHON)


def show_command(argv):
    """The command as a user types it from the repository root (python and paths relative)."""
    shown = []
    for arg in argv:
        if arg == PYTHON:
            shown.append(shown_python())
        elif os.path.isabs(arg) and arg.startswith(ROOT + os.sep):
            shown.append(rel(arg))
        elif arg.startswith("@" + ROOT + os.sep):
            shown.append("@" + rel(arg[1:]))
        else:
            shown.append(arg)
    return " ".join(shlex.quote(item) for item in shown)


def prepare_dirs():
    for path in (WORK, LOGS, ARGS, TLS_DIR, os.path.dirname(COLLECTION_LINK), os.path.join(WORK, "tmp")):
        os.makedirs(path, exist_ok=True)
    # build/bench/collections/ansible_collections/seedops/veeam_em -> the repository root (relative link)
    target = os.path.relpath(ROOT, os.path.dirname(COLLECTION_LINK))
    if os.path.islink(COLLECTION_LINK):
        if os.readlink(COLLECTION_LINK) != target:
            os.unlink(COLLECTION_LINK)
    elif os.path.exists(COLLECTION_LINK):
        raise SystemExit("%s exists and is not a symlink; remove it" % COLLECTION_LINK)
    if not os.path.islink(COLLECTION_LINK):
        os.symlink(target, COLLECTION_LINK)
    if not os.path.isfile(os.path.join(COLLECTION_LINK, "galaxy.yml")):
        raise SystemExit("%s does not lead to the collection" % COLLECTION_LINK)


def module_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = COLLECTIONS + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONSTARTUP", None)
    return env


def ansible_env(forks=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_NOCOWS": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(WORK, "tmp", "local"),
        "ANSIBLE_REMOTE_TEMP": os.path.join(WORK, "tmp", "remote"),
        "ANSIBLE_PYTHON_INTERPRETER": PYTHON,
    })
    env.pop("ANSIBLE_CONFIG", None)
    if forks:
        env["ANSIBLE_FORKS"] = str(forks)
    return env


# --- simulator ---------------------------------------------------------------------------------------------
class SimulatorProcess(object):
    """``python -m em_simulator`` in its own process (so the benchmark's children are the modules only)."""

    def __init__(self, name, dataset="default", jobs=None, servers=None, settings=None, start_timeout=120,
                 sessions_per_job=None):
        self.name = name
        self.argv = [PYTHON, "-m", "em_simulator", "--host", "127.0.0.1", "--port", "0", "--tls-dir", TLS_DIR,
                     "--dataset", dataset]
        if dataset == "generated":
            self.argv += ["--jobs", str(jobs), "--servers", str(servers)]
            if sessions_per_job:
                self.argv += ["--sessions-per-job", str(sessions_per_job)]
        for key, value in sorted((settings or {}).items()):
            self.argv += ["--set", "%s=%s" % (key, json.dumps(value))]
        self.start_timeout = start_timeout
        self.process = None
        self.url = None
        self.ca_path = None
        self._http = None
        self.started_in = None

    def command(self):
        return show_command(self.argv)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        log = open(os.path.join(LOGS, "sim-%s.log" % self.name), "w")
        began = time.monotonic()
        self.process = subprocess.Popen(self.argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=log,
                                        stdin=subprocess.DEVNULL)
        log.close()
        line = b""
        deadline = began + self.start_timeout
        while not line.endswith(b"\n"):
            if self.process.poll() is not None:
                raise RuntimeError("simulator %s exited with %s (see %s)"
                                   % (self.name, self.process.returncode, rel(log.name)))
            ready = select.select([self.process.stdout], [], [], 0.2)[0]
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                line += chunk
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("simulator %s did not start within %s s" % (self.name, self.start_timeout))
        self.started_in = time.monotonic() - began
        ready = json.loads(line.decode().splitlines()[0])
        self.url = ready["url"]
        self.ca_path = ready["ca_path"]
        import requests

        self._http = requests.Session()
        self._http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        self._http.verify = self.ca_path
        return self

    def stop(self):
        if self._http is not None:
            self._http.close()
            self._http = None
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    # control API (not counted by the simulator)
    def control(self, method, path, body=None):
        response = self._http.request(method, self.url + "/_sim/" + path, json=body, timeout=120)
        response.raise_for_status()
        return response.json()

    def counters(self):
        return self.control("GET", "counters")

    def reset(self):
        return self.control("POST", "reset")

    def configure(self, **settings):
        return self.control("POST", "config", settings)

    def connection_args(self, account=None):
        username, password = account or ADMIN
        return {"url": self.url, "username": username, "password": password, "ca_path": self.ca_path}

    def playbook_vars(self):
        return {"em_url": self.url, "em_username": ADMIN[0], "em_password": ADMIN[1], "em_ca_path": self.ca_path}


def counter_delta(before, after):
    """Requests and activity between two counter snapshots (live_sessions: the value after)."""
    requests = {}
    for key, value in after["requests"].items():
        diff = value - before["requests"].get(key, 0)
        if diff:
            requests[key] = diff
    return {
        "requests": requests,
        "requests_total": after["requests_total"] - before["requests_total"],
        "logons": after["logons"] - before["logons"],
        "logoffs": after["logoffs"] - before["logoffs"],
        "live_sessions": after["live_sessions"],
        "expired_sessions": after["expired_sessions"] - before["expired_sessions"],
        "starts": sum(after["starts_by_job"].values()) - sum(before["starts_by_job"].values()),
        "started_jobs": sorted(name for name, count in after["starts_by_job"].items()
                               if count > before["starts_by_job"].get(name, 0)),
        # {"vm"|"agent"|"nas": {job name: starts}}, the starts of each kind of job between the two snapshots.
        "starts_by_kind": _delta_by_kind(before.get("starts_by_kind", {}), after.get("starts_by_kind", {})),
    }


def _delta_by_kind(before, after):
    delta = {}
    for kind, names in after.items():
        for name, count in names.items():
            diff = count - before.get(kind, {}).get(name, 0)
            if diff:
                delta.setdefault(kind, {})[name] = diff
    return delta


# --- module runs -------------------------------------------------------------------------------------------
class ProcessRun(object):
    """One child process. ``measured``: run it under benchmarks/measure.py, which reports the command's own
    wall time, CPU time and peak RSS (see measure.py for why the benchmark process cannot measure RSS itself);
    otherwise only the wall time (and the exit status) are taken here."""

    def __init__(self, argv, label, env, cwd=ROOT, measured=False):
        self.label = label
        self.stdout_path = os.path.join(LOGS, label + ".out")
        self.stderr_path = os.path.join(LOGS, label + ".err")
        usage_path = os.path.join(LOGS, label + ".usage.json")
        if measured:
            if os.path.exists(usage_path):
                os.unlink(usage_path)
            argv = [PYTHON, MEASURE, usage_path, "--"] + list(argv)
        self.argv = argv
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            began = time.perf_counter()
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            process.wait()
            self.wall = time.perf_counter() - began
            self.ended_wall = time.time()
        self.returncode = process.returncode
        self.cpu = self.user = self.system = self.maxrss_mb = None
        if measured:
            with open(usage_path) as handle:
                usage = json.load(handle)
            self.wall = usage["wall"]
            self.ended_wall = usage["ended_wall"]
            self.returncode = usage["returncode"]
            self.user = usage["user"]
            self.system = usage["system"]
            self.cpu = self.user + self.system
            self.maxrss_mb = usage["maxrss_kb"] / 1024.0  # Linux: kilobytes

    def stdout(self):
        with open(self.stdout_path, "rb") as handle:
            return handle.read()

    def stderr_text(self):
        with open(self.stderr_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")


class ModuleRun(ProcessRun):
    def __init__(self, module, args, label, request_log=False, direct=False):
        self.args_path = os.path.join(ARGS, label + ".json")
        with open(self.args_path, "w") as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": args}, handle, indent=1)
        self.shown_args = dict((k, v) for k, v in args.items() if k not in ("url", "username", "password", "ca_path"))
        self.request_log_path = os.path.join(LOGS, label + ".requests.json") if request_log else None
        if direct:
            if request_log:
                raise ValueError("a direct run has no instrumentation")
            argv = [PYTHON, MODULES[module], self.args_path]
        else:
            argv = [PYTHON, MODRUN]
            if request_log:
                argv += ["--request-log", self.request_log_path]
            argv += [MODULES[module], self.args_path]
        ProcessRun.__init__(self, argv, label, module_env(), measured=True)
        try:
            self.result = json.loads(self.stdout().decode("utf-8"))
        except ValueError:
            raise RuntimeError("module run %s printed no JSON result (exit %s): %s\n%s"
                               % (label, self.returncode, self.stdout()[:500], self.stderr_text()[-2000:]))
        self.requests = None
        if self.request_log_path:
            with open(self.request_log_path) as handle:
                self.requests = json.load(handle)

    def command(self):
        return "PYTHONPATH=%s %s" % (rel(COLLECTIONS), show_command(self.argv))

    def check_ok(self):
        if self.result.get("failed"):
            raise RuntimeError("module run %s failed: %s" % (self.label, self.result.get("msg")))
        return self


class PlaybookRun(ProcessRun):
    def __init__(self, playbook, label, extra_vars=None, inventory=None, forks=None):
        self.vars_path = os.path.join(ARGS, label + ".vars.json")
        with open(self.vars_path, "w") as handle:
            json.dump(extra_vars or {}, handle, indent=1)
        self.inventory = inventory or write_inventory("localhost", ["localhost"])
        argv = [ANSIBLE_PLAYBOOK, "-i", self.inventory, playbook, "-e", "@" + self.vars_path]
        if forks:
            argv += ["--forks", str(forks)]
        ProcessRun.__init__(self, argv, label, ansible_env())
        self.recap = self._recap()

    def _recap(self):
        text = self.stdout().decode("utf-8", "replace")
        recap = {}
        pattern = r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
        for match in re.finditer(pattern, text, re.M):
            recap[match.group(1)] = dict(ok=int(match.group(2)), changed=int(match.group(3)),
                                         unreachable=int(match.group(4)), failed=int(match.group(5)))
        return recap

    def command(self):
        return "ANSIBLE_COLLECTIONS_PATH=%s %s" % (rel(COLLECTIONS), show_command(self.argv))

    def check_ok(self):
        if self.returncode != 0 or not self.recap or any(h["failed"] or h["unreachable"] for h in self.recap.values()):
            raise RuntimeError("playbook run %s failed (exit %s); see %s"
                               % (self.label, self.returncode, rel(self.stdout_path)))
        return self


def write_inventory(name, hosts, host_vars=None):
    """An INI inventory of local hosts that run modules with this interpreter."""
    path = os.path.join(ARGS, "inventory-%s.ini" % name)
    lines = []
    for host in hosts:
        extra = "".join(" %s=%s" % (key, shlex.quote(str(value)))
                        for key, value in sorted((host_vars or {}).get(host, {}).items()))
        lines.append("%s ansible_connection=local ansible_python_interpreter=%s%s" % (host, PYTHON, extra))
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


# --- request classification --------------------------------------------------------------------------------
# The query types of the three kinds of job (docs/dev/contracts.md "Job kinds"): VM jobs, Veeam Agent backup
# jobs, file share backup jobs; and their collections.
JOB_QUERY_TYPES = ("Job", "AgentBackupJob", "NasJob")
_JOB_COLLECTIONS = r"/api/(?:jobs|agents/jobs|nas/jobs)"
# File share jobs' actions are path links (/nas/jobs/{id}/start), the other kinds' ?action= links.
_NAS_ACTION = re.compile(r"^/api/nas/jobs/[^/]+/(?:start|stop|retry|toggleScheduleEnabled)/?$", re.I)


def request_kind(method, url):
    parts = urlsplit(url)
    path = parts.path
    query = dict(parse_qsl(parts.query))
    if method == "GET" and path.rstrip("/") == "/api":
        return "entry point"
    if method == "POST" and path.startswith("/api/sessionMngr"):
        return "logon"
    if method == "DELETE" and path.startswith("/api/logonSessions/"):
        return "logoff"
    if method == "GET" and path == "/api/query":
        qtype = query.get("type", "")
        if qtype in JOB_QUERY_TYPES:
            # Filtered (by name, id, backup server, type): a look-up; unfiltered: the list of a whole kind.
            return "job look-up" if query.get("filter") else "job list"
        if qtype.endswith("JobSession"):
            return "session read"
        return "query %s" % qtype
    if method == "GET" and re.match(r"^%s/?$" % _JOB_COLLECTIONS, path):
        return "job list"
    if method == "GET" and re.match(r"^%s/[^/]+/?$" % _JOB_COLLECTIONS, path):
        return "job look-up"
    if method == "POST" and re.match(r"^%s/[^/]+/?$" % _JOB_COLLECTIONS, path) and "action" in query:
        return "action"
    if method == "POST" and _NAS_ACTION.match(path):
        return "action"
    if method == "GET" and path.startswith("/api/tasks/"):
        return "task poll"
    if method == "GET" and re.match(r"^/api/(backup|replica)Sessions/[^/]+/?$", path):
        return "session poll"
    if method == "GET" and re.match(r"^/api/(backup|replica)Sessions/?$", path):
        return "session list"
    return "%s %s" % (method, path)


def kinds_of(requests):
    counts = {}
    for record in requests:
        kind = request_kind(record["method"], record["url"])
        counts[kind] = counts.get(kind, 0) + 1
    return counts


# --- statistics and formatting -----------------------------------------------------------------------------
def median(values):
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def secs(value, digits=2):
    return "–" if value is None else "%.*f s" % (digits, value)


def spread(values, digits=2, unit=" s"):
    """median (min–max, n) as text."""
    if not values:
        return "–"
    if len(values) == 1:
        return "%.*f%s" % (digits, values[0], unit)
    return "%.*f%s (%.*f–%.*f, n=%d)" % (digits, median(values), unit, digits, min(values), digits, max(values),
                                         len(values))


def utc_epoch(text):
    """'2026-11-29T19:11:57.123456Z' -> epoch seconds."""
    import datetime

    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(value).timestamp()
