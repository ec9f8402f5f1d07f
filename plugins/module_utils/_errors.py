# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Typed errors of the Enterprise Manager client.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Every failure of the client is one of these classes. Modules catch ``VeeamEmError`` in exactly one place
(``VeeamEmModule.run`` in ``_module``) and turn it into ``fail_json``; ``str(error)`` is the message a user reads.
No error message ever contains a password or a session token.
"""

from __future__ import annotations

# Statuses that say "try again later" rather than "this request is wrong": gateways, overload, and EM's own
# 500s, which it also answers while its database or a backup server is briefly out of reach.
TRANSIENT_STATUSES = frozenset((500, 502, 503, 504))


class VeeamEmError(Exception):
    """Base class. ``result`` holds extra keys the module returns with the failure."""

    def __init__(self, message, result=None):
        super(VeeamEmError, self).__init__(message)
        self.message = message
        self.result = dict(result or {})

    def __str__(self):
        return self.message


class VeeamEmInputError(VeeamEmError):
    """The user's options are wrong; nothing was sent, or the server cannot serve them."""


class VeeamEmTransportError(VeeamEmError):
    """The request did not get an HTTP answer: connection refused, DNS, TLS, dropped connection."""


class VeeamEmTlsError(VeeamEmTransportError):
    """The server's certificate could not be verified."""


class VeeamEmRequestTimeout(VeeamEmTransportError):
    """One HTTP request took longer than ``request_timeout``."""


class VeeamEmFormatError(VeeamEmError):
    """The server answered, but not with a document this client can read safely."""


class VeeamEmApiError(VeeamEmError):
    """The server answered with an unexpected HTTP status.

    Carries the method, the URL, the status and the server's own message, because "HTTP Error: 400"
    alone is useless to the person reading it.
    """

    def __init__(self, message, method=None, url=None, status=None, server_message=None, result=None):
        super(VeeamEmApiError, self).__init__(message, result=result)
        self.method = method
        self.url = url
        self.status = status
        self.server_message = server_message


class VeeamEmAuthenticationError(VeeamEmApiError):
    """401: wrong credentials, or a session token that is unknown or expired."""


class VeeamEmPermissionError(VeeamEmApiError):
    """403: the account's Enterprise Manager role does not allow the request."""


class VeeamEmNotFoundError(VeeamEmApiError):
    """404, or a look-up (a job by name or id) that found nothing."""


class VeeamEmAmbiguousError(VeeamEmError):
    """A name matched several objects and the user must say which one."""


class VeeamEmTaskFailedError(VeeamEmError):
    """An Enterprise Manager task ended with ``Result Success="false"``."""


class VeeamEmJobFailedError(VeeamEmError):
    """A job session ended with Result Failed."""


class VeeamEmWaitTimeout(VeeamEmError):
    """The wait budget (``timeout``) ran out before the awaited state was reached."""


class VeeamEmTaskLostError(VeeamEmNotFoundError):
    """A task vanished because the logon session that owned it expired and was renewed (em_api.md section 7)."""


class VeeamEmInterrupted(VeeamEmError):
    """The module process was asked to stop (SIGTERM) while it worked; raised so that we still log off."""


def is_transient(error):
    """Whether a failed request may succeed when repeated: no answer at all, or a transient status."""
    if isinstance(error, VeeamEmTransportError):
        return True
    return isinstance(error, VeeamEmApiError) and error.status in TRANSIENT_STATUSES
