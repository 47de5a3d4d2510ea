"""Notification preferences: per-kind channels honoured by notify and notify_many, and the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.notify.models import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)
from lms.notify.preferences import KINDS, channels_for, register_kind, save_preferences
from lms.notify.services import notify, notify_many
from tests import factories

KIND = "test.preferences"
register_kind(KIND, "A test notification")


def _choose(person, channel: Channel, kind: str = KIND) -> None:
    db.session.add(NotificationPreference(user_id=person.id, kind=kind, channel=channel))
    db.session.flush()


def _emails_to(person) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == person.id)))


def test_in_app_choice_keeps_notify_out_of_the_mailbox(ctx):
    person = factories.person()
    _choose(person, Channel.IN_APP)
    notification = notify(person, kind=KIND, subject="Hello")
    db.session.flush()
    assert notification.id is not None and not notification.digest_pending
    assert _emails_to(person) == []


def test_digest_choice_marks_the_notification_pending_and_sends_nothing_yet(ctx):
    person = factories.person()
    _choose(person, Channel.DIGEST)
    notification = notify(person, kind=KIND, subject="Hello")
    db.session.flush()
    assert notification.digest_pending is True
    assert _emails_to(person) == []


def test_email_is_the_default_for_registered_and_unknown_kinds(ctx):
    person = factories.person()
    notify(person, kind=KIND, subject="Registered")
    notify(person, kind="never.registered", subject="Unknown")
    db.session.flush()
    assert sorted(m.subject for m in _emails_to(person)) == ["Registered", "Unknown"]


def test_a_choice_for_one_kind_leaves_other_kinds_alone(ctx):
    person = factories.person()
    _choose(person, Channel.IN_APP, kind="course.enrolled")
    notify(person, kind=KIND, subject="Still emailed")
    db.session.flush()
    assert [m.subject for m in _emails_to(person)] == ["Still emailed"]


def test_email_false_keeps_it_in_the_app_whatever_the_choice(ctx):
    person = factories.person()
    _choose(person, Channel.DIGEST)
    notification = notify(person, kind=KIND, subject="Quiet", email=False)
    db.session.flush()
    assert not notification.digest_pending and _emails_to(person) == []


def test_notify_many_honours_each_persons_choice(ctx):
    in_app, digest, email = (factories.person() for _ in range(3))
    _choose(in_app, Channel.IN_APP)
    _choose(digest, Channel.DIGEST)
    notify_many([in_app, digest, email], kind=KIND, subject="Batch")
    pending = dict(db.session.execute(
        select(Notification.recipient_id, Notification.digest_pending)
        .where(Notification.kind == KIND)).all())
    assert pending == {in_app.id: False, digest.id: True, email.id: False}
    assert [_emails_to(p) != [] for p in (in_app, digest, email)] == [False, False, True]


def test_notify_many_statement_count_does_not_grow_with_people_or_choices(ctx, count_queries):
    few = [factories.person() for _ in range(2)]
    many = [factories.person() for _ in range(25)]
    for person in many[::2]:
        _choose(person, Channel.DIGEST)
    counts = []
    for people in (few, many):
        with count_queries() as counter:
            notify_many(people, kind=KIND, subject="Hello")
            db.session.flush()
        counts.append(counter.count)
    assert counts == [3, 3]


def test_channels_for_loads_everyone_in_one_query(session, count_queries):
    people = [factories.person() for _ in range(5)]
    _choose(people[0], Channel.IN_APP)
    with count_queries() as counter:
        channels = channels_for(people, KIND)
    assert counter.count == 1
    assert channels[people[0].id] == Channel.IN_APP and channels[people[1].id] == Channel.EMAIL


def test_save_refuses_an_impossible_digest_hour(session):
    with pytest.raises(ValueError):
        save_preferences(factories.person(), {}, digest_hour=24, weekly_team_digest=False)


def test_password_resets_are_not_a_preference():
    assert not any("password" in key for key in KINDS)


def test_courses_register_their_kinds():
    assert {"course.enrolled", "course.unlocked"} <= set(KINDS)


# --- the page ---------------------------------------------------------------------------------

def test_page_lists_each_kind_and_saves_the_choices(client, login):
    person = factories.person()
    login(person)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "A test notification" in page and "Weekly team digest" not in page
    response = client.post("/notifications/preferences", data={
        "kind_test__preferences": "digest", "kind_course__enrolled": "in_app",
        "kind_course__unlocked": "email", "digest_hour": "18"})
    assert response.status_code == 302
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel)
        .where(NotificationPreference.user_id == person.id)).all())
    assert chosen[KIND] == "digest" and chosen["course.enrolled"] == "in_app"
    assert db.session.get(NotificationSettings, person.id).digest_hour == 18


def test_someone_without_reports_cannot_opt_into_the_team_digest(client, login):
    person = factories.person()
    login(person)
    client.post("/notifications/preferences",
                data={"digest_hour": "8", "weekly_team_digest": "y"})
    assert db.session.get(NotificationSettings, person.id).weekly_team_digest is False


def test_a_manager_can_opt_into_the_weekly_team_digest(client, login):
    manager = factories.person(level="manager")
    factories.person(manager=manager)
    login(manager)
    assert "Weekly team digest" in client.get("/notifications/preferences").get_data(
        as_text=True)
    client.post("/notifications/preferences",
                data={"digest_hour": "7", "weekly_team_digest": "y"})
    assert db.session.get(NotificationSettings, manager.id).weekly_team_digest is True


def test_an_unknown_channel_is_refused(client, login):
    person = factories.person()
    login(person)
    response = client.post("/notifications/preferences",
                           data={"digest_hour": "8", "kind_test__preferences": "pigeon"})
    assert response.status_code == 422
    assert db.session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == person.id)) is None
