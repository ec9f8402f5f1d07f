"""Named profiles: sets of settings that model one kind of Enterprise Manager.

A profile sits between TUNABLE_DEFAULTS and the settings given explicitly (SimulatorConfig(...),
--set, POST /_sim/config), so a test can still change any one setting. reset() returns to the profile.

- "vbr13" (the default): an EM 13 as its documentation and real traffic show it (issue 12).
- "classic": the simulator's behaviour before issue 12 (immediate copy jobs without Sync, one session per
  copy run, sync tasks that finish, no logon cookie): for tests pinned to it.
- "lag": "vbr13" with EM's collection lag (a 15-minute collection interval), played 180 times faster so
  that a collection comes every 5 seconds.
"""

from __future__ import annotations

from typing import Any

from .config import TUNABLE_DEFAULTS

VBR13: dict[str, Any] = {
    # get_jobs_id.md examples 2 and 3.
    "immediate_copy_sync": True,
    # get_query_backupjobsession.md (13.1) and real v12 traffic.
    "copy_worker_sessions": True,
    "copy_parent_session": True,
    # post_jobs_id_actionsync.md.
    "sync_task_rests": True,
    # http_authentication.md.
    "logon_cookie": True,
    "cookie_wins": True,
}

CLASSIC: dict[str, Any] = {
    "immediate_copy_sync": False,
    "copy_worker_sessions": False,
    "copy_parent_session": False,
    "sync_task_rests": False,
    "logon_cookie": False,
    "cookie_wins": False,
}

LAG: dict[str, Any] = dict(VBR13, collection_interval_s=900.0, time_scale=180.0)

PROFILES: dict[str, dict[str, Any]] = {"vbr13": VBR13, "classic": CLASSIC, "lag": LAG}
DEFAULT_PROFILE = "vbr13"

assert all(set(p) <= set(TUNABLE_DEFAULTS) for p in PROFILES.values())
