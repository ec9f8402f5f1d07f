"""RETURN matches reality: run each module for real and compare what it returned with its RETURN docs."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest
import yaml

from collection_path import REPO_ROOT, ensure_collection_link

# Keys Ansible itself adds to every result; modules do not document them.
ANSIBLE_KEYS = {"changed", "failed", "invocation", "warnings", "deprecations", "_ansible_no_log"}


def return_doc(module):
    with open(os.path.join(REPO_ROOT, "plugins", "modules", module + ".py")) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "RETURN":
            return yaml.safe_load(node.value.value)
    raise AssertionError("no RETURN in %s" % module)


def compare(value, doc, path, problems):
    """Every returned key documented, every documented key returned, and the documented type."""
    for key in sorted(set(value) - set(doc)):
        problems.append("%s.%s is returned but not documented" % (path, key))
    for key, spec in doc.items():
        if key not in value:
            problems.append("%s.%s is documented but not returned" % (path, key))
            continue
        item = value[key]
        expected = spec.get("type")
        if item is not None and expected in TYPES and not isinstance(item, TYPES[expected]):
            problems.append("%s.%s is %s, documented as %s" % (path, key, type(item).__name__, expected))
        if "contains" in spec and item is not None:
            elements = item if spec.get("type") == "list" else [item]
            for index, element in enumerate(elements):
                compare(element, spec["contains"], "%s.%s[%d]" % (path, key, index), problems)


TYPES = {"str": str, "bool": bool, "int": int, "float": (float, int), "dict": dict, "list": list}


def run_module(sim, module, args, tmp_path):
    result_file = tmp_path / "result.json"
    playbook = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "run", module: dict(args, url=sim.url, username="admin", password="Secr3t&P@ss:word",
                                     ca_path=sim.ca_path), "register": "result"},
        {"name": "dump", "ansible.builtin.copy": {"content": "{{ result | to_json }}", "dest": str(result_file),
                                                  "mode": "0600"}},
    ]}]
    playbook_file = tmp_path / "play.yml"
    playbook_file.write_text(yaml.safe_dump(playbook))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=ensure_collection_link(), ANSIBLE_NOCOLOR="1")
    completed = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(playbook_file)],
                               env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                               check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(result_file.read_text())


@pytest.mark.parametrize("module, args", [
    ("seedops.veeam_em.veeam_em_job_info", {"include_last_session": True, "details": True, "name": "DB Backup"}),
    ("seedops.veeam_em.veeam_em_job_start", {"name": "Quick Backup", "wait_for": "completion"}),
])
def test_returned_keys_and_types_match_the_return_docs(sim, module, args, tmp_path):
    sim.configure(task_running_s=0.2, task_collect_s=0.2, session_starting_s=0.2)
    sim.set_job("Quick Backup", duration_s=1)
    result = run_module(sim, module, args, tmp_path)
    returned = dict((key, value) for key, value in result.items() if key not in ANSIBLE_KEYS)
    problems = []
    compare(returned, return_doc(module.rsplit(".", 1)[1]), "result", problems)
    assert problems == []
    if module.endswith("job_info"):
        assert result["jobs"][0]["last_session"] is not None and result["jobs"][0]["includes"]
    assert sim.counters()["live_sessions"] == 0
