#!/usr/bin/env python
"""Replay captured Enterprise Manager exchanges against the EM simulator and report where the answers differ in shape.

  conformance.py [--url URL --ca-path CA] [--username U --password P] CAPTURE_OR_DIRECTORY ...

Run by `make conformance CAPTURE=file` (default: every file in tests/fixtures/captures/) under
scripts/with-simulator.sh, which exports EM_SIM_URL and EM_SIM_CA_PATH. A capture is the JSON file the modules write
with capture_dir / VEEAM_EM_CAPTURE (plugins/module_utils/_capture.py), or one built from the documentation's
examples (tests/fixtures/captures/README.md).

Shape, not values: per request the status, the root element (and its namespace), for every element the names of
its attributes and of its child elements, and for every Links element the set of (Rel, Type) pairs. Names, ids,
times and other text are never compared. In a list (several children of one name) every captured item is compared
with the simulator item of the most similar shape, so a list that holds other kinds of objects as well is no
difference; a list that is empty on one side cannot be compared and is reported as a note.

Replay: the simulator is reset before each file. A logon (POST .../sessionMngr/) is sent with the simulator's
account (the captured credentials are redacted); requests after it carry the simulator's token. Ids in URLs (GUIDs,
task-N, the capture's REDACTED-... markers) are translated: an id the simulator has answered for (a logon session, a
task, the Href of an entity that was compared) maps to the simulator's one; an unknown id of a collection
(/api/jobs/{id}) maps to the simulator's object of that collection whose answer is closest in shape (for a POST:
that offers the action link). A GET whose answer differs is repeated for a few seconds, since a task or session
changes state. Exchanges marked "compare": false are replayed (they set the simulator's state up) but not compared.
Exit status: 0 no difference, 1 differences, 2 bad input or the simulator not reachable.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import time
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_CAPTURES = os.path.join(ROOT, "tests", "fixtures", "captures")
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|task-\d+|REDACTED-[A-Z-]+-\d+")
LOGON = re.compile(r"(?i)/api/sessionMngr/?$")
LOGOFF = re.compile(r"(?i)/api/logonSessions/[^/]+$")
SETTLE_S = 8.0
MAX_CANDIDATES = 60
# The simulator's timelines, shortened so that a replayed task or session reaches its end state quickly.
FAST_SETTINGS = {"task_running_s": 0.2, "task_collect_s": 0.2, "session_starting_s": 0.3, "session_stopping_s": 0.2}


# ------------------------------------------------------------------------------------------ shape comparison
def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def namespace(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def attribute_name(name):
    if name.startswith("{%s}" % XSI):
        return "xsi:" + local(name)
    return local(name) if name.startswith("{") else name


def parse(body):
    """The root element of an XML body, or None (empty, not XML). No DTDs, no entities, no network."""
    from lxml import etree
    if not body or not body.strip():
        return None
    data = body.encode("utf-8") if isinstance(body, str) else body
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None


def elements(node):
    return [child for child in node if isinstance(child.tag, str)]


def link_pairs(links):
    return set((link.get("Rel"), link.get("Type")) for link in elements(links) if local(link.tag) == "Link")


def compare_elements(captured, simulated, path=None):
    """Differences between two elements in shape: a list of (path, text) for real differences and of ("note", path,
    text) for what cannot be compared. Pure: the unit tests call it directly."""
    path = path or local(captured.tag)
    found = []
    cap_attrs = set(attribute_name(name) for name in captured.attrib)
    sim_attrs = set(attribute_name(name) for name in simulated.attrib)
    if cap_attrs != sim_attrs:
        found.append(_diff(path, "attributes", cap_attrs - sim_attrs, sim_attrs - cap_attrs))
    if local(captured.tag) == "Links":
        cap_links, sim_links = link_pairs(captured), link_pairs(simulated)
        if cap_links != sim_links:
            found.append(_diff(path, "links (Rel, Type)", cap_links - sim_links, sim_links - cap_links))
        cap_link_attrs = set(attribute_name(n) for link in elements(captured) for n in link.attrib)
        sim_link_attrs = set(attribute_name(n) for link in elements(simulated) for n in link.attrib)
        if cap_link_attrs != sim_link_attrs and cap_links & sim_links:
            found.append(_diff(path + "/Link", "attributes", cap_link_attrs - sim_link_attrs,
                               sim_link_attrs - cap_link_attrs))
        return found
    cap_children, sim_children = _by_name(captured), _by_name(simulated)
    if not sim_children and _is_list(cap_children) or not cap_children and _is_list(sim_children):
        side = "the simulator's answer" if not sim_children else "the capture"
        return found + [("note", path, "empty in %s, not compared (a list)" % side)]
    if set(cap_children) != set(sim_children):
        found.append(_diff(path, "child elements", set(cap_children) - set(sim_children),
                           set(sim_children) - set(cap_children)))
    for name, cap_items in cap_children.items():
        sim_items = sim_children.get(name)
        if not sim_items:
            continue
        child_path = "%s/%s" % (path, name)
        if len(cap_items) == 1 and len(sim_items) == 1:
            found.extend(compare_elements(cap_items[0], sim_items[0], child_path))
            continue
        for cap_item in _distinct(cap_items):
            found.extend(best_match(cap_item, sim_items, child_path)[1])
    return found


def best_match(captured, candidates, path):
    """The candidate closest in shape to ``captured`` and the differences to it (notes do not count)."""
    best = None
    for candidate in _distinct(candidates):
        differences = compare_elements(captured, candidate, path)
        score = len([item for item in differences if item[0] != "note"])
        if best is None or score < best[0]:
            best = (score, candidate, differences)
            if score == 0:
                break
    return best[1], best[2]


def compare_answers(cap_status, cap_body, sim_status, sim_body):
    """Differences between a captured answer and the simulator's: status, root element, then the shapes."""
    found = []
    if cap_status != sim_status:
        found.append(("status", "capture %s, simulator %s" % (cap_status, sim_status)))
    cap_root, sim_root = parse(cap_body), parse(sim_body)
    if cap_root is None and sim_root is None:
        return found
    if cap_root is None or sim_root is None:
        found.append(("body", "capture %s, simulator %s" % (_root_name(cap_root), _root_name(sim_root))))
        return found
    if local(cap_root.tag) != local(sim_root.tag):
        found.append(("root element", "capture %s, simulator %s" % (local(cap_root.tag), local(sim_root.tag))))
        return found
    if namespace(cap_root.tag) != namespace(sim_root.tag):
        found.append(("root element", "namespace: capture %r, simulator %r"
                      % (namespace(cap_root.tag), namespace(sim_root.tag))))
    return found + compare_elements(cap_root, sim_root)


def differences_only(found):
    return [item for item in found if item[0] != "note"]


def _diff(path, what, only_captured, only_simulated):
    parts = []
    if only_captured:
        parts.append("in the capture only: %s" % _names(only_captured))
    if only_simulated:
        parts.append("in the simulator only: %s" % _names(only_simulated))
    return (path, "%s: %s" % (what, "; ".join(parts)))


def _names(items):
    return ", ".join(sorted("(%s, %s)" % item if isinstance(item, tuple) else str(item) for item in items))


def _by_name(node):
    grouped = {}
    for child in elements(node):
        grouped.setdefault(local(child.tag), []).append(child)
    return grouped


def _is_list(children):
    return len(children) == 1 and len(next(iter(children.values()))) >= 1 and next(iter(children)) not in (
        "Links",)


def _signature(node):
    if local(node.tag) == "Links":
        return ("Links", frozenset(link_pairs(node)))
    children = sorted(set(_signature(child) for child in elements(node)), key=repr)
    return (local(node.tag), frozenset(node.attrib), tuple(children))


def _distinct(items):
    seen = set()
    for item in items:
        signature = _signature(item)
        if signature not in seen:
            seen.add(signature)
            yield item


def _root_name(root):
    return "no XML body" if root is None else "<%s>" % local(root.tag)


# ---------------------------------------------------------------------------------------------------- replay
class Simulator(object):
    """HTTP to the simulator: its accounts, its token, its control API."""

    def __init__(self, url, ca_path, username, password):
        import requests
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        self.http.verify = ca_path
        self.basic = "Basic " + base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")
        self.token = None

    def send(self, method, path_query, body=None, logon=False):
        headers = {"Accept": "application/xml"}
        if logon:
            headers["Authorization"] = self.basic
        elif self.token:
            headers["X-RestSvcSessionId"] = self.token
        if body:
            headers["Content-Type"] = "application/xml"
        response = self.http.request(method, self.url + path_query, headers=headers, data=body, timeout=30,
                                     allow_redirects=False)
        if logon and response.status_code == 201:
            self.token = response.headers.get("X-RestSvcSessionId")
        return response.status_code, response.content

    def ensure_logon(self):
        if not self.token:
            status, dummy = self.send("POST", "/api/sessionMngr/?v=latest", logon=True)
            if status != 201:
                raise RuntimeError("the simulator refused the logon (HTTP %s)" % status)

    def reset(self, settings=None):
        self.token = None
        self.http.post(self.url + "/_sim/reset", timeout=30).raise_for_status()
        # A capture may name the simulator settings of the variant it shows (where the docs show two).
        self.http.post(self.url + "/_sim/config", json=dict(FAST_SETTINGS, **(settings or {})), timeout=30).raise_for_status()


def path_query(url):
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


class Replay(object):
    def __init__(self, sim):
        self.sim = sim
        self.ids = {}

    def run(self, capture):
        self.sim.reset(capture.get("simulator_settings"))
        self.ids = {}
        results = []
        for index, exchange in enumerate(capture.get("exchanges", []), 1):
            results.append(self.one(index, exchange))
        if self.sim.token:
            try:
                self.sim.send("DELETE", "/api/logonSessions/%s" % self._own_session_id())
            except Exception:  # pylint: disable=broad-except
                pass
        return results

    def _own_session_id(self):
        status, body = self.sim.send("GET", "/api/logonSessions")
        match = re.search(r"logonSessions/([0-9a-f-]{36})", body.decode("utf-8", "replace"))
        return match.group(1) if match else "none"

    def one(self, index, exchange):
        method = exchange["method"].upper()
        shown = "%s %s" % (method, ID.sub("{id}", path_query(exchange["url"])))
        result = dict(index=index, request=shown, source=exchange.get("source"), differences=[], notes=[])
        if exchange.get("status") is None:
            result["notes"].append("no answer was captured (%s); not replayed" % exchange.get("error", "no status"))
            return result
        target = path_query(exchange["url"])
        logon = method == "POST" and LOGON.search(urlsplit(target).path)
        if not logon:
            self.sim.ensure_logon()
            target = self.translate(method, target, exchange)
        body = exchange.get("request_body") or None
        if body:
            body = self._translate_text(body).encode("utf-8")
        status, answer = self.sim.send(method, target, body=body, logon=bool(logon))
        compare = exchange.get("compare", True)
        found = compare_answers(exchange["status"], exchange.get("response_body"), status, answer) if compare else []
        deadline = time.monotonic() + SETTLE_S
        while compare and method == "GET" and differences_only(found) and time.monotonic() < deadline:
            time.sleep(0.25)
            status, answer = self.sim.send(method, target)
            found = compare_answers(exchange["status"], exchange.get("response_body"), status, answer)
        if not compare:
            result["notes"].append("replayed to set the simulator up (it answered HTTP %s), not compared" % status)
        self.learn(exchange.get("response_body"), answer)
        if method == "DELETE" and LOGOFF.search(urlsplit(target).path) and status in (200, 204):
            self.sim.token = None
        result["differences"] = ["%s: %s" % item for item in differences_only(found)]
        result["notes"].extend("%s: %s" % item[1:] for item in found if item[0] == "note")
        return result

    # -- ids ---------------------------------------------------------------------------------------
    def learn(self, captured_body, simulated_body):
        """Pair the ids of the root Href (and UID) of a captured answer with the simulator's answer to it."""
        cap_root, sim_root = parse(captured_body), parse(simulated_body)
        if cap_root is None or sim_root is None or local(cap_root.tag) != local(sim_root.tag):
            return
        for attribute in ("Href", "UID"):
            cap_ids = ID.findall(cap_root.get(attribute) or "")
            sim_ids = ID.findall(sim_root.get(attribute) or "")
            if cap_ids and len(cap_ids) == len(sim_ids):
                for cap_id, sim_id in zip(cap_ids, sim_ids):
                    self.ids.setdefault(cap_id.lower(), sim_id)
        for element in ("SessionId", "TaskId"):
            cap_text = cap_root.findtext("{*}%s" % element)
            sim_text = sim_root.findtext("{*}%s" % element)
            if cap_text and sim_text:
                self.ids.setdefault(cap_text.strip().lower(), sim_text.strip())

    def _translate_text(self, text):
        return ID.sub(lambda match: self.ids.get(match.group(0).lower(), match.group(0)), text)

    def translate(self, method, target, exchange):
        path = urlsplit(target).path
        segments = path.split("/")
        for position, segment in enumerate(segments):
            if ID.fullmatch(segment) and segment.lower() not in self.ids:
                collection = "/".join(segments[:position])
                self.ids[segment.lower()] = self.candidate(method, collection, segment, target, exchange)
        return self._translate_text(target)

    def candidate(self, method, collection, captured_id, target, exchange):
        """The simulator's object of ``collection`` that answers the captured request most alike."""
        status, body = self.sim.send("GET", collection)
        root = parse(body)
        ids = []
        if root is not None:
            for node in root.iter():
                for value in (node.get("Href") or "",):
                    found = ID.findall(value.split(collection.rsplit("/", 1)[-1] + "/", 1)[-1]) if value else []
                    if found and found[0] not in ids and collection.lower() in value.lower():
                        ids.append(found[0])
        ids = ids[:MAX_CANDIDATES]
        if not ids:
            return captured_id
        best = None
        for sim_id in ids:
            trial = self._translate_text(target.replace(captured_id, sim_id))
            if method == "GET":
                status, answer = self.sim.send("GET", trial)
                score = len(differences_only(compare_answers(exchange["status"], exchange.get("response_body"),
                                                             status, answer)))
            else:
                status, answer = self.sim.send("GET", "%s/%s?format=Entity" % (collection, sim_id))
                offered = set(path_query(href).lower() for href in re.findall(r'Href="([^"]+)"',
                                                                              answer.decode("utf-8", "replace")))
                score = 0 if trial.lower().replace("&amp;", "&") in offered or trial.lower() in offered else 1
            if best is None or score < best[0]:
                best = (score, sim_id)
                if score == 0:
                    break
        return best[1]


# ------------------------------------------------------------------------------------------------------ CLI
def capture_files(paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(os.path.join(path, name) for name in sorted(os.listdir(path)) if name.endswith(".json"))
        else:
            files.append(path)
    return files


def load_capture(path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if not isinstance(document, dict) or not isinstance(document.get("exchanges"), list):
        raise ValueError("%s is not a capture file (a JSON object with an 'exchanges' list)" % path)
    for exchange in document["exchanges"]:
        # A capture built from the docs names the verbatim example instead of copying it (tests/fixtures/em_docs).
        name = exchange.pop("response_body_file", None)
        if name:
            with open(os.path.join(os.path.dirname(path), name), encoding="utf-8") as handle:
                exchange["response_body"] = handle.read()
    return document


def report(path, document, results, out):
    differing = [result for result in results if result["differences"]]
    out.write("== %s%s: %d request(s), %s\n" % (
        os.path.relpath(path), " (%s)" % document["description"] if document.get("description") else "",
        len(results), "%d differ" % len(differing) if differing else "same shape"))
    for result in results:
        mark = "DIFFERENT" if result["differences"] else "ok"
        source = "  [%s]" % result["source"] if result.get("source") else ""
        out.write("  %3d %-9s %s%s\n" % (result["index"], mark, result["request"], source))
        for line in result["differences"]:
            out.write("        - %s\n" % line)
        for line in result["notes"]:
            out.write("        . %s\n" % line)
    return len(differing)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("captures", nargs="*", default=[DEFAULT_CAPTURES])
    parser.add_argument("--url", default=os.environ.get("EM_SIM_URL"))
    parser.add_argument("--ca-path", default=os.environ.get("EM_SIM_CA_PATH"))
    sys.path.insert(0, HERE)
    from sim_vars import ACCOUNTS  # the simulator's default accounts, as with-simulator.sh writes them
    parser.add_argument("--username", default=ACCOUNTS["username"])
    parser.add_argument("--password", default=ACCOUNTS["password"])
    args = parser.parse_args(argv)
    if not args.url or not args.ca_path:
        parser.error("no simulator: give --url and --ca-path, or run under scripts/with-simulator.sh")
    files = capture_files(args.captures)
    if not files:
        parser.error("no capture files in %s" % ", ".join(args.captures))
    replay = Replay(Simulator(args.url, args.ca_path, args.username, args.password))
    total = differing = 0
    for path in files:
        try:
            document = load_capture(path)
        except (OSError, ValueError) as exc:
            sys.stderr.write("conformance: %s\n" % exc)
            return 2
        results = replay.run(document)
        total += len(results)
        differing += report(path, document, results, sys.stdout)
    sys.stdout.write("conformance: %d file(s), %d request(s), %d with a difference in shape\n"
                     % (len(files), total, differing))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
