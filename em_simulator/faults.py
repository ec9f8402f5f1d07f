"""Fault rules (contract "Fault rules"): matched per request before normal handling."""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import quote

from .httpio import Request, Response

KINDS = ("status", "drop", "latency", "malformed", "doctype_xxe", "billion_laughs",
         "html", "empty", "huge", "expire_session")

_FIELDS = {"method", "path", "query", "kind", "status", "seconds", "skip", "times",
           "after_effect", "size_mb", "message", "chunked", "entity_path"}


@dataclass
class FaultRule:
    id: int
    kind: str
    method: str | None = None
    path: str | None = None
    query: str | None = None
    status: int | None = None
    seconds: float = 0.0
    skip: int = 0
    times: int | None = 1
    after_effect: bool = False
    size_mb: float | None = None
    message: str | None = None
    chunked: bool = False
    # doctype_xxe: the local file the external entity points at (default /etc/hostname).
    entity_path: str | None = None
    seen: int = 0
    applied: int = 0
    _path_re: re.Pattern[str] | None = field(default=None, repr=False)
    _query_re: re.Pattern[str] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("id", "kind", "method", "path", "query", "status",
                                             "seconds", "skip", "times", "after_effect",
                                             "size_mb", "message", "chunked", "entity_path", "seen",
                                             "applied")}
        return out

    def matches(self, method: str, path: str, query: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self._path_re is not None and not self._path_re.search(path):
            return False
        if self._query_re is not None and not self._query_re.search(query):
            return False
        return True


def _num(rule: dict[str, Any], key: str, kind: type, default: Any, minimum: float = 0) -> Any:
    value = rule.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"fault field {key!r} must be a number")
    if value < minimum:
        raise ValueError(f"fault field {key!r} must be >= {minimum}")
    return kind(value)


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rule: dict[str, Any]) -> FaultRule:
        unknown = set(rule) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        kind = rule.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(KINDS)}")
        times = rule.get("times", 1)
        if times is not None:
            times = _num(rule, "times", int, 1)
        status = rule.get("status")
        if status is not None:
            status = _num(rule, "status", int, None, 100)
            if status > 599:
                raise ValueError("fault field 'status' must be an HTTP status")
        for key in ("method", "path", "query", "message", "entity_path"):
            if rule.get(key) is not None and not isinstance(rule[key], str):
                raise ValueError(f"fault field {key!r} must be a string")
        try:
            path_re = re.compile(rule["path"]) if rule.get("path") else None
            query_re = re.compile(rule["query"]) if rule.get("query") else None
        except re.error as exc:
            raise ValueError(f"bad regular expression: {exc}") from None
        with self._lock:
            fr = FaultRule(
                id=next(self._ids), kind=kind, method=rule.get("method"), path=rule.get("path"),
                query=rule.get("query"), status=status,
                seconds=_num(rule, "seconds", float, 0.0),
                skip=_num(rule, "skip", int, 0), times=times,
                after_effect=bool(rule.get("after_effect", False)),
                size_mb=_num(rule, "size_mb", float, None) if rule.get("size_mb") is not None else None,
                message=rule.get("message"), chunked=bool(rule.get("chunked", False)),
                entity_path=rule.get("entity_path"),
                _path_re=path_re, _query_re=query_re)
            self._rules.append(fr)
            return fr

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def pick(self, method: str, path: str, query: str) -> FaultRule | None:
        """Count this request against every matching rule (so `skip` counts matching
        requests) and return the first rule that applies to it."""
        chosen = None
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path, query):
                    continue
                rule.seen += 1
                if chosen is not None or rule.seen <= rule.skip:
                    continue
                if rule.times is not None and rule.applied >= rule.times:
                    continue
                rule.applied += 1
                chosen = rule
        return chosen


# ------------------------------------------------------------ fault answers

_NS = "http://www.veeam.com/ent/v1.0"
_XML = "application/xml; charset=utf-8"


def xxe_body(entity_path: str = "/etc/hostname") -> bytes:
    """A document whose external entity points at a local file (file:// URL of entity_path)."""
    url = "file://" + quote(entity_path if entity_path.startswith("/") else "/" + entity_path)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{url}">]>\n'
        f'<EntityReferences xmlns="{_NS}"><Ref Type="JobReference" Name="xxe">'
        "<Description>&xxe;</Description></Ref></EntityReferences>"
    ).encode()


XXE_BODY = xxe_body()

BILLION_LAUGHS_BODY = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
              for i in range(1, 10))
    + f']>\n<lolz xmlns="{_NS}">&lol9;</lolz>'
).encode()

MALFORMED_FALLBACK = (
    f'<?xml version="1.0" encoding="utf-8"?><Task xmlns="{_NS}" Type="Task" Href="https://em/api/tasks/task-1">'
    "<Links><Link Rel=\"Delete\" Type=\"Task\" Href=\"https://em/api/tas"
).encode()


def html_page(status: int) -> bytes:
    reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
    return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode()


def huge_stream(size: int) -> tuple[int, Iterator[bytes]]:
    """A well-formed-looking EntityReferences document of exactly `size` bytes,
    produced chunk by chunk so it is never held in memory."""
    head = f'<?xml version="1.0" encoding="utf-8"?><EntityReferences xmlns="{_NS}">'.encode()
    tail = b"</EntityReferences>"
    unit = (b'<Ref Type="JobReference" Href="https://em.example:9398/api/jobs/00000000-0000-0000-0000-000000000000"'
            b' Name="Huge" UID="urn:veeam:Job:00000000-0000-0000-0000-000000000000"><Links /></Ref>')
    block = unit * max(1, (1 << 20) // len(unit))
    size = max(size, len(head) + len(tail))
    body_len = size - len(head) - len(tail)

    def gen() -> Iterator[bytes]:
        yield head
        left = body_len
        while left >= len(block):
            yield block
            left -= len(block)
        n_units, pad = divmod(left, len(unit))
        yield unit * n_units + b" " * pad
        yield tail
    return size, gen()


def fault_response(rule: FaultRule, req: Request, normal: Callable[[], Response],
                   settings: dict[str, Any], error_body: Callable[[int, str], bytes],
                   expire: Callable[[str | None], None]) -> Response:
    kind = rule.kind
    if kind == "latency":
        time.sleep(rule.seconds)
        return normal()
    if kind == "expire_session":
        expire(req.token)
        return normal()
    # after_effect: the request is carried out, but the client gets the fault.
    effect = normal() if rule.after_effect else None
    if kind == "drop":
        return Response(0, drop=True)
    if kind == "status":
        status = rule.status or 503
        message = rule.message or f"Simulated fault: HTTP {status}."
        headers = [("WWW-Authenticate", "Basic Realm=RestSvc")] if status == 401 else []
        return Response(status, error_body(status, message), _XML, headers)
    if kind == "malformed":
        source = effect if effect is not None else normal() if req.method == "GET" else None
        body = source.body if source is not None else b""
        if len(body) >= 40:
            body = body[: len(body) // 2]
        else:
            body = MALFORMED_FALLBACK
        return Response(200, body, _XML)
    if kind == "doctype_xxe":
        return Response(200, xxe_body(rule.entity_path) if rule.entity_path else XXE_BODY, _XML)
    if kind == "billion_laughs":
        return Response(200, BILLION_LAUGHS_BODY, _XML)
    if kind == "html":
        status = rule.status or settings["html_fault_status"]
        return Response(status, html_page(status), "text/html")
    if kind == "empty":
        return Response(200, b"", _XML)
    if kind == "huge":
        mb = rule.size_mb if rule.size_mb is not None else settings["huge_fault_size_mb"]
        size, stream = huge_stream(int(mb * 1024 * 1024))
        return Response(200, b"", _XML, stream=stream, length=None if rule.chunked else size)
    raise AssertionError(kind)
