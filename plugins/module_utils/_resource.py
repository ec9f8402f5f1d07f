# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape every Enterprise Manager resource shares: the dict users see, and the links the client follows.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

EM tells a client what it may do with a resource through the resource's own links (em_api.md section 4):
an action is offered exactly when its link is there, and the client POSTs to that link's Href and never to
a URL it built itself.
"""

from __future__ import annotations

from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml

# Links that lead to other resources rather than act on this one.
NAVIGATION_RELS = frozenset(("Up", "Down", "Alternate", "Related"))


class Resource(object):
    """``data``: the user-facing dict (snake_case keys); ``links``: the resource's links as dicts."""

    def __init__(self, element, data, keep_links=True):
        # A listing of many resources that never follows their links drops them: that halves its memory.
        self.links = _xml.links(element) if keep_links else []
        self.data = data

    @property
    def href(self):
        return self.data.get("href")

    @property
    def uid(self):
        return self.data.get("uid")

    @property
    def name(self):
        return self.data.get("name")

    def link(self, rel, link_type=None):
        for link in self.links:
            if link["rel"] == rel and (link_type is None or link["type"] == link_type):
                return link
        return None

    def action_link(self, *rels):
        """The first of ``rels`` that the resource offers as an action link, or None."""
        for rel in rels:
            link = self.link(rel)
            if link is not None and rel not in NAVIGATION_RELS:
                return link
        return None

    def offered_actions(self):
        """The names (Rel) of the actions this resource offers, sorted: for messages that say what is possible."""
        return sorted(set(link["rel"] for link in self.links if link["rel"] not in NAVIGATION_RELS))
