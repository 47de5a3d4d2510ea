"""Champions councils: founding, the meeting rhythm, attendance, notes, council actions, and
the pages with their permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level
from reinforcement.checkins.models import ActionItem
from reinforcement.councils import services as councils
from reinforcement.councils.models import Council, CouncilAttendance, CouncilMeeting
from tests import factories
from tests.reinforcement.leaders import factories as make
from tests.reinforcement.leaders.factories import NOW, at


def _data(org, **fields) -> councils.CouncilData:
    values = {"name": "Coaching champions", "purpose": "What works in 1:1s",
              "chair": org.leader_a, "members": [org.leader_b, org.exec], "every_weeks": 4}
    values.update(fields)
    return councils.CouncilData(**values)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- founding ----------------------------------------------------------------------------------

def test_founding_a_council_makes_the_chair_a_member(org):
    council = councils.create_council(_data(org, members=[org.leader_b]), by=org.admin)
    assert council.chair_id == org.leader_a.id
    assert {p.id for p in council.members} == {org.leader_a.id, org.leader_b.id}
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_type == "Council")) == "council.create"


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"name": "  "}, "name", "name"),
    ({"every_weeks": 0}, "every_weeks", "1 to 26"),
    ({"every_weeks": 27}, "every_weeks", "1 to 26"),
    ({"chair": None}, "chair_id", "chairs"),
    ({"chair": "manager_a1"}, "chair_id", "leaders and executives"),
    ({"members": ["rep_a1a"]}, "members", "leaders and executives"),
])
def test_a_council_that_does_not_fit_is_refused_and_nothing_written(org, fields, field, words):
    for key, value in fields.items():
        if isinstance(value, str) and key != "name":
            fields[key] = getattr(org, value)
        elif isinstance(value, list):
            fields[key] = [getattr(org, name) for name in value]
    with pytest.raises(ValidationError, match=words) as refused:
        councils.create_council(_data(org, **fields), by=org.admin)
    assert refused.value.field == field and _count(Council) == 0


def test_a_deactivated_member_is_refused(org):
    org.leader_b.is_active = False
    with pytest.raises(ValidationError, match="deactivated"):
        councils.create_council(_data(org), by=org.admin)


def test_updating_a_council_records_the_member_change(org):
    council = councils.create_council(_data(org), by=org.admin)
    councils.update_council(council, _data(org, members=[], name="Champions"), by=org.leader_a)
    assert [p.id for p in council.members] == [org.leader_a.id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "council.update"))
    assert entry.changes["name"] == ["Coaching champions", "Champions"]
    assert sorted(entry.changes["members"][0]) == sorted(
        [org.leader_a.name, org.leader_b.name, org.exec.name])


# --- meetings ----------------------------------------------------------------------------------

def test_meetings_follow_the_rhythm_at_the_chairs_local_time_across_dst(org):
    org.leader_a.time_zone = "Europe/Berlin"
    council = councils.create_council(_data(org, every_weeks=2), by=org.admin)
    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2030, 3, 21, 9, 0, tzinfo=berlin)
    meetings = councils.schedule_meetings(council, first, count=3, by=org.leader_a, now=NOW)
    local = [m.scheduled_at.astimezone(berlin) for m in meetings]
    assert [(m.date(), m.hour) for m in local] == [
        (date(2030, 3, 21), 9), (date(2030, 4, 4), 9), (date(2030, 4, 18), 9)]
    assert meetings[0].scheduled_at.hour == 8 and meetings[1].scheduled_at.hour == 7  # UTC


@pytest.mark.parametrize(("first", "count", "field"), [
    (NOW - timedelta(minutes=1), 1, "first_at"), (NOW + timedelta(days=1), 0, "count"),
    (NOW + timedelta(days=1), 13, "count")])
def test_scheduling_refuses_the_past_and_odd_counts(org, first, count, field):
    council = councils.create_council(_data(org), by=org.admin)
    with pytest.raises(ValidationError) as refused:
        councils.schedule_meetings(council, first, count=count, by=org.leader_a, now=NOW)
    assert refused.value.field == field and _count(CouncilMeeting) == 0


def test_attendance_marks_every_member_and_the_meeting_held(org):
    council = councils.create_council(_data(org), by=org.admin)
    meeting = make.meeting(council, at(19))
    councils.record_attendance(meeting, {org.leader_a.id, org.exec.id}, by=org.leader_a,
                               now=NOW)
    present = {row.user_id: row.present for row in meeting.attendance}
    assert present == {org.leader_a.id: True, org.leader_b.id: False, org.exec.id: True}
    assert meeting.held_at == NOW
    councils.record_attendance(meeting, {org.leader_b.id}, by=org.leader_a, now=NOW)
    assert _count(CouncilAttendance) == 3
    assert {row.user_id for row in meeting.attendance if row.present} == {org.leader_b.id}


@pytest.mark.parametrize("case", ["future", "stranger", "cancelled"])
def test_attendance_refusals_write_nothing(org, case):
    council = councils.create_council(_data(org), by=org.admin)
    meeting = make.meeting(council, at(25) if case == "future" else at(19))
    present = {org.leader_a.id}
    if case == "stranger":
        present.add(org.manager_a1.id)
    if case == "cancelled":
        councils.cancel_meeting(meeting, by=org.leader_a)
    with pytest.raises(ValidationError):
        councils.record_attendance(meeting, present, by=org.leader_a, now=NOW)
    assert _count(CouncilAttendance) == 0 and meeting.held_at is None


def test_notes_say_what_works_and_a_held_meeting_cannot_be_cancelled(org):
    council = councils.create_council(_data(org), by=org.admin)
    meeting = make.meeting(council, at(19))
    councils.update_meeting(meeting, councils.MeetingNotes(
        agenda="Rhythm", works="Agendas the day before", does_not_work="Skipping 1:1s",
        notes="Next: share templates"), by=org.leader_a)
    assert (meeting.works, meeting.does_not_work) == ("Agendas the day before",
                                                      "Skipping 1:1s")
    councils.record_attendance(meeting, {org.leader_a.id}, by=org.leader_a, now=NOW)
    with pytest.raises(ValidationError, match="was held"):
        councils.cancel_meeting(meeting, by=org.leader_a)


# --- council actions ---------------------------------------------------------------------------

def test_council_actions_are_owned_by_members_and_tracked(org):
    council = councils.create_council(_data(org), by=org.admin)
    meeting = make.meeting(council, at(10))
    overdue = councils.add_council_action(meeting, "Share the template", org.leader_b,
                                          date(2030, 3, 15), by=org.leader_a)
    upcoming = councils.add_council_action(meeting, "Observe two 1:1s", org.exec,
                                           date(2030, 3, 30), by=org.leader_a)
    done = councils.add_council_action(meeting, "Draft the guide", org.leader_a,
                                       date(2030, 3, 12), by=org.leader_a)
    councils.set_action_done(done, True, by=org.leader_a, now=NOW)
    board = councils.actions_of(council, NOW.date())
    assert ([i.id for i in board.overdue], [i.id for i in board.open],
            [i.id for i in board.done]) == ([overdue.id], [upcoming.id], [done.id])
    councils.set_action_done(done, False, by=org.leader_a)
    assert done.done_at is None
    with pytest.raises(ValidationError, match="still open"):
        councils.set_action_done(done, False, by=org.leader_a)


@pytest.mark.parametrize(("title", "owner", "due", "field"), [
    ("", "leader_b", date(2030, 3, 15), "title"),
    ("Act", "manager_a1", date(2030, 3, 15), "owner_id"),
    ("Act", "leader_b", None, "due_on"),
    ("Act", "leader_b", date(2030, 3, 9), "due_on"),
])
def test_a_council_action_that_does_not_fit_is_refused(org, title, owner, due, field):
    council = councils.create_council(_data(org), by=org.admin)
    meeting = make.meeting(council, at(10))
    with pytest.raises(ValidationError) as refused:
        councils.add_council_action(meeting, title, getattr(org, owner), due, by=org.leader_a)
    assert refused.value.field == field and _count(ActionItem) == 0


# --- pages -------------------------------------------------------------------------------------

@pytest.fixture
def council(org):
    made = make.council(org.leader_a, [org.leader_b], name="Champions East")
    make.council(org.exec, [], name="Exec only")
    return made


def test_members_see_their_councils_only(client, login, org, council):
    login(org.leader_b)
    html = client.get("/reinforcement/councils/").get_data(as_text=True)
    assert "Champions East" in html and "Exec only" not in html
    other = db.session.scalar(select(Council).where(Council.name == "Exec only"))
    assert client.get(f"/reinforcement/councils/{other.id}").status_code == 404
    page = client.get(f"/reinforcement/councils/{council.id}").get_data(as_text=True)
    assert "Edit council" not in page and "Schedule meetings" not in page


def test_admin_sees_every_council(client, login, org, council):
    login(org.admin)
    html = client.get("/reinforcement/councils/").get_data(as_text=True)
    assert "Champions East" in html and "Exec only" in html


def test_only_leaders_executives_and_admins_found_councils(client, login, org):
    login(org.manager_a1)
    assert "New council" not in client.get("/reinforcement/councils/").get_data(as_text=True)
    assert client.get("/reinforcement/councils/new").status_code == 403
    client.post("/logout")
    login(org.leader_a)
    response = client.post("/reinforcement/councils/new", data={
        "name": "West champions", "chair": org.leader_a.id, "members": [org.leader_b.id],
        "every_weeks": 3})
    assert response.status_code == 302
    made = db.session.scalar(select(Council).where(Council.name == "West champions"))
    assert {p.id for p in made.members} == {org.leader_a.id, org.leader_b.id}


def test_a_manager_offered_as_member_is_refused_on_the_form(client, login, org):
    login(org.leader_a)
    response = client.post("/reinforcement/councils/new", data={
        "name": "Mixed", "chair": org.leader_a.id, "members": [org.manager_a1.id],
        "every_weeks": 3})
    assert response.status_code == 200 and _count(Council) == 0
    assert "is not a valid choice" in response.get_data(as_text=True)


def test_the_chair_schedules_and_a_member_may_not(client, login, org, council):
    future = (utcnow() + timedelta(days=3)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    form = {"first_at": future, "count": 2, "minutes": 45, "agenda": "Wins"}
    login(org.leader_b)
    assert client.post(f"/reinforcement/councils/{council.id}/meetings",
                       data=form).status_code == 403
    client.post("/logout")
    login(org.leader_a)
    assert client.post(f"/reinforcement/councils/{council.id}/meetings",
                       data=form).status_code == 302
    assert [m.minutes for m in council.meetings] == [45, 45]
    gap = council.meetings[1].scheduled_at - council.meetings[0].scheduled_at
    assert gap == timedelta(weeks=4)


def test_scheduling_in_the_past_shows_the_error(client, login, org, council):
    login(org.leader_a)
    response = client.post(f"/reinforcement/councils/{council.id}/meetings", data={
        "first_at": "2001-01-01T09:00", "count": 1, "minutes": 60})
    assert response.status_code == 422 and "in the future" in response.get_data(as_text=True)
    assert _count(CouncilMeeting) == 0


def test_chair_takes_attendance_and_an_owner_closes_their_action(client, login, org, council):
    meeting = make.meeting(council, utcnow() - timedelta(hours=1))
    item = make.council_action(meeting, org.leader_b, date.today() + timedelta(days=3))
    db.session.commit()
    login(org.leader_a)
    response = client.post(f"/reinforcement/councils/meetings/{meeting.id}/attendance",
                           data={"present": [org.leader_a.id]})
    assert response.status_code == 302 and meeting.held_at is not None
    assert {r.user_id: r.present for r in meeting.attendance} == {
        org.leader_a.id: True, org.leader_b.id: False}
    client.post("/logout")
    login(org.leader_b)
    page = client.get(f"/reinforcement/councils/{council.id}").get_data(as_text=True)
    assert f"/councils/actions/{item.id}/done" in page
    assert client.post(f"/reinforcement/councils/actions/{item.id}/done").status_code == 302
    assert item.done_at is not None


def test_a_member_who_does_not_own_an_action_cannot_close_it(client, login, org, council):
    meeting = make.meeting(council, utcnow() - timedelta(hours=1))
    item = make.council_action(meeting, org.leader_a, date.today())
    db.session.commit()
    login(org.leader_b)
    page = client.get(f"/reinforcement/councils/{council.id}").get_data(as_text=True)
    assert f"/councils/actions/{item.id}/done" not in page
    assert client.post(f"/reinforcement/councils/actions/{item.id}/done").status_code == 403
    assert item.done_at is None


def test_council_list_query_count_does_not_grow(client, login, org, count_queries):
    login(org.leader_a)
    make.council(org.leader_a, [org.leader_b])
    db.session.commit()
    client.get("/reinforcement/councils/")
    with count_queries() as few:
        client.get("/reinforcement/councils/")
    for n in range(5):
        council = make.council(org.leader_a, [org.leader_b, org.exec], name=f"Council {n}")
        meeting = make.meeting(council, utcnow() + timedelta(days=n + 1))
        make.council_action(meeting, org.exec, date.today())
    extra = factories.person(level=Level.LEADER, manager=org.exec)
    make.council(extra, [org.leader_a], name="Another chair")
    db.session.commit()
    with count_queries() as many:
        html = client.get("/reinforcement/councils/").get_data(as_text=True)
    assert html.count("<tr>") == 1 + 7 and few.count == many.count


# --- the rules -------------------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "view", "manage", "close_others_action"), [
    ("leader_a", True, True, True),  # the chair
    ("leader_b", True, False, False),  # a member
    ("exec", False, False, False),  # not a member
    ("admin", True, True, True)])
def test_council_rules_follow_membership(org, actor, view, manage, close_others_action):
    council = make.council(org.leader_a, [org.leader_b, org.manager_a1])
    meeting = make.meeting(council, at(10))
    item = make.council_action(meeting, org.manager_a1, date(2030, 3, 12))
    person = getattr(org, actor)
    assert authz.can(person, "council.view", council) is view
    assert authz.can(person, "council.view", meeting) is view
    assert authz.can(person, "council.manage", council) is manage
    assert authz.can(person, "council.manage", meeting) is manage
    assert authz.can(person, "council.action", item) is close_others_action


def test_the_owner_of_a_council_action_may_close_it(org):
    council = make.council(org.leader_a, [org.leader_b])
    item = make.council_action(make.meeting(council, at(10)), org.leader_b, date(2030, 3, 12))
    assert authz.can(org.leader_b, "council.action", item)


@pytest.mark.parametrize(("actor", "allowed"), [
    ("rep_a1a", False), ("manager_a1", False), ("leader_a", True), ("exec", True),
    ("admin", True)])
def test_leaders_executives_and_admins_found_councils(org, actor, allowed):
    assert authz.can(getattr(org, actor), "council.create") is allowed


def test_visible_councils_are_scoped_in_sql(org):
    mine = make.council(org.leader_b, [org.leader_a])
    make.council(org.exec, [])
    seen = {c.id for c in db.session.scalars(authz.visible(select(Council), org.leader_a))}
    assert seen == {mine.id}
    assert len(list(db.session.scalars(authz.visible(select(Council), org.admin)))) == 2
