"""Run real playbooks with ansible-playbook -vvv in a subprocess and collect everything they produced.

Used by test_reliability.py. Per run:
- the whole -vvv output (stdout and stderr interleaved in one file), for the secret and traceback searches;
- every task result as the controller handed it to callbacks (a small aggregate callback plugin writes one JSON
  line per result), so results are read exactly, also from failed tasks and from several hosts at once;
- the peak RSS of every module process: hosts run the module through a tiny wrapper interpreter that waits for
  the real Python and records ``getrusage(RUSAGE_CHILDREN).ru_maxrss``.

The environment is pinned so that a developer's settings cannot change the outcome: an empty ansible.cfg, no
VEEAM_EM_* fallbacks, no CA bundle or proxy variables (requests would honour them), the default traceback
display (``never``), local temporary directories.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

import psutil
import yaml

PYTHON = sys.executable
BIN_DIR = os.path.dirname(sys.executable)
ANSIBLE_PLAYBOOK = os.path.join(BIN_DIR, "ansible-playbook")

CALLBACK_NAME = "reliability_results"
CALLBACK_SOURCE = textwrap.dedent('''\
    # Written by tests/system/playbook_runner.py: one JSON line per task result.
    from __future__ import annotations

    DOCUMENTATION = """
    name: reliability_results
    type: aggregate
    short_description: write every task result as one JSON line to $RELIABILITY_RESULTS_FILE
    description: [Test helper of seedops.veeam_em.]
    """

    import json
    import os

    from ansible.plugins.callback import CallbackBase


    class CallbackModule(CallbackBase):
        CALLBACK_VERSION = 2.0
        CALLBACK_TYPE = "aggregate"
        CALLBACK_NAME = "reliability_results"
        CALLBACK_NEEDS_ENABLED = True

        def _write(self, status, result):
            # ansible-core >= 2.19: .result is the native-typed copy callbacks are meant to read.
            data = result.result if hasattr(type(result), "result") else result._result
            line = json.dumps({"status": status, "host": result._host.get_name(), "task": result._task.get_name(),
                               "result": data}, default=repr, sort_keys=True)
            with open(os.environ["RELIABILITY_RESULTS_FILE"], "a") as handle:
                handle.write(line + "\\n")

        def v2_runner_on_ok(self, result):
            self._write("ok", result)

        def v2_runner_on_failed(self, result, ignore_errors=False):
            self._write("failed", result)

        def v2_runner_on_unreachable(self, result):
            self._write("unreachable", result)

        def v2_runner_on_skipped(self, result):
            self._write("skipped", result)
''')

# The interpreter the hosts use: runs the real Python on the module and records the module's peak RSS (KiB).
# It is in the module's process group, so a signal sent to the group (ansible's workers pass SIGINT/SIGTERM on
# with killpg) reaches the module directly: the wrapper must neither pass it on (the module would get it twice)
# nor die of it (the RSS would not be recorded). A no-op handler, installed after the child started, does both
# (handlers, unlike SIG_IGN, are not inherited across exec).
RSS_WRAPPER_SOURCE = textwrap.dedent('''\
    #!{python}
    import os, resource, signal, subprocess, sys
    child = subprocess.Popen([{python!r}] + sys.argv[1:])
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: None)
    while True:
        try:
            rc = child.wait()
            break
        except InterruptedError:
            continue
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.environ["RELIABILITY_RSS_FILE"], "a") as handle:
        handle.write("%d %s\\n" % (peak, os.path.basename(sys.argv[-1]) if len(sys.argv) > 1 else "-"))
    sys.exit(rc if rc >= 0 else 128 - rc)
''')

# Variables a developer may have set that would change what the module or ansible does.
_SCRUBBED_ENV_PREFIXES = ("ANSIBLE_", "VEEAM_EM_")
_SCRUBBED_ENV = {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY",
                 "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
                 "PYTHONWARNINGS"}


@dataclass
class PlaybookRun:
    argv: list[str]
    returncode: int | None
    output: str
    results: list[dict[str, Any]]
    duration_s: float
    timed_out: bool = False
    module_rss_kib: list[int] = field(default_factory=list)

    def task_results(self, task: str | None = None, host: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.results
                if (task is None or r["task"] == task) and (host is None or r["host"] == host)]

    def single(self, task: str, host: str | None = None) -> dict[str, Any]:
        found = self.task_results(task, host)
        if len(found) != 1:
            raise AssertionError("expected one result of task %r%s, got %d; output tail:\n%s"
                                 % (task, " on %s" % host if host else "", len(found), self.output[-4000:]))
        return found[0]

    @property
    def peak_rss_mib(self) -> float | None:
        return round(max(self.module_rss_kib) / 1024.0, 1) if self.module_rss_kib else None

    def searchable_text(self) -> str:
        """Everything the run produced that a user or a log could see: the -vvv output and every result."""
        return self.output + "\n" + "\n".join(json.dumps(r, ensure_ascii=False) for r in self.results)


class PlaybookRunner:
    """Runs playbooks in ``workdir`` (a fresh temporary directory per test)."""

    def __init__(self, workdir: str, collections_path: str) -> None:
        self.workdir = workdir
        self.collections_path = collections_path
        os.makedirs(workdir, exist_ok=True)
        callbacks = os.path.join(workdir, "callback_plugins")
        os.makedirs(callbacks, exist_ok=True)
        with open(os.path.join(callbacks, CALLBACK_NAME + ".py"), "w") as handle:
            handle.write(CALLBACK_SOURCE)
        self.callbacks_dir = callbacks
        self.interpreter = os.path.join(workdir, "python-rss")
        with open(self.interpreter, "w") as handle:
            handle.write(RSS_WRAPPER_SOURCE.format(python=PYTHON))
        os.chmod(self.interpreter, 0o755)
        self.config_file = os.path.join(workdir, "ansible.cfg")
        with open(self.config_file, "w") as handle:
            handle.write("[defaults]\n")
        self._count = 0

    # -- inputs ----------------------------------------------------------------------------------------
    def write_playbook(self, plays: list[dict[str, Any]], name: str = "play.yml") -> str:
        path = os.path.join(self.workdir, name)
        with open(path, "w") as handle:
            yaml.safe_dump(plays, handle, allow_unicode=True, sort_keys=False)
        return path

    def write_inventory(self, hosts: Iterable[str], host_vars: dict[str, dict[str, Any]] | None = None,
                        measure_rss: bool = True) -> str:
        """A YAML inventory of local hosts that run modules with this venv's Python (or its RSS wrapper)."""
        interpreter = self.interpreter if measure_rss else PYTHON
        inventory_hosts = {}
        for host in hosts:
            variables = {"ansible_connection": "local", "ansible_python_interpreter": interpreter}
            variables.update((host_vars or {}).get(host, {}))
            inventory_hosts[host] = variables
        path = os.path.join(self.workdir, "inventory.yml")
        with open(path, "w") as handle:
            yaml.safe_dump({"all": {"hosts": inventory_hosts}}, handle, allow_unicode=True, sort_keys=False)
        return path

    def environment(self, results_file: str, rss_file: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(_SCRUBBED_ENV_PREFIXES) and key not in _SCRUBBED_ENV}
        env.update(
            ANSIBLE_CONFIG=self.config_file,
            ANSIBLE_COLLECTIONS_PATH=self.collections_path,
            ANSIBLE_CALLBACK_PLUGINS=self.callbacks_dir,
            ANSIBLE_CALLBACKS_ENABLED=CALLBACK_NAME,
            ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_NOCOWS="1",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_DISPLAY_TRACEBACK="never",
            ANSIBLE_LOCAL_TEMP=os.path.join(self.workdir, "ansible-local"),
            ANSIBLE_REMOTE_TEMP=os.path.join(self.workdir, "ansible-remote"),
            ANSIBLE_HOME=os.path.join(self.workdir, "ansible-home"),
            RELIABILITY_RESULTS_FILE=results_file,
            RELIABILITY_RSS_FILE=rss_file,
            PYTHONUNBUFFERED="1",
        )
        return env

    # -- running ---------------------------------------------------------------------------------------
    def start(self, playbook: str, inventory: str, forks: int = 5, verbosity: int = 3) -> "RunningPlaybook":
        self._count += 1
        stem = os.path.join(self.workdir, "run%d" % self._count)
        results_file, rss_file, output_file = stem + ".results.jsonl", stem + ".rss", stem + ".out"
        for path in (results_file, rss_file):
            open(path, "w").close()
        argv = [ANSIBLE_PLAYBOOK, "-i", inventory, "-f", str(forks), playbook]
        if verbosity:
            argv.insert(1, "-" + "v" * verbosity)
        output = open(output_file, "wb")
        try:
            process = subprocess.Popen(argv, cwd=self.workdir, env=self.environment(results_file, rss_file),
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        finally:
            output.close()
        return RunningPlaybook(argv, process, output_file, results_file, rss_file)

    def run(self, playbook: str, inventory: str, forks: int = 5, timeout: float = 120.0) -> PlaybookRun:
        return self.start(playbook, inventory, forks=forks).finish(timeout)


class RunningPlaybook:
    def __init__(self, argv: list[str], process: subprocess.Popen, output_file: str, results_file: str,
                 rss_file: str) -> None:
        self.argv = argv
        self.process = process
        self.output_file = output_file
        self.results_file = results_file
        self.rss_file = rss_file
        self.started = time.monotonic()

    def finish(self, timeout: float) -> PlaybookRun:
        timed_out = False
        try:
            self.process.wait(timeout=max(0.1, timeout - (time.monotonic() - self.started)))
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
        duration = time.monotonic() - self.started
        with open(self.output_file, "rb") as handle:
            output = handle.read().decode("utf-8", "replace")
        results = []
        with open(self.results_file) as handle:
            for line in handle:
                if line.strip():
                    results.append(json.loads(line))
        rss = []
        with open(self.rss_file) as handle:
            for line in handle:
                if line.strip():
                    rss.append(int(line.split()[0]))
        return PlaybookRun(self.argv, self.process.returncode, output, results, round(duration, 2), timed_out, rss)

    def kill(self) -> None:
        """Kill the playbook and everything it started. ansible-core's workers call setsid(), so the modules are
        not in the playbook's process group: collect the descendants first, then kill them all."""
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for proc in descendants:
            try:
                proc.kill()
            except psutil.Error:
                pass
        self.process.wait(timeout=10)
        psutil.wait_procs(descendants, timeout=10)

    @property
    def output_so_far(self) -> str:
        with open(self.output_file, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
