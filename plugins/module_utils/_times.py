# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times the user gives (ISO 8601 or an age such as 24h) and the form the query service takes them in.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.
"""

from __future__ import annotations

import datetime
import re

from ansible_collections.seedops.veeam_em.plugins.module_utils import _clock
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text, now=None):
    """An ISO 8601 time (with a zone, or UTC) or an age like 30m, 24h, 7d; returns an aware UTC datetime."""
    if text is None:
        return None
    now = now or _clock.utc_now()
    age = _AGE.match(text)
    if age:
        return now - datetime.timedelta(seconds=int(age.group(1)) * _AGE_UNITS[age.group(2)])
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise VeeamEmInputError("since %r is neither an ISO 8601 time (2026-11-30T18:00:00Z) nor an age such as 30m, "
                                "24h or 7d." % text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _em_time(moment):
    # The query service takes UTC DateTime values (get_query_backupjobsession.md: 2025-08-14T12:31:30.389954Z).
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def quote_time(moment):
    # Quoted, as the docs write DateTime filter values (get_query_backupjobsession.md:
    # CreationTime>="2025-08-15T06:00:00Z"); the simulator refuses the unquoted form by default.
    return '"%s"' % _em_time(moment)
