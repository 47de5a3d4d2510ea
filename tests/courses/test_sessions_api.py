"""The live sessions REST API: the catalog, scheduling, registration and attendance."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from courses.live import services as live
from courses.live.models import Attendance, LiveSession, Program, RegistrationStatus
from lms.db import utcnow
from lms.extensions import db
from lms.notify.jobs import run_ready
from tests import factories
from tests.api_support import api_routes, documented_routes, token_maker
from tests.courses.factories_live import begin

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/sessions/"
READ, WRITE = "sessions:read", "sessions:write"
bearer = token_maker(READ, WRITE)


@pytest.fixture
def facilitator(session):
    return factories.person(level="manager", is_facilitator=True, name="Fran Facilitator")


def make(by, *, title="Coaching rhythm", start_in=timedelta(days=7), **fields) -> LiveSession:
    starts = utcnow().replace(microsecond=0) + start_in
    fields.setdefault("segments", [("Opening by the VP", 15), ("Practice", 60)])
    return live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), **fields), by=by)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def attendance_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance))


# --- the catalog -----------------------------------------------------------------------------

def test_list_shows_upcoming_scheduled_sessions_with_seats_left(client, org):
    later = make(org.admin, title="Later", start_in=timedelta(days=9), capacity=2)
    make(org.admin, title="Sooner", start_in=timedelta(days=2))
    make(org.admin, title="Past", start_in=timedelta(days=-3))
    live.cancel_session(make(org.admin, title="Cancelled", start_in=timedelta(days=4)),
                        by=org.admin)
    live.register(org.rep_a1a, later, by=org.rep_a1a)

    response = client.get(API, headers=bearer(org.rep_a1b))

    assert titles(response) == ["Sooner", "Later"]
    item = response.get_json()["items"][1]
    assert (item["registered"], item["waitlisted"], item["seats_left"]) == (1, 0, 1)
    assert response.get_json()["meta"]["total"] == 2


def test_list_filters_by_window_and_program(client, org):
    program = Program(name="Coaching culture", starts_on=utcnow().date(),
                      ends_on=utcnow().date() + timedelta(days=90))
    db.session.add(program)
    db.session.flush()
    make(org.admin, title="In program", start_in=timedelta(days=3)).program_id = program.id
    make(org.admin, title="Far", start_in=timedelta(days=30))
    make(org.admin, title="Past", start_in=timedelta(days=-3))
    headers = bearer(org.rep_a1a)
    week_ago = (utcnow() - timedelta(days=7)).isoformat()
    in_ten = (utcnow() + timedelta(days=10)).isoformat()

    window = client.get(API, headers=headers, query_string={"from": week_ago, "to": in_ten})
    assert titles(window) == ["Past", "In program"]
    by_program = client.get(API, headers=headers, query_string={"program_id": program.id})
    assert titles(by_program) == ["In program"]


def test_list_refuses_unknown_query_fields(client, org):
    response = client.get(API + "?colour=red", headers=bearer(org.rep_a1a))

    assert response.status_code == 422
    assert "colour" in response.get_json()["errors"]


def test_list_query_count_does_not_grow_with_sessions(client, org, count_queries):
    headers = bearer(org.admin)
    counts = []
    for extra in (1, 5):
        for number in range(extra):
            session = make(org.admin, title=f"S{extra}-{number}", start_in=timedelta(days=3))
            live.register(org.rep_a1a, session, by=org.rep_a1a)
        db.session.commit()
        run_ready()  # the registrations' emails, which their own requests would have sent
        with count_queries() as counter:
            assert client.get(API, headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_detail_gives_agenda_seats_left_and_my_registration(client, org):
    session = make(org.admin, capacity=1)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    live.register(org.rep_a1b, session, by=org.rep_a1b)

    body = client.get(f"{API}{session.id}", headers=bearer(org.rep_a1b)).get_json()

    assert [(s["title"], s["minutes"]) for s in body["agenda"]] == [
        ("Opening by the VP", 15), ("Practice", 60)]
    assert (body["seats_left"], body["registered"], body["waitlisted"]) == (0, 1, 1)
    assert body["my_registration"] == "waitlisted"


def test_cancelled_session_is_out_of_sight_for_a_rep(client, org):
    session = make(org.admin)
    live.cancel_session(session, by=org.admin)

    assert client.get(f"{API}{session.id}", headers=bearer(org.rep_a1a)).status_code == 404


# --- scheduling ------------------------------------------------------------------------------

def test_admin_schedules_a_session_with_agenda_and_facilitator(client, org, facilitator):
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    response = client.post(API, headers=bearer(org.admin), json={
        "title": "Pipeline reviews", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(), "capacity": 12,
        "facilitator_id": facilitator.id, "agenda": [{"title": "Why", "minutes": 20}]})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["facilitator_id"] == facilitator.id and body["seats_left"] == 12
    assert [s["title"] for s in body["agenda"]] == ["Why"]
    assert db.session.get(LiveSession, body["id"]).starts_at.astimezone(UTC) == starts


def test_schedule_refusal_from_the_service_names_the_field_and_writes_nothing(client, org):
    starts = utcnow() + timedelta(days=5)
    response = client.post(API, headers=bearer(org.admin), json={
        "title": "Too long agenda", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=30)).isoformat(),
        "agenda": [{"title": "Everything", "minutes": 45}]})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "segments": ["The agenda takes 45 minutes but the session lasts only 30."]}
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_schedule_refuses_unknown_fields_and_naive_times(client, org):
    response = client.post(API, headers=bearer(org.admin), json={
        "title": "X", "starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00",
        "room": "B"})

    assert response.status_code == 422
    assert {"starts_at", "ends_at", "room"} <= set(response.get_json()["errors"])


def test_patch_changes_only_what_is_sent_and_keeps_the_agenda(client, org):
    session = make(org.admin, capacity=10)

    response = client.patch(f"{API}{session.id}", headers=bearer(org.admin),
                            json={"location": "Room 2", "capacity": 4})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["location"], body["capacity"], body["title"]) == ("Room 2", 4, "Coaching rhythm")
    assert len(body["agenda"]) == 2 and session.sequence == 1


def test_read_only_token_cannot_schedule(client, org):
    response = client.post(API, headers=bearer(org.admin, READ), json={"title": "X"})

    assert response.status_code == 403


# --- registration ----------------------------------------------------------------------------

def test_rep_registers_and_a_full_session_waitlists_the_next(client, org):
    session = make(org.admin, capacity=1)

    first = client.post(f"{API}{session.id}/registrations", headers=bearer(org.rep_a1a),
                        json={"user_id": org.rep_a1a.id})
    second = client.post(f"{API}{session.id}/registrations", headers=bearer(org.rep_a1b),
                         json={"user_id": org.rep_a1b.id})

    assert first.status_code == 201 and first.get_json()["status"] == "registered"
    assert first.get_json()["waitlist_position"] is None
    assert second.status_code == 201
    assert (second.get_json()["status"], second.get_json()["waitlist_position"]) == (
        "waitlisted", 1)


def test_rep_cannot_register_a_peer_they_cannot_see(client, org):
    session = make(org.admin)

    response = client.post(f"{API}{session.id}/registrations", headers=bearer(org.rep_a1a),
                           json={"user_id": org.rep_a1b.id})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"user_id": ["No one you can see has that id."]}
    assert live.registrants(session) == []


def test_manager_registers_a_report_but_not_someone_out_of_sight(client, org):
    session = make(org.admin)
    headers = bearer(org.manager_a1)

    own = client.post(f"{API}{session.id}/registrations", headers=headers,
                      json={"user_id": org.rep_a1a.id})
    other = client.post(f"{API}{session.id}/registrations", headers=headers,
                        json={"user_id": org.rep_b1a.id})

    assert own.status_code == 201 and own.get_json()["user_id"] == org.rep_a1a.id
    assert other.status_code == 422 and "user_id" in other.get_json()["errors"]
    assert live.registrants(session) == [org.rep_a1a]


def test_registering_twice_is_refused(client, org):
    session = make(org.admin)
    live.register(org.rep_a1a, session, by=org.rep_a1a)

    response = client.post(f"{API}{session.id}/registrations", headers=bearer(org.rep_a1a),
                           json={"user_id": org.rep_a1a.id})

    assert response.status_code == 422
    assert "already registered" in response.get_json()["errors"]["request"][0]


def test_cancelling_a_seat_promotes_the_first_waiting(client, org):
    session = make(org.admin, capacity=1)
    live.register(org.rep_a1a, session, by=org.rep_a1a)
    waiting = live.register(org.rep_a1b, session, by=org.rep_a1b)

    response = client.delete(f"{API}{session.id}/registrations/{org.rep_a1a.id}",
                             headers=bearer(org.rep_a1a))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert response.get_json()["promoted_user_id"] == org.rep_a1b.id
    assert waiting.status == RegistrationStatus.REGISTERED


def test_cancelling_someone_out_of_sight_is_not_found(client, org):
    session = make(org.admin)
    live.register(org.rep_b1a, session, by=org.rep_b1a)

    response = client.delete(f"{API}{session.id}/registrations/{org.rep_b1a.id}",
                             headers=bearer(org.rep_a1a))

    assert response.status_code == 404
    assert live.registrants(session) == [org.rep_b1a]


# --- attendance ------------------------------------------------------------------------------

@pytest.fixture
def held(org, facilitator):
    """A session facilitated by Fran with reps from both branches registered."""
    session = make(org.admin, facilitator=facilitator)
    registrations = {person: live.register(person, session, by=org.admin)
                     for person in (org.rep_a1a, org.rep_a1b, org.rep_b1a)}
    begin(session)
    return session, registrations


def test_facilitator_takes_the_whole_roster_in_one_request(client, org, facilitator, held):
    session, regs = held
    segment = session.segments[0]

    response = client.put(f"{API}{session.id}/attendance", headers=bearer(facilitator), json={
        "rows": [{"registration_id": regs[org.rep_a1a].id, "status": "attended"},
                 {"registration_id": regs[org.rep_a1b].id, "status": "left_early",
                  "left_after_segment_id": segment.id},
                 {"registration_id": regs[org.rep_b1a].id, "status": "excused",
                  "excuse": "Customer visit"}]})

    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"saved": 3}
    items = client.get(f"{API}{session.id}/attendance",
                       headers=bearer(facilitator)).get_json()["items"]
    by_user = {item["user_id"]: item for item in items}
    assert by_user[org.rep_a1a.id]["counts_as_attended"] is True
    assert by_user[org.rep_a1b.id]["minutes_present"] == 15
    assert by_user[org.rep_b1a.id]["excuse"] == "Customer visit"


def test_bad_rows_are_each_reported_by_index_and_nothing_is_written(client, org, facilitator,
                                                                     held):
    session, regs = held

    response = client.put(f"{API}{session.id}/attendance", headers=bearer(facilitator), json={
        "rows": [{"registration_id": regs[org.rep_a1a].id, "status": "attended"},
                 {"registration_id": regs[org.rep_a1b].id, "status": "excused"},
                 {"registration_id": regs[org.rep_b1a].id, "status": "attended",
                  "minutes_present": 500},
                 {"registration_id": regs[org.rep_a1a].id, "status": "absent"},
                 {"registration_id": 999_999, "status": "absent"}]})

    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"rows.1", "rows.2", "rows.3", "rows.4"}
    assert "give the reason" in errors["rows.1"][0]
    assert "more than the session's 120 minutes" in errors["rows.2"][0]
    assert "more than once" in errors["rows.3"][0]
    assert attendance_count() == 0


def test_badly_shaped_rows_are_refused_by_index(client, org, facilitator, held):
    session, regs = held

    response = client.put(f"{API}{session.id}/attendance", headers=bearer(facilitator), json={
        "rows": [{"registration_id": regs[org.rep_a1a].id, "status": "asleep", "x": 1}]})

    assert response.status_code == 422
    assert {"rows.0.status", "rows.0.x"} <= set(response.get_json()["errors"])
    assert attendance_count() == 0


def test_rep_cannot_take_or_read_attendance(client, org, held):
    session, regs = held
    headers = bearer(org.rep_a1a)

    put = client.put(f"{API}{session.id}/attendance", headers=headers, json={
        "rows": [{"registration_id": regs[org.rep_a1a].id, "status": "attended"}]})
    get = client.get(f"{API}{session.id}/attendance", headers=headers)

    assert (put.status_code, get.status_code) == (403, 403)
    assert attendance_count() == 0


def test_leader_sees_only_their_subtrees_rows(client, org, held):
    session, _regs = held
    live.mark_all_present(session, by=org.admin)
    db.session.commit()

    a_side = client.get(f"{API}{session.id}/attendance", headers=bearer(org.leader_a))
    b_side = client.get(f"{API}{session.id}/attendance", headers=bearer(org.leader_b))

    assert [i["name"] for i in a_side.get_json()["items"]] == ["Rita Rep", "Ron Rep"]
    assert [i["name"] for i in b_side.get_json()["items"]] == ["Raj Rep"]
    assert b_side.get_json()["items"][0]["status"] == "attended"
    assert a_side.get_json()["meta"]["total"] == 2


def test_leader_cannot_take_attendance(client, org, held):
    session, regs = held

    response = client.put(f"{API}{session.id}/attendance", headers=bearer(org.leader_a), json={
        "rows": [{"registration_id": regs[org.rep_a1a].id, "status": "absent"}]})

    assert response.status_code == 403


def test_attendance_query_count_does_not_grow_with_the_roster(client, org, facilitator,
                                                              count_queries):
    headers = bearer(facilitator)
    counts = []
    for days, people in ((3, 1), (5, 5)):
        session = make(org.admin, title=f"Roster of {people}", start_in=timedelta(days=days),
                       facilitator=facilitator)
        for _ in range(people):
            person = factories.person(manager=org.manager_a1)
            live.register(person, session, by=person)
        live.mark_all_present(begin(session), by=org.admin)
        db.session.commit()
        run_ready()  # the registrations' emails, which their own requests would have sent
        with count_queries() as counter:
            assert client.get(f"{API}{session.id}/attendance", headers=headers).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


# --- the OpenAPI document --------------------------------------------------------------------

def test_openapi_document_stays_valid_and_lists_every_session_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()

    validate(spec)
    routes = api_routes(app, "sessions_api")
    assert len(routes) == 8
    assert routes <= documented_routes(spec)


def test_attendance_before_the_session_starts_is_refused_with_409(client, org, facilitator):
    session = make(org.admin, title="Next fortnight", start_in=timedelta(days=10),
                   facilitator=facilitator)
    registration = live.register(org.rep_a1a, session, by=org.rep_a1a)
    db.session.commit()

    response = client.put(f"{API}{session.id}/attendance", headers=bearer(facilitator), json={
        "rows": [{"registration_id": registration.id, "status": "attended"}]})

    assert response.status_code == 409
    assert "opens when the session starts" in response.get_json()["errors"]["request"][0]
    assert attendance_count() == 0
