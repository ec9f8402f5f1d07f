"""The protection and history client (session_info, restore points, quick backup, backup servers, repositories)
against the simulator over real HTTPS, as a Portal User. Request counts come from the simulator's counters."""

from __future__ import annotations

import math

import pytest

from collection_path import import_module_utils

_clock = import_module_utils("_clock")
_errors = import_module_utils("_errors")
_infrastructure = import_module_utils("_infrastructure")
_restore_points = import_module_utils("_restore_points")
_session = import_module_utils("_session")
_session_info = import_module_utils("_session_info")
_vm_backup = import_module_utils("_vm_backup")
_waiter = import_module_utils("_waiter")

PORTAL_USER = ("portaluser", "User&P@ss:1")


def open_session(sim, user=PORTAL_USER):
    return _session.EmSession(sim.url, user[0], user[1], ca_path=sim.ca_path, request_timeout=30.0)


def queries(sim):
    return sim.counters()["requests"].get("GET /api/query", 0)


@pytest.fixture(scope="module")
def deep(sim_tls_dir):
    from em_simulator import Simulator, SimulatorConfig
    sim = Simulator(SimulatorConfig(port=0, tls_dir=sim_tls_dir, dataset="generated", jobs=300,
                                    sessions_per_job=30)).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def shallow(sim_tls_dir):
    from em_simulator import Simulator, SimulatorConfig
    sim = Simulator(SimulatorConfig(port=0, tls_dir=sim_tls_dir, dataset="generated", jobs=300,
                                    sessions_per_job=2)).start()
    yield sim
    sim.stop()


def read(sim, **options):
    sim.reset()
    with open_session(sim) as em:
        result = _session_info.read_sessions(em, _session_info.SessionQuery(**options))
    return result["sessions"], queries(sim)


def test_session_info_by_job_is_one_query_per_session_type_and_one_for_the_tasks(deep):
    sessions, count = read(deep, job_name="Job 000001", include_tasks=True)
    assert len(sessions) == 30 and {s["job_name"] for s in sessions} == {"Job 000001"}
    times = [s["creation_time"] for s in sessions]
    assert times == sorted(times, reverse=True)
    # Job 1 processes two VMs: every session has both, each with its result.
    assert all(sorted(t["name"] for t in s["tasks"]) == ["vm-000001", "vm-000001-1"] for s in sessions)
    assert all(t["state"] == "Completed" and t["result"] in ("Success", "Warning", "Failed") for s in sessions
               for t in s["tasks"])
    failed = [s for s in sessions if s["result"] == "Failed"]
    assert all(any(t["result"] == "Failed" and t["reason"] for t in s["tasks"]) for s in failed)
    # BackupJobSession and ReplicaJobSession (one page each), then the task sessions of all 30 in one query.
    assert count == 2 + 1


def test_session_info_since_costs_the_same_whatever_the_history_depth(deep, shallow):
    deep_sessions, deep_count = read(deep, since="24h", limit=1000, include_tasks=True)
    shallow_sessions, shallow_count = read(shallow, since="24h", limit=1000, include_tasks=True)
    # Each job that ran has one session in the last 24 hours, however deep its history.
    assert len(deep_sessions) == len(shallow_sessions) > 100
    assert deep_count == shallow_count
    backup = sum(1 for s in deep_sessions if s["job_type"] != "Replica")
    replica = len(deep_sessions) - backup
    pages = math.ceil(backup / 100) + math.ceil(replica / 100)
    task_queries = math.ceil(backup / 40) + math.ceil(replica / 40)
    # Session pages, then one query per 40 sessions (a second page where 40 sessions hold more than 100 tasks).
    assert pages + task_queries <= deep_count <= pages + 2 * task_queries
    assert deep_count < len(deep_sessions) / 4


def test_session_info_limit_stops_after_the_first_page(deep):
    sessions, count = read(deep, limit=5)
    assert len(sessions) == 5 and count == 2


def test_restore_point_info_for_many_vms_grows_with_pages_not_vms(deep):
    deep.reset()
    names = ["vm-%06d" % i for i in range(1, 201)]
    with open_session(deep) as em:
        result = _restore_points.read_restore_points(em, names)
    count = queries(deep)
    by_name = {vm["name"]: vm for vm in result["vms"]}
    assert len(by_name) == 200
    expected = sum(max(1, math.ceil(sum(by_name[n]["count"] for n in names[start:start + 40]) / 100))
                   for start in range(0, 200, 40))
    assert count == expected and count < 200
    with_points = [vm for vm in result["vms"] if vm["count"]]
    assert with_points and all(vm["newest"]["vm_name"] == vm["name"] and vm["age_seconds"] >= 0 for vm in with_points)
    # Replica jobs (every 10th) and copy jobs make no VM restore points; jobs that never ran have none either.
    assert by_name["vm-000010"]["newest"] is None and by_name["vm-000007"]["count"] == 0


def test_restore_point_info_of_the_rpo_vms(sim):
    with open_session(sim) as em:
        result = _restore_points.read_restore_points(em, ["rpo-fresh01", "rpo-stale01", "rpo-nojob01"], newest_only=True)
    ages = {vm["name"]: vm["age_seconds"] for vm in result["vms"]}
    assert 5 * 3600 < ages["rpo-fresh01"] < 7 * 3600 and 70 * 3600 < ages["rpo-stale01"] < 74 * 3600
    assert ages["rpo-nojob01"] is None
    assert [p["vm_name"] for p in result["restore_points"]] == ["rpo-fresh01", "rpo-stale01"]
    assert all(p["backup_server"] == "vbr01.tech.local" and p["restore_point"] for p in result["restore_points"])
    assert queries(sim) == 1


def test_restore_points_without_vm_display_name_still_match(sim):
    sim.configure(restore_point_vm_display_name=False)
    with open_session(sim) as em:
        result = _restore_points.read_restore_points(em, ["rpo-fresh01"])
    assert result["vms"][0]["count"] >= 1


def backup(sim, name, **wait):
    wait.setdefault("timeout", 60)
    wait.setdefault("poll_interval", 0.2)
    with open_session(sim) as em:
        return _vm_backup.VmBackup(em, name, None, _waiter.WaitOptions(**wait), _clock.now()).run()


def test_vm_backup_as_portal_user_is_one_post_and_makes_a_new_restore_point(sim):
    sim.configure(task_running_s=0.1, task_collect_s=0.1, session_starting_s=0.2)
    result = backup(sim, "rpo-stale01", wait_for="completion")
    assert result["changed"] is True and result["session"]["result"] == "Success"
    assert result["vm"]["name"] == "rpo-stale01" and result["vm"]["backup_server"] == "vbr01.tech.local"
    assert result["task"]["operation"] == "QuickBackup"
    counters = sim.counters()
    posts = {k: v for k, v in counters["requests"].items() if k.startswith("POST ") and "sessionMngr" not in k}
    assert posts == {"POST /api/backupServers/d1444f74-27e6-4399-81a9-d28ba98913f0": 1}
    assert counters["quick_backups_by_vm"] == {"rpo-stale01": 1}
    with open_session(sim) as em:
        after = _restore_points.read_restore_points(em, ["rpo-stale01"])["vms"][0]
    assert after["age_seconds"] < 60


def test_vm_backup_of_a_vm_in_no_job_fails_clearly_and_sends_nothing(sim):
    with pytest.raises(_errors.VeeamEmInputError) as caught:
        backup(sim, "rpo-nojob01", wait_for="completion")
    assert "Quick backup needs a job that processes the VM" in str(caught.value)
    counters = sim.counters()
    assert not [k for k in counters["requests"] if k.startswith("POST /api/backupServers")]
    assert counters["actions"] == {}


def test_vm_backup_of_an_unknown_vm_is_not_found(sim):
    with pytest.raises(_errors.VeeamEmNotFoundError):
        backup(sim, "no-such-vm")


def test_backup_server_info(sim):
    with open_session(sim) as em:
        servers = [s.data for s in _infrastructure.find_backup_servers(em)]
        one = [s.data for s in _infrastructure.find_backup_servers(em, "VBR02.tech.local")]
    assert {s["name"]: s["version"] for s in servers} == {"vbr01.tech.local": "13.0.1.1071",
                                                          "vbr02.tech.local": "12.3.2.3617",
                                                          "srv02.tech.local": "12.3.1.1139"}
    assert all(s["port"] == 9392 for s in servers)
    assert [s["name"] for s in one] == ["vbr02.tech.local"]
    assert queries(sim) == 2


def test_repository_info(sim):
    with open_session(sim) as em:
        repos = [r.data for r in _infrastructure.find_repositories(em, backup_server="srv02.tech.local")]
        volume = [r.data for r in _infrastructure.find_repositories(em, name="Backup Volume 01")]
    assert sorted(r["name"] for r in repos) == ["Backup Volume 01", "Scale-out Repository"]
    assert volume[0]["capacity"] == 1079639011328 and volume[0]["free_space"] == 881812750336
    assert volume[0]["kind"] == "WindowsLocal" and volume[0]["backup_server"] == "srv02.tech.local"
    assert queries(sim) == 2
