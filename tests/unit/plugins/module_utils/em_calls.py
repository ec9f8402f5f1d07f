# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Canned Enterprise Manager exchanges (logon, logoff, authenticated calls) built on framework.py."""

from __future__ import annotations

import base64

from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.framework import DELETE, GET, POST

SESSION_HEADER = "X-RestSvcSessionId"


def basic(username=em_xml.USER, password=em_xml.PASSWORD):
    """The Authorization header EM expects: Basic base64(UTF-8 user:password)."""
    return "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")


def anonymous(exchange):
    return exchange.expect_no_header(SESSION_HEADER).expect_no_header("Authorization")


def authed(exchange, token=em_xml.TOKEN):
    """A request of a logged-on session: the token header, never the password."""
    return exchange.expect_header(SESSION_HEADER, token).expect_no_header("Authorization")


def api_get(url, token=em_xml.TOKEN):
    return authed(GET(url), token)


def api_post(url, token=em_xml.TOKEN):
    return authed(POST(url), token)


def logon(version="latest", token=em_xml.TOKEN, entry=None, session=None, username=em_xml.USER,
          password=em_xml.PASSWORD):
    """GET /api/ (anonymous), then POST the Create link with Basic auth; EM answers 201 with the token."""
    create = em_xml.API + "sessionMngr/?v=" + version
    return [
        anonymous(GET(em_xml.API)).reply(200, entry if entry is not None else em_xml.entry_point()),
        POST(create)
        .expect_header("Authorization", basic(username, password))
        .expect_no_header(SESSION_HEADER)
        .reply(201, session if session is not None else em_xml.logon_session(),
               headers={SESSION_HEADER: token, "Location": em_xml.LOGOFF_URL}),
    ]


def logoff(token=em_xml.TOKEN, url=em_xml.LOGOFF_URL):
    return authed(DELETE(url), token).reply(204)


# The other job kinds a look-up asks about after the VM jobs (get_query_agentbackupjob.md, get_query_nasjob.md).
OTHER_KINDS = (("AgentBackupJob", ("urn:veeam:AgentBackupJob:", "urn:veeam:Job:")), ("NasJob", ("urn:veeam:NasJob:",)))


def other_kinds_empty(query_filter=None, job_guid=None, extra_terms=""):
    """The agent and file share job queries of a look-up, each answered with no job.

    ``query_filter``: the filter as for VM jobs (name or server terms); ``job_guid``: the id filter instead,
    with each kind's UID prefixes; ``extra_terms``: AND-ed terms that follow the id term.
    """
    exchanges = []
    for query_type, prefixes in OTHER_KINDS:
        if job_guid:
            terms = ['UID=="%s%s"' % (prefix, job_guid) for prefix in prefixes]
            uid_term = terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)
            this_filter = uid_term + extra_terms
        else:
            this_filter = query_filter
        exchanges.append(api_get(em_xml.query_url(query_type, this_filter)).reply(200, em_xml.empty_page()))
    return exchanges
