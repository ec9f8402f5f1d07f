"""The HTTPS server and the Simulator object (contract "The simulator")."""

from __future__ import annotations

import re
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import xmlout
from .app import App
from .config import SimulatorConfig
from .faults import fault_response
from .handlers.common import render
from .httpio import Request, Response
from .state import SimState
from .tls import TlsFiles, ensure_tls_files, server_context

_HOST_RE = re.compile(r"[A-Za-z0-9.\-_]+(:\d{1,5})?|\[[0-9A-Fa-f:.%a-zA-Z]+\](:\d{1,5})?")
_MAX_BODY = 16 * 1024 * 1024
_TOKEN = "X-RestSvcSessionId"


def _session_token(headers: Any, cookie_wins: bool = True) -> str | None:
    # http_authentication.md: with both a cookie and a header, the cookie wins (setting cookie_wins).
    cookie = None
    for cookie_header in headers.get_all("Cookie") or []:
        for part in cookie_header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name == _TOKEN and value and cookie is None:
                cookie = value.strip('"')
    value = headers.get(_TOKEN)
    header = value.strip() if value else None
    return (cookie or header) if cookie_wins else (header or cookie)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # em_api.md §1: the server header seen on real EM (a WCF self-hosted service).
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    server: "_HttpsServer"

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        self.timeout = self.server.keepalive_timeout
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.app.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > _MAX_BODY:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length < 0 or length > _MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        app = self.server.app
        split = urlsplit(self.path)
        raw_path = split.path or "/"
        host = self.headers.get("Host") or ""
        if not _HOST_RE.fullmatch(host):
            host = self.server.default_host
        body = self._read_body()
        path = unquote(raw_path)
        if len(path) > 1:
            path = path.rstrip("/") or "/"
        query: dict[str, str] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key.lower(), value)
        base = f"https://{host}"
        settings = app.state.settings
        # Setting link_base: the Hrefs in bodies (and, with link_base_location, the Location headers)
        # name another scheme://host:port than the one the client used.
        link_base = settings["link_base"] or ""
        if link_base and settings["link_base_location"]:
            base = link_base
        req = Request(method=self.command, raw_path=raw_path, path=path, query_string=split.query,
                      query=query, headers=self.headers, body=body or b"", base=base,
                      token=_session_token(self.headers, settings["cookie_wins"]), link_base=link_base)
        if path.startswith("/_sim"):
            resp = app.control(req)
        else:
            app.state.counters.request(self.command, raw_path)
            if self.headers.get_all("Cookie"):
                app.state.counters.bump("requests_with_cookie")
            if body is None:
                self.close_connection = True
                resp = Response(413, xmlout.document(xmlout.error(413, "Request body too large.")).encode(),
                                "application/xml; charset=utf-8")
            else:
                resp = self._answer(req)
        self._send(resp)

    def _answer(self, req: Request) -> Response:
        app = self.server.app
        rule = app.state.faults.pick(req.method, req.raw_path, req.query_string)
        if rule is None:
            return app.handle(req)
        app.state.counters.fault(rule.kind)

        def error_body(status: int, message: str) -> bytes:
            return render(app, req, xmlout.error(status, message))
        return fault_response(rule, req, lambda: app.handle(req), app.state.settings, error_body,
                              app.state.expire_token)

    def _send(self, resp: Response) -> None:
        try:
            if resp.drop:
                # Contract: "drop closes the connection without an answer".
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(resp.status)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            for name, value in resp.headers:
                self.send_header(name, value)
            if resp.stream is not None:
                chunked = resp.length is None
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(resp.length))
                self.end_headers()
                for chunk in resp.stream:
                    if chunked:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    else:
                        self.wfile.write(chunk)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
                return
            if resp.status == 204 or resp.status < 200:
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD" and resp.body:
                self.wfile.write(resp.body)
        except (OSError, ssl.SSLError):
            self.close_connection = True


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, host: str, port: int, ctx: ssl.SSLContext, app: App, keepalive: float) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.ssl_ctx = ctx
        self.app = app
        self.keepalive_timeout = keepalive
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__((host, port), _RequestHandler)
        bound_port = self.server_address[1]
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        self.default_host = f"[{shown}]:{bound_port}" if ":" in shown else f"{shown}:{bound_port}"

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow or
        # broken client cannot stall the accept loop.
        try:
            # Headers and body go out in separate writes; without TCP_NODELAY the
            # client's delayed ACK adds ~40 ms to every response.
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(10)
            tls = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            try:
                request.close()
            except OSError:
                pass
            return
        with self._conns_lock:
            self._conns.add(tls)
        try:
            super().process_request_thread(tls, client_address)
        finally:
            with self._conns_lock:
                self._conns.discard(tls)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.app.verbose:
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Simulator:
    """In-process EM simulator: start(), stop(), url, ca_path and test controls."""

    def __init__(self, config: SimulatorConfig | None = None, **kwargs: Any) -> None:
        if config is not None and kwargs:
            raise TypeError("pass either a SimulatorConfig or keyword arguments")
        self.config = config or SimulatorConfig(**kwargs)
        self.state: SimState | None = None
        self._server: _HttpsServer | None = None
        self._thread: threading.Thread | None = None
        self.tls: TlsFiles | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "Simulator":
        if self._server is not None:
            return self
        cfg = self.config
        if cfg.ca_cert:
            self.tls = TlsFiles(cfg.ca_cert, cfg.cert or "", cfg.key or "")
        else:
            self.tls = ensure_tls_files(cfg.tls_dir)
        ctx = server_context(self.tls.cert_path, self.tls.key_path)
        self.state = SimState(cfg)
        app = App(self.state, verbose=cfg.verbose)
        self._server = _HttpsServer(cfg.host, cfg.port, ctx, app, self.state.settings["keepalive_timeout_s"])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="em-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ----------------------------------------------------------- addresses
    @property
    def port(self) -> int:
        assert self._server is not None, "simulator not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        assert self._server is not None, "simulator not started"
        return f"https://{self._server.default_host}"

    @property
    def ca_path(self) -> str:
        assert self.tls is not None, "simulator not started"
        return self.tls.ca_path

    # ------------------------------------------------------------ controls
    def _st(self) -> SimState:
        assert self.state is not None, "simulator not started"
        return self.state

    def counters(self) -> dict[str, Any]:
        return self._st().counters_snapshot()

    def reset(self) -> None:
        self._st().reset()

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        return self._st().faults.add(rule).to_json()

    def clear_faults(self) -> None:
        self._st().faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        return self._st().faults.list()

    def configure(self, **settings: Any) -> dict[str, Any]:
        return self._st().configure(settings)

    def set_job(self, name: str, **overrides: Any) -> None:
        self._st().set_job(name, overrides)

    def scheduled_run(self, name: str, server: str | None = None, kind: str | None = None,
                      **overrides: Any) -> str:
        """The job's schedule starts a run now (VBR may retry it, setting scheduled_retry); its session id."""
        return self._st().scheduled_run(name, server, kind, overrides).id

    def expire_sessions(self) -> int:
        return self._st().expire_all()

    def issued_tokens(self) -> list[str]:
        """Every X-RestSvcSessionId token issued since start or the last reset, oldest first."""
        with self._st().lock:
            return list(self._st().issued_tokens)

    def job_id(self, name: str, server: str | None = None, kind: str | None = None) -> str:
        """GUID of the job with this exact name (and server name and kind "vm", "agent" or "nas",
        when ambiguous)."""
        jobs = [j for j in self._st().catalog.jobs_by_name.get(name, [])
                if (server is None or j.server.name == server) and (kind is None or j.kind == kind)]
        if len(jobs) != 1:
            raise KeyError(f"{len(jobs)} jobs named {name!r}" + (f" on {server}" if server else "")
                           + (f" of kind {kind}" if kind else ""))
        return jobs[0].id
