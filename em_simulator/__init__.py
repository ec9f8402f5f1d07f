"""Veeam Backup Enterprise Manager REST API simulator (XML, HTTPS) for tests.

    from em_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(task_running_s=0.1)) as sim:
        print(sim.url, sim.ca_path)

See docs/dev/contracts.md, section "The simulator".
"""

from .config import DEFAULT_USERS, SimulatorConfig, User
from .server import Simulator

__all__ = ["Simulator", "SimulatorConfig", "User", "DEFAULT_USERS"]
