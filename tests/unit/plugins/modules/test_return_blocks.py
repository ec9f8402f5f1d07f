# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The job and session dicts are documented identically in every module that returns them.

RETURN blocks cannot use doc fragments, so this test is what keeps the copies one text: a module that
returns a job (``job``, or the elements of ``jobs``) or a session (``session``, ``last_session``) must
describe each of its keys exactly as every other module does. Keys documented with their own
``returned`` condition (``schedule``, ``includes``, ``last_session`` ...) are a module's extras.
"""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.startswith("veeam_em_") and name.endswith(".py"))
# Where each shape stands in a RETURN block: (path of keys through "contains", shape).
SHAPES = {"job": [("job",), ("jobs",)], "session": [("session",), ("jobs", "last_session")]}


def returns(name):
    module = importlib.import_module("ansible_collections.seedops.veeam_em.plugins.modules." + name)
    return yaml.safe_load(module.RETURN) or {}


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
def test_every_module_documents_the_shape_identically(shape):
    places = {}
    for name in MODULE_NAMES:
        for path, keys in shape_of(returns(name), shape).items():
            places["%s: %s" % (name, ".".join(path))] = keys
    assert len(places) >= 2, "the %s shape should be returned by at least two modules: %s" % (shape, sorted(places))
    reference_place = sorted(places)[0]
    reference = places[reference_place]
    for place, keys in sorted(places.items()):
        missing = sorted(set(reference) - set(keys))
        extra = sorted(set(keys) - set(reference))
        differing = sorted(key for key in set(reference) & set(keys) if reference[key] != keys[key])
        assert (missing, extra, differing) == ([], [], []), (
            "%s differs from %s: missing %s, extra %s, described differently %s" % (
                place, reference_place, missing, extra, differing))
