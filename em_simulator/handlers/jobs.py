"""Jobs of the three kinds and their actions (em_api.md §4 and §6).

- /jobs (get_jobs_id.md, post_jobs_id_action*.md): ?action= links;
- /agents/jobs (agents_jobs_id.md, post_agents_jobs_id_action*.md): ?action= links;
- /nas/jobs (nas_jobs_id.md, post_nas_jobs_id_action*.md): path links /nas/jobs/{ID}/start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import HttpError, Request, Response
from ..model import KIND_AGENT, KIND_VM, KINDS, Job
from ..state import ActionError
from .common import access_denied, cached_list, entity_format, not_found, session_list_body, xml

if TYPE_CHECKING:
    from ..app import App


def _job(app: "App", job_id: str, kind: str) -> Job:
    job = app.state.catalog.job(job_id, kind)
    if job is None:
        raise not_found(KINDS[kind].label, job_id)
    return job


def list_jobs(app: "App", req: Request, kind: str = KIND_VM) -> Response:
    jobs = app.state.catalog.kinds[kind].jobs
    if entity_format(req):
        # Inferred roots <Jobs>, <AgentBackupJobs>, <NASJobs> (mapping_link_types_to_xml_schema.md; em_api.md §4,
        # unknown #12), cached: 10,000+ jobs.
        return cached_list(app, req, f"{kind}-jobs-entities", KINDS[kind].list_tag,
                           lambda: (j.entity_xml for j in jobs))
    # get_agents_jobs.md, get_nas_jobs.md: <EntityReferences>.
    return cached_list(app, req, f"{kind}-jobs-refs", "EntityReferences", lambda: (xmlout.job_ref(j) for j in jobs))


def get_job(app: "App", req: Request, job_id: str, kind: str = KIND_VM) -> Response:
    job = _job(app, job_id, kind)
    if entity_format(req):
        return xml(app, req, job.entity_xml)
    return xml(app, req, xmlout.job_ref(job, "EntityRef"))


def _run_action(app: "App", req: Request, job: Job, action: str) -> Response:
    assert req.logon is not None
    try:
        task = app.state.job_action(req.logon, job, action)
    except ActionError as exc:
        raise HttpError(exc.status, exc.message) from None
    # em_api.md §6: actions answer 202 Accepted with the Task.
    now = app.state.clock.now()
    return xml(app, req, xmlout.task(task, task.state(now)), 202,
               [("Location", f"{req.base}/api/tasks/{task.task_id}")])


def job_action(app: "App", req: Request, job_id: str, kind: str = KIND_VM) -> Response:
    """POST /jobs/{ID}?action=... and POST /agents/jobs/{ID}?action=..."""
    job = _job(app, job_id, kind)
    action = req.query.get("action")
    if not action:
        raise HttpError(400, "The 'action' query parameter is required.")
    return _run_action(app, req, job, action)


_NAS_ACTIONS = {"start": "start", "stop": "stop", "retry": "retry", "togglescheduleenabled": "toggleScheduleEnabled"}


def nas_job_action(app: "App", req: Request, job_id: str, action: str) -> Response:
    """POST /nas/jobs/{ID}/start|stop|retry|toggleScheduleEnabled (post_nas_jobs_id_action*.md).

    Paths match case-insensitively, so /Start (the nas_jobs_id.md link table) works too."""
    name = _NAS_ACTIONS.get(action.lower())
    if name is None:
        if action.lower() in ("includes", "backupsessions"):
            raise HttpError(405, f"Method POST is not allowed for {req.path}.", [("Allow", "GET")])
        raise HttpError(404, f"The resource {req.path} was not found.")
    return _run_action(app, req, _job(app, job_id, "nas"), name)


def job_includes(app: "App", req: Request, job_id: str, kind: str = KIND_VM) -> Response:
    return xml(app, req, xmlout.job_includes(_job(app, job_id, kind)))


def job_sessions(app: "App", req: Request, job_id: str, kind: str, job_kind: str = KIND_VM) -> Response:
    """A job's sessions: /jobs/{ID}/backupSessions|replicaSessions, /agents/jobs/{ID}/backupSessions (a link
    of agents_jobs_id.md without a page of its own), /nas/jobs/{ID}/backupSessions
    (get_nas_jobs_id_backupsessions.md)."""
    state = app.state
    assert req.logon is not None
    if (job_kind == KIND_AGENT and not state.is_admin(req.logon)
            and not state.settings["portal_user_agent_job_sessions"]):
        raise access_denied()
    job = _job(app, job_id, job_kind)
    with state.lock:
        now = state.shown_now(state.clock.now())
        sessions = [s for s in state.sessions_by_job.get(job.id, []) if s.kind == kind and s.visible(now)]
        sessions.reverse()  # newest first, as in the get_backupsessions.md sample
        body = session_list_body(app, req, sessions, kind, now)
    return xml(app, req, body)


def agents_service(app: "App", req: Request) -> Response:
    return xml(app, req, xmlout.agents_service())


def nas_service(app: "App", req: Request) -> Response:
    return xml(app, req, xmlout.nas_service())
