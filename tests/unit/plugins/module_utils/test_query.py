# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The query service (_query): filter expressions, the search URL, and paging through Next links."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._query import (
    filter_all,
    filter_any,
    iter_query,
    query,
    query_href,
    quote_value,
)
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils import em_xml
from ansible_collections.seedops.veeam_em.tests.unit.plugins.module_utils.em_calls import api_get


# -- query filters ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("DB Backup", '"DB Backup"'),
    ('Say "hi"', '"Say ""hi"""'),
    ('"', '""""'),
    ("a;b,c", '"a;b,c"'),
    (42, '"42"'),
])
def test_quote_value_quotes_and_doubles_embedded_quotes(value, expected):
    assert quote_value(value) == expected


@pytest.mark.parametrize("values, expected", [
    (["DB Backup"], 'Name=="DB Backup"'),
    (["a", "b"], '(Name=="a",Name=="b")'),
    (['x"y', "z"], '(Name=="x""y",Name=="z")'),
])
def test_filter_any_is_an_or_in_parentheses(values, expected):
    assert filter_any("Name", values) == expected


@pytest.mark.parametrize("terms, expected", [
    (('Name=="a"', None, '(JobType=="Backup",JobType=="Replica")'),
     'Name=="a";(JobType=="Backup",JobType=="Replica")'),
    (('Name=="a"',), 'Name=="a"'),
    ((None, ""), None),
    ((), None),
])
def test_filter_all_joins_non_empty_terms_with_and(terms, expected):
    assert filter_all(*terms) == expected


# -- the query service -----------------------------------------------------------------------------------
def test_query_href_encodes_every_parameter():
    assert query_href(em_xml.API, "Job", 'Name=="DB Backup";JobType=="Backup"', sort_desc="CreationTime") == (
        em_xml.API + "query?type=Job&format=Entities&filter=Name%3D%3D%22DB%20Backup%22%3BJobType%3D%3D%22Backup"
        "%22&sortDesc=CreationTime&pageSize=100&page=1")


def test_query_href_with_a_page_size():
    assert query_href(em_xml.API, "Job", page_size=7) == (
        em_xml.API + "query?type=Job&format=Entities&pageSize=7&page=1")


def test_query_follows_next_links_across_pages(em, http):
    first = em_xml.query_url("Job", 'JobType=="Backup"')
    second = em_xml.API + "query?type=Job&format=Entities&filter=JobType%3D%3D%22Backup%22&pageSize=100&page=2"
    third = second[:-1] + "3"
    http.expect(
        api_get(first).reply(200, em_xml.jobs_page([em_xml.job(name="A"), em_xml.job(name="B")], next_href=second,
                                                   pages=3)),
        api_get(second).reply(200, em_xml.jobs_page([em_xml.job(name="C")], next_href=third, page=2, pages=3)),
        api_get(third).reply(200, em_xml.jobs_page([em_xml.job(name="D")], page=3, pages=3)),
    )
    found = query(em, "Job", "Job", 'JobType=="Backup"')
    assert [element.get("Name") for element in found] == ["A", "B", "C", "D"]


def test_iter_query_fetches_no_further_page_once_the_consumer_stops(em, http):
    second = em_xml.query_url("Job", page=2)
    http.expect(api_get(em_xml.query_url("Job")).reply(
        200, em_xml.jobs_page([em_xml.job(name="A"), em_xml.job(name="B")], next_href=second, pages=2)))
    first = next(iter(iter_query(em, "Job", "Job")))
    assert first.get("Name") == "A"


def test_query_with_a_small_limit_asks_for_a_small_page_and_stops(em, http):
    http.expect(api_get(em_xml.query_url("BackupJobSession", sort_desc="CreationTime", page_size=1)).reply(
        200, em_xml.sessions_page([em_xml.job_session("11111111-0000-4000-8000-000000000001")],
                                  next_href=em_xml.query_url("BackupJobSession", page=2))))
    found = query(em, "BackupJobSession", "BackupJobSession", sort_desc="CreationTime", limit=1)
    assert len(found) == 1


def test_query_reads_tasks_under_resources(em, http):
    http.expect(api_get(em_xml.query_url("Task")).reply(200, em_xml.query_result(
        [em_xml.task("task-5", "Finished", success=True, message="Ok"), em_xml.task("task-6")], "Tasks",
        container="Resources")))
    hrefs = [element.get("Href") for element in query(em, "Task", "Task")]
    assert hrefs == [em_xml.task_href("task-5"), em_xml.task_href("task-6")]


def test_empty_query_result_gives_an_empty_list(em, http):
    http.expect(api_get(em_xml.query_url("Job")).reply(200, em_xml.empty_page()))
    assert query(em, "Job", "Job") == []
