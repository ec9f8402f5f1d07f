"""Transport-neutral request/response objects and the path router."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .model import LogonSession


@dataclass
class Request:
    method: str
    raw_path: str  # as sent, without the query string (used for counters and faults)
    path: str  # percent-decoded, trailing slash removed
    query_string: str
    query: dict[str, str]  # first value per parameter, names lower-cased
    headers: Any  # email.message.Message
    body: bytes
    base: str  # "https://host:port" as the client addressed us (Location headers)
    token: str | None = None
    logon: LogonSession | None = None
    # What the BASE placeholder of the Hrefs in a body becomes: the setting link_base, or "" = base.
    link_base: str = ""


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = "application/xml; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Streaming body (the "huge" fault): an iterator of chunks and its total length
    # (None = chunked transfer encoding).
    stream: Iterator[bytes] | None = None
    length: int | None = None
    drop: bool = False  # close the connection without answering


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


Handler = Callable[..., Response]


@dataclass
class Route:
    method: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool
    admin: bool


class Router:
    """Literal path segments match case-insensitively: the EM docs themselves
    write both /backupServers/{ID} and /backupservers/{ID} (get_backupservers_id.md)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, *, auth: bool = True,
            admin: bool = False) -> None:
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$"
        self.routes.append(Route(method, re.compile(regex, re.IGNORECASE), handler, auth, admin))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed = []
        for route in self.routes:
            m = route.regex.match(path)
            if not m:
                continue
            if route.method == method:
                return route, m.groupdict()
            allowed.append(route.method)
        if allowed:
            raise HttpError(405, f"Method {method} is not allowed for {path}.",
                            [("Allow", ", ".join(sorted(set(allowed))))])
        raise HttpError(404, f"The resource {path} was not found.")
