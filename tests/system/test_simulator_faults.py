"""EM simulator: fault rules and the /_sim control API."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
import requests
from lxml import etree

from em_http import ADMIN, logon, plain

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


@pytest.fixture
def http(sim):
    return logon(sim)


def quick_backup(sim, http) -> str:
    root = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "Job", "filter": 'Name=="Quick Backup"'}).content)
    return root.find("e:Refs/e:Ref", N).get("Href")


# ------------------------------------------------------------------ status, skip, times

def test_status_fault_once(sim, http):
    rule = sim.add_fault(method="GET", path="^/api/jobs$", kind="status", status=503)
    assert rule["id"] >= 1 and rule["times"] == 1
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 503
    root = etree.fromstring(resp.content)
    assert root.tag == f"{{{NS}}}Error" and root.get("StatusCode") == "503"
    assert http.get(f"{sim.url}/api/jobs").status_code == 200
    assert http.get(f"{sim.url}/api/jobs?format=Entity").status_code == 200
    c = sim.counters()
    assert c["faults"] == {"status": 1} and c["requests"]["GET /api/jobs"] == 3


def test_skip_times_and_every(sim, http):
    sim.add_fault(path="^/api/backupServers$", kind="status", status=500, skip=1, times=2)
    codes = [http.get(f"{sim.url}/api/backupServers").status_code for _attempt in range(5)]
    assert codes == [200, 500, 500, 200, 200]
    sim.clear_faults()
    sim.add_fault(path="/api/tasks", kind="status", status=429, times=None, message="slow down")
    resps = [http.get(f"{sim.url}/api/tasks") for _attempt in range(3)]
    assert [r.status_code for r in resps] == [429, 429, 429]
    assert etree.fromstring(resps[0].content).get("Message") == "slow down"
    assert sim.faults()[0]["applied"] == 3


def test_method_and_query_matching(sim, http):
    sim.add_fault(method="POST", path="^/api/jobs/", query="action=start", kind="status", status=500, times=None)
    href = quick_backup(sim, http)
    assert http.get(f"{href}?format=Entity").status_code == 200
    assert http.post(f"{href}?action=start").status_code == 500
    assert http.post(f"{href}?action=stop").status_code == 202


def test_status_401_fault_has_challenge(sim, http):
    sim.add_fault(path="/api/jobs", kind="status", status=401)
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"] == "Basic Realm=RestSvc"


# ------------------------------------------------------------------ drop

def test_drop_closes_without_answer(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="drop")
    with pytest.raises(requests.ConnectionError):
        http.get(f"{sim.url}/api/jobs")
    assert http.get(f"{sim.url}/api/jobs").status_code == 200


@pytest.mark.parametrize("after_effect, starts", [(True, {"Quick Backup": 1}), (False, {})])
def test_drop_on_start_before_or_after_effect(sim, http, after_effect, starts):
    href = quick_backup(sim, http)
    sim.add_fault(method="POST", path="^/api/jobs/", kind="drop", after_effect=after_effect)
    with pytest.raises(requests.ConnectionError):
        http.post(f"{href}?action=start")
    c = sim.counters()
    assert c["starts_by_job"] == starts
    assert c["faults"] == {"drop": 1}


# ------------------------------------------------------------------ latency

def test_latency(sim, http):
    sim.add_fault(path="^/api/backupServers$", kind="latency", seconds=0.4)
    t = time.monotonic()
    resp = http.get(f"{sim.url}/api/backupServers")
    assert resp.status_code == 200 and time.monotonic() - t >= 0.4
    etree.fromstring(resp.content)
    with pytest.raises(requests.Timeout):
        sim.add_fault(path="^/api/backupServers$", kind="latency", seconds=1.0)
        http.get(f"{sim.url}/api/backupServers", timeout=0.3)


# ------------------------------------------------------------------ bad bodies

def test_malformed(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="malformed", times=None)
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 200 and resp.content.startswith(b"<?xml")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(resp.content, SAFE)
    sim.add_fault(method="POST", kind="malformed")
    resp = http.post(f"{quick_backup(sim, http)}?action=start")
    assert resp.status_code == 200
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(resp.content, SAFE)


def test_doctype_xxe(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="doctype_xxe")
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>' in body and "&xxe;" in body
    root = etree.fromstring(resp.content, SAFE)
    assert socket.gethostname() not in etree.tostring(root).decode()


def test_billion_laughs(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="billion_laughs")
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 200 and len(resp.content) < 2000
    assert b'<!ENTITY lol9 "&lol8;&lol8;' in resp.content and b"&lol9;" in resp.content
    try:  # a safe parser either refuses it or leaves the entities unexpanded
        root = etree.fromstring(resp.content, SAFE)
    except etree.XMLSyntaxError:
        return
    assert len(etree.tostring(root)) < 2000


def test_html_proxy_page(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="html")
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 502 and resp.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in resp.content
    sim.add_fault(path="^/api/jobs$", kind="html", status=504)
    assert http.get(f"{sim.url}/api/jobs").status_code == 504


def test_empty_body(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="empty")
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 200 and resp.content == b"" and resp.headers["Content-Length"] == "0"


def test_huge_small_and_chunked(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="huge", size_mb=2)
    resp = http.get(f"{sim.url}/api/jobs")
    assert resp.status_code == 200 and resp.headers["Content-Length"] == str(2 * 1024 * 1024)
    assert len(resp.content) == 2 * 1024 * 1024
    assert resp.content.endswith(b"</EntityReferences>")
    sim.add_fault(path="^/api/jobs$", kind="huge", size_mb=1, chunked=True)
    resp = http.get(f"{sim.url}/api/jobs")
    assert "Content-Length" not in resp.headers and resp.headers["Transfer-Encoding"] == "chunked"
    assert len(resp.content) == 1024 * 1024
    assert http.get(f"{sim.url}/api/jobs").status_code == 200


def test_huge_default_size_can_be_abandoned(sim, http):
    sim.add_fault(path="^/api/jobs$", kind="huge")
    with http.get(f"{sim.url}/api/jobs", stream=True) as resp:
        assert resp.headers["Content-Length"] == str(300 * 1024 * 1024)
        first = next(resp.iter_content(65536))
        assert first.startswith(b"<?xml")
    # The client walked away; the server is still fine.
    assert logon(sim).get(f"{sim.url}/api/backupServers").status_code == 200


def test_expire_session_fault(sim, http):
    sim.add_fault(path="^/api/tasks$", kind="expire_session")
    resp = http.get(f"{sim.url}/api/tasks")
    assert resp.status_code == 401
    assert http.get(f"{sim.url}/api/backupServers").status_code == 401
    assert sim.counters()["expired_sessions"] == 1


def test_fault_on_logon(sim):
    sim.add_fault(method="POST", path="sessionMngr", kind="status", status=503)
    http = plain(sim)
    assert http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=ADMIN).status_code == 503
    assert http.post(f"{sim.url}/api/sessionMngr/?v=latest", auth=ADMIN).status_code == 201


# ------------------------------------------------------------------ control API

def test_control_api(sim):
    http = plain(sim)
    assert http.get(f"{sim.url}/_sim/health").json()["ok"] is True
    c = http.get(f"{sim.url}/_sim/counters").json()
    assert set(c) >= {"requests", "requests_total", "logons", "failed_logons", "logoffs", "live_sessions",
                      "expired_sessions", "actions", "starts_by_job"}
    assert c["requests_total"] == 0  # /_sim requests are not counted

    resp = http.post(f"{sim.url}/_sim/faults", json={"path": "^/api/$", "kind": "status", "status": 500})
    assert resp.status_code == 201 and resp.json()["kind"] == "status"
    assert len(http.get(f"{sim.url}/_sim/faults").json()) == 1
    assert http.get(f"{sim.url}/api/").status_code == 500
    assert http.delete(f"{sim.url}/_sim/faults").json() == {"ok": True}
    assert http.get(f"{sim.url}/_sim/faults").json() == []
    assert http.post(f"{sim.url}/_sim/faults", json={"kind": "nope"}).status_code == 400
    assert http.post(f"{sim.url}/_sim/faults", json={"kind": "drop", "path": "("}).status_code == 400
    assert http.post(f"{sim.url}/_sim/faults", json={"kind": "drop", "bogus": 1}).status_code == 400

    cfg = http.post(f"{sim.url}/_sim/config", json={
        "task_running_s": 0.5, "task_collect_s": 0.5, "session_starting_s": 1.0, "idle_timeout_s": 900,
        "jobs": {"Quick Backup": {"duration_s": 3, "outcome": "Success", "related_link": False}}})
    assert cfg.status_code == 200 and cfg.json()["task_running_s"] == 0.5
    assert http.get(f"{sim.url}/_sim/config").json()["idle_timeout_s"] == 900
    assert http.post(f"{sim.url}/_sim/config", json={"nope": 1}).status_code == 400
    assert http.post(f"{sim.url}/_sim/config", json={"jobs": {"No Job": {"duration_s": 1}}}).status_code == 400
    assert http.post(f"{sim.url}/_sim/config", json={"task_running_s": "fast"}).status_code == 400
    assert http.post(f"{sim.url}/_sim/config", data=b"{not json").status_code == 400

    http.get(f"{sim.url}/api/")
    assert http.get(f"{sim.url}/_sim/counters").json()["requests"] == {"GET /api/": 2}
    assert http.post(f"{sim.url}/_sim/reset").json() == {"ok": True}
    assert http.get(f"{sim.url}/_sim/counters").json()["requests_total"] == 0
    assert http.get(f"{sim.url}/_sim/nope").status_code == 404


def test_reset_drops_logons_faults_and_settings(sim, http):
    sim.add_fault(path="/api/jobs", kind="status", status=500, times=None)
    sim.configure(idle_timeout_s=5)
    sim.reset()
    assert http.get(f"{sim.url}/api/backupServers").status_code == 401
    fresh = logon(sim)
    assert fresh.get(f"{sim.url}/api/jobs").status_code == 200
    assert plain(sim).get(f"{sim.url}/_sim/config").json()["idle_timeout_s"] == 900


def test_tls_handshake_garbage_does_not_hurt(sim):
    with socket.create_connection(("127.0.0.1", sim.port)) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # plain HTTP on the TLS port
        raw.settimeout(2)
        try:
            raw.recv(100)
        except (OSError, ssl.SSLError):
            pass
    assert plain(sim).get(f"{sim.url}/api/").status_code == 200
