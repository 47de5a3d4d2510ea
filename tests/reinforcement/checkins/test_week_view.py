"""The manager's week view and the coachee's view: what they list, in constant queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.extensions import db
from lms.people.models import Level
from reinforcement.checkins import week
from reinforcement.checkins.models import CheckInStatus
from tests import factories
from tests.reinforcement.checkins import factories as make

# A Wednesday morning; the week runs from Monday 3 March to Monday 10 March 2031.
NOW = datetime(2031, 3, 5, 10, 0, tzinfo=UTC)


def team(size: int, *, time_zone: str = "UTC"):
    leader = factories.person(level=Level.LEADER, time_zone=time_zone)
    manager = factories.person(level=Level.MANAGER, manager=leader, time_zone=time_zone,
                               name="Mona Manager")
    return leader, manager, [factories.person(manager=manager) for _ in range(size)]


def busy_week(manager, reps) -> None:
    """For every rep: a held check-in on Monday, an unprepared one on Thursday, one next
    Monday (unprepared, within 7 days), one in three weeks; an overdue and a later item."""
    for rep in reps:
        monday = make.check_in(manager, rep, at=datetime(2031, 3, 3, 9, tzinfo=UTC),
                               status=CheckInStatus.HELD)
        make.check_in(manager, rep, at=datetime(2031, 3, 6, 9, tzinfo=UTC), agenda=("A", "B"))
        make.check_in(manager, rep, at=datetime(2031, 3, 10, 9, tzinfo=UTC))
        make.check_in(manager, rep, at=datetime(2031, 3, 27, 9, tzinfo=UTC))
        make.action_item(monday, rep, due_on=date(2031, 3, 4), title=f"Late {rep.name}")
        make.action_item(monday, rep, due_on=date(2031, 3, 20), title=f"Later {rep.name}")


@pytest.fixture
def ctx_session(session, ctx):
    return session


def test_week_lists_this_weeks_check_ins_agendas_to_prepare_and_overdue_items(ctx_session):
    leader, manager, reps = team(2)
    busy_week(manager, reps)
    moved = make.check_in(manager, reps[0], at=datetime(2031, 3, 7, 9, tzinfo=UTC),
                          status=CheckInStatus.RESCHEDULED)
    prepared = make.check_in(manager, reps[1], at=datetime(2031, 3, 8, 9, tzinfo=UTC),
                             prepared=True, agenda=("Ready",))
    own = make.check_in(leader, manager, at=datetime(2031, 3, 4, 9, tzinfo=UTC),
                        status=CheckInStatus.HELD)
    make.action_item(own, manager, due_on=date(2031, 3, 1), title="Own late item")
    make.action_item(own, manager, due_on=date(2031, 3, 2), title="Own done", done=True)

    view = week.week_view(manager, now=NOW)

    assert (view.starts, view.ends) == (datetime(2031, 3, 3, tzinfo=UTC),
                                        datetime(2031, 3, 10, tzinfo=UTC))
    assert {c.scheduled_at.day for c in view.this_week} == {3, 6, 8}
    assert moved not in view.this_week and len(view.this_week) == 5
    assert prepared not in view.to_prepare
    assert sorted((c.scheduled_at.day, c.coachee_id) for c in view.to_prepare) == sorted(
        (day, rep.id) for rep in reps for day in (6, 10))
    assert [i.title for i in view.overdue] == ["Own late item"] + [
        f"Late {rep.name}" for rep in reps]
    thursday = next(c for c in view.this_week if c.scheduled_at.day == 6)
    assert view.agenda_counts[thursday.id] == 2


def test_week_follows_the_managers_time_zone(ctx_session):
    _leader, manager, (rep,) = team(1, time_zone="Pacific/Auckland")
    # 23:30 UTC on Sunday 2 March is already Monday 3 March in Auckland (UTC+13).
    early = make.check_in(manager, rep, at=datetime(2031, 3, 2, 11, 30, tzinfo=UTC))
    view = week.week_view(manager, now=NOW)
    assert view.starts == datetime(2031, 3, 2, 11, 0, tzinfo=UTC)
    assert early in view.this_week


def test_coachee_view_shows_upcoming_check_ins_and_own_open_items(ctx_session):
    _leader, manager, (rep, other) = team(2)
    busy_week(manager, [rep, other])
    upcoming = week.upcoming_as_coachee(rep, now=NOW)
    assert [c.scheduled_at.day for c in upcoming] == [6, 10, 27]
    assert all(c.coachee_id == rep.id for c in upcoming)
    from reinforcement.checkins.actions import open_items
    assert [i.title for i in open_items(rep)] == [f"Late {rep.name}", f"Later {rep.name}"]


def _service_queries(count_queries, size: int) -> int:
    _leader, manager, reps = team(size)
    busy_week(manager, reps)
    db.session.expire_all()
    with count_queries() as counter:
        view = week.week_view(manager, now=NOW)
        names = [c.coachee.name for c in view.this_week + view.to_prepare]
        owners = [i.owner.name for i in view.overdue]
    assert len(names) == 4 * size and len(owners) == size
    return counter.count


def test_week_view_costs_the_same_queries_for_2_and_12_coachees(ctx_session, count_queries):
    small = _service_queries(count_queries, 2)
    assert small <= 4  # the coach (expired above), check-ins, overdue items, agenda counts
    assert _service_queries(count_queries, 12) == small


def _page_queries(client, login, count_queries, size: int) -> tuple[int, str, list]:
    leader, manager, reps = team(size)
    now = datetime.now(UTC)
    for rep in reps:
        held = make.check_in(manager, rep, at=now - timedelta(days=8), status=CheckInStatus.HELD)
        make.check_in(manager, rep, at=now + timedelta(hours=20), agenda=("Topic",))
        make.action_item(held, rep, due_on=now.date() - timedelta(days=2), title="Overdue")
    make.check_in(leader, manager, at=now + timedelta(days=2))
    db.session.commit()
    login(manager)
    with count_queries() as counter:
        response = client.get("/reinforcement/")
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True), reps


def test_week_page_query_count_does_not_grow_with_the_team(client, login, count_queries,
                                                            ctx_session):
    small, html, _reps = _page_queries(client, login, count_queries, 2)
    assert "Agendas to prepare" in html and "Overdue action items" in html
    client.post("/logout")
    large, html, reps = _page_queries(client, login, count_queries, 12)
    overdue = html[html.index('id="overdue"'):html.index('id="my-check-ins"')]
    assert all(re.search(rf"{rep.name}\b", overdue) for rep in reps)
    assert large == small


# --- Home ------------------------------------------------------------------------------------

def test_home_asks_the_coach_to_prepare_and_the_coachee_to_add_topics(client, login,
                                                                       ctx_session):
    from reinforcement.checkins import services as service
    leader, manager, (rep,) = team(1)
    soon = make.check_in(manager, rep, days=2)
    late = make.check_in(leader, manager, days=-3, status=CheckInStatus.HELD)
    make.action_item(late, manager, due_on=date.today() - timedelta(days=1), title="Ring Acme")
    db.session.commit()
    login(manager)
    html = client.get("/").get_data(as_text=True)
    assert f"Prepare the agenda for your check-in with {rep.name}" in html
    assert "Action item overdue: Ring Acme" in html
    client.post("/logout")
    login(rep)
    assert (f"Add to the agenda of your check-in with {manager.name}"
            in client.get("/").get_data(as_text=True))
    service.add_agenda_item(soon, "Pricing", by=rep)
    service.add_agenda_item(soon, "Renewals", by=manager)
    service.prepare_agenda(soon, by=manager)
    db.session.commit()
    assert "Add to the agenda" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(manager)
    assert "Prepare the agenda" not in client.get("/").get_data(as_text=True)


def test_the_navigation_leads_to_coaching(client, login, ctx_session):
    _leader, _manager, (rep,) = team(1)
    db.session.commit()
    login(rep)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reinforcement/"' in html and ">Coaching<" in html
