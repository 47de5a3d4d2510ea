"""Integers in URLs are bounded: an id no column can hold is a 404, never a 500."""

from __future__ import annotations

import re

import pytest

from lms.auth.services import SCOPES
from lms.web.converters import ID_MAX
from tests import factories
from tests.api_support import token_headers

HUGE = ["99999999999999999999999", "9223372036854775808", str(ID_MAX + 1), "0"]


def _urls(app, *, api: bool, value: str) -> list[tuple[str, str]]:
    """Every (method, url) with an ``<int:…>`` argument, each such argument set to ``value``."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") != api or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", value, rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)  # any other argument: a harmless word
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.mark.parametrize("value", HUGE)
def test_every_html_route_answers_404_for_an_id_out_of_range(app, client, login, value):
    login(factories.admin())
    urls = _urls(app, api=False, value=value)

    answers = {(method, url): client.open(url, method=method).status_code
               for method, url in urls}

    assert len(urls) > 100
    # 405: the URL matched another route, one taking a word (a token) where the id was.
    assert {key: code for key, code in answers.items() if code not in (404, 405)} == {}


@pytest.mark.parametrize("value", HUGE)
def test_every_api_route_answers_404_for_an_id_out_of_range(app, client, value):
    headers = token_headers(factories.admin(), SCOPES)
    urls = _urls(app, api=True, value=value)

    answers = {(method, url): client.open(url, method=method, headers=headers, json={})
               for method, url in urls}

    assert len(urls) > 50
    assert {key: r.status_code for key, r in answers.items()
            if r.status_code not in (404, 405)} == {}
    assert all(r.is_json for r in answers.values())


def test_people_page_with_a_huge_id_is_not_found(client, login):
    login(factories.admin())

    assert client.get("/people/99999999999999999999999").status_code == 404


def test_largest_id_still_routes(client, login):
    login(factories.admin())

    assert client.get(f"/people/{ID_MAX}").status_code == 404  # routed, then not found


def test_openapi_declares_the_bounds_of_every_integer_path_parameter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = [parameter for operations in spec["paths"].values()
                  for parameter in operations.get("parameters", [])
                  if parameter["in"] == "path" and parameter["schema"]["type"] == "integer"]

    assert len(parameters) > 20
    assert all(p["schema"]["minimum"] == 1 and p["schema"]["maximum"] == ID_MAX
               for p in parameters)
