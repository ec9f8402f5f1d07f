"""EM simulator: the generated dataset at 10,000 jobs, and the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests
from lxml import etree

NS = "http://www.veeam.com/ent/v1.0"
N = {"e": NS}
ADMIN = ("admin", "Secr3t&P@ss:word")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def logon(url: str, ca_path: str) -> requests.Session:
    http = requests.Session()
    http.verify = ca_path
    http.trust_env = False
    resp = http.post(f"{url}/api/sessionMngr/?v=latest", auth=ADMIN)
    assert resp.status_code == 201
    http.headers["X-RestSvcSessionId"] = resp.headers["X-RestSvcSessionId"]
    return http


def test_generated_dataset_10000_jobs(sim_factory):
    sim = sim_factory(dataset="generated", jobs=10000, servers=4)
    http = logon(sim.url, sim.ca_path)
    resp = http.get(f"{sim.url}/api/jobs?format=Entity")
    assert resp.status_code == 200
    # Server time until the response headers: well under a second even uncached.
    assert resp.elapsed.total_seconds() < 1.5
    root = etree.fromstring(resp.content)
    jobs = root.findall("e:Job", N)
    # Of 10,000 generated jobs 1,000 are Veeam Agent and 500 file share backup jobs (not under /jobs).
    assert len(jobs) == 8500
    assert jobs[0].get("Name") == "Job 000001" and jobs[-1].get("Name") == "Job 010000"
    again = http.get(f"{sim.url}/api/jobs?format=Entity")
    assert again.content == resp.content and again.elapsed.total_seconds() < 0.5
    refs = etree.fromstring(http.get(f"{sim.url}/api/jobs").content).findall("e:Ref", N)
    assert len(refs) == 8500
    agents = etree.fromstring(http.get(f"{sim.url}/api/agents/jobs").content).findall("e:Ref", N)
    shares = etree.fromstring(http.get(f"{sim.url}/api/nas/jobs").content).findall("e:Ref", N)
    assert (len(agents), len(shares)) == (1000, 500)
    assert len({r.get("Name") for r in refs + agents + shares}) == 10000
    servers = etree.fromstring(http.get(f"{sim.url}/api/backupServers").content)
    assert [s.get("Name") for s in servers] == [f"vbr-0{i}.example.local" for i in range(1, 5)]

    t = time.monotonic()
    found = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "Job", "filter": 'Name=="job 005000"', "format": "Entities"}).content)
    assert time.monotonic() - t < 0.5
    job = found.find("e:Entities/e:Jobs/e:Job", N)
    assert job.get("Name") == "Job 005000" and job.findtext("e:JobType", namespaces=N) == "Replica"
    by_uid = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "Job", "filter": f'UID=="{job.get("UID")}"'}).content)
    assert [r.get("Name") for r in by_uid.findall("e:Refs/e:Ref", N)] == ["Job 005000"]
    # One past session per job: 7,500 VM backup jobs (every 10th VM job is a replica job) and 1,500 agent and
    # file share jobs, whose sessions are BackupJobSessions too.
    sessions = etree.fromstring(http.get(f"{sim.url}/api/query", params={"type": "BackupJobSession"}).content)
    assert sessions.find("e:PagingInfo", N).get("PagesCount") == "90"
    one = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "ReplicaJobSession", "filter": f'JobUid=="{job.get("UID")}"'}).content)
    assert len(one.findall("e:Refs/e:Ref", N)) == 1
    # The other kinds' query types page as fast: 100 of the 1,000 agent jobs, and one by name.
    t = time.monotonic()
    page = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "AgentBackupJob", "format": "Entities", "page": 10}).content)
    assert time.monotonic() - t < 0.5
    assert len(page.findall("e:Entities/e:AgentBackupJobs/e:AgentBackupJob", N)) == 100
    assert page.find("e:PagingInfo", N).get("PagesCount") == "10"
    t = time.monotonic()
    nas = etree.fromstring(http.get(f"{sim.url}/api/query", params={
        "type": "NasJob", "filter": 'Name=="Job 009992"'}).content)
    assert time.monotonic() - t < 0.5 and len(nas.findall("e:Refs/e:Ref", N)) == 1


def test_cli_ready_line_state_file_and_sigterm(tmp_path):
    state_file = tmp_path / "state" / "sim.json"
    tls_dir = tmp_path / "tls"
    proc = subprocess.Popen(
        [sys.executable, "-m", "em_simulator", "--port", "0", "--tls-dir", str(tls_dir),
         "--state-file", str(state_file), "--idle-timeout", "60", "--user", "ops:p:w:d:Portal User",
         "--set", "task_running_s=0.1"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        ready = json.loads(line)
        assert set(ready) == {"url", "ca_path", "pid"} and ready["pid"] == proc.pid
        assert ready["url"].startswith("https://127.0.0.1:")
        assert ready["ca_path"] == str(tls_dir / "ca.pem")
        assert json.loads(state_file.read_text()) == ready
        assert {p.name for p in tls_dir.iterdir()} >= {"ca.pem", "server.pem", "server.key"}
        http = logon(ready["url"], ready["ca_path"])
        assert http.get(f"{ready['url']}/api/jobs").status_code == 200
        ops = requests.Session()
        ops.trust_env = False
        resp = ops.post(f"{ready['url']}/api/sessionMngr/?v=latest", auth=("ops", "p:w:d"), verify=ready["ca_path"])
        assert resp.status_code == 201
        assert ops.get(f"{ready['url']}/api/jobs", verify=ready["ca_path"],
                       headers={"X-RestSvcSessionId": resp.headers["X-RestSvcSessionId"]}).status_code == 403
        assert ops.get(f"{ready['url']}/_sim/config", verify=ready["ca_path"]).json()["task_running_s"] == 0.1
        ca_before = (tls_dir / "ca.pem").read_bytes()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert not state_file.exists()
    # A second start reuses the CA (clients keep their ca.pem).
    proc = subprocess.Popen([sys.executable, "-m", "em_simulator", "--port", "0", "--tls-dir", str(tls_dir)],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline())
        assert (tls_dir / "ca.pem").read_bytes() == ca_before
        assert requests.get(f"{ready['url']}/api/", verify=ready["ca_path"]).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0


def test_cli_with_given_certificate_files(tmp_path):
    from em_simulator.tls import ensure_tls_files

    files = ensure_tls_files(str(tmp_path / "given"))
    ca, cert, key = files.ca_path, files.cert_path, files.key_path
    proc = subprocess.Popen([sys.executable, "-m", "em_simulator", "--port", "0", "--ca-cert", ca,
                             "--cert", cert, "--key", key, "--dataset", "generated", "--jobs", "5",
                             "--servers", "1"],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["ca_path"] == ca
        http = logon(ready["url"], ca)
        assert len(etree.fromstring(http.get(f"{ready['url']}/api/jobs").content)) == 5
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
