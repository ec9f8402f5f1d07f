"""ansible-builder finds the collection's dependencies in an installed copy and in a git checkout.

ansible-builder reads meta/execution-environment.yml of every collection in an execution environment as that
collection's dependency declaration (paths relative to the collection root).  The tests run
`ansible-builder introspect` on a collections path holding the installed tarball and on one holding a copy
of the git work tree, and check that the tarball ships the declaration but not the image definition.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from collection_path import REPO_ROOT
from test_release import BIN, run
# The `tarball` fixture (ansible-galaxy collection build into a temporary directory), used as an argument below.
from test_release import tarball  # noqa: F401  pylint: disable=unused-import

COLLECTION = "seedops.veeam_em"
META_EE = "meta/execution-environment.yml"
IMAGE_DEFINITION = "execution-environment.yml"


def requirement_lines(name):
    """The requirement lines of requirements.txt or bindep.txt in the work tree, without comments."""
    with open(os.path.join(REPO_ROOT, name)) as handle:
        lines = [line.split(" #")[0].strip() for line in handle if not line.lstrip().startswith("#")]
    return [line for line in lines if line]


def introspect(collections_path):
    """`ansible-builder introspect --sanitize` of a collections path -> {'python': [...], 'system': [...]}."""
    output = run([os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", str(collections_path)], timeout=60)
    try:
        data = yaml.safe_load(output)
    except yaml.YAMLError:
        data = None
    assert isinstance(data, dict), "ansible-builder introspect gave no dependency data:\n%s" % output
    return data


def assert_dependencies_found(data):
    python = data.get("python") or []
    system = data.get("system") or []
    suffix = "  # from collection %s" % COLLECTION
    assert sorted(python) == sorted(line + suffix for line in requirement_lines("requirements.txt"))
    assert sorted(system) == sorted(line + suffix for line in requirement_lines("bindep.txt"))
    # An emptied requirements.txt or bindep.txt must not pass either.
    python_names = {re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower() for line in python}
    assert {"requests", "lxml"} <= python_names
    assert {"libxml2 [platform:rpm]", "libxslt [platform:rpm]", "libxml2 [platform:dpkg]",
            "libxslt1.1 [platform:dpkg]"} <= {line[:-len(suffix)] for line in system}


def test_tarball_ships_the_dependency_declaration_and_not_the_image_definition(tarball):  # noqa: F811
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        declaration = yaml.safe_load(archive.extractfile(META_EE))
    assert META_EE in names
    assert IMAGE_DEFINITION not in names
    assert declaration == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}
    assert "requirements.txt" in names and "bindep.txt" in names


def test_introspect_finds_the_dependencies_of_the_installed_tarball(tarball, tmp_path):  # noqa: F811
    collections = tmp_path / "collections"
    # Only the empty path is configured: a copy of the collection elsewhere would make ansible-galaxy skip it.
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(collections),
         tarball], env={"ANSIBLE_COLLECTIONS_PATH": str(collections)})
    assert (collections / "ansible_collections" / "seedops" / "veeam_em" / META_EE).is_file()
    assert_dependencies_found(introspect(collections))


def test_introspect_finds_the_dependencies_of_a_git_checkout(tmp_path):
    if shutil.which("git") is None or not os.path.exists(os.path.join(REPO_ROOT, ".git")):
        pytest.skip("needs git and a git work tree")
    # The files of a fresh clone, as they are in the work tree now (tracked and untracked, not ignored).
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO_ROOT, check=True,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    checkout = tmp_path / "ansible_collections" / "seedops" / "veeam_em"
    for name in filter(None, listed.split("\0")):
        source = os.path.join(REPO_ROOT, name)
        if os.path.isfile(source):
            os.makedirs(os.path.dirname(os.path.join(checkout, name)), exist_ok=True)
            shutil.copy2(source, os.path.join(checkout, name))
    assert (checkout / "galaxy.yml").is_file() and (checkout / META_EE).is_file()
    assert_dependencies_found(introspect(tmp_path))
