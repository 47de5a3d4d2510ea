"""Password hashing, the password policy and password reset by emailed link."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lms.auth import services
from lms.auth.models import PasswordReset
from lms.auth.passwords import common_passwords, hash_password, password_problems, verify_password
from lms.db import utcnow
from lms.errors import ValidationError
from lms.notify.models import DeliveryStatus, OutboxMessage
from lms.people.services import deactivate_person
from tests import factories
from tests.factories import PASSWORD

NEW_PASSWORD = "violet kettles hum at dawn"  # noqa: S105
RESET_LINK = re.compile(r"https?://[^\s\"'<>]+/password/reset/[A-Za-z0-9_\-]+")


# --- hashing ------------------------------------------------------------------------------------

def test_new_hashes_are_argon2id(ctx):
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, PASSWORD) == (True, False)
    assert verify_password(stored, PASSWORD + "x") == (False, False)


def test_missing_or_garbage_hash_never_verifies(ctx):
    assert verify_password(None, PASSWORD) == (False, False)
    assert verify_password("", PASSWORD) == (False, False)
    assert verify_password("$argon2id$not-a-hash", PASSWORD) == (False, False)


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256"])
def test_werkzeug_hash_verifies_and_is_upgraded_on_login(client, session, method):
    person = factories.person()
    person.password_hash = generate_password_hash(PASSWORD, method=method)
    session.commit()

    response = client.post("/login", data={"email": person.email, "password": PASSWORD})

    assert response.status_code == 302
    session.refresh(person)
    assert person.password_hash.startswith("$argon2id$")
    assert verify_password(person.password_hash, PASSWORD) == (True, False)


def test_wrong_password_does_not_upgrade_old_hash(client, session):
    person = factories.person()
    old = generate_password_hash(PASSWORD, method="scrypt")
    person.password_hash = old
    session.commit()

    response = client.post("/login", data={"email": person.email, "password": "not it at all"})

    assert response.status_code == 401
    session.refresh(person)
    assert person.password_hash == old


def test_argon2_hash_with_weaker_parameters_is_rehashed_on_login(client, session):
    person = factories.person()
    person.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(
        PASSWORD)
    session.commit()

    assert client.post("/login", data={"email": person.email,
                                       "password": PASSWORD}).status_code == 302

    session.refresh(person)
    assert "m=1024" in person.password_hash  # the configured (test) memory cost


# --- policy -------------------------------------------------------------------------------------

def test_short_password_is_refused(ctx):
    problems = password_problems("short phrase")  # 12 characters is the minimum; this is 12
    assert problems == []
    assert any("at least 12" in p for p in password_problems("short phras"))


def test_minimum_length_follows_configuration(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", 20)
    assert any("at least 20" in p for p in password_problems("a fine long phrase"))


def test_overlong_password_is_refused(ctx):
    assert any("at most 256" in p for p in password_problems("pass phrase " * 30))


def test_common_passwords_are_refused_whatever_their_case(ctx):
    assert "password1234" in common_passwords()
    assert any("too common" in p for p in password_problems("PassWord1234"))


def test_common_password_list_ships_with_the_package():
    listed = common_passwords()
    assert len(listed) > 10_000
    assert all(not word.startswith("#") for word in listed)


def test_long_lowercase_passphrase_is_accepted_without_composition_rules(ctx):
    # No digits, capitals or symbols: length and rarity are what count.
    assert password_problems("purple elephants dance quietly") == []


def test_password_containing_email_name_is_refused(ctx):
    problems = password_problems("dana.reyes rocks forever", email="dana.reyes@example.test")
    assert any("name or email" in p for p in problems)


def test_repeated_characters_are_refused(ctx):
    assert any("repeating" in p for p in password_problems("abababababababab"))


def test_weak_new_password_is_refused_by_the_service(ctx, session):
    person = factories.person()
    with pytest.raises(ValidationError) as raised:
        services.change_password(person, current=PASSWORD, new="password1234")
    assert raised.value.field == "password"
    assert verify_password(person.password_hash, PASSWORD)[0]


# --- password reset -----------------------------------------------------------------------------

@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """A private outbox folder: no SMTP server is configured in tests."""
    assert not app.config.get("MAIL_SERVER")
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(tmp_path))
    return tmp_path


def _mails(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(folder.glob("*.eml"))]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _request_reset(client, address: str, **kwargs):
    return client.post("/password/forgot", data={"email": address}, **kwargs)


def _reset_link(outbox: Path) -> str:
    (mail,) = _mails(outbox)
    match = RESET_LINK.search(_text(mail))
    assert match, _text(mail)
    return match.group(0)


def test_reset_mail_goes_through_the_outbox_to_a_file(client, session, outbox):
    person = factories.person()
    session.commit()

    response = _request_reset(client, person.email)

    assert response.status_code == 302
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == person.id))
    assert row is not None and row.status == DeliveryStatus.SENT
    (mail,) = _mails(outbox)
    assert mail["To"].addresses[0].addr_spec == person.email
    assert "Reset" in mail["Subject"]
    assert RESET_LINK.search(_text(mail))


def test_reset_link_uses_base_url_not_the_host_header(client, session, outbox):
    person = factories.person()
    session.commit()

    _request_reset(client, person.email, headers={"Host": "evil.example"})

    link = _reset_link(outbox)
    assert link.startswith("https://cadence.test/password/reset/")
    (mail,) = _mails(outbox)
    assert "evil.example" not in mail.as_string()


def test_reset_request_for_unknown_email_looks_the_same(client, session, outbox):
    person = factories.person()
    session.commit()

    known = _request_reset(client, person.email)
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = _request_reset(client, "nobody@example.test")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)

    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code, unknown.headers["Location"])
    assert known_page == unknown_page
    assert "If that email belongs to an active account" in unknown_page
    assert len(_mails(outbox)) == 1  # only the known person got mail


def test_deactivated_person_gets_no_reset_mail(client, session, outbox):
    person = factories.person()
    deactivate_person(person, by=None)
    session.commit()

    response = _request_reset(client, person.email)

    assert response.status_code == 302
    assert _mails(outbox) == []
    assert session.scalar(select(PasswordReset).where(PasswordReset.user_id == person.id)) is None


def test_reset_token_is_stored_only_as_a_hash(client, session, outbox):
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)

    token = _reset_link(outbox).rsplit("/", 1)[1]
    reset = session.scalar(select(PasswordReset).where(PasswordReset.user_id == person.id))
    assert reset.token_hash == services.digest(token)
    assert token not in reset.token_hash


def test_reset_link_sets_password_once(client, session, outbox):
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)
    path = _reset_link(outbox).removeprefix("https://cadence.test")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    again = client.post(path, data={"password": "another fine passphrase"})
    assert again.status_code == 404
    assert "does not work" in again.get_data(as_text=True)
    assert client.post("/login", data={"email": person.email,
                                       "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": person.email,
                                       "password": NEW_PASSWORD}).status_code == 302


def test_reset_refuses_weak_password_and_keeps_link_usable(client, session, outbox):
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)
    path = _reset_link(outbox).removeprefix("https://cadence.test")

    response = client.post(path, data={"password": "password1234"})

    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 302


def test_using_one_reset_link_voids_the_others(client, session, outbox):
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)
    _request_reset(client, person.email)
    first, second = (RESET_LINK.search(_text(m)).group(0).removeprefix("https://cadence.test")
                     for m in _mails(outbox))

    assert client.post(second, data={"password": NEW_PASSWORD}).status_code == 302
    assert client.get(first).status_code == 404


def test_reset_link_expires(client, session, outbox):
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)
    path = _reset_link(outbox).removeprefix("https://cadence.test")
    reset = session.scalar(select(PasswordReset).where(PasswordReset.user_id == person.id))
    reset.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()

    assert client.get(path).status_code == 404
    assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 404
    session.refresh(person)
    assert verify_password(person.password_hash, PASSWORD)[0]


def test_reset_lifetime_follows_configuration(app, client, session, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MINUTES", 30)
    person = factories.person()
    session.commit()
    _request_reset(client, person.email)

    reset = session.scalar(select(PasswordReset).where(PasswordReset.user_id == person.id))
    assert round((reset.expires_at - reset.created_at).total_seconds() / 60) == 30
    token = _reset_link(outbox).rsplit("/", 1)[1]
    assert services.find_reset(token, now=reset.expires_at - timedelta(seconds=1)) is reset
    assert services.find_reset(token, now=reset.expires_at) is None


def test_default_reset_lifetime_is_at_most_an_hour(app):
    assert 0 < app.config["PASSWORD_RESET_MINUTES"] <= 60


def test_reset_signs_out_every_other_session(app, client, session, outbox, login):
    person = factories.person()
    session.commit()
    login(person, remember=True)
    elsewhere = app.test_client()
    for name in ("cadence_session", "cadence_remember"):
        elsewhere.set_cookie(name, client.get_cookie(name).value)
    assert elsewhere.get("/account").status_code == 200

    stranger = app.test_client()
    _request_reset(stranger, person.email)
    path = _reset_link(outbox).removeprefix("https://cadence.test")
    assert stranger.post(path, data={"password": NEW_PASSWORD}).status_code == 302

    for browser in (client, elsewhere):
        response = browser.get("/account")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
