"""/api/tasks (em_api.md §7): tasks belong to the logon session that created them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import xmlout
from ..httpio import Request, Response
from .common import not_found, xml

if TYPE_CHECKING:
    from ..app import App


def list_tasks(app: "App", req: Request) -> Response:
    assert req.logon is not None
    now = app.state.clock.now()
    tasks = sorted(app.state.tasks_of(req.logon), key=lambda t: t.num)
    return xml(app, req, xmlout.wrap("Tasks", "".join(xmlout.task(t, t.state(now)) for t in tasks)))


def get_task(app: "App", req: Request, task_id: str) -> Response:
    assert req.logon is not None
    with app.state.lock:
        task = app.state.task_for(req.logon, task_id)
        if task is None:
            raise not_found("Task", task_id)
        return xml(app, req, xmlout.task(task, task.state(app.state.clock.now())))


def delete_task(app: "App", req: Request, task_id: str) -> Response:
    assert req.logon is not None
    # delete_task_id.md: 204 No Content.
    if not app.state.delete_task(req.logon, task_id):
        raise not_found("Task", task_id)
    return Response(204, b"", None)
