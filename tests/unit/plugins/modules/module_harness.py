# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running a module's main() in-process: module args in, the exit_json / fail_json result out."""

from __future__ import annotations

import contextlib
import importlib
import json

import yaml

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import connection_argument_spec

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None

ENV_VARS = ("VEEAM_EM_URL", "VEEAM_EM_USERNAME", "VEEAM_EM_PASSWORD", "VEEAM_EM_VALIDATE_CERTS", "VEEAM_EM_CA_PATH")


class ModuleExit(Exception):
    def __init__(self, result):
        super(ModuleExit, self).__init__("exit_json")
        self.result = result


class ModuleFail(Exception):
    def __init__(self, result):
        super(ModuleFail, self).__init__(result.get("msg"))
        self.result = result


class Outcome(object):
    def __init__(self, failed, result, warnings):
        self.failed = failed
        self.result = result
        self.warnings = warnings


@contextlib.contextmanager
def module_args(monkeypatch, args):
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
    else:
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
        yield


def patch_results(monkeypatch, warnings, on_fail=None):
    def exit_json(self, **result):
        raise ModuleExit(result)

    def fail_json(self, msg, **result):
        result["msg"] = msg
        if on_fail is not None:
            on_fail(result)
        raise ModuleFail(result)

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, warning: warnings.append(warning))


def run_module(monkeypatch, module, args, on_fail=None, env=None):
    """Run ``module.main()`` with ``args`` (and only the VEEAM_EM_* variables of ``env``); return an Outcome."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    warnings = []
    patch_results(monkeypatch, warnings, on_fail)
    with module_args(monkeypatch, args):
        try:
            module.main()
        except ModuleExit as done:
            return Outcome(False, done.result, warnings)
        except ModuleFail as failed:
            return Outcome(True, failed.result, warnings)
    raise AssertionError("the module neither exited nor failed")


class SpecCaptured(Exception):
    pass


def module_spec(monkeypatch, module):
    """The keyword arguments main() gives VeeamEmModule (argument_spec, mutually_exclusive ...)."""
    captured = {}

    def fake_module(**kwargs):
        captured.update(kwargs)
        raise SpecCaptured()

    monkeypatch.setattr(module, "VeeamEmModule", fake_module)
    try:
        module.main()
    except SpecCaptured:
        pass
    return captured


def module_docs(module):
    """DOCUMENTATION, EXAMPLES and RETURN of a module, from its sidecar file (plugins/modules/<name>.yml)."""
    with open(module.__file__[:-len(".py")] + ".yml") as handle:
        return yaml.safe_load(handle)


def doc_options(text):
    return yaml.safe_load(text).get("options") or {}


FRAGMENT_PREFIX = "seedops.veeam_em."


def documented_options(module):
    """The options a module documents: its own and those of the collection's doc fragments it extends."""
    documentation = module_docs(module)["DOCUMENTATION"]
    options = {}
    for fragment in documentation.get("extends_documentation_fragment") or []:
        assert fragment.startswith(FRAGMENT_PREFIX), "only the collection's own fragments are expected: %s" % fragment
        name, dummy, variable = fragment[len(FRAGMENT_PREFIX):].partition(".")
        source = importlib.import_module("ansible_collections.seedops.veeam_em.plugins.doc_fragments." + name)
        options.update(doc_options(getattr(source.ModuleDocFragment, (variable or "documentation").upper())))
    options.update(documentation.get("options") or {})
    return options


def assert_options_match_documentation(monkeypatch, module):
    """Every option of the module's argument spec (shared groups included) documented with the same type,
    default, choices... in the module's DOCUMENTATION or the doc fragments it extends, and nothing more.

    Returns what the module passed to AnsibleModule, for module-specific checks.
    """
    captured = module_spec(monkeypatch, module)
    documented = documented_options(module)
    spec = dict(connection_argument_spec(), **captured["argument_spec"])
    assert sorted(documented) == sorted(spec)
    assert [problem for name in spec for problem in option_problems(name, documented[name], spec[name])] == []
    return captured


def option_problems(name, doc, spec):
    """Differences between one documented option and its argument spec entry."""
    found = []
    pairs = [
        ("type", doc.get("type", "str"), spec.get("type", "str")),
        ("default", doc.get("default"), spec.get("default")),
        ("required", doc.get("required", False), spec.get("required", False)),
        ("choices", doc.get("choices"), spec.get("choices")),
        ("elements", doc.get("elements"), spec.get("elements")),
        ("aliases", doc.get("aliases"), spec.get("aliases")),
    ]
    for what, documented, coded in pairs:
        if documented != coded or isinstance(documented, bool) != isinstance(coded, bool):
            found.append("%s: %s documented %r, coded %r" % (name, what, documented, coded))
    return found


RETURN_TYPES = {"str": str, "int": int, "bool": bool, "float": float, "dict": dict, "list": list}


def type_problems(path, documented, value):
    """Compare a returned value with its RETURN entry, recursively through ``contains``."""
    if value is None:
        return []
    expected = RETURN_TYPES[documented.get("type", "str")]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return ["%s: documented %s, returned %r" % (path, documented.get("type"), value)]
    found = []
    contains = documented.get("contains")
    if contains and isinstance(value, dict):
        for key, item in contains.items():
            found += type_problems("%s.%s" % (path, key), item, value.get(key))
    if contains and isinstance(value, list):
        for index, element in enumerate(value):
            for key, item in contains.items():
                found += type_problems("%s[%d].%s" % (path, index, key), item, element.get(key))
    return found
