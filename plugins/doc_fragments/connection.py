# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Twin: plugins/module_utils/_argspec.py holds the argument spec of exactly these options; change both
# together (tests/unit/plugins/module_utils/test_argspec.py compares them).

from __future__ import annotations


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Address of the Veeam Backup Enterprise Manager server, for example V(https://em01.example.com:9398).
      - A bare host name such as V(em01) means V(https://em01:9398). A trailing V(/api) or V(/api/) is accepted;
        any other path, a query string or credentials in the URL are refused.
      - If not set, the value of the E(VEEAM_EM_URL) environment variable is used.
    type: str
    required: true
  username:
    description:
      - Enterprise Manager account to log on with, for example V(CORP\\backupadmin).
      - Listing and starting jobs needs the Portal Administrator role.
      - If not set, the value of the E(VEEAM_EM_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Any characters are allowed; it is sent UTF-8 encoded and never logged.
      - If not set, the value of the E(VEEAM_EM_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of Enterprise Manager.
      - Enterprise Manager uses a self-signed certificate by default; rather than turning this off, set O(ca_path)
        to the CA that signed it. V(false) works but the module then warns.
      - If not set, the value of the E(VEEAM_EM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the certificate authority (or bundle) used to verify the Enterprise Manager certificate.
      - If not set, the value of the E(VEEAM_EM_CA_PATH) environment variable is used; without either, the default CA
        bundle of the Python C(requests) library (C(certifi), or the file named by E(REQUESTS_CA_BUNDLE)).
    type: path
  request_timeout:
    description:
      - Seconds to wait for the answer to one HTTP request; above 0 and at most 3600.
      - This is not a wait budget for jobs; see O(seedops.veeam_em.veeam_em_job_start#module:timeout) for that.
    type: float
    default: 60
  api_version:
    description:
      - Enterprise Manager REST API version to log on with.
      - V(latest) takes the newest version the server offers (v1_7 on Veeam Backup & Replication 12 and 13).
    type: str
    default: latest
    choices: [latest, v1_5, v1_6, v1_7]
  capture_dir:
    description:
      - Directory to write a capture of this run to, for a bug report; capture is off when not set.
      - Each run writes one file, C(veeam_em-<module>-<UTC time>-<pid>.json), mode 0600, after it logged off. It holds every
        HTTP exchange with Enterprise Manager, in order, with method, URL, status, request and response headers and bodies.
      - Passwords, the Basic authorization, session tokens (header C(X-RestSvcSessionId)), the logon session id
        (C(SessionId)), cookies (C(Cookie), C(Set-Cookie)) are always replaced by C(REDACTED-...) markers.
        Host names and IP addresses (of Enterprise Manager, of the backup servers, of any URL) and the account name are
        replaced by C(em.redacted.invalid), C(host-N.redacted.invalid), C(ip-N.redacted.invalid) and C(REDACTED-USER),
        unless O(capture_keep_hosts=true).
      - Names of jobs, VMs and repositories are kept. Read the file before you attach it to a public bug report.
      - The directory is created (mode 0700) when missing. A capture that cannot be written is a warning, never a failure.
        A body larger than 8 MiB is cut.
      - If not set, the value of the E(VEEAM_EM_CAPTURE) environment variable is used.
      - See the Troubleshooting guide, section "Capturing the traffic for a bug report".
    type: path
  capture_keep_hosts:
    description:
      - Keep host names, IP addresses and the account name in the capture written to O(capture_dir).
        Secrets are redacted all the same.
      - If not set, the value of the E(VEEAM_EM_CAPTURE_KEEP_HOSTS) environment variable is used.
    type: bool
    default: false
notes:
  - >-
    The modules talk to Enterprise Manager from where they run, usually the controller
    (C(delegate_to: localhost) or a play on C(localhost)); they need the Python libraries C(requests) and C(lxml) there.
  - Each module run logs on, does its work and logs off, on failure too.
requirements:
  - requests >= 2.25
  - lxml >= 4.6
"""
