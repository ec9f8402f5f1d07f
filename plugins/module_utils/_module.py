# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AnsibleModule every module of the collection uses, and the one place where errors become fail_json.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

import math
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

from ansible_collections.seedops.veeam_em.plugins.module_utils import _capture, _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._argspec import connection_argument_spec
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmError, VeeamEmInterrupted
from ansible_collections.seedops.veeam_em.plugins.module_utils._session import EmSession

# One HTTP request that takes longer than an hour is a hung connection, not a slow Enterprise Manager.
MAX_REQUEST_TIMEOUT_S = 3600


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
        request_timeout = self.params["request_timeout"]
        if not math.isfinite(request_timeout) or not 0 < request_timeout <= MAX_REQUEST_TIMEOUT_S:
            self.fail_json(msg="request_timeout must be a number of seconds above 0 and at most %d (the limit for one "
                               "HTTP request, not the wait budget), got %s." % (MAX_REQUEST_TIMEOUT_S, request_timeout))
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
            capture=_capture.from_params(params, self._name, self.warn),
        )

    def run(self, work, prepare=None, always=None):
        """Check the inputs, log on, do the work, log off on every path, then exit or fail.

        ``prepare()`` runs before logging on (checks that need no server) and its return value is passed to
        ``work(em, prepared)``, which returns the result dict. Every VeeamEmError is turned into fail_json
        here, with the keys it carries (``changed``, ``task``, ``session`` ...), after the session was closed.
        ``always``: the keys the module documents as returned always, with their value when unknown; a failure
        returns each of them (a failed logon too), and ``elapsed`` is filled in when listed.
        """
        previous = dict((signum, signal.signal(signum, _raise_interrupted)) for signum in INTERRUPTS)
        session = None
        try:
            prepared = prepare() if prepare else None
            session = self.em_session()
            with session as em:
                result = work(em, prepared)
        except VeeamEmError as error:
            failure = dict(changed=False)
            failure.update(always or {})
            if "elapsed" in failure:
                failure["elapsed"] = round(_clock.now() - self.started, 2)
            failure.update(error.result)
            failure.pop("msg", None)
            message = str(error)
            if isinstance(error, VeeamEmInterrupted) and session is not None:
                message += (" It logged off from Enterprise Manager." if session.logoffs else
                            " It could not log off; Enterprise Manager ends the session after 15 idle minutes.")
            self.fail_json(msg=message, **failure)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.exit_json(**result)


# SIGTERM: AWX cancelling a job, systemd, ``timeout``; SIGINT: an interrupted ansible-playbook or a ``timeout -s
# INT`` wrapper. Both end the module the same way: log off, then report what is known.
INTERRUPTS = (signal.SIGTERM, signal.SIGINT)


def _raise_interrupted(signum, frame):
    # Raised in the main thread wherever the module is (usually asleep between polls), so the session's
    # context manager still logs off before the process ends. A second signal (systemd signals every
    # process of the group) must not interrupt that logoff: ignore them from now on; run() restores them.
    for interrupt in INTERRUPTS:
        signal.signal(interrupt, signal.SIG_IGN)
    raise VeeamEmInterrupted("The module was stopped by signal %d (%s) before it finished. A job it started "
                             "keeps running." % (signum, signal.Signals(signum).name))
