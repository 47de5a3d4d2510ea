"""The 500 page after a database error: rolled back, in the site's layout, every security
header; and a plain page with the same headers when even the layout cannot render."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms.extensions import db
from lms.home import views as home_views
from lms.people.models import User
from tests import factories


@pytest.fixture
def server_errors(app):
    """Answer unexpected errors with the 500 page, as in production, not by raising."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    yield
    app.config["PROPAGATE_EXCEPTIONS"] = None


def _missing_table(person):
    db.session.execute(text("SELECT * FROM no_such_table"))


def _duplicate_email(person):
    db.session.add(User(email=person.email, name="Twin", level="rep"))
    db.session.flush()


def assert_secured(app, response):
    for name, value in app.extensions["cadence_security_headers"].items():
        assert response.headers.get(name) == value, name


@pytest.mark.parametrize("failure", [_missing_table, _duplicate_email])
def test_the_500_page_renders_in_the_layout_after_a_database_error(
        app, client, login, server_errors, monkeypatch, failure):
    person = factories.person(name="Pat Person")
    login(person)
    monkeypatch.setattr(home_views, "next_steps", failure)

    response = client.get("/")

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and 'class="navbar-brand' in page
    assert "Pat Person" in page  # the signed-in menu, not the anonymous layout
    assert_secured(app, response)
    assert client.get("/notifications/").status_code == 200  # the next request is fine


def test_a_plain_page_with_every_header_when_the_layout_fails(
        app, client, login, server_errors, monkeypatch):
    login(factories.person())
    monkeypatch.setattr(home_views, "next_steps", _missing_table)

    def broken(*args, **kwargs):
        raise RuntimeError("the layout is broken too")

    monkeypatch.setattr("lms.errors.render_template", broken)

    response = client.get("/")

    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Something went wrong" in response.get_data(as_text=True)
    assert_secured(app, response)


def test_the_api_answers_json_after_a_database_error(app, client, server_errors, monkeypatch):
    from lms.people import api as people_api
    from tests.api_support import token_headers

    headers = token_headers(factories.admin(), ["people:read"])
    monkeypatch.setattr(people_api, "load_visible", lambda *a, **k: _missing_table(None))

    response = client.get("/api/v1/people/1", headers=headers)

    assert response.status_code == 500
    assert response.get_json() == {"errors": {"request": ["Internal server error."]}}
