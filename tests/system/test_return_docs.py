"""RETURN matches reality: run each module for real and compare what it returned with its RETURN docs.

A documented dict without its own ``contains`` that is "the same dict as RV(other)" (or, with ``contains``, "has
the keys of RV(other)") is checked against the keys documented there, so a reference is as strict as a list.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from collection_path import REPO_ROOT, ensure_collection_link

# Keys Ansible itself adds to every result; modules do not document them.
ANSIBLE_KEYS = {"changed", "failed", "invocation", "warnings", "deprecations", "_ansible_no_log"}


def return_doc(module):
    # The module's sidecar documentation file.
    with open(os.path.join(REPO_ROOT, "plugins", "modules", module + ".yml")) as handle:
        return yaml.safe_load(handle)["RETURN"]


# RV(seedops.veeam_em.<module>#module:<path>) or RV(<path>) (this module), the path as in the docs: jobs[].last_session
REFERENCE = re.compile(r"RV\((?:seedops\.veeam_em\.(veeam_em_\w+)#module:)?([\w.\[\]]+)\)")


def entry(block, path):
    """The RETURN entry at a docs path such as jobs[].last_session."""
    names = path.replace("[]", "").split(".")
    found = block.get(names[0])
    for name in names[1:]:
        found = (found or {}).get("contains", {}).get(name)
    assert found, "RETURN has no %s" % path
    return found


def resolve(module, block):
    """The RETURN block with every reference to another dict's documentation replaced by that documentation."""
    def walk(doc):
        for spec in doc.values():
            text = spec.get("description", "")
            text = " ".join(text) if isinstance(text, list) else text
            is_dict = spec.get("type") == "dict" or spec.get("elements") == "dict"
            match = REFERENCE.search(text)
            if match and is_dict and (not spec.get("contains") or "keys of RV(" in text):
                other = match.group(1) or module
                target = entry(resolve(other, return_doc(other)) if other != module else block, match.group(2))
                # Keys with a returned condition of their own are extras of the other module's options (job_info's
                # includes, schedule and last_session), not part of the shared dict.
                shared = dict((key, value) for key, value in (target.get("contains") or {}).items()
                              if value.get("returned", "always") == "always")
                spec["contains"] = dict(copy.deepcopy(shared), **(spec.get("contains") or {}))
            if spec.get("contains"):
                walk(spec["contains"])
    block = copy.deepcopy(block)
    walk(block)
    return block


def compare(value, doc, path, problems, optional=(), docs_path=""):
    """Every returned key documented, every documented key returned, and the documented type.

    ``optional``: docs paths (``sessions[].tasks``) of keys with a ``returned`` condition that the run did not ask
    for; they may be missing. Every other documented key must be there.
    """
    for key in sorted(set(value) - set(doc)):
        problems.append("%s.%s is returned but not documented" % (path, key))
    for key, spec in doc.items():
        key_docs_path = docs_path + "." + key if docs_path else key
        if key not in value:
            if key_docs_path not in optional:
                problems.append("%s.%s is documented but not returned" % (path, key))
            continue
        item = value[key]
        expected = spec.get("type")
        if item is not None and expected in TYPES and (not isinstance(item, TYPES[expected]) or (
                isinstance(item, bool) and expected in ("int", "float"))):
            problems.append("%s.%s is %s, documented as %s" % (path, key, type(item).__name__, expected))
        if "contains" in spec and item is not None:
            if spec.get("type") == "list":
                for index, element in enumerate(item):
                    compare(element, spec["contains"], "%s.%s[%d]" % (path, key, index), problems, optional,
                            key_docs_path + "[]")
            else:
                compare(item, spec["contains"], "%s.%s" % (path, key), problems, optional, key_docs_path)


def values_at(value, docs_path):
    """Every value at a docs path (sessions[].tasks[]) in a result, for the checks that a list is not empty."""
    found = [value]
    for name in docs_path.split("."):
        found = [item.get(name.replace("[]", "")) for item in found if isinstance(item, dict)]
        if name.endswith("[]"):
            found = [element for item in found for element in (item or [])]
    return found


TYPES = {"str": str, "bool": bool, "int": int, "float": (float, int), "dict": dict, "list": list}


USERS = {"admin": "Secr3t&P@ss:word", "portaluser": "User&P@ss:1"}


def run_module(sim, module, args, tmp_path, user="admin"):
    result_file = tmp_path / "result.json"
    playbook = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "run", module: dict(args, url=sim.url, username=user, password=USERS[user],
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


# Each case: the module, its arguments, the account, the keys with a returned condition the run does not ask for,
# and the lists that must not be empty (so that the keys of their elements are really checked).
CASES = [
    ("seedops.veeam_em.veeam_em_job_info", {"include_last_session": True, "details": True, "name": "DB Backup"},
     "admin", (), ("jobs[]",)),
    ("seedops.veeam_em.veeam_em_job_start", {"name": "Quick Backup", "wait_for": "completion"}, "admin", (), ()),
    ("seedops.veeam_em.veeam_em_backup_server_info", {}, "portaluser", (), ("backup_servers[]",)),
    ("seedops.veeam_em.veeam_em_repository_info", {}, "portaluser", (), ("repositories[]",)),
    ("seedops.veeam_em.veeam_em_session_info", {}, "portaluser", ("sessions[].tasks",), ("sessions[]",)),
    ("seedops.veeam_em.veeam_em_session_info", {"include_tasks": True, "result": ["Failed", "Warning"]}, "portaluser",
     (), ("sessions[]", "sessions[].tasks[]")),
    # rpo-fresh01 has a restore point, rpo-nojob01 none (vms[].newest null): the RPO gate VMs of the dataset.
    ("seedops.veeam_em.veeam_em_restore_point_info", {"vm_name": ["rpo-fresh01", "rpo-nojob01"]}, "portaluser", (),
     ("restore_points[]", "vms[]")),
    ("seedops.veeam_em.veeam_em_vm_backup", {"vm_name": "rpo-stale01", "wait_for": "completion", "poll_interval": 0.2},
     "portaluser", (), ()),
]


@pytest.mark.parametrize("module, args, user, optional, not_empty", CASES,
                         ids=["%s-%d" % (case[0].rsplit(".", 1)[1], index) for index, case in enumerate(CASES)])
def test_returned_keys_and_types_match_the_return_docs(sim, module, args, user, optional, not_empty, tmp_path):
    sim.configure(task_running_s=0.2, task_collect_s=0.2, session_starting_s=0.2)
    sim.set_job("Quick Backup", duration_s=1)
    result = run_module(sim, module, args, tmp_path, user)
    if module.endswith("vm_backup"):
        assert result["task"] and result["session"] and result["vm"], "the keys of vm, task and session were not checked"
    returned = dict((key, value) for key, value in result.items() if key not in ANSIBLE_KEYS)
    name = module.rsplit(".", 1)[1]
    problems = []
    compare(returned, resolve(name, return_doc(name)), "result", problems, optional)
    assert problems == []
    for docs_path in not_empty:
        assert values_at(returned, docs_path), "%s: %s is empty, so its keys were not checked" % (module, docs_path)
    if module.endswith("job_info"):
        assert result["jobs"][0]["last_session"] is not None and result["jobs"][0]["includes"]
    for key in optional:
        assert all(key.rsplit(".", 1)[1] not in item for item in values_at(returned, key.rsplit(".", 1)[0])), key
    assert sim.counters()["live_sessions"] == 0


def test_references_resolve_to_the_documented_keys():
    """The references the modules make are followed (a broken one would check nothing)."""
    sessions = resolve("veeam_em_session_info", return_doc("veeam_em_session_info"))["sessions"]["contains"]
    assert {"job_name", "state", "result", "job_id", "kind", "backup_server", "tasks"} <= set(sessions)
    backup = resolve("veeam_em_vm_backup", return_doc("veeam_em_vm_backup"))
    assert {"id", "state", "operation"} <= set(backup["task"]["contains"])
    assert {"job_name", "state", "result"} <= set(backup["session"]["contains"])
    points = resolve("veeam_em_restore_point_info", return_doc("veeam_em_restore_point_info"))
    assert set(points["vms"]["contains"]["newest"]["contains"]) == set(points["restore_points"]["contains"])
