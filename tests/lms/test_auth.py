"""Sign-in, throttling, sessions, account settings and personal API tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.auth import services
from lms.auth.models import ApiToken
from lms.auth.passwords import verify_password
from lms.auth.views import SIGN_IN_FAILED
from lms.people.services import deactivate_person
from tests import factories
from tests.factories import PASSWORD

NEW_PASSWORD = "violet kettles hum at dawn"  # noqa: S105
COOKIES = ("cadence_session", "cadence_remember")


def _post_login(client, email: str, password: str, **data):
    return client.post("/login", data={"email": email, "password": password, **data})


def _failure_page(response) -> str:
    """A failed sign-in page without the email typed back into the form."""
    page = response.get_data(as_text=True)
    return re.sub(r'value="[^"]*"', "", page)


def _copy_cookies(source, target, names=COOKIES) -> None:
    """Give ``target`` the cookies ``source`` holds, as a thief with a copy would."""
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _signed_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


# --- sign-in ------------------------------------------------------------------------------------

def test_sign_in_with_right_password_reaches_home(client, session):
    person = factories.person(name="Sam Seller")

    response = _post_login(client, person.email, PASSWORD)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Sam Seller" in client.get("/").get_data(as_text=True)


def test_sign_in_cookies_are_httponly_and_samesite_lax(client, session):
    person = factories.person()

    response = _post_login(client, person.email, PASSWORD, remember="y")

    cookies = {header.split("=", 1)[0]: header
               for header in response.headers.getlist("Set-Cookie")}
    assert set(COOKIES) <= set(cookies)
    for name in COOKIES:
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]


def test_sign_in_ignores_email_case_and_spaces(client, session):
    person = factories.person()
    assert _post_login(client, f"  {person.email.upper()} ", PASSWORD).status_code == 302


def test_wrong_password_is_refused(client, session):
    person = factories.person()

    response = _post_login(client, person.email, "not the password")

    assert response.status_code == 401
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    assert _signed_out(client.get("/account"))


def test_failure_never_reveals_whether_the_account_exists(client, session):
    known = factories.person(email="known@example.test")
    gone = factories.person(email="gone@example.test")
    deactivate_person(gone, by=None)
    factories.person(email="nopass@example.test", password=None)
    session.commit()
    attempts = {
        "unknown email": ("unknown@example.test", "some guess 123"),
        "wrong password": (known.email, "some guess 123"),
        "deactivated, right password": (gone.email, PASSWORD),
        "no password set": ("nopass@example.test", PASSWORD),
    }

    responses = {case: _post_login(client, *creds) for case, creds in attempts.items()}

    assert {response.status_code for response in responses.values()} == {401}
    pages = {case: _failure_page(response) for case, response in responses.items()}
    assert len(set(pages.values())) == 1, "the page differs between the cases"
    assert SIGN_IN_FAILED in pages["unknown email"]


def test_person_without_password_cannot_sign_in_with_empty_password(client, session):
    person = factories.person(password=None)
    assert _post_login(client, person.email, "").status_code == 401
    assert services.authenticate(person.email, "") is None
    assert _signed_out(client.get("/account"))


def test_deactivated_person_cannot_sign_in(client, session):
    person = factories.person()
    deactivate_person(person, by=None)
    assert services.authenticate(person.email, PASSWORD) is None
    assert _post_login(client, person.email, PASSWORD).status_code == 401


def test_sign_in_replaces_the_session_to_prevent_fixation(client, session):
    person = factories.person()
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"

    _post_login(client, person.email, PASSWORD)

    with client.session_transaction() as current:
        assert "planted" not in current


def test_login_form_requires_csrf_token(client, session, csrf_enabled):
    person = factories.person()
    response = _post_login(client, person.email, PASSWORD)
    assert response.status_code in (400, 401)
    assert _signed_out(client.get("/account"))


def test_logout_requires_post(client, session, login):
    login(factories.person())
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


# --- throttling ---------------------------------------------------------------------------------

def _limit(app) -> int:
    assert app.config["LOGIN_THROTTLE"] == "5 per 15 minutes"
    return 5


def test_repeated_failures_throttle_even_the_right_password(app, client, session):
    person = factories.person()
    for _ in range(_limit(app)):
        assert _post_login(client, person.email, "wrong guess").status_code == 401

    response = _post_login(client, person.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert _signed_out(client.get("/account"))


def test_unknown_email_is_throttled_alike_so_429_reveals_nothing(app, client, session):
    for _ in range(_limit(app)):
        assert _post_login(client, "nobody@example.test", "wrong guess").status_code == 401
    assert _post_login(client, "nobody@example.test", "wrong guess").status_code == 429


def test_throttle_counts_the_email_whatever_its_case(app, client, session):
    person = factories.person()
    for attempt in range(_limit(app)):
        address = person.email.upper() if attempt % 2 else person.email
        _post_login(client, address, "wrong guess")
    assert _post_login(client, person.email, PASSWORD).status_code == 429


def test_throttle_for_one_email_does_not_block_another_from_the_same_address(app, client,
                                                                              session):
    victim, other = factories.person(), factories.person()
    for _ in range(_limit(app)):
        _post_login(client, victim.email, "wrong guess")

    assert _post_login(client, other.email, PASSWORD).status_code == 302


def test_throttle_for_one_address_does_not_block_another_address(app, session):
    person = factories.person()
    attacker = app.test_client()
    for _ in range(_limit(app)):
        attacker.post("/login", data={"email": person.email, "password": "wrong guess"},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})

    owner = app.test_client()
    response = owner.post("/login", data={"email": person.email, "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert response.status_code == 302


def test_throttle_ignores_a_spoofed_forwarded_for_header(app, client, session):
    assert not app.config["TRUSTED_PROXIES"]
    person = factories.person()
    for attempt in range(_limit(app)):
        client.post("/login", data={"email": person.email, "password": "wrong guess"},
                    headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
    response = client.post("/login", data={"email": person.email, "password": PASSWORD},
                           headers={"X-Forwarded-For": "198.51.100.200"})
    assert response.status_code == 429


def test_successful_sign_ins_do_not_count_towards_the_throttle(app, client, session):
    person = factories.person()
    for _ in range(_limit(app) + 2):
        assert _post_login(client, person.email, PASSWORD).status_code == 302
        client.post("/logout")
    assert _post_login(client, person.email, "wrong guess").status_code == 401


def test_failures_below_the_limit_still_allow_sign_in(app, client, session):
    person = factories.person()
    for _ in range(_limit(app) - 1):
        _post_login(client, person.email, "wrong guess")
    assert _post_login(client, person.email, PASSWORD).status_code == 302


def test_viewing_the_sign_in_page_is_not_throttled(app, client, session):
    person = factories.person()
    for _ in range(_limit(app)):
        _post_login(client, person.email, "wrong guess")
    assert client.get("/login").status_code == 200


# --- sessions end everywhere --------------------------------------------------------------------

@pytest.fixture
def thief(app, client, session, login):
    """Sign a person in with remember-me and hand a copy of both cookies to another client."""
    person = factories.person()
    login(person, remember=True)
    assert all(client.get_cookie(name) is not None for name in COOKIES)
    copy = app.test_client()
    _copy_cookies(client, copy)
    assert copy.get("/account").status_code == 200  # the copy works before the event
    return person, copy


@pytest.fixture
def remember_only(app, client, thief):
    """Another client holding only the remember-me cookie (a browser restarted later)."""
    copy = app.test_client()
    _copy_cookies(client, copy, names=("cadence_remember",))
    assert copy.get("/account").status_code == 200
    return copy


def test_remember_me_cookie_alone_signs_in(remember_only):
    # The fixture checked the page opens; the person got a fresh session from the cookie.
    assert remember_only.get_cookie("cadence_session") is not None


def test_without_remember_me_no_remember_cookie_is_set(client, session, login):
    login(factories.person())
    assert client.get_cookie("cadence_remember") is None


def test_logout_ends_every_copy_of_the_cookies(client, thief, remember_only):
    _person, copy = thief

    client.post("/logout")

    assert _signed_out(client.get("/account"))
    assert _signed_out(copy.get("/account"))
    assert _signed_out(remember_only.get("/account"))


def test_password_change_ends_other_sessions_but_keeps_this_one(client, thief, remember_only):
    person, copy = thief

    response = client.post("/account/password",
                           data={"current_password": PASSWORD, "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert _signed_out(copy.get("/account"))
    assert _signed_out(remember_only.get("/account"))


def test_password_change_keeps_remember_me_working_in_this_browser(app, client, thief):
    client.post("/account/password",
                data={"current_password": PASSWORD, "password": NEW_PASSWORD})
    restarted = app.test_client()  # the browser closed: only the remember cookie survives
    _copy_cookies(client, restarted, names=("cadence_remember",))

    assert restarted.get("/account").status_code == 200


def test_deactivation_ends_every_session(client, session, thief, remember_only):
    person, copy = thief
    admin = factories.admin()

    deactivate_person(person, by=admin)
    session.commit()

    assert _signed_out(client.get("/account"))
    assert _signed_out(copy.get("/account"))
    assert _signed_out(remember_only.get("/account"))


def test_deactivation_generation_bump_ends_sessions_even_after_reactivation(
        client, session, thief, remember_only):
    from lms.people.services import reactivate_person

    person, copy = thief
    deactivate_person(person, by=None)
    reactivate_person(person, by=None)
    session.commit()

    assert _signed_out(copy.get("/account"))
    assert _signed_out(remember_only.get("/account"))


def test_tampered_session_generation_is_refused(app, client, session, login):
    person = factories.person()
    login(person)
    forged = app.test_client()
    with forged.session_transaction() as data:
        data["_user_id"] = f"{person.id}:{person.session_generation + 1}"
        data["_fresh"] = True
    assert _signed_out(forged.get("/account"))


# --- account settings ---------------------------------------------------------------------------

def test_change_password_with_wrong_current_password_changes_nothing(client, session, login):
    person = factories.person()
    login(person)
    generation = person.session_generation

    response = client.post("/account/password",
                           data={"current_password": "not it", "password": NEW_PASSWORD})

    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    session.refresh(person)
    assert verify_password(person.password_hash, PASSWORD)[0]
    assert person.session_generation == generation


def test_change_password_refuses_a_weak_one_next_to_the_field(client, session, login):
    person = factories.person()
    login(person)

    response = client.post("/account/password",
                           data={"current_password": PASSWORD, "password": "short"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="password-error"[^>]*>[^<]*at least 12', page)
    session.refresh(person)
    assert verify_password(person.password_hash, PASSWORD)[0]


def test_change_password_then_sign_in_with_the_new_one(app, client, session, login):
    person = factories.person()
    login(person)
    client.post("/account/password",
                data={"current_password": PASSWORD, "password": NEW_PASSWORD})

    fresh = app.test_client()
    assert _post_login(fresh, person.email, PASSWORD).status_code == 401
    assert _post_login(fresh, person.email, NEW_PASSWORD).status_code == 302


def test_change_email_requires_current_password(client, session, login):
    person = factories.person()
    old_email = person.email
    login(person)

    response = client.post("/account/email",
                           data={"email": "new.address@example.com", "current_password": "nope"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="email-current-password-error"[^>]*>[^<]*not correct', page)
    assert 'value="new.address@example.com"' in page  # what was typed is kept
    session.refresh(person)
    assert person.email == old_email


def test_change_email_with_password(client, session, login):
    person = factories.person()
    login(person)

    response = client.post("/account/email", data={"email": "New.Address@Example.com",
                                                   "current_password": PASSWORD})

    assert response.status_code == 302
    session.refresh(person)
    assert person.email == "new.address@example.com"


def test_change_email_to_someone_elses_is_refused(client, session, login):
    person, other = factories.person(), factories.person(email="taken@example.com")
    login(person)

    response = client.post("/account/email", data={"email": other.email,
                                                   "current_password": PASSWORD})

    assert response.status_code == 422
    assert "Another person already uses this email." in response.get_data(as_text=True)


def test_profile_update_keeps_input_on_bad_time_zone(client, session, login):
    person = factories.person(name="Old Name")
    login(person)

    response = client.post("/account", data={"name": "New Name", "time_zone": "Mars/Base"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown time zone." in page and 'value="Mars/Base"' in page
    session.refresh(person)
    assert person.name == "Old Name"


# --- personal API tokens ------------------------------------------------------------------------

def _create_token(client, password: str = PASSWORD, **data):
    form = {"name": "CRM sync", "scopes": ["people:read"], "days": "30",
            "current_password": password, **data}
    return client.post("/account/tokens", data=form)


def _secret(response) -> str | None:
    match = re.search(r'id="new-token">(cad_[A-Za-z0-9_\-]+)<', response.get_data(as_text=True))
    return match.group(1) if match else None


def _api_me(client, secret: str):
    return client.get("/api/v1/people/me", headers={"Authorization": f"Bearer {secret}"})


def test_token_creation_needs_the_current_password(client, session, login):
    person = factories.person()
    login(person)

    response = _create_token(client, password="wrong")  # noqa: S106

    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)
    assert _secret(response) is None
    assert session.scalars(select(ApiToken).where(ApiToken.user_id == person.id)).all() == []


def test_token_secret_is_shown_once_and_stored_hashed(client, session, login):
    person = factories.person()
    login(person)

    response = _create_token(client)

    assert response.status_code == 200
    secret = _secret(response)
    assert secret is not None
    (token,) = session.scalars(select(ApiToken).where(ApiToken.user_id == person.id)).all()
    assert token.token_hash == services.digest(secret)
    stored = [str(getattr(token, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value for value in stored)
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 3

    reloaded = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in reloaded
    assert "CRM sync" in reloaded and token.prefix in reloaded


def test_new_token_works_against_the_api(client, session, login):
    person = factories.person()
    login(person)
    secret = _secret(_create_token(client))

    response = _api_me(client, secret)

    assert response.status_code == 200
    assert response.get_json()["email"] == person.email


def test_token_refuses_unknown_scope(client, session, login):
    login(factories.person())
    response = _create_token(client, scopes=["people:read", "root:all"])
    assert response.status_code == 422
    assert _secret(response) is None


def test_tokens_are_listed_and_revocable(client, session, login):
    person = factories.person()
    login(person)
    secret = _secret(_create_token(client, name="First"))
    _create_token(client, name="Second")
    first = session.scalar(select(ApiToken).where(ApiToken.name == "First"))

    response = client.post(f"/account/tokens/{first.id}/revoke")

    assert response.status_code == 302
    session.refresh(first)
    assert first.revoked_at is not None
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "First" in page and "Second" in page and "revoked" in page
    assert _api_me(client, secret).status_code == 401


def test_someone_elses_token_cannot_be_revoked_or_seen(app, client, session, login):
    owner, other = factories.person(), factories.person()
    token, _secret_value = services.create_api_token(owner, password=PASSWORD, name="Owner's",
                                                     scopes=["people:read"], days=30)
    session.commit()
    login(other)

    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert "Owner&#39;s" not in client.get("/account/tokens").get_data(as_text=True)
    session.refresh(token)
    assert token.revoked_at is None


def test_password_change_revokes_every_token(client, session, login):
    person = factories.person()
    login(person)
    secrets = [_secret(_create_token(client, name=name)) for name in ("One", "Two")]

    client.post("/account/password",
                data={"current_password": PASSWORD, "password": NEW_PASSWORD})

    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == person.id)).all()
    assert len(tokens) == 2 and all(token.revoked_at is not None for token in tokens)
    assert all(_api_me(client, secret).status_code == 401 for secret in secrets)


def test_deactivation_revokes_every_token(client, session, login):
    person = factories.person()
    login(person)
    secret = _secret(_create_token(client))

    deactivate_person(person, by=None)
    session.commit()

    assert _api_me(client, secret).status_code == 401


def test_api_ignores_the_session_cookie(client, session, login):
    login(factories.person())
    assert client.get("/api/v1/people/me").status_code == 401
