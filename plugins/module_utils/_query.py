# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Enterprise Manager query service: filter expressions, the search URL and paging.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Filters are applied by EM on the server (em_api.md section 5), so a look-up costs the same number of
requests whatever the number of objects; every caller that can narrow a query does so here.
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

# The query service returns at most 100 items a page whatever pageSize asks (em_api.md section 5 and
# unknown #14), so we ask for exactly that and follow the Next links.
PAGE_SIZE = 100
# A query answer holds its items in one of these containers, depending on format and type.
_CONTAINERS = ("Entities", "Resources", "Refs")


def quote_value(value):
    """A query filter value in double quotes; an embedded double quote is doubled (em_api.md section 5)."""
    return '"%s"' % ("%s" % value).replace('"', '""')


def filter_any(field, values):
    """field=="a",field=="b" (the comma is OR), parenthesised so that it can be AND-ed with more terms."""
    terms = ["%s==%s" % (field, quote_value(value)) for value in values]
    return terms[0] if len(terms) == 1 else "(%s)" % ",".join(terms)


def filter_all(*terms):
    """AND (``;``) of the non-empty terms, or None."""
    kept = [term for term in terms if term]
    return ";".join(kept) if kept else None


def query_href(api_root, query_type, query_filter=None, sort_desc=None, page_size=PAGE_SIZE):
    # Guess, stated: the query service is a search URL with parameters (em_api.md section 5) and EM offers
    # no link that carries a filter, so this is the one place where the client composes a URL.
    params = [("type", query_type), ("format", "Entities")]
    if query_filter:
        params.append(("filter", query_filter))
    if sort_desc:
        params.append(("sortDesc", sort_desc))
    params.append(("pageSize", str(page_size)))
    params.append(("page", "1"))
    query = "&".join("%s=%s" % (key, quote(value, safe="")) for key, value in params)
    return "%squery?%s" % (api_root, query)


def iter_query(em, query_type, entity_name, query_filter=None, sort_desc=None, page_size=PAGE_SIZE):
    """Yield the entity elements of a query, page by page (following PagingInfo Next links).

    A generator, so that a caller who has what it needs stops before the next page is fetched.
    """
    href = query_href(em.api_root, query_type, query_filter, sort_desc, page_size)
    while href:
        root = em.get(href)
        for container_name in _CONTAINERS:
            container = _xml.child(root, container_name)
            if container is not None:
                yield from _xml.descendants(container, entity_name)
        paging = _xml.child(root, "PagingInfo")
        nxt = _xml.find_link(paging, "Next") if paging is not None else None
        href = nxt["href"] if nxt else None


def query(em, query_type, entity_name, query_filter=None, sort_desc=None, limit=None):
    """The entity elements of a query as a list (at most ``limit``; one small page when limit is small)."""
    page_size = min(limit, PAGE_SIZE) if limit else PAGE_SIZE
    found = []
    for element in iter_query(em, query_type, entity_name, query_filter, sort_desc, page_size):
        found.append(element)
        if limit is not None and len(found) >= limit:
            break
    return found
