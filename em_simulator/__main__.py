"""python -m em_simulator: run the simulator until SIGTERM or SIGINT.

Prints one JSON line {"url", "ca_path", "pid"} on stdout when ready and writes the
same JSON to --state-file (contract "Start").
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from typing import Any

from .config import DEFAULT_USERS, TUNABLE_DEFAULTS, SimulatorConfig, User
from .profiles import DEFAULT_PROFILE, PROFILES
from .server import Simulator


def _setting(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or key not in TUNABLE_DEFAULTS:
        raise argparse.ArgumentTypeError(
            f"expected KEY=VALUE with KEY one of: {', '.join(sorted(TUNABLE_DEFAULTS))}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key, value


def _user(text: str) -> User:
    try:
        return User.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m em_simulator",
                                description="Veeam Enterprise Manager REST API simulator (HTTPS, XML).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9398, help="0 picks a free port")
    p.add_argument("--tls-dir", help="directory for ca.pem, server.pem, server.key (created or reused)")
    p.add_argument("--ca-cert", help="use this CA file instead of generating one (with --cert and --key)")
    p.add_argument("--cert", help="server certificate chain (PEM)")
    p.add_argument("--key", help="server private key (PEM)")
    p.add_argument("--dataset", choices=("default", "generated"), default="default")
    p.add_argument("--profile", choices=tuple(sorted(PROFILES)), default=DEFAULT_PROFILE,
                   help="a named set of settings (em_simulator/profiles.py): vbr13 (default), classic, lag")
    p.add_argument("--jobs", type=int, default=1000, help="generated dataset: number of jobs")
    p.add_argument("--servers", type=int, default=3, help="generated dataset: number of backup servers")
    p.add_argument("--sessions-per-job", type=int, default=1,
                   help="generated dataset: sessions per job; more than 1 gives deep, mixed history")
    p.add_argument("--idle-timeout", type=float, help="logon session idle timeout in seconds (default 900)")
    p.add_argument("--user", action="append", type=_user, default=[], metavar="NAME:PASSWORD:ROLE",
                   help="add or replace an account (the password may contain ':')")
    p.add_argument("--set", action="append", type=_setting, default=[], metavar="KEY=VALUE",
                   help="any tunable setting, e.g. task_running_s=0.1 (value parsed as JSON)")
    p.add_argument("--state-file", help="also write the ready JSON line to this file")
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)
    if (args.ca_cert, args.cert, args.key).count(None) not in (0, 3):
        p.error("--ca-cert, --cert and --key go together")
    return args


def build_config(args: argparse.Namespace) -> SimulatorConfig:
    users = {u.name: u for u in DEFAULT_USERS}
    users.update({u.name: u for u in args.user})
    settings = dict(args.set)
    if args.idle_timeout is not None:
        settings["idle_timeout_s"] = args.idle_timeout
    return SimulatorConfig(host=args.host, port=args.port, tls_dir=args.tls_dir, ca_cert=args.ca_cert,
                           cert=args.cert, key=args.key, dataset=args.dataset, jobs=args.jobs,
                           servers=args.servers, sessions_per_job=args.sessions_per_job, users=tuple(users.values()),
                           verbose=args.verbose, profile=args.profile, settings=settings)


def _write_state(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sim-state-")
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        sim = Simulator(build_config(args)).start()
    except (OSError, ValueError) as exc:
        print(f"em_simulator: cannot start: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ready = json.dumps({"url": sim.url, "ca_path": sim.ca_path, "pid": os.getpid()})
    if args.state_file:
        _write_state(args.state_file, ready)
    print(ready, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
        if args.state_file:
            try:
                with open(args.state_file) as f:
                    mine = json.loads(f.read() or "{}").get("pid") == os.getpid()
                if mine:
                    os.unlink(args.state_file)
            except (OSError, ValueError):
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
