"""Ids and page numbers in query strings: a bad value is a 400 (or the first page), never 500.

The sweep signs in on the demo organisation, opens every HTML GET page once to learn which
query arguments its view reads, then asks for it again with each of them set to a value no
integer column can hold, a negative number and a word.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from werkzeug.datastructures import ImmutableMultiDict

from lms.demo import load_demo
from lms.extensions import db
from lms.web.args import parse_int

BAD_VALUES = ["99999999999999999999999", "-3", "abc", "²"]
# The table whose rows the id after each path segment names.
TABLES = {
    "assessments": "assessments", "attempts": "attempts", "banks": "question_banks",
    "certificates": "certificates", "check-ins": "check_ins", "communications": "communications",
    "councils": "councils", "courses": "courses", "gap-reviews": "gap_reviews", "goals": "goals",
    "manage": "courses", "managers": "users", "meetings": "council_meetings", "new": "rubrics",
    "people": "users", "plans": "reinforcement_plans", "program": "programs",
    "programs": "programs", "questions": "questions", "resources": "resources",
    "responses": "survey_responses", "reviews": "leader_reviews", "rubrics": "rubrics",
    "scorecards": "observations", "session": "live_sessions", "sessions": "live_sessions",
    "surveys": "surveys", "team": "users", "templates": "certificate_templates",
    "versions": None, "waves": "program_waves",
}


class _RecordingArgs(ImmutableMultiDict):
    """Query arguments that note every name a view asks for."""

    asked: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002  (werkzeug's signature)
        _RecordingArgs.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        _RecordingArgs.asked.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _RecordingArgs.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _RecordingArgs.asked.add(key)
        return super().__contains__(key)


def _first_id(table: str | None) -> str:
    if table is None:
        return "1"
    return str(db.session.scalar(text(f"SELECT min(id) FROM {table}")) or 1)  # noqa: S608


def _pages(app) -> list[str]:
    """Every HTML GET page, each id in its path naming a demo row where there is one."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static/")):
            continue
        url = re.sub(r"([\w-]+)/<int:\w+>", lambda m: f"{m[1]}/{_first_id(TABLES[m[1]])}",
                     rule.rule)
        urls.append(re.sub(r"<(?:\w+:)?\w+>", "x", url))
    return urls


def _status(client, url: str, query: dict | None = None) -> int:
    """The status of a GET; an error the test app lets through counts as the 500 it would be."""
    try:
        return client.get(url, query_string=query).status_code
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return 500


@pytest.fixture
def demo(ctx):
    people = load_demo()
    db.session.commit()  # a failed request's rollback must not take the demo with it
    return {person.email: person for person in people}


@pytest.mark.parametrize("who", ["admin@cadence.example", "manager1@cadence.example"])
def test_no_query_argument_value_makes_a_page_fail(app, client, demo, monkeypatch, who):
    monkeypatch.setattr(app.request_class, "parameter_storage_class", _RecordingArgs)
    client.post("/login", data={"email": who, "password": "cadence-demo-2026"})
    failures, swept = {}, 0
    for url in _pages(app):
        _RecordingArgs.asked = set()
        if _status(client, url) >= 500:
            failures[url] = "fails without arguments"
            continue
        for name in sorted(_RecordingArgs.asked - {"next"}):
            for value in BAD_VALUES:
                swept += 1
                status = _status(client, url, {name: value})
                if status >= 500:
                    failures[f"{url}?{name}={value}"] = status

    assert failures == {}
    assert swept > 200  # the sweep reached the argument-reading views


@pytest.mark.parametrize("url", [
    "/courses/?page=99999999999999999999999", "/people/?page=-1", "/notifications/?page=abc",
])
def test_a_page_number_out_of_range_shows_the_first_page(client, demo, url):
    client.post("/login", data={"email": "admin@cadence.example",
                                "password": "cadence-demo-2026"})

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("argument", [
    "person=99999999999999999999999", "person=abc", "person=-1", "person=0",
])
def test_an_id_argument_that_names_nothing_is_a_bad_request(client, demo, argument):
    client.post("/login", data={"email": "admin@cadence.example",
                                "password": "cadence-demo-2026"})

    response = client.get(f"/reinforcement/goals/team?{argument}")

    assert response.status_code == 400
    assert "“person” must be a whole number" in response.get_data(as_text=True)


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 7 ", 7), ("0", None), ("-1", None), ("2147483648", None), ("²", None),
    ("1e3", None), ("", None), (None, None), ("9" * 5000, None),
])
def test_parse_int_takes_only_ids_in_range(raw, expected):
    assert parse_int(raw) == expected
