"""Private notes are the coach's alone: every page and API answer the others can open is
fetched, and none of them holds the text — not the coachee's, not the coach's leader's, not
an executive's, not an admin's."""

from __future__ import annotations

from datetime import date

import pytest
from flask import url_for
from sqlalchemy import select

from lms import authz
from lms.db import utcnow
from lms.extensions import db
from lms.notify.services import notify
from reinforcement.checkins import calendar as check_in_calendar
from reinforcement.checkins import services as checkins
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.councils.models import Council, CouncilMeeting
from tests.api_support import token_maker
from tests.factories import PASSWORD
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

SHARED = "SHARED-NOTE-everyone-in-the-pair"
MY_ENDPOINT_MODULES = ("reinforcement.checkins.views", "reinforcement.checkins.api")
bearer = token_maker("reinforcement:read", "reinforcement:write")


@pytest.fixture
def scene(org):
    """A held check-in with private notes and a moved one that carried them along."""
    held = make.check_in(org.manager_a1, org.rep_a1a, days=-2, status=CheckInStatus.HELD,
                         shared=SHARED, private=make.PRIVATE, agenda=("Pipeline",))
    item = make.action_item(held, org.rep_a1a, due_on=date.today(), title="Follow up")
    upcoming = make.check_in(org.manager_a1, org.rep_a1a, days=3, private=make.PRIVATE)
    moved = checkins.reschedule_check_in(upcoming, upcoming.scheduled_at.replace(
        year=upcoming.scheduled_at.year + 1), by=org.manager_a1)
    checkins.save_private_notes(held, make.PRIVATE + " (edited)", by=org.manager_a1)
    notify(org.rep_a1a, kind="test", subject="Nudge", link=f"/reinforcement/check-ins/{held.id}")
    db.session.commit()
    return {"held": held, "moved": moved, "old": upcoming, "item": item}


def _pages(scene) -> list[str]:
    """Every GET page and API answer of check-ins, plus the pages that list or link them."""
    urls = ["/", "/notifications/", "/calendar", "/reinforcement/", "/reinforcement/check-ins/new",
            "/api/v1/action-items/?state=all", "/api/v1/action-items/?whose=mine&state=all"]
    for role in ("mine", "coach", "coachee", "team"):
        urls += [f"/reinforcement/check-ins?role={role}&when=all",
                 f"/api/v1/check-ins/?role={role}"]
    for key in ("held", "moved", "old"):
        check_in = scene[key]
        urls += [f"/reinforcement/check-ins/{check_in.id}",
                 f"/reinforcement/check-ins/{check_in.id}/check-in.ics",
                 f"/reinforcement/check-ins/{check_in.id}/reschedule",
                 f"/api/v1/check-ins/{check_in.id}",
                 f"/calendar/events/{check_in_calendar.check_in_uid(check_in.id)}.ics"]
    return urls


def test_the_page_list_covers_every_check_in_get_route(app, scene):
    covered = {rule.endpoint for rule in app.url_map.iter_rules()
               if "GET" in rule.methods and rule.endpoint != "static"
               and app.view_functions[rule.endpoint].__module__ in MY_ENDPOINT_MODULES}
    with app.test_request_context():
        fetched = {app.url_map.bind("cadence.test").match(url.split("?")[0])[0]
                   for url in _pages(scene)}
    assert covered <= fetched, covered - fetched


@pytest.mark.parametrize("who", ["rep_a1a", "leader_a", "exec", "admin", "manager_a2"])
def test_nobody_but_the_coach_ever_receives_the_private_notes(app, org, scene, who):
    person = getattr(org, who)
    client, headers = app.test_client(), bearer(person)
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    seen_ok = 0
    for url in [*_pages(scene), "/admin/audit/"]:
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        body = response.get_data(as_text=True)
        assert make.PRIVATE not in body, f"{who} read private notes at {url}"
        assert "private_notes" not in body or not url.startswith("/api/"), url
        seen_ok += response.status_code == 200
    assert seen_ok > 5  # the pages were really opened, not all refused


@pytest.mark.parametrize("who", ["rep_a1a", "leader_a", "exec", "admin"])
def test_those_above_and_the_coachee_read_the_shared_notes(app, org, scene, who):
    person = getattr(org, who)
    client = app.test_client()
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    html = client.get(f"/reinforcement/check-ins/{scene['held'].id}").get_data(as_text=True)
    assert SHARED in html and "Private notes" not in html
    answer = client.get(f"/api/v1/check-ins/{scene['held'].id}", headers=bearer(person))
    assert answer.get_json()["shared_notes"] == SHARED
    assert "private_notes" not in answer.get_json()


def test_the_coach_reads_and_edits_the_private_notes(app, org, scene):
    client = app.test_client()
    client.post("/login", data={"email": org.manager_a1.email, "password": PASSWORD})
    html = client.get(f"/reinforcement/check-ins/{scene['held'].id}").get_data(as_text=True)
    assert make.PRIVATE in html and 'name="private_notes"' in html
    answer = client.get(f"/api/v1/check-ins/{scene['moved'].id}",
                        headers=bearer(org.manager_a1)).get_json()
    assert answer["private_notes"] == make.PRIVATE


def test_private_notes_stay_out_of_responses_to_the_coachees_own_writes(app, org, scene):
    headers = bearer(org.rep_a1a)
    client = app.test_client()
    moved = scene["moved"]
    for response in (
            client.put(f"/api/v1/check-ins/{moved.id}/notes", headers=headers,
                       json={"shared_notes": "Mine"}),
            client.post(f"/api/v1/check-ins/{moved.id}/agenda", headers=headers,
                        json={"text": "Topic"}),
            client.patch(f"/api/v1/check-ins/{moved.id}", headers=headers,
                         json={"scheduled_at": "2099-05-05T09:00:00+00:00"})):
        assert response.status_code in (200, 201), response.get_json()
        assert make.PRIVATE not in response.get_data(as_text=True)
    refused = client.put(f"/api/v1/check-ins/{moved.id}/notes", headers=headers,
                         json={"private_notes": "overwrite"})
    assert refused.status_code == 403


def test_the_calendar_event_never_carries_notes(org, scene):
    with_notes = scene["held"]
    for viewer in (org.manager_a1, org.rep_a1a):
        event = check_in_calendar.check_in_event(with_notes, viewer)
        assert make.PRIVATE not in event.description and SHARED not in event.description
    assert url_for("reinforcement.checkins.check_in_detail", id=with_notes.id) in event.url


# --- the rules, over can() and visible() -----------------------------------------------------

ACTORS = ("manager_a1", "rep_a1a", "leader_a", "exec", "rep_a1b", "manager_a2", "leader_b",
          "admin")
Y, N = True, False
#                        coach coachee leader exec peer-rep peer-mgr other admin
CHECK_IN_RULES = {
    "checkin.view":        (Y,   Y,      Y,     Y,   N,       N,       N,    Y),
    "checkin.coach":       (Y,   N,      N,     N,   N,       N,       N,    N),
    "checkin.participate": (Y,   Y,      N,     N,   N,       N,       N,    N),
    "checkin.reschedule":  (Y,   Y,      N,     N,   N,       N,       N,    N),
}


@pytest.mark.parametrize("action", CHECK_IN_RULES)
def test_check_in_rules_follow_the_pair_and_the_tree(org, action):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    actual = tuple(authz.can(getattr(org, who), action, check_in) for who in ACTORS)
    assert dict(zip(ACTORS, actual, strict=True)) == dict(
        zip(ACTORS, CHECK_IN_RULES[action], strict=True))


def test_a_held_check_in_is_no_longer_rescheduled(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    assert not authz.can(org.manager_a1, "checkin.reschedule", check_in)
    assert authz.can(org.manager_a1, "checkin.coach", check_in)


def test_scheduling_needs_a_coach_and_someone_in_sight(org):
    assert [authz.can(getattr(org, who), "checkin.schedule") for who in ACTORS] == [
        Y, N, Y, Y, N, Y, Y, Y]
    assert [authz.can(getattr(org, who), "checkin.schedule", org.rep_a1a) for who in ACTORS] == [
        Y, N, Y, Y, N, N, N, Y]


def test_action_items_are_seen_by_the_pair_and_above_and_changed_by_owner_or_coach(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    item = make.action_item(check_in, org.rep_a1a, due_on=date.today())
    assert [authz.can_see(getattr(org, who), item) for who in ACTORS] == [
        Y, Y, Y, Y, N, N, N, Y]
    assert [authz.can(getattr(org, who), "action.update", item) for who in ACTORS] == [
        Y, Y, N, N, N, N, N, N]


def test_council_actions_are_for_members_and_the_chair_changes_them(org):
    council = Council(name="Champions", chair_id=org.leader_a.id,
                      members=[org.leader_a, org.leader_b])
    meeting = CouncilMeeting(council=council, scheduled_at=utcnow())
    db.session.add_all([council, meeting])
    db.session.flush()
    item = ActionItem(title="Share the agenda template", owner_id=org.leader_b.id,
                      due_on=date.today(), council_meeting_id=meeting.id)
    db.session.add(item)
    db.session.flush()
    assert [authz.can_see(getattr(org, who), item) for who in ACTORS] == [
        N, N, Y, N, N, N, Y, Y]
    assert [authz.can(getattr(org, who), "action.update", item) for who in ACTORS] == [
        N, N, Y, N, N, N, Y, N]
    seen = set(db.session.scalars(authz.visible(select(ActionItem.id), org.leader_a,
                                                ActionItem)))
    assert seen == {item.id}
    assert not set(db.session.scalars(authz.visible(select(ActionItem.id), org.exec,
                                                    ActionItem)))


def test_lists_are_scoped_to_the_pair_and_the_people_above(org):
    ours = make.check_in(org.manager_a1, org.rep_a1a)
    theirs = make.check_in(org.manager_b1, org.rep_b1a)
    own_item = make.action_item(ours, org.rep_a1a, due_on=date.today())
    other_item = make.action_item(theirs, org.rep_b1a, due_on=date.today())

    def ids(model, who) -> set[int]:
        return set(db.session.scalars(authz.visible(select(model.id), getattr(org, who),
                                                    model)))
    assert ids(CheckIn, "rep_a1a") == ids(CheckIn, "leader_a") == {ours.id}
    assert ids(CheckIn, "rep_a1b") == set() and ids(CheckIn, "leader_b") == {theirs.id}
    assert ids(CheckIn, "admin") == ids(CheckIn, "exec") == {ours.id, theirs.id}
    assert ids(ActionItem, "manager_a1") == {own_item.id}
    assert ids(ActionItem, "admin") == {own_item.id, other_item.id}
