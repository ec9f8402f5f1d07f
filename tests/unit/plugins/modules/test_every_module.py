# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What holds for every module: options as documented, the action group, thin main(), parseable docs."""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import (
    assert_options_match_documentation,
    module_docs,
)

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                      if name.startswith("veeam_em_") and name.endswith(".py"))


def load(name):
    return importlib.import_module("ansible_collections.seedops.veeam_em.plugins.modules." + name)


def test_there_are_modules():
    assert len(MODULE_NAMES) >= 7


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_options_match_the_documentation_fragments_included(monkeypatch, name):
    captured = assert_options_match_documentation(monkeypatch, load(name))
    assert captured["supports_check_mode"] is True


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_every_module_is_in_the_action_group(name):
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        group = yaml.safe_load(handle)["action_groups"]["veeam_em"]
    assert name in group


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_docs_examples_and_return_are_yaml_and_name_the_module(name):
    docs = module_docs(load(name))
    assert sorted(docs) == ["DOCUMENTATION", "EXAMPLES", "RETURN"]
    assert docs["DOCUMENTATION"]["module"] == name
    assert docs["RETURN"]
    examples = yaml.safe_load(docs["EXAMPLES"])
    fqcn = "seedops.veeam_em." + name
    assert any(fqcn in task or any(fqcn in str(inner) for inner in task.get("block", [])) for task in examples)


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_main_is_thin(name):
    # Argument spec, one call into module_utils: the logic lives below the module.
    with open(os.path.join(ROOT, "plugins", "modules", name + ".py")) as handle:
        code = handle.read()
    logic = [line for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(logic) <= 25, "%s has %d lines of code" % (name, len(logic))
    # The docs live in the sidecar file only, so that ansible-doc never sees two versions.
    assert "DOCUMENTATION" not in code and "RETURN" not in code
