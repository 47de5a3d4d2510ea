"""Reinforcement plans: settings, pairings, starting a plan for a team, changing the cadence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from courses.live import programs
from lms import authz
from lms.audit.models import AuditEntry
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from lms.people.models import Level
from reinforcement.checkins.models import ActionItem, AgendaItem, CheckIn, CheckInStatus
from reinforcement.plans import services as plans
from reinforcement.plans.models import PlanPairing, PlanTeam, ReinforcementPlan
from reinforcement.plans.permissions import may_coach_as
from tests import factories
from tests.reinforcement.plans.factories import AGENDA, MONDAY, NOW, plan, program, resource

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def active(org):
    return plan(org.admin)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def check_ins(coach=None, *where):
    stmt = select(CheckIn).order_by(CheckIn.coachee_id, CheckIn.scheduled_at)
    if coach is not None:
        stmt = stmt.where(CheckIn.coach_id == coach.id)
    return list(db.session.scalars(stmt.where(*where)))


def start(the_plan, coach, **options):
    options.setdefault("starts_on", MONDAY)
    options.setdefault("local_time", "09:00")
    options.setdefault("by", coach)
    options.setdefault("now", NOW)
    return plans.start_plan(the_plan, coach, **options)


# --- settings --------------------------------------------------------------------------------

def test_a_new_plan_is_a_draft_of_its_program_with_tidy_lines_and_an_audit_entry(org):
    guide = resource(org.admin)
    made = plans.create_plan(program(org.admin), plans.PlanData(
        title="  After the kick-off ", weeks=8, cadence="biweekly", check_in_minutes=45,
        focus_activities="Proposals sent\n\n  Meetings booked  \n",
        agenda_template="Wins\nObstacles", resource_ids=[guide.id]), by=org.admin)

    assert made.status == "draft" and made.title == "After the kick-off"
    assert (made.weeks, made.cadence, made.check_in_minutes) == (8, "biweekly", 45)
    assert made.focus_activities == "Proposals sent\nMeetings booked"
    assert made.resources == [guide]
    assert count(AuditEntry, AuditEntry.action == "plan.create",
                 AuditEntry.object_id == made.id) == 1


FOCUS = "\n".join(f"Activity {n}" for n in range(1, 7))


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"focus_activities": FOCUS}, "focus_activities", "at most 5"),
    ({"weeks": 0}, "weeks", "1 to 52"),
    ({"weeks": 53}, "weeks", "1 to 52"),
    ({"check_in_minutes": 2}, "check_in_minutes", "5 to 240"),
    ({"title": "  "}, "title", "title"),
    ({"cadence": "monthly"}, "cadence", "every week"),
    ({"agenda_template": "x" * 501}, "agenda_template", "under 500"),
    ({"resource_ids": [999_999]}, "resources", "unknown or archived"),
])
def test_bad_plan_settings_are_refused_with_a_clear_message_and_nothing_written(
        org, fields, field, words):
    the_program = program(org.admin)
    before = count(ReinforcementPlan)
    data = {"title": "Plan", **fields}

    with pytest.raises(ValidationError) as refused:
        plans.create_plan(the_program, plans.PlanData(**data), by=org.admin)

    assert refused.value.field == field and words in refused.value.message
    assert count(ReinforcementPlan) == before


def test_an_archived_resource_cannot_be_attached(org):
    guide = resource(org.admin)
    from reinforcement.resources import services as resources
    resources.set_archived(guide, True, by=org.admin)

    with pytest.raises(ValidationError, match="archived"):
        plan(org.admin, resource_ids=[guide.id])


def test_a_cancelled_program_gets_no_plan(org):
    the_program = program(org.admin)
    programs.set_status(the_program, "cancelled", by=org.admin)

    with pytest.raises(ValidationError, match="cancelled"):
        plans.create_plan(the_program, plans.PlanData(title="Too late"), by=org.admin)


def test_status_moves_draft_active_archived_and_back(org):
    made = plan(org.admin, active=False)
    with pytest.raises(ValidationError, match="draft plan cannot become draft"):
        plans.set_status(made, "draft", by=org.admin)
    plans.set_status(made, "active", by=org.admin)
    plans.set_status(made, "archived", by=org.admin)
    with pytest.raises(ValidationError, match="archived"):
        plans.update_plan(made, plans.PlanData(title="Renamed"), by=org.admin)
    plans.set_status(made, "active", by=org.admin)

    assert made.status == "active"
    assert count(AuditEntry, AuditEntry.action == "plan.status") == 3


def test_update_records_what_changed(org, active):
    guide = resource(org.admin)
    plans.update_plan(active, plans.PlanData(title="Renamed", weeks=10, resource_ids=[guide.id]),
                      by=org.admin)

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.update")).one()
    assert entry.changes["title"] == ["Twelve weeks of coaching", "Renamed"]
    assert entry.changes["weeks"] == [12, 10]
    assert entry.changes["resources"] == [[], [guide.id]]


def test_a_started_plans_length_is_fixed(org, active):
    start(active, org.manager_a1)

    with pytest.raises(ValidationError) as refused:
        plans.update_plan(active, plans.PlanData(title=active.title, weeks=6), by=org.admin)
    assert refused.value.field == "weeks"


# --- who coaches whom ------------------------------------------------------------------------

def test_by_default_a_coach_coaches_their_active_direct_reports(org, active):
    org.rep_a1b.is_active = False

    assert plans.coachees_of(active, org.manager_a1) == [org.rep_a1a]
    assert plans.coachees_of(active, org.leader_a) == [org.manager_a1, org.manager_a2]


def test_a_pairing_moves_a_coachee_to_another_coach_in_the_chain(org, active):
    plans.set_pairing(active, org.leader_a, org.rep_a1a, by=org.admin)

    assert plans.coachees_of(active, org.manager_a1) == [org.rep_a1b]
    assert org.rep_a1a in plans.coachees_of(active, org.leader_a)
    # Pairing again replaces the coach rather than adding a second one.
    plans.set_pairing(active, org.manager_a1, org.rep_a1a, by=org.admin)
    assert count(PlanPairing) == 1
    assert org.rep_a1a in plans.coachees_of(active, org.manager_a1)


@pytest.mark.parametrize(("coach", "coachee", "words"), [
    ("manager_a1", "rep_b1a", "not under"),  # another branch
    ("manager_a1", "manager_a2", "not under"),  # a peer
    ("rep_a1a", "manager_a1", "not under"),  # upwards
    ("manager_a1", "manager_a1", "themselves"),
])
def test_a_coach_only_coaches_people_under_them(org, active, coach, coachee, words):
    with pytest.raises(ValidationError) as refused:
        plans.set_pairing(active, getattr(org, coach), getattr(org, coachee), by=org.admin)

    assert refused.value.field == "coachee" and words in refused.value.message
    assert count(PlanPairing) == 0


def test_removing_a_pairing_gives_the_coachee_back_to_their_manager(org, active):
    pairing = plans.set_pairing(active, org.leader_a, org.rep_a1a, by=org.admin)
    plans.remove_pairing(pairing, by=org.admin)

    assert count(PlanPairing) == 0
    assert org.rep_a1a in plans.coachees_of(active, org.manager_a1)
    assert count(AuditEntry, AuditEntry.action == "plan.pairing_remove") == 1


# --- starting a plan ---------------------------------------------------------------------------

def test_starting_schedules_every_check_in_with_the_agenda_template(org, active):
    team = start(active, org.manager_a1)

    made = check_ins(org.manager_a1)
    assert team.coach_id == org.manager_a1.id and team.local_time == "09:00"
    assert len(made) == 2 * 12
    assert {c.coachee_id for c in made} == {org.rep_a1a.id, org.rep_a1b.id}
    times = [c.scheduled_at for c in made if c.coachee_id == org.rep_a1a.id]
    assert times[0] == datetime(2030, 1, 7, 9, tzinfo=UTC)
    assert times[-1] == datetime(2030, 3, 25, 9, tzinfo=UTC)
    assert {(c.status, c.minutes, c.plan_team_id) for c in made} == {("scheduled", 30, team.id)}
    agenda = [item.text for item in made[0].agenda]
    assert agenda == AGENDA.splitlines()
    assert count(AgendaItem, AgendaItem.author_id.is_not(None)) == 0  # the template's, no one's
    assert count(AuditEntry, AuditEntry.action == "plan.start") == 1


def test_coachees_are_told_their_check_ins_are_scheduled(org, active):
    start(active, org.manager_a1)

    told = db.session.scalars(select(Notification).where(
        Notification.kind == "checkin.scheduled")).all()
    assert {n.recipient_id for n in told} == {org.rep_a1a.id, org.rep_a1b.id}
    assert "Dana Reyes" in told[0].subject and "12 check-ins" in told[0].body


def test_an_admin_starting_for_a_coach_tells_the_coach_too(org, active):
    start(active, org.manager_a1, by=org.admin)

    assert count(Notification, Notification.recipient_id == org.manager_a1.id,
                 Notification.kind == "checkin.scheduled") == 1


def test_times_are_the_coachs_local_time_across_summer_time(org, active):
    org.manager_a1.time_zone = "Europe/Berlin"
    start(active, org.manager_a1, starts_on=date(2030, 3, 18), now=datetime(2030, 3, 1,
                                                                             tzinfo=UTC))

    times = [c.scheduled_at for c in check_ins(org.manager_a1)
             if c.coachee_id == org.rep_a1a.id]
    berlin = ZoneInfo("Europe/Berlin")
    assert times[0].hour == 8 and times[2].hour == 7  # UTC: CET, then CEST
    assert {t.astimezone(berlin).strftime("%H:%M") for t in times} == {"09:00"}


def test_a_biweekly_plan_schedules_half_as_many(org):
    biweekly = plan(org.admin, cadence="biweekly", weeks=12)
    start(biweekly, org.manager_a1)

    assert len(check_ins(org.manager_a1)) == 2 * 6


def test_a_leader_coaches_their_managers_and_paired_people(org, active):
    plans.set_pairing(active, org.leader_a, org.rep_a2a, by=org.admin)
    start(active, org.leader_a)

    assert {c.coachee_id for c in check_ins(org.leader_a)} == {
        org.manager_a1.id, org.manager_a2.id, org.rep_a2a.id}


def test_starting_costs_the_same_statements_for_a_big_team(org, active, count_queries):
    small = factories.person(level=Level.MANAGER, manager=org.leader_b)
    big = factories.person(level=Level.MANAGER, manager=org.leader_b)
    factories.person(manager=small)
    for _ in range(12):
        factories.person(manager=big)

    with count_queries() as one:
        start(active, small)
    with count_queries() as twelve:
        start(active, big)

    assert len(check_ins(big)) == 12 * 12
    assert twelve.count == one.count


def test_a_second_start_for_the_same_coach_is_refused_and_writes_nothing(org, active):
    start(active, org.manager_a1)
    before = (count(CheckIn), count(PlanTeam), count(Notification))

    with pytest.raises(ValidationError) as refused:
        start(active, org.manager_a1, starts_on=MONDAY + timedelta(days=7))

    assert refused.value.field == "coach"
    assert "already started for Dana Reyes's team" in refused.value.message
    assert (count(CheckIn), count(PlanTeam), count(Notification)) == before


@pytest.mark.parametrize(("options", "field", "words"), [
    ({"starts_on": date(2030, 1, 1)}, "starts_on", "passed"),
    ({"starts_on": date(2030, 1, 2), "local_time": "09:00"}, "local_time", "in the past"),
    ({"local_time": "9 am"}, "local_time", "HH:MM"),
    ({"local_time": "24:00"}, "local_time", "HH:MM"),
])
def test_a_start_in_the_past_or_at_no_time_is_refused(org, active, options, field, words):
    with pytest.raises(ValidationError) as refused:
        start(active, org.manager_a1, **options)

    assert refused.value.field == field and words in refused.value.message
    assert count(CheckIn) == 0 and count(PlanTeam) == 0


def test_a_coach_with_nobody_to_coach_is_refused(org, active):
    lonely = factories.person(level=Level.MANAGER, manager=org.leader_b, name="Lone Manager")

    with pytest.raises(ValidationError) as refused:
        start(active, lonely)

    assert refused.value.field == "coach" and "Lone Manager has nobody to coach" in (
        refused.value.message)
    assert count(PlanTeam) == 0


def test_a_draft_plan_cannot_start(org):
    draft = plan(org.admin, active=False)

    with pytest.raises(ValidationError, match="Activate the plan"):
        start(draft, org.manager_a1)
    assert count(CheckIn) == 0


# --- changing the cadence --------------------------------------------------------------------

LATER = datetime(2030, 2, 5, 12, tzinfo=UTC)  # after 5 of the 12 weekly check-ins


def _history(coach):
    """Hold the past check-ins of ``coach``'s team, and miss one."""
    past = check_ins(coach, CheckIn.scheduled_at < LATER)
    for check_in in past:
        check_in.status = CheckInStatus.HELD
        check_in.held_at = check_in.scheduled_at
    past[1].status = CheckInStatus.MISSED
    db.session.flush()
    return past


def _times(coach, coachee):
    db.session.expire_all()
    return [(c.scheduled_at.date(), c.status) for c in check_ins(coach)
            if c.coachee_id == coachee.id]


def test_weekly_to_biweekly_keeps_the_past_and_every_other_future_check_in(org, active):
    start(active, org.manager_a1)
    past = _history(org.manager_a1)

    change = plans.change_cadence(active, "biweekly", by=org.admin, now=LATER)

    assert (change.teams, change.moved, change.added, change.removed) == (1, 0, 0, 6)
    mine = _times(org.manager_a1, org.rep_a1a)
    assert len(past) == 2 * 5
    assert mine[:5] == [(date(2030, 1, 7), "held"), (date(2030, 1, 14), "missed"),
                        (date(2030, 1, 21), "held"), (date(2030, 1, 28), "held"),
                        (date(2030, 2, 4), "held")]
    assert [day for day, status in mine if status == "scheduled"] == [
        date(2030, 2, 11), date(2030, 2, 25), date(2030, 3, 11), date(2030, 3, 25)]
    assert active.cadence == "biweekly"
    assert count(CheckIn, CheckIn.status != "scheduled") == 10  # past ones untouched


def test_biweekly_to_weekly_adds_check_ins_with_the_agenda_template(org):
    biweekly = plan(org.admin, cadence="biweekly")
    start(biweekly, org.manager_a1)

    change = plans.change_cadence(biweekly, "weekly", by=org.admin, now=LATER)

    # Biweekly from Jan 7, the next check-in is Feb 18: weekly from there to the end.
    assert (change.added, change.removed) == (2 * 3, 0)
    days = [day for day, _status in _times(org.manager_a1, org.rep_a1a)
            if day > LATER.date()]
    assert days == [date(2030, 2, 18) + timedelta(weeks=n) for n in range(6)]
    newest = check_ins(org.manager_a1)[-1]
    assert [item.text for item in newest.agenda] == AGENDA.splitlines()


def test_check_ins_someone_worked_on_are_left_alone(org, active):
    start(active, org.manager_a1)
    future = check_ins(org.manager_a1, CheckIn.coachee_id == org.rep_a1a.id,
                       CheckIn.scheduled_at > LATER)
    # Under a biweekly rhythm from Feb 11, Feb 18, Mar 4 and Mar 18 would go; but Feb 18 has
    # an agenda item by the rep, Mar 4 shared notes, Mar 18 an action item. Feb 25 is
    # cancelled: it keeps its slot and is not scheduled again.
    feb18, feb25, mar4, mar18 = future[1], future[2], future[3], future[5]
    db.session.add(AgendaItem(check_in=feb18, author=org.rep_a1a, text="My pipeline"))
    mar4.shared_notes = "Talked about discovery."
    feb25.status = CheckInStatus.CANCELLED
    db.session.add(ActionItem(title="Send 3 proposals", owner=org.rep_a1a, due_on=date(
        2030, 3, 20), check_in=mar18, coach_id=org.manager_a1.id, coachee_id=org.rep_a1a.id))
    db.session.flush()

    change = plans.change_cadence(active, "biweekly", by=org.admin, now=LATER)

    mine = [row for row in _times(org.manager_a1, org.rep_a1a) if row[0] > LATER.date()]
    assert mine == [(date(2030, 2, 11), "scheduled"), (date(2030, 2, 18), "scheduled"),
                    (date(2030, 2, 25), "cancelled"), (date(2030, 3, 4), "scheduled"),
                    (date(2030, 3, 11), "scheduled"), (date(2030, 3, 18), "scheduled"),
                    (date(2030, 3, 25), "scheduled")]
    theirs = [day for day, _s in _times(org.manager_a1, org.rep_a1b) if day > LATER.date()]
    assert theirs == [date(2030, 2, 11), date(2030, 2, 25), date(2030, 3, 11),
                      date(2030, 3, 25)]
    assert (change.removed, change.added, change.moved) == (3, 0, 0)
    assert "My pipeline" in [item.text for item in db.session.get(CheckIn, feb18.id).agenda]


def test_a_worked_on_check_in_off_the_grid_is_not_doubled(org):
    biweekly = plan(org.admin, cadence="biweekly")
    start(biweekly, org.manager_a1)
    future = check_ins(org.manager_a1, CheckIn.coachee_id == org.rep_a1a.id,
                       CheckIn.scheduled_at > LATER)
    # Moved from Monday Mar 4 to Tuesday Mar 5 and prepared: the weekly Mar 4 slot is its.
    future[1].scheduled_at += timedelta(days=1)
    future[1].agenda_prepared_at = LATER
    db.session.flush()

    plans.change_cadence(biweekly, "weekly", by=org.admin, now=LATER)

    days = [day for day, _s in _times(org.manager_a1, org.rep_a1a) if day > LATER.date()]
    assert days == [date(2030, 2, 18), date(2030, 2, 25), date(2030, 3, 5), date(2030, 3, 11),
                    date(2030, 3, 18), date(2030, 3, 25)]


def test_moved_check_ins_get_a_new_sequence_and_coachees_are_told(org, active):
    start(active, org.manager_a1)
    plans.change_cadence(active, "biweekly", by=org.admin, now=LATER)
    before = count(Notification, Notification.kind == "checkin.scheduled")

    # Feb 25 slips to Feb 26 (untouched otherwise): going weekly moves it back to the
    # nearest new slot, Monday Feb 25, and adds the Mondays between.
    nxt = check_ins(org.manager_a1, CheckIn.coachee_id == org.rep_a1a.id,
                    CheckIn.scheduled_at > LATER)
    nxt[1].scheduled_at += timedelta(days=1)
    db.session.flush()
    plans.change_cadence(active, "weekly", by=org.admin, now=LATER)

    moved = db.session.get(CheckIn, nxt[1].id)
    db.session.refresh(moved)
    assert moved.scheduled_at == datetime(2030, 2, 25, 9, tzinfo=UTC)
    assert moved.sequence == 1
    assert count(Notification, Notification.kind == "checkin.scheduled") == before + 2


def test_changing_the_cadence_costs_the_same_statements_for_more_teams(org, active,
                                                                       count_queries):
    other = plan(org.admin, title="Other plan")
    start(active, org.manager_a1)
    start(other, org.manager_a1)
    start(other, org.manager_a2)
    start(other, org.leader_a)
    start(other, org.manager_b1)

    with count_queries() as one_team:
        plans.change_cadence(active, "biweekly", by=org.admin, now=LATER)
    with count_queries() as four_teams:
        plans.change_cadence(other, "biweekly", by=org.admin, now=LATER)

    assert four_teams.count == one_team.count


def test_a_cadence_change_through_update_reschedules_started_teams(org, active):
    start(active, org.manager_a1)

    plans.update_plan(active, plans.PlanData(title=active.title, cadence="biweekly",
                                             agenda_template=AGENDA), by=org.admin, now=LATER)

    assert active.cadence == "biweekly"
    assert count(CheckIn, CheckIn.coachee_id == org.rep_a1a.id) == 5 + 4
    assert count(AuditEntry, AuditEntry.action == "plan.cadence") == 1


@pytest.mark.parametrize(("cadence", "words"), [("weekly", "already meets every week"),
                                                ("daily", "every week or every two weeks")])
def test_a_cadence_that_changes_nothing_or_does_not_exist_is_refused(org, active, cadence,
                                                                     words):
    start(active, org.manager_a1)

    with pytest.raises(ValidationError, match=words):
        plans.change_cadence(active, cadence, by=org.admin, now=LATER)
    assert count(CheckIn) == 24


# --- the teams of a plan -----------------------------------------------------------------------

def test_teams_are_counted_by_status_and_scoped_to_the_viewers_subtree(org, active, count_queries):
    start(active, org.manager_a1)
    start(active, org.manager_b1)
    held = check_ins(org.manager_a1)[0]
    held.status = CheckInStatus.HELD
    db.session.flush()

    with count_queries() as counter:
        rows = plans.teams_of(active, org.leader_a, now=NOW)

    assert counter.count == 1
    [row] = rows
    assert (row.team.coach_id, row.coachees, row.scheduled, row.held) == (
        org.manager_a1.id, 2, 23, 1)
    assert row.next_at == datetime(2030, 1, 7, 9, tzinfo=UTC)
    assert {r.team.coach_id for r in plans.teams_of(active, org.admin)} == {
        org.manager_a1.id, org.manager_b1.id}
    assert plans.teams_of(active, org.rep_a1a) == []


# --- rules ---------------------------------------------------------------------------------------

ACTORS = ("rep", "manager", "leader", "executive", "admin", "signed out")
Y, N = True, False
RULES = {
    #               rep manager leader exec admin anon
    "plan.view":   (N,  Y,      Y,     Y,   Y,    N),
    "plan.manage": (N,  N,      N,     N,   Y,    N),
    "plan.start":  (N,  Y,      Y,     Y,   Y,    N),
}


def _actors(org):
    return {"rep": org.rep_a1a, "manager": org.manager_a1, "leader": org.leader_a,
            "executive": org.exec, "admin": org.admin, "signed out": AnonymousUserMixin()}


@pytest.mark.parametrize("action", RULES)
def test_plan_rules_by_level(org, active, action):
    actors = _actors(org)
    actual = {who: authz.can(actors[who], action, active) for who in ACTORS}
    assert actual == dict(zip(ACTORS, RULES[action], strict=True))


def test_a_draft_plan_exists_for_admins_only(org):
    draft = plan(org.admin, active=False)
    actors = _actors(org)

    seen = {who: authz.can_see(actors[who], draft) for who in ACTORS}
    assert seen == dict(zip(ACTORS, (N, N, N, N, Y, N), strict=True))
    listed = {who: [p.id for p in db.session.scalars(authz.visible(
        select(ReinforcementPlan), actors[who]))] for who in ("rep", "manager", "admin")}
    assert listed == {"rep": [], "manager": [], "admin": [draft.id]}


def test_only_admins_start_a_plan_for_someone_else(org):
    assert may_coach_as(org.manager_a1, org.manager_a1)
    assert not may_coach_as(org.leader_a, org.manager_a1)
    assert not may_coach_as(org.rep_a1a, org.rep_a1a)
    assert may_coach_as(org.admin, org.manager_b1)
