# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Safe XML reading for Enterprise Manager responses, and conversion of elements to plain dicts.

Internal to the seedops.veeam_em collection: not a public API, may change without notice.

Rules, each for a reason:
- Bodies are parsed as bytes, never as decoded text: EM documents start with an encoding declaration,
  and lxml refuses a ``str`` that carries one.
- A DOCTYPE or an entity declaration is refused before parsing: EM never sends one, so one can only
  come from something hostile or broken between us and EM (XXE, "billion laughs").
- The parser never resolves entities, never touches the network and keeps lxml's size limits on.
- Elements are matched on their local name: the namespace declarations and attribute order of EM
  responses vary between versions (see em_api.md, section 8).
"""

from __future__ import annotations

import re

try:
    from lxml import etree
except ImportError:  # pragma: no cover - reported by the module through missing_required_lib
    etree = None

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmFormatError


# Longest markup we must keep between two chunks to spot "<!DOCTYPE" or "<!ENTITY" split across them.
_FORBIDDEN_MARKUP = re.compile(br"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SCAN_OVERLAP = 16


def _parser_options():
    return dict(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _refuse_dtd(data, url):
    if _FORBIDDEN_MARKUP.search(data):
        raise VeeamEmFormatError(
            "The response from %s contains a DOCTYPE or entity declaration. Enterprise Manager never sends "
            "one, so the response was refused unread (protection against XML external entities and entity "
            "expansion). Check what sits between Ansible and Enterprise Manager (a proxy?)." % url
        )


def _describe_non_xml(data):
    snippet = data[:200].decode("utf-8", "replace")
    snippet = re.sub(r"<[^>]*>", " ", snippet)
    snippet = re.sub(r"\s+", " ", snippet).strip()
    return snippet


def parse_document(data, url):
    """Parse a whole response body (bytes) into its root element, or raise VeeamEmFormatError."""
    if not data or not data.strip():
        raise VeeamEmFormatError("The response from %s has an empty body where an XML document was expected." % url)
    _refuse_dtd(data, url)
    parser = etree.XMLParser(**_parser_options())
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise VeeamEmFormatError(
            "The response from %s is not well-formed XML (%s). It starts with: %r"
            % (url, exc, _describe_non_xml(data)[:120])
        )
    if root is None:
        raise VeeamEmFormatError("The response from %s holds no XML element." % url)
    return root


def try_parse_document(data):
    """Parse an error body if it is safe, well-formed XML; return None otherwise (never raises)."""
    if not data or _FORBIDDEN_MARKUP.search(data):
        return None
    try:
        return etree.fromstring(data, etree.XMLParser(**_parser_options()))
    except etree.XMLSyntaxError:
        return None


class ElementStream(object):
    """Parse a body chunk by chunk and hand each element of the chosen local names to ``on_element``.

    Used for large collections (``/jobs?format=Entity`` of tens of thousands of jobs): memory stays
    bounded because each element is freed, with the siblings read before it, once ``on_element`` returns,
    and because a body that goes on for ``max_gap_bytes`` without one such element is refused.
    """

    # One job entity is a few KiB; 16 MiB without one is no EM collection, and bounds what lxml holds
    # (about eight times the text) for a hostile body.
    def __init__(self, url, local_names, on_element, max_gap_bytes=16 * 1024 * 1024):
        self.url = url
        self._names = tuple(local_names)
        self._on_element = on_element
        self._max_gap = max_gap_bytes
        self._gap = 0
        # The tag filter keeps the parser from reporting the many small elements inside each entity.
        self._parser = etree.XMLPullParser(events=("end",), tag=["{*}%s" % name for name in self._names],
                                           **_parser_options())
        self._tail = b""
        self._seen_data = False

    def feed(self, chunk):
        if not chunk:
            return
        self._seen_data = self._seen_data or bool(chunk.strip())
        # Chunk sizes are the sender's choice: keep the tail across chunks smaller than the overlap too.
        _refuse_dtd(self._tail + chunk, self.url)
        self._tail = (self._tail + chunk)[-_SCAN_OVERLAP:]
        try:
            self._parser.feed(chunk)
        except etree.XMLSyntaxError as exc:
            raise VeeamEmFormatError("The response from %s is not well-formed XML (%s)." % (self.url, exc))
        self._gap += len(chunk)
        self._drain()
        if self._gap > self._max_gap:
            raise VeeamEmFormatError(
                "The response from %s went on for more than %d MiB without a %s element; refused (it is not the "
                "collection Enterprise Manager sends)." % (self.url, self._max_gap // (1024 * 1024),
                                                           " or ".join(self._names)))

    def close(self):
        """Finish parsing; raises on an empty or truncated document."""
        if not self._seen_data:
            raise VeeamEmFormatError(
                "The response from %s has an empty body where an XML document was expected." % self.url
            )
        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            raise VeeamEmFormatError("The response from %s is not well-formed XML (%s)." % (self.url, exc))
        self._drain()

    def _drain(self):
        for dummy, element in self._parser.read_events():
            self._gap = 0
            self._on_element(element)
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]


def local_name(element):
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def child(element, name):
    """First direct child with this local name, or None."""
    for item in element:
        if local_name(item) == name:
            return item
    return None


def children(element, name):
    return [item for item in element if local_name(item) == name]


def child_text(element, name, default=None):
    found = child(element, name)
    if found is None or found.text is None:
        return default
    return found.text.strip()


def descendants(element, names):
    """The elements below ``element`` (itself included) whose local name is ``names`` (a name or a tuple of names)."""
    wanted = (names,) if isinstance(names, str) else tuple(names)
    return [item for item in element.iter() if local_name(item) in wanted]


def links(element):
    """The element's own Links as dicts with rel, type, href and name (absent attributes are None)."""
    container = child(element, "Links")
    if container is None:
        return []
    return [
        {
            "rel": link.get("Rel"),
            "type": link.get("Type"),
            "href": link.get("Href"),
            "name": link.get("Name"),
        }
        for link in children(container, "Link")
    ]


def find_link(element, rel, link_type=None):
    """The first of the element's links with this Rel (and Type, when given), or None."""
    for link in links(element):
        if link["rel"] == rel and (link_type is None or link["type"] == link_type):
            return link
    return None


_CAMEL_BOUNDARY_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_BOUNDARY_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name):
    """JobScheduleOptions -> job_schedule_options; UID -> uid; CreationTimeUTC -> creation_time_utc."""
    name = _CAMEL_BOUNDARY_1.sub(r"\1_\2", name)
    name = _CAMEL_BOUNDARY_2.sub(r"\1_\2", name)
    return name.replace("-", "_").lower()


_INTEGER = re.compile(r"^-?\d{1,18}$")


class Schema(object):
    """Which element (or attribute) names hold booleans, integers, or may repeat, as the docs define them.

    Values are converted by the documented type of their field, never by the look of the text: a VM named
    "007" stays "007". A field the schema does not name stays text, and a field that may occur several times
    is always a list, also when it occurs once.
    """

    def __init__(self, booleans=(), integers=(), lists=(), string_lists=()):
        self.booleans = frozenset(booleans)
        self.integers = frozenset(integers)
        self.lists = frozenset(lists)
        # StringListType elements: their children's texts as one list of strings ([] when empty).
        self.string_lists = frozenset(string_lists)

    def convert(self, name, text):
        if text is None or not text.strip():
            return None
        if name in self.booleans:
            return to_bool(text)
        if name in self.integers:
            return to_int(text)
        return text


TEXT_ONLY = Schema()


def to_bool(text):
    """A boolean as EM writes it (true or false); anything else is None."""
    value = (text or "").strip().lower()
    return {"true": True, "false": False}.get(value)


def to_int(text):
    value = (text or "").strip()
    return int(value) if _INTEGER.match(value) else None


def element_to_dict(element, schema=TEXT_ONLY):
    """Convert any element into plain data with snake_case keys, typed by ``schema``.

    Attributes and child elements both become keys; repeated children become lists; a leaf becomes its
    value. ``Links`` are dropped (they are URLs for the client, not data for the user).
    """
    result = {}
    for key, value in element.attrib.items():
        if key in ("Href", "Type"):
            continue
        name = key.rsplit("}", 1)[-1]
        result[snake_case(name)] = schema.convert(name, value)
    grouped = {}
    names = {}
    for item in element:
        name = local_name(item)
        if name and name != "Links":
            grouped.setdefault(snake_case(name), []).append(_node_value(item, name, schema))
            names[snake_case(name)] = name
    for key, values in grouped.items():
        result[key] = values if (len(values) > 1 or names[key] in schema.lists) else values[0]
    return result


def _node_value(item, name, schema):
    if name in schema.string_lists:
        return [child.text or "" for child in item if local_name(child)]
    if not len(item) and not item.attrib:
        return schema.convert(name, item.text)
    value = element_to_dict(item, schema)
    if not len(item) and schema.convert(name, item.text) is not None:
        value["value"] = schema.convert(name, item.text)
    return value


def id_from_uid(uid):
    """urn:veeam:Job:5658281f-... -> 5658281f-... (the last colon-separated part)."""
    if not uid:
        return None
    return uid.rsplit(":", 1)[-1]


def id_from_href(href):
    """The last path segment of an Href, without query string (Hrefs are opaque, but their ids are not)."""
    if not href:
        return None
    path = href.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] or None


_SENTINEL_DATES = ("1753-01-01", "0001-01-01", "1900-01-01")


def utc_time(text):
    """EM DateTimes are UTC with a Z already; the never-set sentinel dates become None."""
    value = (text or "").strip()
    if not value or value.startswith(_SENTINEL_DATES):
        return None
    return value
