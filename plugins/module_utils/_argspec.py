# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options every module shares: the one source of truth for their argument spec.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Twin: plugins/doc_fragments/connection.py documents exactly these options; change both together
(tests/unit/plugins/module_utils/test_argspec.py compares them).
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

API_VERSIONS = ["latest", "v1_5", "v1_6", "v1_7"]


def connection_argument_spec():
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["VEEAM_EM_URL"])),
        username=dict(type="str", fallback=(env_fallback, ["VEEAM_EM_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["VEEAM_EM_PASSWORD"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["VEEAM_EM_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["VEEAM_EM_CA_PATH"])),
        request_timeout=dict(type="float", default=60.0),
        api_version=dict(type="str", default="latest", choices=API_VERSIONS),
    )
