"""scripts/conformance.py: the shape comparison (pure functions) and the replay against the simulator.

The comparison must find every kind of difference it promises (status, root element, attribute names, child element
names, link Rel/Type sets) and none in values; a list is compared item by item against the closest item. The replay
must log on with the simulator's account, translate ids, and find no difference when it replays a capture the
modules' own capture wrote against this simulator (a round trip), but find one that was put into a capture.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os

import pytest

from collection_path import REPO_ROOT, import_module_utils

SCRIPT = os.path.join(REPO_ROOT, "scripts", "conformance.py")
SPEC = importlib.util.spec_from_file_location("conformance", SCRIPT)
conformance = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(conformance)

NS = 'xmlns="http://www.veeam.com/ent/v1.0"'
JOB = ('<Job %s Type="Job" Href="https://em/api/jobs/1" Name="%%s" UID="u"><Links>'
       '<Link Rel="Up" Type="BackupServerReference" Href="a" Name="s"/>%%s</Links>'
       '<JobType>%%s</JobType><Platform>VMware</Platform>%%s</Job>' % NS)


def job(name="A", links="", job_type="Backup", extra=""):
    return JOB % (name, links, job_type, extra)


def differences(cap, sim, cap_status=200, sim_status=200):
    return conformance.differences_only(conformance.compare_answers(cap_status, cap, sim_status, sim))


def test_values_are_never_compared():
    assert differences(job("A", job_type="Backup"), job("Other name", job_type="Replica")) == []


def test_a_status_and_a_root_element_that_differ_are_differences():
    assert differences(job(), "<Error %s Message='x'/>" % NS, 200, 404) == [
        ("status", "capture 200, simulator 404"), ("root element", "capture Job, simulator Error")]


def test_a_missing_or_extra_child_element_is_a_difference():
    found = differences(job(extra="<NextRun>x</NextRun>"), job(extra="<Description>y</Description>"))
    assert found == [("Job", "child elements: in the capture only: NextRun; in the simulator only: Description")]


def test_an_attribute_name_that_differs_is_a_difference():
    found = differences(job().replace('UID="u"', 'UID="u" Extra="1"'), job())
    assert found == [("Job", "attributes: in the capture only: Extra")]


def test_link_rel_and_type_sets_are_compared_not_hrefs():
    assert differences(job(links='<Link Rel="Start" Href="x?action=start"/>'),
                       job(links='<Link Rel="Start" Href="other"/>')) == []
    found = differences(job(links='<Link Rel="Sync" Href="x?action=sync"/>'), job())
    assert found == [("Job/Links", "links (Rel, Type): in the capture only: (Sync, None)")]


def test_a_namespace_that_differs_is_a_difference():
    found = differences(job(), job().replace(NS, 'xmlns="urn:other"'))
    assert found and found[0][0] == "root element"


def test_each_list_item_is_compared_with_the_closest_item_of_the_simulator():
    captured = "<Jobs %s>%s</Jobs>" % (NS, job(links='<Link Rel="Start" Href="s"/>'))
    simulated = "<Jobs %s>%s%s</Jobs>" % (NS, job(links='<Link Rel="Sync" Href="s"/>'),
                                          job(links='<Link Rel="Start" Href="s"/>'))
    assert differences(captured, simulated) == []
    lacking = "<Jobs %s>%s</Jobs>" % (NS, job(links='<Link Rel="Sync" Href="s"/>'))
    assert differences(captured, lacking) == [
        ("Jobs/Job/Links", "links (Rel, Type): in the capture only: (Start, None); in the simulator only: (Sync, None)")]


def test_an_empty_list_on_one_side_is_a_note_not_a_difference():
    found = conformance.compare_answers(200, "<Jobs %s>%s</Jobs>" % (NS, job()), 200, "<Jobs %s/>" % NS)
    assert conformance.differences_only(found) == []
    assert found == [("note", "Jobs", "empty in the simulator's answer, not compared (a list)")]


def test_bodies_that_are_not_xml():
    assert differences("", "") == []
    assert differences(job(), "") == [("body", "capture <Job>, simulator no XML body")]
    assert conformance.parse("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>").text is None


def test_a_capture_built_from_the_docs_reads_its_body_from_the_verbatim_example():
    document = conformance.load_capture(os.path.join(REPO_ROOT, "tests", "fixtures", "captures", "docs-logon.json"))
    assert "<LogonSession" in document["exchanges"][0]["response_body"]


# ------------------------------------------------------------------------------------------ against the simulator
@pytest.fixture
def own_capture(sim, tmp_path):
    """A capture that the modules' own code wrote against this simulator: a job list, a job, a start, its task."""
    _capture = import_module_utils("_capture")
    _session = import_module_utils("_session")
    capture = _capture.Capture(str(tmp_path), url=sim.url, username="admin", password="Secr3t&P@ss:word")
    with _session.EmSession(sim.url, "admin", "Secr3t&P@ss:word", ca_path=sim.ca_path, capture=capture) as em:
        jobs = em.get(em.link("Down", "JobReferenceList")["href"])
        em.get([ref.get("Href") for ref in jobs if ref.get("Name") == "DB Backup"][0] + "?format=Entity")
    return capture.path


def replay(sim, path):
    document = conformance.load_capture(path)
    results = conformance.Replay(conformance.Simulator(sim.url, sim.ca_path, "admin", "Secr3t&P@ss:word")).run(document)
    out = io.StringIO()
    return results, conformance.report(path, document, results, out), out.getvalue()


def test_a_round_trip_of_the_simulators_own_capture_has_no_difference(sim, own_capture):
    results, differing, text = replay(sim, own_capture)
    assert differing == 0, text
    assert [result["request"].split(" ", 1)[0] for result in results] == ["GET", "POST", "GET", "GET", "DELETE"]
    counters = sim.counters()
    # Logon on replay with the simulator's account although the capture's credentials are redacted.
    assert counters["logons"] >= 1 and counters["failed_logons"] == 0


def test_a_difference_put_into_a_capture_fails_and_is_named(sim, own_capture, tmp_path):
    with open(own_capture) as handle:
        document = json.load(handle)
    entity = document["exchanges"][3]
    entity["response_body"] = entity["response_body"].replace("<Links>", '<Links><Link Rel="Frobnicate" Type="Job" '
                                                              'Href="https://x/api/jobs/1?action=frobnicate" />', 1)
    changed = str(tmp_path / "changed.json")
    with open(changed, "w") as handle:
        json.dump(document, handle)
    results, differing, text = replay(sim, changed)
    assert differing == 1
    assert "4 DIFFERENT GET /api/jobs/{id}?format=Entity" in text
    assert "Job/Links: links (Rel, Type): in the capture only: (Frobnicate, Job)" in text


def test_the_command_line_exits_0_without_a_difference_and_2_on_bad_input(sim, own_capture, capsys):
    assert conformance.main(["--url", sim.url, "--ca-path", sim.ca_path, own_capture]) == 0
    assert "1 file(s), 5 request(s), 0 with a difference in shape" in capsys.readouterr().out
    not_a_capture = os.path.join(REPO_ROOT, "galaxy.yml")
    assert conformance.main(["--url", sim.url, "--ca-path", sim.ca_path, not_a_capture]) == 2
