"""Request dispatch: routing, authentication, role checks, error mapping."""

from __future__ import annotations

import traceback

from .handlers import api_router, control_router
from .handlers.common import WWW_AUTHENTICATE, access_denied, error
from .handlers.control import as_json
from .httpio import HttpError, Request, Response
from .state import SimState

# Guess (unknown #2): Message texts of the 401 answers. The status-code table only
# says "The authorization header has been expected but not found (or found but is
# expired)".
_UNAUTHORIZED = {
    "missing": "The authorization header has been expected but not found.",
    "unknown": "The session token is not valid. Log on again.",
    "expired": "The logon session has expired. Log on again.",
}


class App:
    def __init__(self, state: SimState, verbose: bool = False) -> None:
        self.state = state
        self.verbose = verbose
        self.api = api_router()
        self.control_api = control_router()

    def handle(self, req: Request) -> Response:
        self.state.run_schedule()
        try:
            return self._handle(req)
        finally:
            self._after(req)

    def _after(self, req: Request) -> None:
        # A safety net for the query service's cache: whatever a request other than GET did, no answer
        # cached before it is served after it (the mutations themselves also call mutated()).
        if req.method not in ("GET", "HEAD"):
            with self.state.lock:
                self.state.mutated()

    def _handle(self, req: Request) -> Response:
        try:
            route, params = self.api.match(req.method, req.path)
            if route.auth:
                ls, reason = self.state.authenticate(req.token)
                if ls is None:
                    raise HttpError(401, _UNAUTHORIZED[reason], [WWW_AUTHENTICATE])
                req.logon = ls
                if route.admin and not self.state.is_admin(ls):
                    raise access_denied()
            return route.handler(self, req, **params)
        except HttpError as exc:
            return error(self, req, exc.status, exc.message, exc.headers)
        except Exception as exc:  # the simulator's own bug: answer like EM would
            if self.verbose:
                traceback.print_exc()
            return error(self, req, 500, f"Internal error: {exc}")

    def control(self, req: Request) -> Response:
        self.state.run_schedule()
        try:
            return self._control(req)
        finally:
            self._after(req)

    def _control(self, req: Request) -> Response:
        try:
            route, params = self.control_api.match(req.method, req.path)
            return route.handler(self, req, **params)
        except HttpError as exc:
            resp = as_json({"error": exc.message}, exc.status)
            resp.headers.extend(exc.headers)
            return resp
        except Exception as exc:
            if self.verbose:
                traceback.print_exc()
            return as_json({"error": f"internal error: {exc}"}, 500)
