# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opt-in capture of every HTTP exchange of a module run, redacted, for a bug report.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

The transport hands each exchange to a ``Capture`` (or to ``OFF``, which does nothing). The exchanges are kept in
memory and written once, when the transport closes (after the logoff), as one JSON file per run: only then are all
the secrets and host names known that an early exchange may already show (a backup server named in the tenth
answer may be part of a job name in the first). Nothing here may fail a module: an error becomes one warning.
"""

from __future__ import annotations

import base64
import datetime
import html
import ipaddress
import json
import os
import re
import time
from urllib.parse import quote, urlsplit

from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import normalize_url

FORMAT = "seedops.veeam_em capture"
FORMAT_VERSION = 1
# A body is kept up to this size; a larger one (a list of thousands of jobs) is cut at the last complete element.
MAX_BODY_BYTES = 8 * 1024 * 1024
# The whole capture stays below this; later bodies are left out (their exchange is still recorded).
MAX_TOTAL_BYTES = 64 * 1024 * 1024

SESSION_HEADER = "x-restsvcsessionid"
SECRET_HEADERS = ("authorization", "proxy-authorization", SESSION_HEADER)
COOKIE_HEADERS = ("cookie", "set-cookie")
# XML namespaces and schema locations name these hosts; they say nothing about the user's site.
PUBLIC_HOSTS = frozenset(("www.veeam.com", "www.w3.org", "schemas.xmlsoap.org"))
# Entities whose Name (attribute or child element) is a server's host name.
SERVER_TYPES = frozenset(("BackupServer", "BackupServerReference", "ManagedServer", "ManagedServerReference"))

EM_HOST = "em.redacted.invalid"
_URL_HOST = re.compile(r"(?i)\bhttps?://(\[[0-9a-f:.]+\]|[^/:\s\"'<>?#\\]+)")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?i)(?<![\w:.])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:.])")
_SESSION_ID = re.compile(r"(?s)(<SessionId>)(.*?)(</SessionId>)")
_LOGON_SESSION_URL = re.compile(r"(?i)/logonSessions/([^/?#\s\"'<]+)")
_SERVER_NAME_ATTR = re.compile(r"<[\w:]+\b[^>]*?\bType=\"(?:%s)\"[^>]*>" % "|".join(sorted(SERVER_TYPES)))
_NAME_ATTR = re.compile(r"\bName=\"([^\"]+)\"")
# Elements whose text is a host name (backupservers_id.md and the managed server pages).
_HOST_ELEMENT = re.compile(r"<(?:\w+:)?(?:ServerHostName|DnsNameOrIpAddress|DnsName|HostName)>([^<]+)</")
# Short names (the first label of an FQDN) are redacted too, but not words that are part of EM's own vocabulary.
_COMMON_LABELS = frozenset(("api", "backup", "backups", "em", "server", "servers", "veeam", "www", "local", "localhost",
                            "job", "jobs", "session", "sessions", "repository", "task", "tasks"))


class NoCapture(object):
    """Capture turned off: every hook does nothing."""

    enabled = False

    def tee(self, response, chunks):
        return chunks

    def exchange(self, method, url, response):
        pass

    def no_answer(self, method, url, error):
        pass

    def close(self):
        pass


OFF = NoCapture()


def from_params(params, module_name, warn):
    """The capture the user asked for (option capture_dir or VEEAM_EM_CAPTURE), else OFF."""
    directory = params.get("capture_dir")
    if not directory:
        return OFF
    return Capture(directory, module_name=module_name, url=params.get("url"), username=params.get("username"),
                   password=params.get("password"), keep_hosts=bool(params.get("capture_keep_hosts")), warn=warn)


class Capture(object):
    """Collects the exchanges of one module run and writes them, redacted, to one file in ``directory``."""

    enabled = True

    def __init__(self, directory, module_name=None, url=None, username=None, password=None, keep_hosts=False,
                 warn=None, clock=time.time):
        self.directory = directory
        self.module_name = (module_name or "module").rsplit(".", 1)[-1]
        self.keep_hosts = keep_hosts
        self._warn = warn or (lambda message: None)
        self._clock = clock
        self.started = clock()
        self.exchanges = []
        self.path = None
        self._failed = False
        self._reading = None
        self._total = 0
        self.redactor = Redactor(url=url, username=username, password=password, keep_hosts=keep_hosts)

    # -- hooks of the transport ------------------------------------------------------------------------
    def tee(self, response, chunks):
        """Pass the body's chunks through and keep a copy (up to MAX_BODY_BYTES) for the exchange."""
        parts = []
        self._reading = (response, parts)
        kept = 0
        for chunk in chunks:
            if kept < MAX_BODY_BYTES:
                parts.append(chunk)
                kept += len(chunk)
            yield chunk

    def exchange(self, method, url, response):
        if self._failed:
            return
        try:
            self._record(method, url, response)
        except Exception as exc:  # pylint: disable=broad-except
            self._fail("could not record %s %s (%s)" % (method, url, exc))

    def no_answer(self, method, url, error):
        if self._failed:
            return
        self.exchanges.append(dict(method=method, url=url, status=None, error=str(error), at=self._at()))

    def close(self):
        """Write the file (once): called when the transport closes, after the logoff."""
        if self._failed or self.path is not None or not self.exchanges:
            return
        try:
            self.path = self._write()
        except Exception as exc:  # pylint: disable=broad-except
            self._fail("could not write the capture file in %s (%s)" % (self.directory, exc))
            return
        self._warn("Capture: %d HTTP exchange(s) written to %s (passwords, tokens, cookies and session ids redacted%s). "
                   "Read it before you attach it to a bug report." % (
                       len(self.exchanges), self.path,
                       "; host names and IP addresses kept (capture_keep_hosts)" if self.keep_hosts
                       else ", host names and IP addresses too"))

    # -- internals -------------------------------------------------------------------------------------
    def _fail(self, reason):
        self._failed = True
        self.exchanges = []
        self._warn("Capture is off for the rest of this run: %s. The module's own work is not affected." % reason)

    def _at(self):
        return round(self._clock() - self.started, 3)

    def _record(self, method, url, response):
        body, truncated = b"", False
        if self._reading is not None and self._reading[0] is response:
            parts = self._reading[1]
            body = b"".join(parts)
            truncated = len(body) >= MAX_BODY_BYTES
            if truncated:
                body = _cut(body[:MAX_BODY_BYTES])
        self._reading = None
        if self._total + len(body) > MAX_TOTAL_BYTES:
            body, truncated = b"", True
        self._total += len(body)
        sent = getattr(response, "request", None)
        request_headers = list(getattr(sent, "headers", {}).items()) if sent is not None else []
        request_body = getattr(sent, "body", None) if sent is not None else None
        entry = dict(
            method=method,
            url=url,
            status=response.status_code,
            request_headers=[list(pair) for pair in request_headers],
            request_body=_text(request_body),
            response_headers=[list(pair) for pair in _header_pairs(response)],
            response_body=_text(body),
            at=self._at(),
        )
        if truncated:
            entry["response_body_truncated"] = True
        self.redactor.learn(entry)
        self.exchanges.append(entry)

    def _write(self):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        stamp = datetime.datetime.fromtimestamp(self.started, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = "veeam_em-%s-%s-%d.json" % (self.module_name, stamp, os.getpid())
        path = os.path.join(self.directory, name)
        document = dict(
            format=FORMAT,
            version=FORMAT_VERSION,
            module=self.module_name,
            started=stamp,
            hosts_redacted=not self.keep_hosts,
            exchanges=[self.redactor.redact_exchange(entry) for entry in self.exchanges],
        )
        data = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
        # O_EXCL: never write through a link someone placed there; 0600 from the start, whatever the umask.
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(handle, 0o600)
            os.write(handle, data)
        finally:
            os.close(handle)
        return path


class Redactor(object):
    """Replaces secrets (always) and host names and IP addresses (unless keep_hosts) in every text of a capture."""

    def __init__(self, url=None, username=None, password=None, keep_hosts=False):
        self.keep_hosts = keep_hosts
        self._secrets = {}
        self._hosts = {}
        self._counts = {}
        if password:
            self._add_secret(password, "REDACTED-PASSWORD")
            if username is not None:
                for encoding in ("utf-8", "latin-1"):
                    try:
                        raw = ("%s:%s" % (username, password)).encode(encoding)
                    except UnicodeEncodeError:
                        continue
                    self._add_secret(base64.b64encode(raw).decode("ascii"), "REDACTED-BASIC-AUTH")
        # A domain account (CORP\\admin) names the site; it is no secret, so it stays with capture_keep_hosts.
        self._username = None if keep_hosts or not username else re.compile(
            r"(?i)(?<![\w-])%s(?![\w-])" % "|".join(re.escape(form) for form in sorted(
                set((username, html.escape(username), quote(username, safe=""))), key=len, reverse=True)))
        self._host_pattern = (0, None)
        if url and not keep_hosts:
            try:
                host = urlsplit(normalize_url(url)).hostname
            except Exception:  # pylint: disable=broad-except
                host = None
            if host:
                self._add_host(host, EM_HOST)

    # -- what is a secret or a host ----------------------------------------------------------------
    def _add_secret(self, value, placeholder):
        if not value or value in self._secrets:
            return
        for form in (value, quote(value, safe=""), html.escape(value), html.escape(value, quote=False)):
            self._secrets.setdefault(form, placeholder)

    def _numbered(self, kind):
        self._counts[kind] = self._counts.get(kind, 0) + 1
        return self._counts[kind]

    def _add_token(self, value, kind="TOKEN"):
        if value and value not in self._secrets:
            self._add_secret(value, "REDACTED-%s-%d" % (kind, self._numbered(kind)))

    def _add_host(self, host, placeholder=None):
        host = host.strip().strip("[]").rstrip(".")
        key = host.lower()
        if not host or key in self._hosts or key in PUBLIC_HOSTS or _is_placeholder(key):
            return
        if placeholder is None:
            placeholder = ("ip-%d.redacted.invalid" % self._numbered("ip") if _is_ip(host)
                           else "host-%d.redacted.invalid" % self._numbered("host"))
        self._hosts[key] = placeholder
        label = key.split(".", 1)[0]
        if not _is_ip(host) and "." in key and len(label) >= 3 and label not in _COMMON_LABELS:
            self._hosts.setdefault(label, placeholder.split(".", 1)[0])

    def learn(self, entry):
        """Note the tokens, session ids, cookie values and host names an exchange shows."""
        for name, value in entry["request_headers"] + entry["response_headers"]:
            lower = name.lower()
            if lower == SESSION_HEADER:
                self._add_token(value)
            elif lower in COOKIE_HEADERS:
                for cookie_value in _cookie_values(value, lower == "set-cookie"):
                    self._add_token(cookie_value, "COOKIE")
            elif lower in ("authorization", "proxy-authorization"):
                self._add_token(value.split(" ", 1)[-1], "AUTHORIZATION")
        texts = [entry["url"], entry.get("request_body") or "", entry.get("response_body") or ""]
        texts += [value for dummy, value in entry["request_headers"] + entry["response_headers"]]
        for text in texts:
            for match in _SESSION_ID.finditer(text):
                self._add_token(match.group(2).strip(), "SESSION-ID")
            for match in _LOGON_SESSION_URL.finditer(text):
                self._add_token(match.group(1), "SESSION-ID")
        if self.keep_hosts:
            return
        for text in texts:
            for match in _URL_HOST.finditer(text):
                self._add_host(match.group(1))
            for match in _SERVER_NAME_ATTR.finditer(text):
                name = _NAME_ATTR.search(match.group(0))
                if name:
                    self._add_host(html.unescape(name.group(1)))
            for match in _HOST_ELEMENT.finditer(text):
                self._add_host(html.unescape(match.group(1)))
            for match in _IPV4.finditer(text):
                if _is_ip(match.group(0)):
                    self._add_host(match.group(0))
            for match in _IPV6.finditer(text):
                if _is_ip(match.group(0)):
                    self._add_host(match.group(0))

    # -- redaction ---------------------------------------------------------------------------------
    def redact(self, text):
        if not text:
            return text
        text = _SESSION_ID.sub(self._session_id_marker, text)
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, self._secrets[secret])
        if self.keep_hosts:
            return text
        if self._username is not None:
            text = self._username.sub("REDACTED-USER", text)
        if self._hosts:
            text = self._hosts_pattern().sub(lambda match: self._hosts[match.group(1).lower()], text)
        # An address seen in no exchange's structure (a message text) is still an address.
        text = _IPV4.sub(lambda match: self._ip(match.group(0)), text)
        return _IPV6.sub(lambda match: self._ip(match.group(0)), text)

    def _session_id_marker(self, match):
        return match.group(1) + self._secrets.get(match.group(2).strip(), "REDACTED-SESSION-ID") + match.group(3)

    def _hosts_pattern(self):
        if self._host_pattern[0] != len(self._hosts):
            self._host_pattern = (len(self._hosts), re.compile(r"(?i)(?<![\w-])(%s)(?![\w-])" % "|".join(
                re.escape(host) for host in sorted(self._hosts, key=len, reverse=True))))
        return self._host_pattern[1]

    def _ip(self, text):
        if not _is_ip(text):
            return text
        self._add_host(text)
        return self._hosts[text.lower()]

    def redact_header(self, name, value):
        lower = name.lower()
        if lower in ("authorization", "proxy-authorization"):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            return (scheme + " " if scheme else "") + "REDACTED"
        if lower == SESSION_HEADER:
            return self._secrets.get(value, "REDACTED-TOKEN")
        if lower in COOKIE_HEADERS:
            return _redact_cookies(value, lower == "set-cookie", self)
        return self.redact(value)

    def redact_exchange(self, entry):
        result = dict(entry)
        result["url"] = self.redact(entry["url"])
        for key in ("request_body", "response_body", "error"):
            if result.get(key):
                result[key] = self.redact(result[key])
        for key in ("request_headers", "response_headers"):
            if key in result:
                result[key] = [[name, self.redact_header(name, value)] for name, value in entry[key]]
        return result


def _is_ip(text):
    if ":" in text and not re.search(r"(?i)[0-9a-f]", text):
        return False
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _is_placeholder(host):
    return host.endswith(".redacted.invalid") or host.startswith("redacted-")


def _cookie_values(header, set_cookie):
    pairs = header.split(";")[:1] if set_cookie else header.split(";")
    if set_cookie and "," in header:
        # requests joins several Set-Cookie headers with ", "; an Expires date has a comma too.
        pairs = [part.split(";", 1)[0] for part in re.split(r",\s*(?=[^;,=\s]+=)", header)]
    for pair in pairs:
        if "=" in pair:
            value = pair.split("=", 1)[1].strip().strip('"')
            if value:
                yield value


def _redact_cookies(header, set_cookie, redactor):
    if set_cookie:
        parts = re.split(r"(,\s*)(?=[^;,=\s]+=)", header)
        out = []
        for part in parts:
            if "=" in part and not part.strip().startswith(","):
                name, rest = part.split("=", 1)
                value, sep, attributes = rest.partition(";")
                out.append("%s=REDACTED%s%s" % (name, sep, redactor.redact(attributes)))
            else:
                out.append(part)
        return "".join(out)
    return "; ".join("%s=REDACTED" % pair.split("=", 1)[0].strip() if "=" in pair else redactor.redact(pair.strip())
                     for pair in header.split(";") if pair.strip())


def _header_pairs(response):
    raw = getattr(response, "raw", None)
    headers = getattr(raw, "headers", None)
    if headers is not None and hasattr(headers, "getlist"):
        return [(name, value) for name in headers for value in headers.getlist(name)]
    return list(response.headers.items())


def _text(data):
    if data is None:
        return None
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return str(data)


def _cut(body):
    """A cut body ends after its last complete tag, so that no host name is cut in two (and missed)."""
    end = body.rfind(b">")
    return body[:end + 1] if end >= 0 else b""
