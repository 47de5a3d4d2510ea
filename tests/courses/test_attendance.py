"""Taking attendance (one bulk save), walk-ins, leader confirmation and its permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courses.live import services as live
from courses.live.models import (
    Attendance,
    AttendanceConfirmation,
    AttendanceStatus,
    ConfirmationStatus,
    Registration,
    RegistrationStatus,
)
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import CadenceError, NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify import jobs
from tests import factories
from tests.courses.factories_live import begin

A = AttendanceStatus


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True)


def make_session(org, facilitator, *, capacity=300):
    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    return live.create_session(live.SessionData(
        title="Coaching", starts_at=starts, ends_at=starts + timedelta(minutes=120),
        facilitator=facilitator, capacity=capacity,
        segments=[("Opening by the VP", 15), ("Practice", 60)]), by=org.admin)


def enrol(session, people):
    registrations = [live.register(person, session, by=person) for person in people]
    # Each registration's confirmation email goes out after its own request; here they
    # would all go out after the next request the test makes, and be counted with it.
    db.session.info.pop(jobs._PENDING, None)
    begin(session)  # registration closes as the session starts; attendance opens
    return registrations


def attendance_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance))


@pytest.fixture
def setup(ctx, org, facilitator):
    session = make_session(org, facilitator)
    regs = enrol(session, [org.rep_a1a, org.rep_a1b, org.rep_b1a, org.leader_a])
    return session, regs


@pytest.mark.parametrize(("row", "message"), [
    (lambda r: live.AttendanceRow(r.id, A.ATTENDED, 121), "more than the session's 120"),
    (lambda r: live.AttendanceRow(r.id, A.EXCUSED), "give the reason they are excused"),
    (lambda r: live.AttendanceRow(r.id, A.LEFT_EARLY), "say which segment they left after"),
    (lambda r: live.AttendanceRow(r.id, A.LEFT_EARLY, 120), "present for the whole 120"),
    (lambda r: live.AttendanceRow(999999, A.ATTENDED), "only be taken for people registered"),
])
def test_bad_attendance_is_refused_and_nothing_written(setup, org, row, message):
    session, regs = setup
    rows = [live.AttendanceRow(regs[1].id, A.ATTENDED), row(regs[0])]
    with pytest.raises(ValidationError, match=message):
        live.take_attendance(session, rows, by=org.admin)
    assert attendance_count() == 0


def test_a_cancelled_registration_cannot_be_marked(setup, org):
    session, regs = setup
    live.cancel_registration(regs[0], by=org.rep_a1a)
    with pytest.raises(ValidationError, match="registered"):
        live.take_attendance(session, [live.AttendanceRow(regs[0].id, A.ATTENDED)],
                             by=org.admin)


def test_mark_all_present_then_exceptions(setup, org):
    session, regs = setup
    assert live.mark_all_present(session, by=org.admin) == 4
    opening = session.segments[0]
    live.take_attendance(session, [
        live.AttendanceRow(regs[0].id, A.LEFT_EARLY, left_after_segment_id=opening.id),
        live.AttendanceRow(regs[1].id, A.EXCUSED, excuse="Customer emergency")], by=org.admin)
    marks = {a.registration_id: a for a in db.session.scalars(select(Attendance))}
    assert marks[regs[0].id].minutes_present == 15  # computed from the segment left after
    assert marks[regs[0].id].status == A.LEFT_EARLY
    assert marks[regs[1].id].excuse == "Customer emergency"
    assert marks[regs[2].id].minutes_present == 120 and marks[regs[2].id].status == A.ATTENDED
    assert live.counts_as_attended(marks[regs[2].id], session)
    assert not live.counts_as_attended(marks[regs[0].id], session)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "session.attendance")) == 2


def test_full_minutes_left_over_from_mark_all_present_yield_to_the_segment(setup, org):
    session, regs = setup
    live.mark_all_present(session, by=org.admin)
    opening = session.segments[0]
    live.take_attendance(session, [live.AttendanceRow(
        regs[0].id, A.LEFT_EARLY, 120, left_after_segment_id=opening.id)], by=org.admin)
    mark = db.session.scalar(select(Attendance).where(Attendance.registration_id == regs[0].id))
    assert (mark.status, mark.minutes_present) == (A.LEFT_EARLY, 15)


def test_counts_as_attended_uses_the_threshold(setup, org):
    session, regs = setup
    live.take_attendance(session, [live.AttendanceRow(regs[0].id, A.LEFT_EARLY, 108),
                                   live.AttendanceRow(regs[1].id, A.LEFT_EARLY, 107)],
                         by=org.admin)
    marks = {a.registration_id: a for a in db.session.scalars(select(Attendance))}
    assert live.counts_as_attended(marks[regs[0].id], session)  # 90% of 120 = 108
    assert not live.counts_as_attended(marks[regs[1].id], session)


def test_walk_in_is_added_beyond_capacity(ctx, org, facilitator):
    session = make_session(org, facilitator, capacity=1)
    enrol(session, [org.rep_a1a])
    walk_in = live.add_walk_in(session, org.rep_a1b, by=facilitator)
    assert walk_in.is_walk_in and walk_in.status == RegistrationStatus.REGISTERED
    live.take_attendance(session, [live.AttendanceRow(walk_in.id, A.ATTENDED)], by=facilitator)
    assert attendance_count() == 1


def _roster_post(client, session, regs):
    data = {f"status-{r.id}": "attended" for r in regs}
    data.update({f"minutes-{r.id}": "" for r in regs})
    return client.post(f"/courses/sessions/{session.id}/roster", data=data)


def test_roster_save_costs_the_same_queries_for_20_and_200(client, login, org, facilitator,
                                                            count_queries):
    small, large = make_session(org, facilitator), None
    people = [factories.person(manager=org.manager_a1) for _ in range(200)]
    small_regs = enrol(small, people[:20])
    starts = small.ends_at + timedelta(hours=1)
    large = live.create_session(live.SessionData(
        title="Big", starts_at=starts, ends_at=starts + timedelta(hours=2),
        facilitator=facilitator, capacity=300), by=org.admin)
    large_regs = enrol(large, people)
    db.session.flush()
    login(facilitator)
    with count_queries() as twenty:
        assert _roster_post(client, small, small_regs).status_code == 302
    with count_queries() as two_hundred:
        assert _roster_post(client, large, large_regs).status_code == 302
    assert twenty.count == two_hundred.count
    assert attendance_count() == 220
    with count_queries() as again:  # updating every row is also one statement
        assert _roster_post(client, large, large_regs).status_code == 302
    assert again.count <= two_hundred.count


def test_roster_page_refusal_is_shown_and_nothing_saved(client, login, setup, facilitator):
    session, regs = setup
    login(facilitator)
    page = client.post(f"/courses/sessions/{session.id}/roster",
                       data={f"status-{regs[0].id}": "excused"}).get_data(as_text=True)
    assert "give the reason they are excused" in page
    assert attendance_count() == 0


def test_confirmation_needs_every_leader_with_people(setup, org):
    session, regs = setup
    state = live.confirmation_state(session)
    # leader_a (own people and self), leader_b (rep_b1a) and the executive above both.
    assert (state.leaders, state.confirmed, state.is_confirmed) == (3, 0, False)
    assert {p.id for p in live.confirming_leaders(session)} == {
        org.leader_a.id, org.leader_b.id, org.exec.id}
    live.confirm(session, org.leader_a)
    live.confirm(session, org.exec)
    assert not live.confirmation_state(session).is_confirmed
    live.confirm(session, org.leader_b)
    assert live.confirmation_state(session).is_confirmed
    with pytest.raises(NotAllowedError):
        live.confirm(session, org.manager_a1)


def test_nothing_is_confirmed_or_disputed_before_the_session_starts(client, login, ctx, org,
                                                                   facilitator):
    session = make_session(org, facilitator)
    rita = live.register(org.rep_a1a, session, by=org.rep_a1a)
    with pytest.raises(CadenceError, match="has not started yet"):
        live.confirm(session, org.leader_a)
    with pytest.raises(CadenceError, match="has not started yet"):
        live.dispute(session, org.leader_a, rita, "Rita was not there")
    db.session.commit()
    login(org.leader_a)
    response = client.post(f"/courses/sessions/{session.id}/dispute", data={
        "dispute-registration": rita.id, "dispute-note": "Rita was not there"},
        follow_redirects=True)
    assert "this session has not started yet" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AttendanceConfirmation)) == 0


def test_dispute_and_resolution(setup, org, facilitator):
    session, regs = setup
    with pytest.raises(ValidationError, match="Say what is wrong"):
        live.dispute(session, org.leader_a, regs[0], "  ")
    with pytest.raises(ValidationError, match="your part of the organisation"):
        live.dispute(session, org.leader_a, regs[2], "Not mine")  # rep_b1a
    disputed = live.dispute(session, org.leader_a, regs[0], "Rita stayed all day")
    assert live.confirmation_state(session).disputed == 1
    with pytest.raises(ValidationError, match="Say how"):
        live.resolve(disputed, facilitator, "")
    live.resolve(disputed, facilitator, "Corrected to attended.")
    assert disputed.status == ConfirmationStatus.RESOLVED
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"session.dispute", "session.resolve"} <= actions


def test_facilitator_of_another_session_gets_403(client, login, setup):
    session, _regs = setup
    other = factories.person(level="manager", is_facilitator=True)
    login(other)
    assert client.get(f"/courses/sessions/{session.id}/roster").status_code == 403


def test_rep_cannot_take_attendance(client, login, setup, org):
    session, regs = setup
    login(org.rep_a1a)
    response = client.post(f"/courses/sessions/{session.id}/roster",
                           data={f"status-{regs[0].id}": "attended"})
    assert response.status_code == 403
    assert attendance_count() == 0


def test_leader_cannot_dispute_someone_outside_their_subtree(client, login, setup, org):
    session, regs = setup
    login(org.leader_a)
    response = client.post(f"/courses/sessions/{session.id}/dispute", data={
        "dispute-registration": regs[2].id, "dispute-note": "Wrong"})
    assert response.status_code == 404


def test_leader_confirm_page_shows_only_their_subtree(client, login, setup, org):
    session, _regs = setup
    login(org.leader_a)
    page = client.get(f"/courses/sessions/{session.id}/confirm").get_data(as_text=True)
    assert "Rita Rep" in page and "Raj Rep" not in page
    assert client.post(f"/courses/sessions/{session.id}/confirm").status_code == 302
    assert live.confirmation_state(session).confirmed == 1


def test_registration_visibility(setup, org, facilitator):
    from lms.authz import can_see
    _session, regs = setup
    rita = db.session.get(Registration, regs[0].id)
    assert can_see(org.manager_a1, rita) and can_see(facilitator, rita)
    assert not can_see(org.manager_b1, rita)


SESSION_RULES = {
    # actor:                  rep    manager_a1 leader_a facilitator admin
    "session.view":            (True, True,     True,    True,       True),
    "session.manage":          (False, False,   False,   False,      True),
    "session.facilitate":      (False, False,   False,   True,       True),
    "session.register_others": (False, True,    True,    True,       True),
    "session.confirm":         (False, False,   True,    False,      False),
}


def test_every_session_rule_is_tested():
    from lms import authz
    assert {a for a in authz.RULES if a.startswith("session.")} == set(SESSION_RULES)


@pytest.mark.parametrize("action", SESSION_RULES)
def test_session_rule_by_actor(setup, org, facilitator, action):
    from lms import authz
    session, _regs = setup
    actors = (org.rep_a1a, org.manager_a1, org.leader_a, facilitator, org.admin)
    assert tuple(authz.can(actor, action, session) for actor in actors) == SESSION_RULES[action]


# --- not before the session starts ------------------------------------------------------------

@pytest.fixture
def upcoming(ctx, org, facilitator):
    """A session ten days ahead with two people registered: too early to take attendance."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=10)
    session = live.create_session(live.SessionData(
        title="Negotiation lab", starts_at=starts, ends_at=starts + timedelta(minutes=90),
        facilitator=facilitator, capacity=10), by=org.admin)
    regs = [live.register(person, session, by=person) for person in (org.rep_a1a, org.rep_a1b)]
    db.session.info.pop(jobs._PENDING, None)
    return session, regs


def test_attendance_is_refused_before_the_session_starts(upcoming, org, facilitator):
    session, regs = upcoming
    with pytest.raises(CadenceError, match="opens when the session starts"):
        live.take_attendance(session, [live.AttendanceRow(regs[0].id, A.ATTENDED)],
                             by=facilitator)
    with pytest.raises(CadenceError, match="opens when the session starts"):
        live.mark_all_present(session, by=org.admin)
    assert attendance_count() == 0
    walk_in = live.add_walk_in(session, org.rep_b1a, by=facilitator)  # walk-ins unchanged
    assert walk_in.is_walk_in


def test_roster_of_a_future_session_offers_no_save(client, login, upcoming, facilitator):
    session, regs = upcoming
    login(facilitator)
    page = client.get(f"/courses/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Attendance opens when the session" in page
    assert "Rita Rep" in page
    assert "Save attendance" not in page and "Mark all present" not in page
    assert f'name="status-{regs[0].id}"' not in page

    posted = client.post(f"/courses/sessions/{session.id}/roster",
                         data={f"status-{regs[0].id}": "attended"}).get_data(as_text=True)
    assert "has not started yet" in posted
    response = client.post(f"/courses/sessions/{session.id}/roster/all-present")
    assert response.status_code == 302
    assert "has not started yet" in client.get(response.location).get_data(as_text=True)
    assert attendance_count() == 0
