"""Shared fixtures for the system tests: a real EM simulator over HTTPS.

- `simulator`: one simulator per test module (default dataset, port 0, TLS files in a
  session-wide temporary directory), stopped after the module.
- `sim`: the same simulator, reset (counters, faults, settings, job state, logon
  sessions) before each test.
- `sim_factory`: start extra simulators with custom options, e.g.
  `sim_factory(dataset="generated", jobs=10000)` or `sim_factory(idle_timeout_s=1)`;
  they are stopped at the end of the test.
- `em_logon`: `em_logon(sim, user="admin")` -> a logged-on requests.Session (closed and
  logged off at the end of the test).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterator

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from em_simulator import Simulator, SimulatorConfig  # noqa: E402

PASSWORDS = {"admin": "Secr3t&P@ss:word", "portaluser": "User&P@ss:1"}


@pytest.fixture(scope="session")
def sim_tls_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("sim-tls"))


@pytest.fixture(scope="module")
def simulator(sim_tls_dir: str) -> Iterator[Simulator]:
    sim = Simulator(SimulatorConfig(port=0, tls_dir=sim_tls_dir)).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim(simulator: Simulator) -> Simulator:
    simulator.reset()
    return simulator


@pytest.fixture
def sim_factory(sim_tls_dir: str) -> Iterator[Callable[..., Simulator]]:
    started: list[Simulator] = []

    def start(**options: Any) -> Simulator:
        options.setdefault("port", 0)
        options.setdefault("tls_dir", sim_tls_dir)
        s = Simulator(SimulatorConfig(**options)).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def em_logon() -> Iterator[Callable[..., Any]]:
    import requests

    sessions: list[tuple[Any, str]] = []

    def logon(sim: Simulator, user: str = "admin", password: str | None = None) -> "requests.Session":
        http = requests.Session()
        http.verify = sim.ca_path
        # REQUESTS_CA_BUNDLE in the environment would override Session.verify.
        http.trust_env = False
        resp = http.post(f"{sim.url}/api/sessionMngr/?v=latest",
                         auth=(user, PASSWORDS.get(user, "") if password is None else password), timeout=10)
        resp.raise_for_status()
        http.headers["X-RestSvcSessionId"] = resp.headers["X-RestSvcSessionId"]
        http.em_logon_location = resp.headers["Location"]  # type: ignore[attr-defined]
        sessions.append((http, resp.headers["Location"]))
        return http

    yield logon
    for http, location in sessions:
        try:
            http.delete(location, timeout=5)
        except Exception:
            pass
        http.close()
