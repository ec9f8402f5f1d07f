"""Without requests or lxml, every module fails with Ansible's missing_required_lib message, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from collection_path import REPO_ROOT, ensure_collection_link

MODULES = ("veeam_em_job_info", "veeam_em_job_start")


@pytest.mark.parametrize("library", ["requests", "lxml"])
@pytest.mark.parametrize("module", MODULES)
def test_missing_library_is_reported_by_name(tmp_path, module, library):
    # A package of that name that cannot be imported shadows the installed one.
    blocker = tmp_path / "blocker" / library
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError(%r)\n" % ("No module named %s (blocked by the test)" % library))
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {
        "url": "https://127.0.0.1:9", "username": "admin", "password": "Secr3t&P@ss:word", "name": "DB Backup"}}))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "blocker"), ensure_collection_link()]))
    completed = subprocess.run(
        [sys.executable, os.path.join(REPO_ROOT, "plugins", "modules", module + ".py"), str(args)],
        env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert completed.stdout.strip(), completed.stderr[-2000:]
    result = json.loads(completed.stdout)
    assert completed.returncode == 1 and result["failed"] is True
    assert result["msg"].startswith("Failed to import the required Python library (%s)" % library)
    assert "Traceback" not in completed.stderr
    assert "Secr3t&P@ss:word" not in completed.stdout + completed.stderr
