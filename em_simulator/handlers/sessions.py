"""/api/backupSessions and /api/replicaSessions (em_api.md §8), /api/agents/backupSessions
(get_agents_backupsessions.md) and /api/nas/backupSessions (get_nas_backupsessions.md).

Agent and file share job sessions are BackupJobSessions: "Veeam Agent backup job sessions
[file share backup job sessions] are also displayed in the representation of the
/backupSessions resource collection" (the same two pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import HttpError, Request, Response
from .common import access_denied, entity_format, not_found, session_entity, session_list_body, session_ref, xml

if TYPE_CHECKING:
    from ..app import App


def list_sessions(app: "App", req: Request, kind: str, job_kind: str | None = None) -> Response:
    """All sessions of a type (kind "backup" or "replica"), or only those of one kind of job."""
    state = app.state
    with state.lock:
        now = state.shown_now(state.clock.now())
        # get_backupsessions.md (and the agents and nas pages): "only returns the sessions ... created for
        # the last 30 days".
        oldest = state.clock.wall(now) - state.settings["session_list_days"] * 86400.0
        sessions = [s for s in reversed(state.session_list)
                    if s.kind == kind and s.creation_wall >= oldest and s.visible(now)
                    and (job_kind is None or s.job.kind == job_kind)]
        body = session_list_body(app, req, sessions, kind, now)
    return xml(app, req, body)


def get_session(app: "App", req: Request, session_id: str, kind: str) -> Response:
    state = app.state
    s = state.session(session_id)
    now = state.shown_now(state.clock.now())
    if s is None or s.kind != kind or not s.visible(now):
        raise not_found("Replica job session" if kind == "replica" else "Backup job session", session_id)
    if entity_format(req):
        return xml(app, req, session_entity(app, s, now))
    return xml(app, req, session_ref(app, s, "EntityRef"))


def stop_session(app: "App", req: Request, session_id: str) -> Response:
    state = app.state
    s = state.session(session_id)
    if s is None or s.kind != "backup":
        raise not_found("Backup job session", session_id)
    assert req.logon is not None
    if not state.is_admin(req.logon):
        # em_api.md §3: a Portal User may not POST /backupSessions/{ID}?action=stop.
        raise access_denied()
    action = (req.query.get("action") or "").lower()
    if action != "stop":
        raise HttpError(400, f"Unknown action '{req.query.get('action', '')}'. Supported actions: stop.")
    task = state.session_stop(req.logon, s)
    return xml(app, req, xmlout.task(task, task.state(state.clock.now())), 202,
               [("Location", f"{req.base}/api/tasks/{task.task_id}")])
