"""A learner's training on Home ("My learning"), lock reasons that name the person, the
catalog card's reason, required courses that cannot be left, and progress as JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest

from courses.models import EnrollmentStatus, LessonKind, PrerequisiteKind
from courses.services import authoring, enrolment, player
from courses.unlocking import lock_reasons_for
from lms.db import utcnow
from lms.errors import NotAllowedError
from lms.extensions import db
from lms.web import files
from lms.web.dates import format_date
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _learning(client) -> str:
    """Home's "My learning" section."""
    page = _page(client, "/")
    start = page.index('id="learning-heading"')
    return page[start:page.index("</section>", start)]


def _item(section: str, title: str) -> str:
    start = section.index(f">{title}</a>")
    return section[start:section.index("</li>", start)]


def _manager_first(org):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",),
                                lessons=1, by=org.admin)
    discovery = factories.course(title="Discovery Calls", by=org.admin)
    authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    return coaching, discovery


def test_home_lists_every_active_enrolment_with_progress_and_due_date(client, login, org):
    later = factories.course(title="Pipeline Basics", lessons=4, by=org.admin)
    started = factories.course(title="Cold Calls", lessons=2, by=org.admin)
    finished = factories.course(title="Negotiation", lessons=1, by=org.admin)
    due = (utcnow() + timedelta(days=30)).replace(hour=12)
    enrolment.enrol(org.rep_a1a, later, by=org.manager_a1, due_at=due)
    mine = enrolment.enrol(org.rep_a1a, started, by=org.rep_a1a)
    player.complete_lesson(mine, started.current_version.lessons[0], by=org.rep_a1a)
    done = enrolment.enrol(org.rep_a1a, finished, by=org.rep_a1a)
    player.complete_lesson(done, finished.current_version.lessons[0], by=org.rep_a1a)
    login(org.rep_a1a)
    section = _learning(client)
    assert "My learning" in section
    pipeline = _item(section, "Pipeline Basics")
    assert "Not started" in pipeline and f"Due {format_date(due, org.rep_a1a.zone)}" in pipeline
    assert "0 of 4 required lessons done (0%)" in pipeline and "Required" in pipeline
    assert f'/courses/{later.slug}/lessons/{later.current_version.lessons[0].key}"' in pipeline
    cold = _item(section, "Cold Calls")
    assert "In progress" in cold and "1 of 2 required lessons done (50%)" in cold
    assert 'value="50"' in cold and "Continue" in cold and "Required" not in cold
    assert "Negotiation" not in section  # completed: not active any more
    assert section.index("Pipeline Basics") < section.index("Cold Calls")  # due first


def test_a_locked_course_names_the_manager_it_waits_for(client, login, org):
    _coaching, discovery = _manager_first(org)
    enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    login(org.rep_a1a)
    item = _item(_learning(client), "Discovery Calls")
    assert "Locked" in item
    assert "Waiting for Dana Reyes to finish “Coaching the Coach”." in item
    assert "/lessons/" not in item and "View course" in item


def test_the_lock_clears_from_home_when_the_manager_finishes(client, login, org):
    coaching, discovery = _manager_first(org)
    enrolment.enrol(org.rep_a1a, discovery, by=org.manager_a1)
    theirs = enrolment.enrol(org.manager_a1, coaching, by=org.manager_a1)
    player.complete_lesson(theirs, coaching.current_version.lessons[0], by=org.manager_a1)
    login(org.rep_a1a)
    item = _item(_learning(client), "Discovery Calls")
    assert "Locked" not in item and "Waiting for" not in item and "Start" in item


def test_home_without_courses_points_to_the_catalog(client, login, org):
    login(org.rep_a1a)
    section = _learning(client)
    assert "You are not taking any course right now." in section
    assert 'href="/courses/"' in section


def test_waiting_names_the_person_for_each_kind_of_lock(org):
    coaching, discovery = _manager_first(org)
    authoring.add_prerequisite(discovery, PrerequisiteKind.LEADER_ATTENDED, coaching,
                               by=org.admin)
    own = factories.course(title="Basics", by=org.admin)
    authoring.add_prerequisite(discovery, PrerequisiteKind.OWN_COMPLETION, own, by=org.admin)
    said = {reason.waiting for reason in lock_reasons_for(discovery, org.rep_a1a)}
    assert said == {"Waiting for Dana Reyes to finish “Coaching the Coach”.",
                    "Waiting for Lena Leader to attend a live session of “Coaching the Coach”.",
                    "Finish “Basics” first."}
    loner = factories.person(name="Lone Rep")
    (alone,) = [reason.waiting for reason in lock_reasons_for(discovery, loner)
                if reason.prerequisite.kind == PrerequisiteKind.MANAGER_COMPLETION]
    assert alone.startswith("Locked: it needs your manager")


def test_home_costs_the_same_queries_for_one_course_or_seven(client, login, org,
                                                             count_queries):
    coaching = factories.course(title="Coaching the Coach", audience=("manager",),
                                by=org.admin)

    def take(count: int) -> None:
        for _ in range(count):
            course = factories.course(lessons=2, by=org.admin)
            authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                                       by=org.admin)
            mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a,
                                   due_at=utcnow() + timedelta(days=20))
            player.complete_step(mine, course.current_version.lessons[0].key, by=None)

    take(1)
    login(org.rep_a1a)
    counts = []
    for more in (0, 6):
        take(more)
        db.session.commit()
        db.session.expire_all()
        with count_queries() as counter:
            section = _learning(client)
        assert section.count("Waiting for Dana Reyes") == 1 + more
        counts.append(counter.count)
    assert counts[0] == counts[1]


# --- the catalog card -------------------------------------------------------------------------

def test_the_catalog_card_says_who_a_locked_course_waits_for(client, login, org):
    _manager_first(org)
    login(org.rep_a1a)
    page = _page(client, "/courses/")
    start = page.index(">Discovery Calls</a>")
    card = page[start:page.index("</article>", start)]
    assert "Locked" in card and "Waiting for Dana Reyes to finish “Coaching the Coach”." in card


# --- required courses -------------------------------------------------------------------------

def test_a_required_course_offers_no_unenrol_and_refuses_the_post(client, login, org):
    course = factories.course(title="Pipeline Basics", by=org.admin)
    assigned = enrolment.enrol(org.rep_a1a, course, by=org.manager_a1)
    login(org.rep_a1a)
    page = _page(client, f"/courses/{course.slug}")
    assert "Unenrol" not in page and f"/courses/{course.slug}/leave" not in page
    assert "Required: assigned by Dana Reyes." in page
    refused = client.post(f"/courses/{course.slug}/leave")
    assert refused.status_code == 403
    assert "This course is required" in refused.get_data(as_text=True)
    db.session.refresh(assigned)
    assert assigned.status == EnrollmentStatus.ACTIVE


def test_a_course_nobody_picks_for_themselves_is_required_too(client, login, org):
    course = factories.course(title="Compliance", self_enrol=False, by=org.admin)
    enrolment.enrol(org.rep_a1a, course, by=org.admin)
    login(org.rep_a1a)
    assert client.post(f"/courses/{course.slug}/leave",
                       headers={"Accept": "application/json"}).status_code == 403


def test_a_course_you_chose_can_be_left(client, login, org):
    course = factories.course(title="Cold Calls", by=org.admin)
    mine = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    assert "Unenrol" in _page(client, f"/courses/{course.slug}")
    assert client.post(f"/courses/{course.slug}/leave").status_code == 302
    assert mine.status == EnrollmentStatus.WITHDRAWN


def test_the_service_refuses_the_learner_but_lets_their_manager_withdraw(org):
    course = factories.course(title="Pipeline Basics", by=org.admin)
    assigned = enrolment.enrol(org.rep_a1a, course, by=org.manager_a1)
    with pytest.raises(NotAllowedError, match="required"):
        enrolment.unenrol(assigned, by=org.rep_a1a)
    assert assigned.status == EnrollmentStatus.ACTIVE
    enrolment.unenrol(assigned, by=org.manager_a1)
    assert assigned.status == EnrollmentStatus.WITHDRAWN


# --- a downloaded file, counted at once --------------------------------------------------------

def test_progress_json_counts_a_downloaded_file_lesson(client, login, org):
    stored = files.store_bytes(PDF, "call-planner.pdf", by=org.admin)
    course = factories.course(title="Job Aids", published=False, lessons=1, by=org.admin)
    aid = authoring.add_lesson(course.draft_version.modules[0], authoring.LessonData(
        title="Call planner", kind=LessonKind.FILE, file_id=stored.id), by=org.admin)
    authoring.publish(course, by=org.admin)
    enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    login(org.rep_a1a)
    lesson = _page(client, f"/courses/{course.slug}/lessons/{aid.key}")
    assert f'data-progress-url="/courses/{course.slug}/progress"' in lesson
    assert client.get(f"/courses/{course.slug}/progress").get_json() == {
        "done": [], "percent": 0, "required_done": 0, "required": 2,
        "course_complete": False}
    client.get(f"/courses/{course.slug}/lessons/{aid.key}/download")
    assert client.get(f"/courses/{course.slug}/progress").get_json() == {
        "done": [aid.key], "percent": 50, "required_done": 1, "required": 2,
        "course_complete": False}


def test_progress_json_refuses_someone_not_enrolled(client, login, org):
    course = factories.course(title="Job Aids", by=org.admin)
    login(org.rep_a1a)
    response = client.get(f"/courses/{course.slug}/progress")
    assert response.status_code == 409
    assert response.get_json() == {"errors": {"request": ["You are not enrolled in this "
                                                          "course."]}}
