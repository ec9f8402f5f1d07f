"""/api/jobs and the job actions (em_api.md §4 and §6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import HttpError, Request, Response
from ..model import Job
from ..state import ActionError
from .common import cached_list, entity_format, not_found, session_list_body, xml

if TYPE_CHECKING:
    from ..app import App


def _job(app: "App", job_id: str) -> Job:
    job = app.state.catalog.job(job_id)
    if job is None:
        raise not_found("Job", job_id)
    return job


def list_jobs(app: "App", req: Request) -> Response:
    jobs = app.state.catalog.jobs
    if entity_format(req):
        # Inferred root <Jobs> (em_api.md §4, unknown #12), cached: 10,000+ jobs.
        return cached_list(app, req, "jobs-entities", "Jobs", lambda: (j.entity_xml for j in jobs))
    return cached_list(app, req, "jobs-refs", "EntityReferences", lambda: (xmlout.job_ref(j) for j in jobs))


def get_job(app: "App", req: Request, job_id: str) -> Response:
    job = _job(app, job_id)
    if entity_format(req):
        return xml(app, req, job.entity_xml)
    return xml(app, req, xmlout.job_ref(job, "EntityRef"))


def job_action(app: "App", req: Request, job_id: str) -> Response:
    job = _job(app, job_id)
    action = req.query.get("action")
    if not action:
        raise HttpError(400, "The 'action' query parameter is required.")
    assert req.logon is not None
    try:
        task = app.state.job_action(req.logon, job, action)
    except ActionError as exc:
        raise HttpError(exc.status, exc.message) from None
    # em_api.md §6: actions answer 202 Accepted with the Task.
    now = app.state.clock.now()
    return xml(app, req, xmlout.task(task, task.state(now)), 202,
               [("Location", f"{req.base}/api/tasks/{task.task_id}")])


def job_includes(app: "App", req: Request, job_id: str) -> Response:
    job = _job(app, job_id)
    items = "".join(xmlout.object_in_job(job, o) for o in job.includes)
    return xml(app, req, xmlout.wrap("ObjectsInJob", items))


def job_sessions(app: "App", req: Request, job_id: str, kind: str) -> Response:
    job = _job(app, job_id)
    state = app.state
    with state.lock:
        now = state.clock.now()
        sessions = [s for s in state.sessions_by_job.get(job.id, []) if s.kind == kind and s.visible(now)]
        sessions.reverse()  # newest first, as in the get_backupsessions.md sample
        body = session_list_body(app, req, sessions, kind, now)
    return xml(app, req, body)
