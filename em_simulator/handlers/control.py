"""The control API under /_sim/ (contract "Control API"): JSON, no authentication."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..httpio import HttpError, Request, Response

if TYPE_CHECKING:
    from ..app import App

JSON_TYPE = "application/json; charset=utf-8"


def as_json(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), JSON_TYPE)


def _body(req: Request) -> Any:
    if not req.body.strip():
        return {}
    try:
        return json.loads(req.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HttpError(400, f"request body is not JSON: {exc}") from None


def _object(req: Request) -> dict[str, Any]:
    data = _body(req)
    if not isinstance(data, dict):
        raise HttpError(400, "request body must be a JSON object")
    return data


def health(app: "App", req: Request) -> Response:
    catalog = app.state.catalog
    # "jobs" counts the VM jobs (as before); "jobs_by_kind" every kind.
    return as_json({"ok": True, "dataset": app.state.dataset.name, "profile": app.state.config.profile,
                    "jobs": len(catalog.jobs),
                    "jobs_by_kind": {k: len(index.jobs) for k, index in catalog.kinds.items()}})


def counters(app: "App", req: Request) -> Response:
    return as_json(app.state.counters_snapshot())


def reset(app: "App", req: Request) -> Response:
    app.state.reset()
    return as_json({"ok": True})


def list_faults(app: "App", req: Request) -> Response:
    return as_json(app.state.faults.list())


def add_fault(app: "App", req: Request) -> Response:
    try:
        rule = app.state.faults.add(_object(req))
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    return as_json(rule.to_json(), 201)


def clear_faults(app: "App", req: Request) -> Response:
    app.state.faults.clear()
    return as_json({"ok": True})


def get_config(app: "App", req: Request) -> Response:
    return as_json(dict(app.state.settings))


def set_config(app: "App", req: Request) -> Response:
    try:
        settings = app.state.configure(_object(req))
    except (ValueError, KeyError) as exc:
        raise HttpError(400, str(exc.args[0]) if exc.args else str(exc)) from None
    return as_json(settings)


def issued_tokens(app: "App", req: Request) -> Response:
    with app.state.lock:
        return as_json({"tokens": list(app.state.issued_tokens)})


def expire_sessions(app: "App", req: Request) -> Response:
    return as_json({"expired": app.state.expire_all()})


def scheduled_run(app: "App", req: Request) -> Response:
    """The job's schedule starts a run now (not a start through EM): {"job": name, "server": ..., "kind": ...,
    "duration_s": ..., "outcome": ..., "failure_message": ...}; VBR may retry it (setting scheduled_retry)."""
    data = _object(req)
    name = data.pop("job", None)
    if not isinstance(name, str) or not name:
        raise HttpError(400, "'job' must name a job")
    server, kind = data.pop("server", None), data.pop("kind", None)
    try:
        session = app.state.scheduled_run(name, server, kind, data)
    except (ValueError, KeyError) as exc:
        raise HttpError(400, str(exc.args[0]) if exc.args else str(exc)) from None
    return as_json({"session_id": session.id, "name": session.name}, 201)
