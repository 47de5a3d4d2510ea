"""Programs and waves: services, the manager-first rule in SQL, progress by level and pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from courses.live import programs
from courses.live import services as live
from courses.live.models import Program, ProgramStatus, ProgramWave
from courses.models import Enrollment, EnrollmentStatus
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from tests import factories

START, END = date(2030, 1, 1), date(2030, 6, 30)


@pytest.fixture
def courses(org):
    return {"w1a": factories.course(title="Coaching rhythm", audience=("manager",), by=org.admin),
            "w1b": factories.course(title="Pipeline reviews", audience=("manager",),
                                    by=org.admin),
            "w2": factories.course(title="Discovery calls", by=org.admin)}


def make_program(by, **fields) -> Program:
    fields.setdefault("name", "Manager-first rollout")
    fields.setdefault("starts_on", START)
    fields.setdefault("ends_on", END)
    return programs.create_program(programs.ProgramData(**fields), by=by)


@pytest.fixture
def program(ctx, org, courses):
    program = make_program(org.admin, owner=org.leader_a, goal="Coach every week.")
    programs.default_waves(program, [courses["w1a"], courses["w1b"]], [courses["w2"]],
                           by=org.admin)
    return program


def enrol(person, course, *, done: bool) -> Enrollment:
    enrollment = Enrollment(course=course, user=person, status=EnrollmentStatus.ACTIVE)
    db.session.add(enrollment)
    if done:
        enrollment.complete(utcnow())
    db.session.flush()
    return enrollment


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def wave(program, number) -> ProgramWave:
    return next(w for w in program.waves if w.number == number)


# --- services ------------------------------------------------------------------------------

def test_program_is_created_as_a_draft_and_audited(ctx, org):
    program = make_program(org.admin, owner=org.leader_a)
    assert program.status == ProgramStatus.DRAFT and program.owner is org.leader_a
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "program.create"))
    assert entry.object_id == program.id and entry.actor_id == org.admin.id


def test_program_ending_before_it_starts_is_refused_and_nothing_written(ctx, org):
    with pytest.raises(ValidationError, match="must end after it starts") as caught:
        make_program(org.admin, starts_on=END, ends_on=START)
    assert caught.value.field == "ends_on"
    assert count(Program) == 0


def test_status_moves_draft_active_completed_and_never_back(ctx, org):
    program = make_program(org.admin)
    programs.set_status(program, "active", by=org.admin)
    programs.set_status(program, "completed", by=org.admin)
    assert program.status == ProgramStatus.COMPLETED
    with pytest.raises(ValidationError, match="completed program cannot become active"):
        programs.set_status(program, "active", by=org.admin)
    draft = make_program(org.admin, name="Other")
    programs.set_status(draft, "cancelled", by=org.admin)
    assert draft.status == ProgramStatus.CANCELLED
    with pytest.raises(ValidationError):
        programs.set_status(make_program(org.admin, name="Third"), "completed", by=org.admin)


def test_default_waves_have_the_manager_first_shape(program, courses):
    first, second = program.waves
    assert (first.number, first.audience, first.requires_manager_previous) == (
        1, ",manager,leader,", False)
    assert [c.id for c in first.courses] == sorted([courses["w1a"].id, courses["w1b"].id])
    assert (second.number, second.audience, second.requires_manager_previous) == (
        2, ",rep,", True)
    assert [c.title for c in second.courses] == ["Discovery calls"]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"opens_on": END + timedelta(days=1)}, "opens_on", "open within the program"),
    ({"opens_on": START - timedelta(days=1)}, "opens_on", "open within the program"),
    ({"course_ids": [987654]}, "courses", "unknown or not published"),
    ({"number": 1}, "number", "already has a wave 1"),
    ({"audience": ["boss"]}, "audience", "Choose the levels"),
    ({"name": " "}, "name", "Give the wave a name"),
])
def test_bad_waves_are_refused(program, org, fields, field, message):
    data = {"number": 3, "name": "Late joiners", "opens_on": START, **fields}
    with pytest.raises(ValidationError, match=message) as caught:
        programs.add_wave(program, programs.WaveData(**data), by=org.admin)
    assert caught.value.field == field


def test_wave_with_an_unpublished_course_is_refused(program, org):
    draft = factories.course(title="Not yet", published=False, by=org.admin)
    with pytest.raises(ValidationError, match="not published"):
        programs.add_wave(program, programs.WaveData(
            number=3, name="Drafts", opens_on=START, course_ids=[draft.id]), by=org.admin)


def test_wave_is_edited_and_deleted_with_audit(program, org, courses):
    second = wave(program, 2)
    programs.update_wave(second, programs.WaveData(
        number=2, name="Reps, all regions", opens_on=START + timedelta(days=30),
        audience=["rep"], course_ids=[courses["w2"].id, courses["w1a"].id],
        requires_manager_previous=True), by=org.admin)
    assert second.name == "Reps, all regions" and len(second.courses) == 2
    update = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "program.wave_update"))
    assert update.changes["name"] == ["Reps", "Reps, all regions"]
    programs.delete_wave(second, by=org.admin)
    assert [w.number for w in program.waves] == [1]
    assert count(ProgramWave) == 1


def test_program_dates_cannot_move_past_a_wave(program, org):
    later = START + timedelta(days=10)
    programs.update_wave(wave(program, 2), programs.WaveData(
        number=2, name="Reps", opens_on=later, audience=["rep"],
        requires_manager_previous=True), by=org.admin)
    with pytest.raises(ValidationError, match="Wave 2 would open outside"):
        programs.update_program(program, programs.ProgramData(
            name=program.name, starts_on=START, ends_on=later - timedelta(days=1)),
            by=org.admin)


# --- the manager-first rule ----------------------------------------------------------------

def test_rep_wave_opens_once_their_manager_completed_all_wave_one(program, org, courses):
    second = wave(program, 2)
    enrol(org.manager_a1, courses["w1a"], done=True)
    enrol(org.manager_a1, courses["w1b"], done=True)
    reps = [org.rep_a1a, org.rep_a1b, org.rep_a2a]
    opened = programs.wave_open_for(second, reps, today=START)
    assert opened == {org.rep_a1a.id: True, org.rep_a1b.id: True, org.rep_a2a.id: False}


def test_rep_wave_stays_closed_while_their_manager_is_part_way(program, org, courses):
    enrol(org.manager_a1, courses["w1a"], done=True)
    enrol(org.manager_a1, courses["w1b"], done=False)
    assert programs.wave_open_for(wave(program, 2), [org.rep_a1a], today=END) == {
        org.rep_a1a.id: False}


def test_wave_is_closed_to_everyone_before_it_opens(program, org, courses):
    enrol(org.manager_a1, courses["w1a"], done=True)
    enrol(org.manager_a1, courses["w1b"], done=True)
    second = wave(program, 2)
    before = START - timedelta(days=1)
    assert programs.wave_open_for(second, [org.rep_a1a], today=before) == {
        org.rep_a1a.id: False}
    assert programs.wave_open_for(wave(program, 1), [org.manager_a1], today=before) == {
        org.manager_a1.id: False}
    assert programs.wave_open_for(wave(program, 1), [org.manager_a1], today=START) == {
        org.manager_a1.id: True}


def test_wave_open_for_is_one_query_for_any_number_of_people(program, org, count_queries):
    many = [factories.person(manager=org.manager_a2) for _ in range(30)]
    second = wave(program, 2)
    with count_queries() as few:
        programs.wave_open_for(second, [org.rep_a1a], today=START)
    with count_queries() as lots:
        opened = programs.wave_open_for(second, many, today=START)
    assert few.count == lots.count == 1
    assert set(opened.values()) == {False}


# --- progress -------------------------------------------------------------------------------

def test_progress_counts_by_level_and_reps_waiting_in_the_viewers_subtree(
        program, org, courses):
    for course in ("w1a", "w1b"):
        enrol(org.manager_a1, courses[course], done=True)
        enrol(org.manager_b1, courses[course], done=True)
    enrol(org.manager_a2, courses["w1a"], done=True)  # part way: their rep waits
    enrol(org.rep_a1a, courses["w2"], done=True)
    enrol(org.rep_a1b, courses["w2"], done=False)
    first, second = program.waves

    mine = programs.program_progress(program, org.leader_a)
    assert mine[first.id].by_level["manager"] == programs.LevelCount(2, 1)
    assert mine[second.id].by_level["rep"] == programs.LevelCount(2, 1)
    assert mine[second.id].waiting_on_manager == 1  # Rosa, whose manager is part way

    everyone = programs.program_progress(program, org.admin)
    assert everyone[first.id].by_level["manager"] == programs.LevelCount(3, 2)


# --- pages ----------------------------------------------------------------------------------

def test_admin_creates_a_program_from_the_page(client, login, org):
    login(org.admin)
    response = client.post("/courses/programs/new", data={
        "name": "Q3 coaching", "goal": "Weekly coaching.", "owner": org.leader_a.email,
        "starts_on": "2030-01-01", "ends_on": "2030-03-31"})
    assert response.status_code == 302
    program = db.session.scalar(select(Program).where(Program.name == "Q3 coaching"))
    assert program.owner_id == org.leader_a.id


def test_program_page_refuses_end_before_start_beside_the_field(client, login, org):
    login(org.admin)
    response = client.post("/courses/programs/new", data={
        "name": "Backwards", "starts_on": "2030-03-01", "ends_on": "2030-01-01"})
    assert response.status_code == 200
    assert "The program must end after it starts." in response.get_data(as_text=True)
    assert count(Program) == 0


def test_wave_page_refuses_an_opening_outside_the_program(client, login, org, program):
    login(org.admin)
    response = client.post(f"/courses/programs/{program.id}/waves/new", data={
        "number": "3", "name": "Late", "audience": ["rep"], "opens_on": "2031-01-01"})
    assert response.status_code == 200
    assert "The wave must open within the program" in response.get_data(as_text=True)
    assert len(program.waves) == 2


def test_wave_page_refuses_an_unknown_course(client, login, org, program):
    login(org.admin)
    response = client.post(f"/courses/programs/{program.id}/waves/new", data={
        "number": "3", "name": "Late", "audience": ["rep"], "opens_on": "2030-02-01",
        "courses": ["987654"]})
    assert response.status_code == 200
    assert "is not a valid choice for this field" in response.get_data(as_text=True)
    assert count(ProgramWave) == 2


def test_admin_adds_a_wave_from_the_page(client, login, org, program, courses):
    login(org.admin)
    response = client.post(f"/courses/programs/{program.id}/waves/new", data={
        "number": "3", "name": "Executives", "audience": ["executive"],
        "opens_on": "2030-02-01", "courses": [str(courses["w1a"].id)]})
    assert response.status_code == 302
    third = db.session.scalar(select(ProgramWave).where(ProgramWave.number == 3))
    assert third.audience == ",executive," and [c.id for c in third.courses] == [
        courses["w1a"].id]


def test_status_button_activates_the_program(client, login, org, program):
    login(org.admin)
    response = client.post(f"/courses/programs/{program.id}/status", data={"status": "active"})
    assert response.status_code == 302
    assert db.session.get(Program, program.id).status == ProgramStatus.ACTIVE


def test_reps_do_not_see_programs(client, login, org):
    owned = make_program(org.admin, name="Owned by a manager", owner=org.manager_a2)
    login(org.rep_a1a)
    assert client.get(f"/courses/programs/{owned.id}").status_code == 404
    assert "Owned by a manager" not in client.get("/courses/programs").get_data(as_text=True)


def test_a_manager_sees_the_program_they_own(client, login, org):
    owned = make_program(org.admin, name="Owned by a manager", owner=org.manager_a2)
    make_program(org.admin, name="Someone else's")
    login(org.manager_a2)
    listed = client.get("/courses/programs").get_data(as_text=True)
    assert "Owned by a manager" in listed and "Someone else" not in listed
    assert "Owned by a manager" in client.get("/courses/programs").get_data(as_text=True)
    assert client.get(f"/courses/programs/{owned.id}").status_code == 200


def test_program_page_lists_waves_courses_sessions_and_waiting(client, login, org, program,
                                                                courses):
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    session = live.create_session(live.SessionData(
        title="Kick-off with the VP", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        by=org.admin)
    session.program_id, session.wave_id = program.id, wave(program, 1).id
    db.session.flush()
    login(org.leader_a)
    page = client.get(f"/courses/programs/{program.id}").get_data(as_text=True)
    assert "Wave 1: Leaders and managers" in page and "Pipeline reviews" in page
    assert "Kick-off with the VP" in page
    assert "<strong>3</strong> still waiting on their manager" in page


def _grow(org, courses, people: int) -> None:
    for _ in range(people):
        manager = factories.person(level="manager", manager=org.leader_a)
        enrol(manager, courses["w1a"], done=True)
        rep = factories.person(manager=manager)
        enrol(rep, courses["w2"], done=False)


def test_program_page_queries_do_not_grow_with_people(client, login, org, program, courses,
                                                     count_queries):
    login(org.leader_a)
    url = f"/courses/programs/{program.id}"
    _grow(org, courses, 5)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _grow(org, courses, 95)
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)
    assert "<strong>103</strong> still waiting" in page  # 100 new reps and three of the org
    assert small.count == large.count


def test_admin_links_a_session_to_a_wave_and_unlinks_it(client, login, org, program):
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    session = live.create_session(live.SessionData(
        title="Rep practice", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        by=org.admin)
    second = wave(program, 2)
    login(org.admin)
    response = client.post(f"/courses/programs/{program.id}/sessions/link",
                           data={"session": session.id, "wave": second.id})
    assert response.status_code == 302
    assert (session.program_id, session.wave_id) == (program.id, second.id)
    page = client.get(f"/courses/programs/{program.id}").get_data(as_text=True)
    assert "Rep practice" in page
    response = client.post(f"/courses/programs/{program.id}/sessions/{session.id}/unlink")
    assert response.status_code == 302
    assert (session.program_id, session.wave_id) == (None, None)


def test_a_wave_of_another_program_cannot_take_a_session(program, org):
    other = make_program(org.admin, name="Other")
    stray = programs.add_wave(other, programs.WaveData(number=1, name="W", opens_on=START),
                              by=org.admin)
    starts = utcnow().replace(microsecond=0) + timedelta(days=5)
    session = live.create_session(live.SessionData(
        title="Stray", starts_at=starts, ends_at=starts + timedelta(hours=1)), by=org.admin)
    with pytest.raises(ValidationError, match="another program"):
        programs.link_session(program, session, stray, by=org.admin)
    assert session.program_id is None
