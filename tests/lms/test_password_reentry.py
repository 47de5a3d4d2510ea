"""Re-entering one's password (email, password, API token pages) is throttled as sign-in is,
per person across the three pages: once spent, even the right password waits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.auth.models import ApiToken
from tests import factories
from tests.factories import PASSWORD

LIMIT = 5  # the default CADENCE_LOGIN_THROTTLE, "5 per 15 minutes"
NEW_PASSWORD = "an entirely different passphrase"  # noqa: S105  (test only)


def change_email(client, password):
    return client.post("/account/email", data={"current_password": password,
                                               "email": "new.address@example.test"})


def change_password(client, password):
    return client.post("/account/password", data={
        "current_password": password, "password": NEW_PASSWORD})


def create_token(client, password):
    return client.post("/account/tokens", data={"current_password": password, "name": "ci",
                                                "scopes": ["people:read"], "days": 30})


PAGES = [change_email, change_password, create_token]


@pytest.mark.parametrize("page", PAGES)
def test_wrong_re_entries_lock_the_right_password_out_too(app, client, login, session, page):
    assert app.config["LOGIN_THROTTLE"] == "5 per 15 minutes"
    person = factories.person()
    login(person)
    for _ in range(LIMIT):
        assert page(client, "wrong guess").status_code == 422

    response = page(client, PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert person.email != "new.address@example.test"
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_pages_share_one_count_per_person(client, login, switch, session):
    person, other = factories.person(), factories.person()
    login(person)
    for attempt in range(LIMIT):
        PAGES[attempt % 3](client, "wrong guess")

    assert create_token(client, PASSWORD).status_code == 429
    switch(other)  # someone else keeps their own tries
    assert create_token(client, PASSWORD).status_code == 200


def test_right_passwords_and_other_mistakes_do_not_count(client, login, session):
    login(factories.person())
    for _ in range(LIMIT + 1):
        assert client.post("/account/password", data={
            "current_password": PASSWORD, "password": "short"},
        ).status_code == 422

    assert create_token(client, PASSWORD).status_code == 200
