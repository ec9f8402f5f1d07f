# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job and session dicts are documented once, and identically wherever a module repeats them.

RETURN blocks cannot use doc fragments. veeam_em_job_info documents the job (``jobs``) and the session
(``jobs[].last_session``) with every key; every other module that returns one either refers to that
documentation (its description names it) or, if it lists the keys itself, lists them exactly as job_info
does. Keys documented with their own ``returned`` condition (``schedule``, ``includes`` ...) are extras.
"""

from __future__ import annotations

import importlib
import os

import pytest

from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import module_docs

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.startswith("veeam_em_") and name.endswith(".py"))
# Where each shape stands in a RETURN block (path of keys through "contains"), and the reference documentation.
SHAPES = {"job": [("job",), ("jobs",)], "session": [("session",), ("jobs", "last_session")]}
REFERENCE = {"job": ("veeam_em_job_info", ("jobs",)), "session": ("veeam_em_job_info", ("jobs", "last_session"))}
REFERENCE_TEXT = {"job": "veeam_em_job_info#module:jobs", "session": "veeam_em_job_info#module:jobs[].last_session"}


def returns(name):
    module = importlib.import_module("ansible_collections.seedops.veeam_em.plugins.modules." + name)
    return module_docs(module)["RETURN"] or {}


def entry(block, path):
    found = block.get(path[0])
    for key in path[1:]:
        found = (found or {}).get("contains", {}).get(key)
    return found


def shape_of(block, shape):
    """{(module place): the keys of the shape without a returned condition of their own}."""
    found = {}
    for path in SHAPES[shape]:
        documented = entry(block, path)
        if documented and documented.get("contains"):
            found[path] = dict((key, value) for key, value in documented["contains"].items() if "returned" not in value)
    return found


def test_the_modules_are_found():
    assert "veeam_em_job_info" in MODULE_NAMES and "veeam_em_job_start" in MODULE_NAMES


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_reference_documents_every_key(shape):
    name, path = REFERENCE[shape]
    assert len(entry(returns(name), path).get("contains") or {}) >= 10


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_module_refers_to_the_reference_or_repeats_it_identically(shape):
    name, path = REFERENCE[shape]
    reference = shape_of(returns(name), shape)[path]
    checked = []
    for module in MODULE_NAMES:
        block = returns(module)
        for place in SHAPES[shape]:
            documented = entry(block, place)
            if not documented or (module, place) == (name, path):
                continue
            checked.append("%s: %s" % (module, ".".join(place)))
            if documented.get("contains"):
                keys = dict((key, value) for key, value in documented["contains"].items() if "returned" not in value)
                assert keys == reference, "%s %s repeats the %s keys differently from %s" % (module, place, shape, name)
            else:
                text = " ".join(documented["description"]) if isinstance(documented["description"], list) \
                    else documented["description"]
                assert REFERENCE_TEXT[shape] in text, "%s %s neither lists the keys nor refers to %s" % (
                    module, place, REFERENCE_TEXT[shape])
    assert checked, "no other module returns a %s: the test checks nothing" % shape
