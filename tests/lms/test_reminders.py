"""The reminder framework: rule registry, local mornings across DST, idempotence, admin page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import literal, select

from lms.audit.models import AuditEntry
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify import jobs
from lms.notify.models import Notification, SystemState
from lms.people.models import User
from lms.reminders import services
from lms.reminders.models import ReminderSent, ReminderSetting
from lms.reminders.rules import RULES, Message, Rule, register, thresholds
from lms.reminders.sweep import morning_zones, sweep
from tests import factories

KEY = "test_check"


def _everyone_tagged(now, limits):
    # A stand-in for a later package's rule: every person whose email starts with "tz-".
    return select(literal("user").label("subject_type"), User.id.label("subject_id"),
                  User.id.label("recipient_id"), literal("due").label("stage"),
                  ).where(User.email.like("tz-%"))


def _message(row, limits) -> Message:
    return Message("reminder.test_check", "Please check", f"{limits.days_before} days")


@pytest.fixture
def rule(monkeypatch):
    test_rule = Rule(KEY, "Test check", _everyone_tagged, _message, days_before=4)
    monkeypatch.setitem(RULES, KEY, test_rule)
    return test_rule


def person_in(zone: str) -> User:
    return factories.person(email=f"tz-{zone.replace('/', '-').lower()}@example.test",
                            time_zone=zone, password=None)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def reminded(now: datetime) -> set[str]:
    """Sweep at ``now``; return the zones of the people reminded by the test rule."""
    before = set(db.session.scalars(select(ReminderSent.id).where(ReminderSent.rule == KEY)))
    sweep(now)
    rows = db.session.execute(select(ReminderSent.id, User.time_zone)
                              .join(User, User.id == ReminderSent.recipient_id)
                              .where(ReminderSent.rule == KEY)).all()
    return {zone for sent_id, zone in rows if sent_id not in before}


def test_registry_refuses_absurd_default_thresholds():
    with pytest.raises(ValueError, match="threshold"):
        register(Rule("bad", "Bad", _everyone_tagged, _message, days_before=-1))
    assert "bad" not in RULES


def test_thresholds_are_defaults_until_an_admin_sets_them(session, rule):
    assert thresholds()[KEY].days_before == 4
    db.session.add(ReminderSetting(rule=KEY, enabled=False, days_before=9,
                                   escalate_after_days=2))
    db.session.flush()
    limits = thresholds()[KEY]
    assert (limits.enabled, limits.days_before, limits.escalate_after_days) == (False, 9, 2)


def test_new_york_morning_follows_the_spring_dst_change(ctx, rule):
    person_in("America/New_York")
    # 8:00 in New York is 13:00 UTC in winter (EST) and 12:00 UTC from 10 March 2024 (EDT).
    assert reminded(at("2024-03-08T12:55")) == set()
    assert reminded(at("2024-03-11T11:55")) == set()  # 07:55 EDT
    assert reminded(at("2024-03-11T12:05")) == {"America/New_York"}  # 08:05 EDT, 07:05 EST
    assert db.session.scalar(select(ReminderSent.local_date)) == date(2024, 3, 11)


def test_new_york_winter_morning_is_at_13_utc(ctx, rule):
    person_in("America/New_York")
    assert reminded(at("2024-03-08T12:55")) == set()  # 07:55 EST
    assert reminded(at("2024-03-08T13:05")) == {"America/New_York"}


def test_berlin_morning_follows_the_spring_and_autumn_dst_changes(ctx, rule):
    person_in("Europe/Berlin")
    # CET (UTC+1) until 31 March 2024, then CEST (UTC+2): 8:00 is 07:00 then 06:00 UTC.
    assert reminded(at("2024-03-29T06:05")) == set()  # 07:05 CET
    assert reminded(at("2024-04-01T06:05")) == {"Europe/Berlin"}  # 08:05 CEST
    assert morning_zones(at("2024-10-28T06:05"), 8, 21).count("Europe/Berlin") == 0  # CET again
    assert "Europe/Berlin" in morning_zones(at("2024-10-28T07:05"), 8, 21)


def test_tokyo_and_los_angeles_are_each_reminded_in_their_own_morning(ctx, rule):
    person_in("Asia/Tokyo"), person_in("America/Los_Angeles")
    # 05:05 UTC on 4 June: 14:05 in Tokyo, 22:05 (the night before) in Los Angeles.
    assert reminded(at("2024-06-04T05:05")) == {"Asia/Tokyo"}
    assert reminded(at("2024-06-04T14:55")) == set()  # 07:55 in Los Angeles
    assert reminded(at("2024-06-04T15:05")) == {"America/Los_Angeles"}  # 08:05 PDT
    assert set(db.session.scalars(select(ReminderSent.local_date))) == {date(2024, 6, 4)}


def test_local_hour_comes_from_the_configuration(ctx, rule, app, monkeypatch):
    person_in("UTC")
    monkeypatch.setitem(app.config, "REMINDER_LOCAL_HOUR", 10)
    assert reminded(at("2024-06-04T09:30")) == set()
    assert reminded(at("2024-06-04T10:30")) == {"UTC"}


def test_second_sweep_sends_nothing_twice(ctx, rule):
    person_in("UTC")
    assert sweep(at("2024-06-04T09:00"))[KEY] == 1
    assert sweep(at("2024-06-04T09:05"))[KEY] == 0
    assert sweep(at("2024-06-05T09:05"))[KEY] == 0  # once per stage, not once a day
    sent = select(Notification).where(Notification.kind == "reminder.test_check")
    assert len(db.session.scalars(sent).all()) == 1


def test_deactivated_recipient_is_never_reminded(ctx, rule):
    person_in("UTC").is_active = False
    db.session.flush()
    assert sweep(at("2024-06-04T09:00"))[KEY] == 0


def test_sweep_records_when_it_last_ran(ctx, rule):
    now = at("2024-06-04T09:00")
    sweep(now)
    assert db.session.get(SystemState, "reminder_sweep").value == now.isoformat()


def test_sweep_is_a_periodic_job_every_five_minutes():
    assert jobs.PERIODIC["reminder_sweep"] == 300
    assert jobs.JOBS["reminder_sweep"].__name__ == "run_reminder_sweep"


def test_cli_remind_runs_the_sweep_and_commits(app, session, rule):
    person_in("UTC")
    result = app.test_cli_runner().invoke(args=["cadence", "remind"])
    assert result.exit_code == 0, result.output
    assert f"{KEY}: " in result.output
    assert db.session.get(SystemState, "reminder_sweep") is not None


# --- the admin page ---------------------------------------------------------------------------

def test_service_refuses_negative_or_absurd_thresholds(session, rule):
    admin = factories.admin()
    for days_before, escalate in ((-1, 7), (3, 366)):
        with pytest.raises(ValidationError):
            services.update_setting(rule, services.SettingData(True, days_before, escalate),
                                    by=admin)


def test_admin_sees_each_rule_with_its_thresholds(client, login, rule):
    login(factories.admin())
    page = client.get("/admin/reminders/").get_data(as_text=True)
    assert "Test check" in page and "Course due and overdue" in page
    assert f"/admin/reminders/{KEY}" in page


def test_admin_changes_thresholds_and_the_change_is_audited(client, login, rule):
    admin = factories.admin()
    login(admin)
    response = client.post(f"/admin/reminders/{KEY}",
                           data={"days_before": "5", "escalate_after_days": "10"})
    assert response.status_code == 302
    setting = db.session.get(ReminderSetting, KEY)
    assert (setting.enabled, setting.days_before, setting.escalate_after_days) == (False, 5, 10)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action ==
                                                        "reminder_rule.update"))
    assert entry.actor_id == admin.id
    assert entry.changes["days_before"] == [4, 5]


@pytest.mark.parametrize(("field", "value"), [("days_before", "-2"),
                                              ("escalate_after_days", "400")])
def test_negative_or_absurd_threshold_is_refused_next_to_the_field(client, login, rule,
                                                                   field, value):
    login(factories.admin())
    data = {"enabled": "y", "days_before": "3", "escalate_after_days": "7", field: value}
    response = client.post(f"/admin/reminders/{KEY}", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "between 0 and 365" in page
    assert db.session.get(ReminderSetting, KEY) is None


def test_unknown_rule_is_404(client, login):
    login(factories.admin())
    assert client.get("/admin/reminders/no_such_rule").status_code == 404


def test_non_admin_is_forbidden(client, login):
    login(factories.person(level="manager"))
    assert client.get("/admin/reminders/").status_code == 403
