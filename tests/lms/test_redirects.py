"""The ``next`` redirect after sign-in stays on this site."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from lms.auth.redirects import safe_next
from tests import factories
from tests.factories import PASSWORD

OFF_SITE = [
    "//evil.example",
    "//evil.example/team",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://evil.example",
    "https://evil.example/team",
    "HTTP://evil.example",
    "%2F%2Fevil.example",
    "/%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%252F%252Fevil.example",  # double-encoded
    "/\r\n/evil.example",
    "/%0d%0a/evil.example",
    "/\t/evil.example",  # browsers drop tabs and newlines, leaving //evil.example
    "\r\nLocation: http://evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " //evil.example",
    "team",
    "evil.example",
    "data:text/html,hi",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_fall_back_to_default(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/", "/team", "/team?x=1", "/people/3/edit?tab=a#top",
                                    "/notifications/?show=unread"])
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target, "/home") == target


def test_missing_target_falls_back_to_default():
    assert safe_next(None, "/home") == "/home"
    assert safe_next("", "/home") == "/home"


def _sign_in(client, person, target: str):
    return client.post(f"/login?next={quote(target, safe='')}",
                       data={"email": person.email, "password": PASSWORD})


@pytest.mark.parametrize("target", [
    "//evil.example", "/\\evil.example", "https:evil.example", "http://evil.example",
    "%2F%2Fevil.example", "/%5Cevil.example", "/\r\n/evil.example", "javascript:alert(1)",
])
def test_login_ignores_off_site_next(client, session, target):
    person = factories.person()

    response = _sign_in(client, person, target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "evil" not in response.headers["Location"]


def test_login_follows_next_on_this_site_with_its_query(client, session):
    person = factories.person()

    response = _sign_in(client, person, "/team?x=1")

    assert response.status_code == 302
    assert response.headers["Location"] == "/team?x=1"


def test_signed_in_visit_to_login_also_guards_next(client, session, login):
    person = factories.person()
    login(person)

    assert client.get("/login?next=//evil.example").headers["Location"] == "/"
    assert client.get("/login?next=/team%3Fx%3D1").headers["Location"] == "/team?x=1"


def test_protected_page_sends_its_path_as_next_and_login_returns_there(client, session):
    person = factories.person()

    bounced = client.get("/notifications/?show=unread")
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    assert login_url.startswith("/login?next=")

    response = client.post(login_url, data={"email": person.email, "password": PASSWORD})
    assert response.headers["Location"] == "/notifications/?show=unread"
