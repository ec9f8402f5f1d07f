"""What a Galaxy reviewer and an AWX admin check: the tarball, its installation, the action group, ansible-doc.

The build-and-install test installs the built tarball into an empty collections path and runs the demo
playbook from there against the simulator, so a file missing from the tarball fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile

import pytest
import yaml

from collection_path import REPO_ROOT, ensure_collection_link

BIN = os.path.dirname(sys.executable)
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
DEV_ONLY = ("em_simulator/", "tests/", "benchmarks/", "scripts/", "docs/dev/", ".venv/", "build/", "Makefile", "CONTRIBUTING.md",
            ".ci/", "requirements-dev.txt", ".git")


def run(command, env=None, timeout=300):
    full_env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", **(env or {}))
    completed = subprocess.run(command, cwd=REPO_ROOT, env=full_env, capture_output=True, text=True,
                               timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    assert completed.returncode == 0, "%s failed:\n%s\n%s" % (command, completed.stdout[-4000:], completed.stderr[-4000:])
    return completed.stdout


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(out)])
    built = [name for name in os.listdir(out) if name.endswith(".tar.gz")]
    assert len(built) == 1
    return os.path.join(out, built[0])


def test_tarball_holds_the_collection_and_no_development_files(tarball):
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    for module in MODULES:
        assert "plugins/modules/%s.py" % module in names
    assert "meta/runtime.yml" in names and "plugins/doc_fragments/connection.py" in names
    assert "requirements.txt" in names and "MANIFEST.json" in names
    leaked = [name for name in names if name.startswith(DEV_ONLY) or "__pycache__" in name]
    assert leaked == []


def test_installed_tarball_runs_the_demo_against_the_simulator(tarball, sim, tmp_path):
    sim.set_job("Quick Backup", duration_s=1)
    collections = tmp_path / "collections"
    # Only the empty path is configured: a copy of the collection elsewhere (make system sets
    # ANSIBLE_COLLECTIONS_PATH to the work tree) would make ansible-galaxy skip the install.
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(collections),
         tarball], env={"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    installed = collections / "ansible_collections" / "seedops" / "veeam_em"
    assert (installed / "plugins" / "modules" / "veeam_em_job_start.py").is_file()
    output = run(
        [os.path.join(BIN, "ansible-playbook"), os.path.join(REPO_ROOT, "examples", "demo.yml"),
         "-e", json.dumps({"em_url": sim.url, "em_ca_path": sim.ca_path, "em_username": "admin",
                           "em_password": "Secr3t&P@ss:word"})],
        # Only the installed copy is on the path: a file missing from the tarball fails the play.
        env={"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false"},
    )
    assert "Quick Backup on vbr01.tech.local: Success" in output
    assert "failed=0" in output
    counters = sim.counters()
    assert counters["starts_by_job"].get("Quick Backup") == 1 and counters["live_sessions"] == 0


def test_every_module_is_in_the_action_group():
    with open(os.path.join(REPO_ROOT, "meta", "runtime.yml")) as handle:
        runtime = yaml.safe_load(handle)
    assert sorted(runtime["action_groups"]["veeam_em"]) == MODULES


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_shows_the_module_with_examples_and_return_values(module):
    collections = ensure_collection_link()
    output = run([os.path.join(BIN, "ansible-doc"), "--json", "seedops.veeam_em.%s" % module],
                 env={"ANSIBLE_COLLECTIONS_PATH": collections})
    doc = json.loads(output)["seedops.veeam_em.%s" % module]
    assert doc["doc"]["short_description"] and doc["examples"].strip() and doc["return"]
    assert {"url", "username", "password", "validate_certs", "ca_path", "request_timeout",
            "api_version"} <= set(doc["doc"]["options"])
    assert doc["doc"]["attributes"]["action_group"]["membership"] == ["seedops.veeam_em.veeam_em"]
