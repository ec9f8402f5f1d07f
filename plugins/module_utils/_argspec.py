# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option groups modules share: the one source of truth for their argument specs.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Twins: each group is documented by exactly one doc fragment; change both together
(tests/unit/plugins/module_utils/test_argspec.py compares them):

- connection_argument_spec: plugins/doc_fragments/connection.py
- job_selector_argument_spec: plugins/doc_fragments/job_selector.py (DOCUMENTATION; with job_type, also JOB_TYPE)
- wait_argument_spec: plugins/doc_fragments/wait.py (DOCUMENTATION; with wait_for, also WAIT_FOR)
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

from ansible_collections.seedops.veeam_em.plugins.module_utils._job_kinds import JOB_TYPES, KIND_NAMES
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import API_VERSIONS
from ansible_collections.seedops.veeam_em.plugins.module_utils._waiter import WAIT_FOR_CHOICES, WAIT_FOR_START


def connection_argument_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["VEEAM_EM_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["VEEAM_EM_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VEEAM_EM_PASSWORD"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["VEEAM_EM_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["VEEAM_EM_CA_PATH"])),
        request_timeout=dict(type="float", default=60.0),
        api_version=dict(type="str", default="latest", choices=list(API_VERSIONS)),
        capture_dir=dict(type="path", fallback=(env_fallback, ["VEEAM_EM_CAPTURE"])),
        capture_keep_hosts=dict(type="bool", default=False, fallback=(env_fallback, ["VEEAM_EM_CAPTURE_KEEP_HOSTS"])),
    )


def job_selector_argument_spec(job_type=False):
    spec = dict(
        name=dict(type="str"),
        id=dict(type="str"),
        backup_server=dict(type="str"),
        kind=dict(type="list", elements="str", choices=list(KIND_NAMES)),
    )
    if job_type:
        spec["job_type"] = dict(type="list", elements="str", choices=list(JOB_TYPES))
    return spec


def wait_argument_spec(wait_for=True):
    spec = dict(
        wait=dict(type="bool", default=True),
        timeout=dict(type="int", default=900, aliases=["wait_timeout"]),
        poll_interval=dict(type="float", default=5.0),
    )
    if wait_for:
        spec["wait_for"] = dict(type="str", default=WAIT_FOR_START, choices=list(WAIT_FOR_CHOICES))
    return spec


# The selectors' rules, for the modules that act on jobs. One job: name or id, exactly one of them.
ONE_JOB = dict(mutually_exclusive=[("name", "id")], required_one_of=[("name", "id")])
# Many jobs: at least one selector, so that no call acts on every job by accident.
SOME_JOBS = dict(mutually_exclusive=[("name", "id")], required_one_of=[("name", "id", "backup_server", "job_type", "kind")])


def one_job_action(**options):
    """The module arguments of an action on one job that starts a run (job_start, job_retry)."""
    return dict(ONE_JOB, argument_spec=dict(job_selector_argument_spec(), **dict(wait_argument_spec(), **options)),
                supports_check_mode=True)


def some_jobs_action(wait=True, **options):
    """The module arguments of an action on every selected job (job_stop, job_schedule)."""
    spec = job_selector_argument_spec(job_type=True)
    if wait:
        spec.update(wait_argument_spec(wait_for=False))
    spec.update(options)
    return dict(SOME_JOBS, argument_spec=spec, supports_check_mode=True)
