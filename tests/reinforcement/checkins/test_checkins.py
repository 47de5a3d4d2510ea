"""Check-in services: scheduling within the subtree, status moves, the agenda and notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from reinforcement.checkins import services as checkins
from reinforcement.checkins.models import AgendaItem, CheckIn, CheckInStatus
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def told(person, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id, Notification.kind == kind)))


def soon(days: float = 2) -> datetime:
    return utcnow() + timedelta(days=days)


# --- scheduling ------------------------------------------------------------------------------

def test_coach_schedules_a_check_in_with_a_report_who_is_told(org):
    at = soon()
    check_in = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, at, 45,
                                          by=org.manager_a1)
    assert (check_in.coach_id, check_in.coachee_id, check_in.minutes) == (
        org.manager_a1.id, org.rep_a1a.id, 45)
    assert check_in.status == CheckInStatus.SCHEDULED and check_in.scheduled_at == at
    (note,) = told(org.rep_a1a, checkins.SCHEDULED_KIND)
    assert note.link == f"/reinforcement/check-ins/{check_in.id}"
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_type == "CheckIn", AuditEntry.object_id == check_in.id)
    ) == "check_in.schedule"


def test_a_leader_may_coach_someone_deeper_in_their_subtree(org):
    check_in = checkins.schedule_check_in(org.leader_a, org.rep_a1a, soon(), by=org.leader_a)
    assert check_in.coach_id == org.leader_a.id


@pytest.mark.parametrize("coachee", ["rep_b1a", "manager_a2", "leader_a", "rep_a2a"])
def test_a_coachee_outside_the_coachs_subtree_is_refused_and_nothing_written(org, coachee):
    person = getattr(org, coachee)
    with pytest.raises(ValidationError) as refused:
        checkins.schedule_check_in(org.manager_a1, person, soon(), by=org.manager_a1)
    assert refused.value.field == "coachee"
    assert "not in Dana Reyes's part of the organisation" in refused.value.message
    assert count(CheckIn) == 0 and told(person, checkins.SCHEDULED_KIND) == []


@pytest.mark.parametrize(("at", "minutes", "field"), [
    (datetime(2020, 1, 6, 9, tzinfo=UTC), 30, "scheduled_at"),
    (datetime(2099, 1, 6, 9), 30, "scheduled_at"),  # no time zone
    (datetime(2099, 1, 6, 9, tzinfo=UTC), 0, "minutes"),
    (datetime(2099, 1, 6, 9, tzinfo=UTC), 241, "minutes"),
])
def test_bad_times_and_lengths_are_refused(org, at, minutes, field):
    with pytest.raises(ValidationError) as refused:
        checkins.schedule_check_in(org.manager_a1, org.rep_a1a, at, minutes, by=org.manager_a1)
    assert refused.value.field == field
    assert count(CheckIn) == 0


def test_nobody_coaches_themselves_nor_schedules_for_another_coach(org):
    with pytest.raises(ValidationError, match="themselves"):
        checkins.schedule_check_in(org.manager_a1, org.manager_a1, soon(), by=org.manager_a1)
    with pytest.raises(NotAllowedError):
        checkins.schedule_check_in(org.manager_a1, org.rep_a1a, soon(), by=org.leader_a)
    by_admin = checkins.schedule_check_in(org.manager_a1, org.rep_a1a, soon(), by=org.admin)
    assert by_admin.coach_id == org.manager_a1.id
    assert count(CheckIn) == 1


# --- status ----------------------------------------------------------------------------------

def test_coach_marks_held_with_the_time_recorded(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-0.1)
    held = utcnow() - timedelta(minutes=5)
    checkins.mark_held(check_in, by=org.manager_a1, held_at=held)
    assert check_in.status == CheckInStatus.HELD and check_in.held_at == held
    with pytest.raises(ValidationError, match="scheduled or missed"):
        checkins.mark_held(check_in, by=org.manager_a1)


def test_held_in_the_future_or_by_the_coachee_is_refused(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=1)
    with pytest.raises(ValidationError) as refused:
        checkins.mark_held(check_in, by=org.manager_a1, held_at=soon(0.5))
    assert refused.value.field == "held_at"
    with pytest.raises(NotAllowedError):
        checkins.mark_held(check_in, by=org.rep_a1a)
    assert check_in.status == CheckInStatus.SCHEDULED and check_in.held_at is None


def test_missed_only_once_the_time_has_passed_and_then_it_may_still_be_held(org):
    upcoming = make.check_in(org.manager_a1, org.rep_a1a, days=1)
    with pytest.raises(ValidationError, match="has not started"):
        checkins.mark_missed(upcoming, by=org.manager_a1)
    past = make.check_in(org.manager_a1, org.rep_a1a, days=-1)
    checkins.mark_missed(past, by=org.manager_a1)
    assert past.status == CheckInStatus.MISSED
    checkins.mark_held(past, by=org.manager_a1)
    assert past.status == CheckInStatus.HELD


def test_cancel_moves_the_sequence_on_and_tells_the_coachee(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    checkins.cancel_check_in(check_in, by=org.manager_a1)
    assert check_in.status == CheckInStatus.CANCELLED and check_in.sequence == 1
    assert len(told(org.rep_a1a, checkins.CHANGED_KIND)) == 1
    with pytest.raises(ValidationError):
        checkins.cancel_check_in(check_in, by=org.manager_a1)
    assert check_in.sequence == 1


def test_reschedule_replaces_the_check_in_and_takes_its_agenda_and_notes(org):
    old = make.check_in(org.manager_a1, org.rep_a1a, agenda=("Pipeline",), prepared=True,
                        shared="Shared words", private=make.PRIVATE)
    new_time = soon(5)
    moved = checkins.reschedule_check_in(old, new_time, by=org.rep_a1a)
    assert old.status == CheckInStatus.RESCHEDULED and old.rescheduled_to_id == moved.id
    assert old.sequence == 1 and moved.sequence == 0
    assert moved.scheduled_at == new_time and moved.status == CheckInStatus.SCHEDULED
    assert [item.text for item in moved.agenda] == ["Pipeline"] and old.agenda == []
    assert moved.agenda_prepared_at == old.agenda_prepared_at is not None
    assert (moved.shared_notes, moved.private_notes) == ("Shared words", make.PRIVATE)
    assert (old.shared_notes, old.private_notes) == ("", "")
    # The coachee moved it: the coach (the other side) is told, not the coachee.
    assert len(told(org.manager_a1, checkins.CHANGED_KIND)) == 1
    assert told(org.rep_a1a, checkins.CHANGED_KIND) == []


def test_reschedule_refuses_the_past_a_held_check_in_and_outsiders(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    with pytest.raises(ValidationError) as refused:
        checkins.reschedule_check_in(check_in, soon(-1), by=org.manager_a1)
    assert refused.value.field == "scheduled_at"
    with pytest.raises(NotAllowedError):
        checkins.reschedule_check_in(check_in, soon(3), by=org.leader_a)
    held = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    with pytest.raises(ValidationError):
        checkins.reschedule_check_in(held, soon(3), by=org.manager_a1)
    assert count(CheckIn) == 2 and check_in.status == CheckInStatus.SCHEDULED


# --- agenda ----------------------------------------------------------------------------------

def test_both_sides_add_to_the_agenda_in_order_and_others_may_not(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    checkins.add_agenda_item(check_in, "  Renewal at Acme ", by=org.rep_a1a)
    checkins.add_agenda_item(check_in, "Proposal ratio", by=org.manager_a1)
    assert [(i.text, i.author_id, i.position) for i in check_in.agenda] == [
        ("Renewal at Acme", org.rep_a1a.id, 0), ("Proposal ratio", org.manager_a1.id, 1)]
    with pytest.raises(NotAllowedError):
        checkins.add_agenda_item(check_in, "From above", by=org.leader_a)
    with pytest.raises(ValidationError) as refused:
        checkins.add_agenda_item(check_in, " ", by=org.rep_a1a)
    assert refused.value.field == "text"
    with pytest.raises(ValidationError):
        checkins.add_agenda_item(check_in, "x" * 501, by=org.rep_a1a)
    assert count(AgendaItem) == 2


@pytest.mark.parametrize("status", [CheckInStatus.HELD, CheckInStatus.CANCELLED])
def test_the_agenda_is_closed_once_held_or_cancelled(org, status):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=status)
    with pytest.raises(ValidationError):
        checkins.add_agenda_item(check_in, "Too late", by=org.rep_a1a)
    assert count(AgendaItem) == 0


def test_author_or_coach_removes_an_agenda_item(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    coach_item = checkins.add_agenda_item(check_in, "Coach topic", by=org.manager_a1)
    own = checkins.add_agenda_item(check_in, "My topic", by=org.rep_a1a)
    with pytest.raises(NotAllowedError):
        checkins.remove_agenda_item(coach_item, by=org.rep_a1a)
    checkins.remove_agenda_item(own, by=org.manager_a1)
    assert [item.text for item in check_in.agenda] == ["Coach topic"]


def test_the_coach_marks_the_agenda_prepared_once(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    with pytest.raises(ValidationError, match="at least one agenda item"):
        checkins.prepare_agenda(check_in, by=org.manager_a1)
    checkins.add_agenda_item(check_in, "Pipeline", by=org.rep_a1a)
    with pytest.raises(NotAllowedError):
        checkins.prepare_agenda(check_in, by=org.rep_a1a)
    moment = utcnow()
    checkins.prepare_agenda(check_in, by=org.manager_a1, now=moment)
    assert check_in.agenda_prepared_at == moment
    with pytest.raises(ValidationError, match="already"):
        checkins.prepare_agenda(check_in, by=org.manager_a1, now=moment + timedelta(hours=1))
    assert check_in.agenda_prepared_at == moment


# --- notes -----------------------------------------------------------------------------------

def test_shared_notes_by_either_side_private_notes_by_the_coach_alone(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    checkins.save_shared_notes(check_in, "We agreed on two calls.", by=org.rep_a1a)
    checkins.save_private_notes(check_in, make.PRIVATE, by=org.manager_a1)
    assert check_in.shared_notes == "We agreed on two calls."
    assert check_in.private_notes == make.PRIVATE
    for outsider in (org.rep_a1a, org.leader_a, org.admin):
        with pytest.raises(NotAllowedError):
            checkins.save_private_notes(check_in, "overwritten", by=outsider)
    with pytest.raises(NotAllowedError):
        checkins.save_shared_notes(check_in, "from the leader", by=org.leader_a)
    assert check_in.private_notes == make.PRIVATE


def test_the_audit_log_never_holds_the_text_of_private_notes(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    checkins.save_private_notes(check_in, make.PRIVATE, by=org.manager_a1)
    entries = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "CheckIn")))
    assert [entry.action for entry in entries] == ["check_in.private_notes"]
    assert make.PRIVATE not in repr([(e.summary, e.changes) for e in entries])


@pytest.mark.parametrize("status", [CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED])
def test_notes_on_a_cancelled_or_moved_check_in_are_refused_nothing_written(org, status):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, status=status)
    with pytest.raises(ValidationError) as refused:
        checkins.save_shared_notes(check_in, "Notes", by=org.manager_a1)
    assert refused.value.field == "shared_notes"
    if status == CheckInStatus.CANCELLED:
        assert refused.value.message == "Notes cannot be added to a cancelled check-in."
    with pytest.raises(ValidationError):
        checkins.save_private_notes(check_in, "Private", by=org.manager_a1)
    assert (check_in.shared_notes, check_in.private_notes) == ("", "")
    assert count(AuditEntry) == 0


# --- pages -----------------------------------------------------------------------------------

def test_the_schedule_form_offers_only_the_team_and_refuses_the_past(client, login, org):
    db.session.commit()
    login(org.manager_a1)
    html = client.get("/reinforcement/check-ins/new").get_data(as_text=True)
    assert org.rep_a1a.email in html and org.rep_a1b.email in html
    assert org.rep_b1a.email not in html and org.manager_a2.email not in html
    past = client.post("/reinforcement/check-ins/new", data={
        "coachee": org.rep_a1a.id, "scheduled_at": "2020-01-06T09:00", "minutes": "30"})
    assert past.status_code == 200
    assert "Choose a time in the future" in past.get_data(as_text=True)
    assert count(CheckIn) == 0
    made = client.post("/reinforcement/check-ins/new", data={
        "coachee": org.rep_a1a.id, "scheduled_at": "2099-01-06T09:00", "minutes": "30"})
    check_in = db.session.scalar(select(CheckIn))
    assert made.location.endswith(f"/reinforcement/check-ins/{check_in.id}")
    assert check_in.scheduled_at == datetime(2099, 1, 6, 9, tzinfo=UTC)


def test_each_side_sees_only_the_buttons_it_may_use(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=0.2, agenda=("Pipeline",))
    later = make.check_in(org.manager_a1, org.rep_a1a, days=2)
    db.session.commit()
    base = f"/reinforcement/check-ins/{check_in.id}"
    expected = {  # path -> shown to coach, coachee, leader
        "/prepare": (True, False, False), "/cancel": (True, False, False),
        "/held": (True, False, False),
        "/agenda\"": (True, True, False), "/notes\"": (True, True, False),
        "/reschedule": (True, True, False), "/actions\"": (True, True, False),
        "/check-in.ics": (True, True, True)}
    for column, person in enumerate((org.manager_a1, org.rep_a1a, org.leader_a)):
        client.post("/logout")
        login(person)
        html = client.get(base).get_data(as_text=True)
        shown = {path: f'{base}{path}' in html for path in expected}
        assert shown == {path: flags[column] for path, flags in expected.items()}, person.name
        assert ('name="private_notes"' in html) is (column == 0), person.name
    client.post("/logout")
    login(org.manager_a1)  # "held" waits until the meeting is near
    html = client.get(f"/reinforcement/check-ins/{later.id}").get_data(as_text=True)
    assert f"/check-ins/{later.id}/held" not in html and f"/check-ins/{later.id}/cancel" in html


def test_the_coach_runs_a_check_in_through_the_pages(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.manager_a1)
    base = f"/reinforcement/check-ins/{check_in.id}"
    client.post(f"{base}/agenda", data={"text": "Renewals"})
    client.post(f"{base}/prepare")
    client.post(f"{base}/notes", data={"shared_notes": "**Agreed** on two calls"})
    client.post(f"{base}/held", data={"held_at": ""})
    assert [item.text for item in check_in.agenda] == ["Renewals"]
    assert check_in.agenda_prepared_at is not None and check_in.status == CheckInStatus.HELD
    html = client.get(base).get_data(as_text=True)
    assert "<strong>Agreed</strong> on two calls" in html  # Markdown, sanitised


def test_either_side_reschedules_from_the_page_and_lands_on_the_new_check_in(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.rep_a1a)
    page = client.get(f"/reinforcement/check-ins/{check_in.id}/reschedule")
    assert page.status_code == 200 and 'name="scheduled_at"' in page.get_data(as_text=True)
    response = client.post(f"/reinforcement/check-ins/{check_in.id}/reschedule",
                           data={"scheduled_at": "2099-02-02T10:30", "minutes": "25"})
    assert check_in.status == CheckInStatus.RESCHEDULED
    assert response.location.endswith(f"/reinforcement/check-ins/{check_in.rescheduled_to_id}")


def test_the_list_filters_by_role(client, login, org):
    coached_by_leader = make.check_in(org.leader_a, org.manager_a1)
    coaching_a_rep = make.check_in(org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.manager_a1)
    coachee = client.get("/reinforcement/check-ins?role=coachee").get_data(as_text=True)
    assert f"/check-ins/{coached_by_leader.id}\"" in coachee
    assert f"/check-ins/{coaching_a_rep.id}\"" not in coachee
    mine = client.get("/reinforcement/check-ins").get_data(as_text=True)
    assert all(f"/check-ins/{c.id}\"" in mine for c in (coached_by_leader, coaching_a_rep))


def test_the_page_links_the_plans_resources_and_the_coachees_goals(client, login, org):
    from datetime import date

    from flask import url_for

    from courses.live import programs
    from reinforcement.plans.models import PlanTeam, ReinforcementPlan
    from reinforcement.resources.models import Resource

    program = programs.create_program(programs.ProgramData(
        name="Rollout", starts_on=date(2029, 1, 1), ends_on=date(2029, 3, 1)), by=org.admin)
    guide = Resource(title="Coaching guide")
    retired = Resource(title="Old guide", is_archived=True)
    plan = ReinforcementPlan(program=program, title="Twelve weeks", resources=[guide, retired])
    team = PlanTeam(plan=plan, coach_id=org.manager_a1.id, starts_on=date(2029, 3, 5))
    db.session.add_all([plan, team])
    db.session.flush()
    check_in = make.check_in(org.manager_a1, org.rep_a1a, plan_team_id=team.id)
    db.session.commit()
    login(org.rep_a1a)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert "Twelve weeks" in html
    assert f'href="{url_for("reinforcement.resources.resource_detail", id=guide.id)}"' in html
    assert "Old guide" not in html
    goals = url_for("reinforcement.goals.goals_person", person_id=org.rep_a1a.id)
    assert f'href="{goals}"' in html
