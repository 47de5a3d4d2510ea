"""The roster on a phone: one-tap status choices, a Save bar that stays in view, search and a
status filter, minutes worked out from "left after", and walk-ins found by name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from courses.live import services as live
from courses.live.models import Attendance, Registration
from lms.db import utcnow
from lms.extensions import db
from lms.notify import jobs
from tests import factories
from tests.courses.factories_live import begin

STATUSES = {"attended": "Present", "left_early": "Left early", "absent": "Absent",
            "excused": "Excused"}


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True)


@pytest.fixture
def kickoff(ctx, org, facilitator):
    """A 120-minute session with a 15 + 60 minute agenda that began a minute ago, four
    people registered."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=1)
    session = live.create_session(live.SessionData(
        title="Coaching", starts_at=starts, ends_at=starts + timedelta(minutes=120),
        facilitator=facilitator, capacity=10,
        segments=[("Opening by the VP", 15), ("Practice", 60)]), by=org.admin)
    people = [org.rep_a1a, org.rep_a1b, org.manager_a1, org.leader_a]
    registrations = [live.register(person, session, by=person) for person in people]
    db.session.info.pop(jobs._PENDING, None)
    begin(session)
    return session, registrations


def _marks(session) -> dict[str, tuple[str, int | None, str]]:
    rows = db.session.execute(select(Attendance, Registration).join(Registration)
                              .where(Registration.session_id == session.id))
    marks = {}
    for attendance, registration in rows:
        db.session.refresh(attendance)
        marks[registration.user.name] = (attendance.status, attendance.minutes_present,
                                         attendance.excuse)
    return marks


def test_each_person_gets_one_tap_choices_and_the_save_bar_stays_in_view(
        client, login, kickoff, facilitator):
    session, regs = kickoff
    live.take_attendance(session, [live.AttendanceRow(regs[0].id, "absent")], by=facilitator)
    login(facilitator)
    page = client.get(f"/courses/sessions/{session.id}/roster").get_data(as_text=True)
    for registration in regs:
        radios = re.findall(rf'<input type="radio" class="btn-check" '
                            rf'name="status-{registration.id}" id="([^"]+)" value="(\w+)"\s+'
                            r'autocomplete="off"( checked)?>', page)
        assert [value for _ident, value, _checked in radios] == list(STATUSES)
        for ident, value, _checked in radios:  # each choice has its own visible label
            assert f'<label class="btn btn-outline-secondary" for="{ident}">{STATUSES[value]}' \
                   f'</label>' in page
        checked = [value for _ident, value, is_checked in radios if is_checked]
        assert checked == (["absent"] if registration is regs[0] else [])  # no silent default
    assert 'name="status-' not in "".join(re.findall(r"<select[^>]*>", page))
    bar = re.search(r'<div class="sticky-bottom[^"]*roster-savebar">(.*?)</div>', page, re.S)
    assert bar and "Save attendance" in bar.group(1)
    assert "Present 0 · Left early 0 · Absent 1 · Excused 0 · Not marked 3" in bar.group(1)
    assert 'id="roster-search"' in page and 'id="roster-filter"' in page
    assert '<option value="unmarked">Not marked</option>' in page
    assert re.search(r'<label[^>]*for="who">Walk-in(&#39;|\')s name or email</label>', page)


def test_every_status_saves_in_one_go_with_minutes_worked_out(client, login, kickoff,
                                                              facilitator):
    session, (rita, ron, dana, lena) = kickoff
    opening, practice = session.segments
    login(facilitator)
    response = client.post(f"/courses/sessions/{session.id}/roster", data={
        f"status-{rita.id}": "attended", f"minutes-{rita.id}": "",
        f"status-{ron.id}": "left_early", f"left-{ron.id}": str(practice.id),
        f"minutes-{ron.id}": "",
        f"status-{dana.id}": "absent", f"minutes-{dana.id}": "120",
        f"status-{lena.id}": "excused", f"excuse-{lena.id}": "Customer escalation"})
    assert response.status_code == 302
    assert _marks(session) == {
        "Rita Rep": ("attended", 120, ""),
        "Ron Rep": ("left_early", 75, ""),  # 15 + 60 minutes, up to the end of "Practice"
        "Dana Reyes": ("absent", 0, ""),
        "Lena Leader": ("excused", 0, "Customer escalation")}
    page = client.get(response.location).get_data(as_text=True)
    assert "Attendance saved for 4 people." in page
    assert re.search(rf'name="status-{ron.id}" id="[^"]+" value="left_early"\s+'
                     r'autocomplete="off" checked', page)
    assert f'id="minutes-{ron.id}" name="minutes-{ron.id}" value="75"' in page


def test_a_person_not_tapped_stays_unmarked(client, login, kickoff, facilitator):
    session, (rita, ron, _dana, _lena) = kickoff
    login(facilitator)
    client.post(f"/courses/sessions/{session.id}/roster", data={
        f"status-{rita.id}": "attended", f"minutes-{ron.id}": "", f"excuse-{ron.id}": ""})
    assert _marks(session) == {"Rita Rep": ("attended", 120, "")}


def test_a_bad_row_still_refuses_the_whole_save(client, login, kickoff, facilitator):
    session, (rita, ron, _dana, _lena) = kickoff
    login(facilitator)
    page = client.post(f"/courses/sessions/{session.id}/roster", data={
        f"status-{rita.id}": "attended", f"status-{ron.id}": "left_early"}
    ).get_data(as_text=True)
    assert "Ron Rep: say which segment they left after" in page
    assert _marks(session) == {}


# --- walk-ins by name ---------------------------------------------------------------------

def test_people_to_add_are_found_by_name_without_their_email(client, login, kickoff, org,
                                                             facilitator):
    session, _regs = kickoff
    gone = factories.person(name="Rhea Gone")
    gone.is_active = False
    db.session.flush()
    login(facilitator)
    found = client.get(f"/courses/sessions/{session.id}/roster/people?q=r%20rep").get_json()
    # Rita and Ron hold seats already; Rhea has left the organisation.
    assert [person["name"] for person in found["items"]] == []
    found = client.get(f"/courses/sessions/{session.id}/roster/people?q=rep").get_json()
    assert [person["name"] for person in found["items"]] == ["Raj Rep", "Rosa Rep"]
    assert set(found["items"][0]) == {"id", "name", "job_title"}
    assert client.get(f"/courses/sessions/{session.id}/roster/people?q=r").get_json() == {
        "items": [], "meta": {"limit": 8}}
    assert "Rhea" not in str(client.get(
        f"/courses/sessions/{session.id}/roster/people?q=rhea").get_json())


@pytest.mark.parametrize(("who", "message"), [
    ("Rep", "Several people match “Rep”: pick one from the list"),
    ("Zed", "Nobody is called “Zed” or has that email."),
    ("R", "Type at least two letters of their name, or their email."),
])
def test_an_unclear_name_adds_nobody(client, login, kickoff, facilitator, who, message):
    session, regs = kickoff
    login(facilitator)
    response = client.post(f"/courses/sessions/{session.id}/roster/walk-in",
                           data={"who": who}, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert len(live.roster(session)) == len(regs)


@pytest.mark.parametrize("how", ["name", "email", "suggestion"])
def test_a_walk_in_is_added_by_name_email_or_suggestion(client, login, kickoff, org,
                                                        facilitator, how):
    session, _regs = kickoff
    login(facilitator)
    data = {"name": {"who": "rosa"}, "email": {"who": org.rep_a2a.email.upper()},
            "suggestion": {"who": "ro", "person": str(org.rep_a2a.id)}}[how]
    response = client.post(f"/courses/sessions/{session.id}/roster/walk-in", data=data,
                           follow_redirects=True)
    assert "Rosa Rep added as a walk-in." in response.get_data(as_text=True)
    rosa = next(r for r, _a in live.roster(session) if r.user_id == org.rep_a2a.id)
    assert rosa.is_walk_in


def test_a_script_adding_a_walk_in_gets_their_row_to_mark(client, login, kickoff, org,
                                                          facilitator):
    session, _regs = kickoff
    login(facilitator)
    json = {"Accept": "application/json"}
    answer = client.post(f"/courses/sessions/{session.id}/roster/walk-in",
                         data={"who": "Raj"}, headers=json)
    assert answer.status_code == 200
    raj = next(r for r, _a in live.roster(session) if r.user_id == org.rep_b1a.id)
    assert answer.get_json()["message"] == "Raj Rep added as a walk-in."
    row = answer.get_json()["row"]
    assert f'name="status-{raj.id}"' in row and "Walk-in" in row and "<html" not in row
    again = client.post(f"/courses/sessions/{session.id}/roster/walk-in",
                        data={"who": "Raj"}, headers=json)
    assert again.status_code == 422
    assert again.get_json() == {"errors": {"who": ["Raj Rep is already registered."]}}
    # Marked in the same save as everyone else.
    client.post(f"/courses/sessions/{session.id}/roster", data={f"status-{raj.id}": "attended"})
    assert _marks(session) == {"Raj Rep": ("attended", 120, "")}


def test_before_the_session_starts_a_walk_in_gets_no_row_to_mark(client, login, org,
                                                                 facilitator, ctx):
    starts = utcnow().replace(microsecond=0) + timedelta(days=10)
    session = live.create_session(live.SessionData(
        title="Later", starts_at=starts, ends_at=starts + timedelta(minutes=60),
        facilitator=facilitator, capacity=10), by=org.admin)
    login(facilitator)
    answer = client.post(f"/courses/sessions/{session.id}/roster/walk-in",
                         data={"who": "Raj"}, headers={"Accept": "application/json"})
    assert answer.get_json() == {"message": "Raj Rep added as a walk-in.", "row": None}


@pytest.mark.parametrize("person", ["99999999999999999999999", "abc", "0"])
def test_a_forged_suggestion_adds_nobody(client, login, kickoff, facilitator, person):
    session, regs = kickoff
    login(facilitator)
    response = client.post(f"/courses/sessions/{session.id}/roster/walk-in",
                           data={"who": "Raj", "person": person}, follow_redirects=True)
    assert "Type the walk-in" in response.get_data(as_text=True)
    assert len(live.roster(session)) == len(regs)
