# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each shared option group of _argspec.py and its twin doc fragment agree: connection, job selector, wait."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.seedops.veeam_em.plugins.doc_fragments import job_selector, wait
from ansible_collections.seedops.veeam_em.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import (
    connection_argument_spec,
    job_selector_argument_spec,
    wait_argument_spec,
)
from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import KINDS
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import API_VERSIONS
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WAIT_FOR_CHOICES, WaitOptions
from ansible_collections.seedops.veeam_em.tests.unit.plugins.modules.module_harness import option_problems

DOC_OPTIONS = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
SPEC = connection_argument_spec()


def test_the_same_options_are_documented_and_coded():
    assert sorted(DOC_OPTIONS) == sorted(SPEC)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_type_default_required_and_choices_match(name):
    assert option_problems(name, DOC_OPTIONS[name], SPEC[name]) == []


def test_password_is_no_log_and_nothing_else_is():
    assert [name for name, spec in SPEC.items() if spec.get("no_log")] == ["password"]


@pytest.mark.parametrize("name", sorted(SPEC))
def test_every_environment_fallback_is_documented(name):
    fallback = SPEC[name].get("fallback")
    variables = fallback[1] if fallback else []
    description = " ".join(DOC_OPTIONS[name]["description"])
    for variable in variables:
        assert "E(%s)" % variable in description
    if not variables:
        assert "environment variable" not in description


def test_safe_defaults():
    assert SPEC["validate_certs"]["default"] is True
    assert SPEC["api_version"]["default"] == "latest"
    assert SPEC["request_timeout"]["type"] == "float"


def test_api_version_choices_are_the_versions_the_session_knows():
    assert SPEC["api_version"]["choices"] == list(API_VERSIONS)


def test_each_call_returns_a_fresh_spec():
    spec = connection_argument_spec()
    spec["url"]["required"] = False
    assert connection_argument_spec()["url"]["required"] is True


# -- the other groups: (doc fragment text, argument spec) pairs --------------------------------------------
GROUPS = {
    "job_selector": (job_selector.ModuleDocFragment.DOCUMENTATION, job_selector_argument_spec()),
    "job_selector.job_type": (job_selector.ModuleDocFragment.JOB_TYPE,
                              {"job_type": job_selector_argument_spec(job_type=True)["job_type"]}),
    "wait": (wait.ModuleDocFragment.DOCUMENTATION, wait_argument_spec(wait_for=False)),
    "wait.wait_for": (wait.ModuleDocFragment.WAIT_FOR, {"wait_for": wait_argument_spec()["wait_for"]}),
}
GROUP_OPTIONS = [(group, name) for group, (text, spec) in sorted(GROUPS.items()) for name in sorted(spec)]


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_documents_exactly_its_options(group):
    text, spec = GROUPS[group]
    assert sorted(yaml.safe_load(text)["options"]) == sorted(spec)


@pytest.mark.parametrize("group, name", GROUP_OPTIONS)
def test_each_group_option_matches_its_documentation(group, name):
    text, spec = GROUPS[group]
    assert option_problems(name, yaml.safe_load(text)["options"][name], spec[name]) == []


def test_job_selector_with_job_type_is_the_group_plus_job_type():
    assert sorted(job_selector_argument_spec(job_type=True)) == sorted(list(job_selector_argument_spec()) + ["job_type"])


def test_the_documented_kinds_and_job_types_are_the_kinds_table():
    assert job_selector_argument_spec()["kind"]["choices"] == [kind.name for kind in KINDS]
    assert job_selector_argument_spec(job_type=True)["job_type"]["choices"] == [
        job_type for kind in KINDS for job_type in kind.job_types]


def test_wait_with_wait_for_is_the_wait_group_plus_wait_for():
    assert sorted(wait_argument_spec()) == sorted(list(wait_argument_spec(wait_for=False)) + ["wait_for"])


def test_the_wait_defaults_are_the_ones_the_wait_options_assume():
    # A module run and a direct WaitOptions() (tests, other callers) must mean the same thing.
    spec = wait_argument_spec()
    options = WaitOptions()
    assert (spec["wait"]["default"], spec["wait_for"]["default"], spec["timeout"]["default"],
            spec["poll_interval"]["default"]) == (options.wait, options.wait_for, options.timeout, options.poll_interval)
    assert spec["wait_for"]["choices"] == list(WAIT_FOR_CHOICES)


def test_no_group_shares_an_option_name_with_another():
    names = [name for spec in (connection_argument_spec(), job_selector_argument_spec(job_type=True), wait_argument_spec())
             for name in spec]
    assert len(names) == len(set(names))
