# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AnsibleModule every module of the collection uses, and the one place where errors become fail_json.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

import signal
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import requests  # noqa: F401 pylint: disable=unused-import
    import urllib3

    REQUESTS_IMPORT_ERROR = None
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from lxml import etree  # noqa: F401 pylint: disable=unused-import

    LXML_IMPORT_ERROR = None
except ImportError:
    LXML_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError, VeeamEmInterrupted
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession


class VeeamEmModule(AnsibleModule):
    """AnsibleModule with the shared connection options, library checks and option checks."""

    def __init__(self, argument_spec=None, **kwargs):
        # The wait budget and the reported elapsed time of a module count from here, logon included.
        self.started = _clock.now()
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super(VeeamEmModule, self).__init__(argument_spec=spec, **kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if LXML_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("lxml"), exception=LXML_IMPORT_ERROR)
        if self.params["request_timeout"] <= 0:
            self.fail_json(msg="request_timeout must be a positive number of seconds (the limit for one HTTP "
                               "request), got %s." % self.params["request_timeout"])
        if not self.params["validate_certs"]:
            # The user chose this; one clear warning is enough, not one urllib3 warning per request.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
            self.warn("validate_certs is false: the Enterprise Manager certificate is not verified, so the "
                      "connection can be intercepted. Set ca_path to the CA that signed it instead.")

    def em_session(self):
        params = self.params
        return EmSession(
            url=params["url"],
            username=params["username"],
            password=params["password"],
            api_version=params["api_version"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            request_timeout=params["request_timeout"],
            warn=self.warn,
        )

    def run(self, work, prepare=None):
        """Check the inputs, log on, do the work, log off on every path, then exit or fail.

        ``prepare()`` runs before logging on (checks that need no server) and its return value is passed to
        ``work(em, prepared)``, which returns the result dict. Every VeeamEmError is turned into fail_json
        here, with the keys it carries (``changed``, ``task``, ``session`` ...), after the session was closed.
        """
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
        session = None
        try:
            prepared = prepare() if prepare else None
            session = self.em_session()
            with session as em:
                result = work(em, prepared)
        except VeeamEmError as error:
            failure = dict(changed=False)
            failure.update(error.result)
            failure.pop("msg", None)
            message = str(error)
            if isinstance(error, VeeamEmInterrupted) and session is not None:
                message += (" It logged off from Enterprise Manager." if session.logoffs else
                            " It could not log off; Enterprise Manager ends the session after 15 idle minutes.")
            self.fail_json(msg=message, **failure)
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.exit_json(**result)


def _raise_interrupted(signum, frame):
    # Raised in the main thread wherever the module is (usually asleep between polls), so the session's
    # context manager still logs off before the process ends. A second SIGTERM (systemd signals every
    # process of the group) must not interrupt that logoff: ignore it from now on; run() restores it.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise VeeamEmInterrupted("The module was stopped by signal %d (SIGTERM) before it finished. A job it started "
                             "keeps running." % signum)
