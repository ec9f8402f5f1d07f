# -*- coding: utf-8 -*-
# Copyright: (c) 2026, seedops
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The user's url option becomes the API root (_urls)."""

from __future__ import annotations

import pytest

from ansible_collections.seedops.veeam_em.plugins.module_utils._errors import VeeamEmInputError
from ansible_collections.seedops.veeam_em.plugins.module_utils._urls import normalize_url, rebase, shorten


# -- normalize_url ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, expected", [
    ("em01", "https://em01:9398/api/"),
    ("em01.example.com:9399", "https://em01.example.com:9399/api/"),
    ("https://em01.example.com:9398", "https://em01.example.com:9398/api/"),
    ("https://em01.example.com:9398/", "https://em01.example.com:9398/api/"),
    ("https://em01/api", "https://em01:9398/api/"),
    ("https://em01:9398/api/", "https://em01:9398/api/"),
    ("  https://em01 \n", "https://em01:9398/api/"),
    ("HTTPS://em01", "https://em01:9398/api/"),
    ("10.0.0.5", "https://10.0.0.5:9398/api/"),
    ("[fd00::5]", "https://[fd00::5]:9398/api/"),
    ("https://[fd00::5]:9398/api", "https://[fd00::5]:9398/api/"),
])
def test_normalize_url_accepts(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url, expected_text", [
    ("", "url is empty"),
    ("   ", "url is empty"),
    (None, "url is empty"),
    ("ftp://em01", "the scheme must be https"),
    ("http://em01", "the scheme must be https"),
    ("ftp://admin:S3cretPW@em01", "the scheme must be https"),
    ("https://admin:S3cretPW@em01", "must not contain credentials"),
    ("https://admin@em01:9398", "must not contain credentials"),
    ("admin:S3cretPW@em01", "must not contain credentials"),
    ("https://admin:S3cretPW@em01:port", "is not a valid URL"),
    ("https://em01:99999", "is not a valid URL"),
    ("https://:9398", "has no host name"),
    ("https://em01/api/v2", "has the path '/api/v2'"),
    ("https://em01/other", "give only the server, e.g. https://em01:9398"),
    ("https://em01?x=1", "must not have a query string"),
    ("https://em01/api#top", "must not have a query string or fragment"),
])
def test_normalize_url_refuses_with_a_reason_and_never_shows_the_password(url, expected_text):
    with pytest.raises(VeeamEmInputError) as caught:
        normalize_url(url)
    assert expected_text in str(caught.value)
    assert "S3cretPW" not in str(caught.value)


@pytest.mark.parametrize("href, expected", [
    ("https://em01:9398/api/jobs/1", "https://em.example:9398/api/jobs/1"),
    ("http://10.0.0.5:9399/api/sessionMngr/?v=latest", "https://em.example:9398/api/sessionMngr/?v=latest"),
    ("https://EM01.corp/api/query?type=Job&filter=Name%3D%3D%22a%22",
     "https://em.example:9398/api/query?type=Job&filter=Name%3D%3D%22a%22"),
    ("/api/tasks/task-1", "https://em.example:9398/api/tasks/task-1"),
    ("tasks/task-1", "https://em.example:9398/api/tasks/task-1"),
    ("https://user:pw@evil.example/api/x#frag", "https://em.example:9398/api/x"),
])
def test_rebase_keeps_ems_path_and_query_on_the_configured_origin(href, expected):
    assert rebase("https://em.example:9398/api/", href) == expected


def test_shorten_bounds_what_a_message_repeats():
    assert shorten("abc") == "abc"
    long_name = "x" * 100000
    assert shorten(long_name) == "x" * 200 + "...(100000 characters)"


def test_a_huge_url_is_not_repeated_whole_in_the_message():
    with pytest.raises(VeeamEmInputError) as caught:
        normalize_url("https://em01/" + "a" * 100000)
    assert len(str(caught.value)) < 1000
