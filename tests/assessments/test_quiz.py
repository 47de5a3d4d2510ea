"""Assessments: authoring rules, the permission rules, the course step in the player, and the
pages learners, managers and admins use."""

from __future__ import annotations

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from assessments import quiz
from assessments.models import (
    Assessment,
    AssessmentStatus,
    Attempt,
    AttemptStatus,
    FeedbackPolicy,
    QuestionType,
)
from courses.models import Enrollment, LessonKind, LessonProgress
from courses.services import enrolment
from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from tests import csv_files, factories
from tests.assessments import factories_quiz as fq


def _page(response) -> str:
    return response.get_data(as_text=True)


def _data(**fields) -> quiz.AssessmentData:
    fields.setdefault("title", "Discovery check")
    return quiz.AssessmentData(**fields)


# --- authoring --------------------------------------------------------------------------------

def test_create_checks_the_pool_and_audits(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    for _ in range(3):
        fq.question(pool, tags=("discovery",))
    fq.question(pool, tags=("closing",))
    created = quiz.create_assessment(course, _data(
        sources=(quiz.SourceData(pool.id, "Discovery"),), question_count=3), by=org.admin)
    assert created.status == AssessmentStatus.DRAFT
    assert [(s.bank_id, s.tag) for s in created.sources] == [(pool.id, "discovery")]
    assert quiz.pool_size(course.id, created.sources) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.create"))
    assert entry.object_id == created.id and entry.actor_id == org.admin.id


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"question_count": 4}, "question_count", "hold 3 questions; draw at most that many"),
    ({"question_count": 0}, "question_count", "between 1 and 200"),
    ({"pass_mark": 0}, "pass_mark", "1 to 100"),
    ({"pass_mark": 101}, "pass_mark", "1 to 100"),
    ({"attempt_limit": 0}, "attempt_limit", "at least one attempt"),
    ({"time_limit_minutes": 0}, "time_limit_minutes", "1 to 600"),
    ({"time_limit_minutes": 601}, "time_limit_minutes", "1 to 600"),
    ({"title": "  "}, "title", "title"),
    ({"sources": ()}, "sources", "at least one bank or tag"),
    ({"lesson_key": "nope"}, "lesson_key", "assessment step of this course"),
])
def test_bad_settings_are_refused_with_a_clear_message_and_nothing_written(
        org, fields, field, message):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    for _ in range(3):
        fq.question(pool)
    fields.setdefault("sources", (quiz.SourceData(pool.id),))
    with pytest.raises(ValidationError, match=message) as refused:
        quiz.create_assessment(course, _data(question_count=fields.pop("question_count", 2),
                                             **fields), by=org.admin)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_another_courses_bank_is_refused(org):
    course, other = factories.course(by=org.admin), factories.course(by=org.admin)
    foreign = fq.bank(other)
    fq.question(foreign)
    with pytest.raises(ValidationError, match="banks of this course"):
        quiz.create_assessment(course, _data(sources=(quiz.SourceData(foreign.id),),
                                             question_count=1), by=org.admin)


def test_a_tag_across_the_course_draws_from_every_bank_of_it(org):
    course, other = factories.course(by=org.admin), factories.course(by=org.admin)
    first, second = fq.bank(course), fq.bank(course)
    fq.question(first, tags=("objections",))
    fq.question(second, tags=("objections",))
    fq.question(second, tags=("objections",), archived=True)
    fq.question(fq.bank(other), tags=("objections",))
    sources = (quiz.SourceData(None, "objections"),)
    assert quiz.pool_size(course.id, sources) == 2


def test_a_tag_is_matched_whole_not_as_a_prefix(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    fq.question(pool, tags=("discovery-calls",))
    assert quiz.pool_size(course.id, (quiz.SourceData(pool.id, "discovery"),)) == 0


def test_update_audits_changed_fields_and_sources(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    fq.question(pool, tags=("x",))
    fq.question(pool)
    found = fq.assessment(course, [pool], by=org.admin, count=1, pass_mark=70)
    quiz.update_assessment(found, _data(title=found.title, sources=(quiz.SourceData(pool.id, "x"),),
                                        question_count=1, pass_mark=90), by=org.admin)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.update"))
    assert entry.changes["pass_mark"] == [70, 90]
    assert entry.changes["sources"][1] == f"bank {pool.id} tag x"


def test_publish_refuses_when_the_pool_shrank_and_archive_closes(org):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    question = fq.question(pool)
    found = fq.assessment(course, [pool], by=org.admin, count=1, publish=False)
    question.is_archived = True
    db.session.flush()
    with pytest.raises(ValidationError, match="hold 0"):
        quiz.publish_assessment(found, by=org.admin)
    question.is_archived = False
    quiz.publish_assessment(found, by=org.admin)
    quiz.archive_assessment(found, by=org.admin)
    assert found.status == AssessmentStatus.ARCHIVED
    with pytest.raises(ValidationError, match="already archived"):
        quiz.archive_assessment(found, by=org.admin)


def test_a_step_belongs_to_one_assessment(org):
    course, key = fq.course_with_step(org.admin)
    pool = fq.bank(course)
    fq.question(pool)
    fq.assessment(course, [pool], by=org.admin, count=1, lesson_key=key, title="First")
    with pytest.raises(ValidationError, match="already belongs to “First”"):
        fq.assessment(course, [pool], by=org.admin, count=1, lesson_key=key)


def test_add_step_puts_an_assessment_lesson_in_the_draft(org):
    course = factories.course(by=org.admin)
    module_key = course.current_version.modules[0].key
    key = quiz.add_step(course, module_key, "Final check", by=org.admin)
    lesson = next(x for x in course.draft_version.lessons if x.key == key)
    assert (lesson.kind, lesson.title) == (LessonKind.ASSESSMENT, "Final check")
    assert [x.key for x in quiz.step_lessons(course)] == [key]


# --- rules ------------------------------------------------------------------------------------

def test_who_may_see_take_and_manage_an_assessment(org):
    _course, published = fq.ready(org)
    draft = fq.assessment(published.course, [published.sources[0].bank], by=org.admin,
                          count=1, publish=False)
    rep, outsider = org.rep_a1a, org.rep_b1a
    assert authz.can(rep, "assessment.take", published)
    assert not authz.can(outsider, "assessment.take", published)  # not enrolled
    assert authz.can(outsider, "assessment.view", published)
    assert not authz.can_see(rep, draft) and authz.can_see(org.admin, draft)
    assert not authz.can(org.admin, "assessment.take", draft)
    assert [authz.can(p, "assessment.manage", published) for p in (rep, org.leader_a, org.admin)] \
        == [False, False, True]
    assert [authz.can(p, "assessment.results", published)
            for p in (rep, org.manager_a1, org.exec, org.admin)] == [False, True, True, True]
    assert not authz.can(AnonymousUserMixin(), "assessment.view", published)


ATTEMPT_VIEWERS = {  # who sees Rita's (rep_a1a) attempt, and who answers it
    "rep_a1a": (True, True), "manager_a1": (True, False), "leader_a": (True, False),
    "exec": (True, False), "rep_a1b": (False, False), "manager_a2": (False, False),
    "leader_b": (False, False), "admin": (True, False),
}


def test_an_attempt_is_seen_by_its_owner_the_chain_above_and_admins(org):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    actual = {name: (authz.can(getattr(org, name), "attempt.view", attempt),
                     authz.can(getattr(org, name), "attempt.answer", attempt))
              for name in ATTEMPT_VIEWERS}
    assert actual == ATTEMPT_VIEWERS


def test_attempt_lists_are_scoped_to_the_subtree(org):
    _course, found = fq.ready(org, enrol=(org.rep_a1a, org.rep_b1a))
    for person in (org.rep_a1a, org.rep_b1a):
        quiz.start_attempt(person, found, now=utcnow())
    def owners(viewer):
        return {a.user_id for a in db.session.scalars(authz.visible(select(Attempt), viewer))}
    assert owners(org.leader_a) == {org.rep_a1a.id}
    assert owners(org.rep_b1a) == {org.rep_b1a.id}
    assert owners(org.admin) == {org.rep_a1a.id, org.rep_b1a.id}


# --- the course step in the player ------------------------------------------------------------

def test_the_player_shows_the_step_box_instead_of_mark_done(org, client, login):
    course, found = fq.ready(org, step=True, pass_mark=100)
    login(org.rep_a1a)
    url = f"/courses/{course.slug}/lessons/{found.lesson_key}"
    html = _page(client.get(url))
    assert found.title in html and "pass mark 100%" in html and "Start the assessment" in html
    assert f'href="/assessments/{found.id}"' in html
    assert "Mark complete" not in html
    assert "This step completes when you pass the assessment." in html
    refused = client.post(f"{url}/complete")
    assert refused.status_code == 422 and "pass the assessment" in _page(refused)
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_passing_over_http_completes_the_step_and_the_course(org, client, login):
    course, found = fq.ready(org, step=True, types=(QuestionType.SINGLE,), count=1)
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == org.rep_a1a.id))
    reading = course.current_version.lessons[0]
    login(org.rep_a1a)
    client.post(f"/courses/{course.slug}/lessons/{reading.key}/complete")
    started = client.post(f"/assessments/{found.id}/start")
    attempt = db.session.scalar(select(Attempt))
    item = quiz.items_of(attempt)[0]
    submitted = client.post(started.location, data={f"item-{item.id}": "b", "action": "submit"})
    assert submitted.status_code == 302
    result = _page(client.get(submitted.location))
    assert "Passed" in result and "1 of 1 points" in result
    db.session.refresh(enrollment)
    assert enrollment.completed_at is not None
    step = _page(client.get(f"/courses/{course.slug}/lessons/{found.lesson_key}"))
    assert "See your results" in step and "Your best score: 100%" in step


def test_the_preview_links_the_step_to_its_assessment(org, client, login):
    course, found = fq.ready(org, step=True)
    login(org.admin)
    html = _page(client.get(f"/courses/manage/{course.id}/preview/{found.lesson_key}"))
    assert f"/assessments/{found.id}/edit" in html and "Edit the assessment" in html
    editor = client.get(f"/courses/manage/{course.id}/lessons/{found.lesson_key}/edit")
    assert editor.status_code == 302 and editor.location.endswith(f"/assessments/{found.id}/edit")


# --- learner pages ----------------------------------------------------------------------------

def test_the_assessment_page_offers_start_then_resume(org, client, login):
    _course, found = fq.ready(org, attempt_limit=2, time_limit_minutes=15)
    login(org.rep_a1a)
    html = _page(client.get(f"/assessments/{found.id}"))
    assert "Start the assessment" in html and "0 of 2 used" in html and "15 minutes" in html
    client.post(f"/assessments/{found.id}/start")
    html = _page(client.get(f"/assessments/{found.id}"))
    assert "Resume attempt 1" in html and "Start" not in html.split("Resume")[1][:200]


def test_start_past_the_limit_says_why_and_creates_nothing(org, client, login):
    _course, found = fq.ready(org, attempt_limit=1)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.submit(attempt, now=utcnow())
    db.session.commit()
    login(org.rep_a1a)
    refused = client.post(f"/assessments/{found.id}/start", follow_redirects=True)
    assert "You have used all 1 attempt" in _page(refused)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_learner_not_enrolled_is_told_to_enrol_and_cannot_start(org, client, login):
    _course, found = fq.ready(org)
    login(org.rep_b1a)
    html = _page(client.get(f"/assessments/{found.id}"))
    assert "to take this assessment" in html and f"/assessments/{found.id}/start" not in html
    assert client.post(f"/assessments/{found.id}/start").status_code == 403


def test_the_attempt_page_saves_all_answers_and_shows_errors_beside_questions(
        org, client, login):
    _course, found = fq.ready(org, types=(QuestionType.SINGLE, QuestionType.NUMERIC))
    login(org.rep_a1a)
    url = client.post(f"/assessments/{found.id}/start").location
    attempt = db.session.scalar(select(Attempt))
    items = {i.question.type: i for i in quiz.items_of(attempt)}
    single, numeric = items[QuestionType.SINGLE], items[QuestionType.NUMERIC]
    bad = client.post(url, data={f"item-{single.id}": "b", f"item-{numeric.id}": "many",
                                 "action": "save"})
    assert bad.status_code == 422 and "Answer with a number." in _page(bad)
    assert 'value="many"' in _page(bad)  # what was typed comes back
    db.session.expire_all()
    assert single.response is None  # nothing saved
    saved = client.post(url, data={f"item-{single.id}": "b", f"item-{numeric.id}": "12",
                                   "action": "save"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert (single.response, numeric.response) == ("b", 12.0)
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_one_answer_saves_by_itself_as_json_for_the_page_script(org, client, login):
    _course, found = fq.ready(org)
    login(org.rep_a1a)
    client.post(f"/assessments/{found.id}/start")
    attempt = db.session.scalar(select(Attempt))
    item = next(i for i in quiz.items_of(attempt) if i.question.type == QuestionType.SINGLE)
    url = f"/assessments/attempts/{attempt.id}/items/{item.id}"
    headers = {"Accept": "application/json"}
    saved = client.post(url, data={f"item-{item.id}": "c"}, headers=headers)
    assert saved.status_code == 200 and saved.json["saved"] and saved.json["answered"]
    refused = client.post(url, data={f"item-{item.id}": "zz"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json["errors"]["response"] == ["Choose one of the answers."]
    db.session.expire_all()
    assert item.response == "c"


def test_double_submit_over_http_shows_the_same_result_not_an_error(org, client, login):
    _course, found = fq.ready(org)
    login(org.rep_a1a)
    url = client.post(f"/assessments/{found.id}/start").location
    first = client.post(url, data={"action": "submit"})
    second = client.post(url, data={"action": "submit"})
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert _page(client.get(second.location)).count("Not passed") == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.like("attempt%"))) == 0


def test_a_late_save_submits_with_what_was_saved_and_says_so(org, client, login):
    from datetime import timedelta

    _course, found = fq.ready(org, time_limit_minutes=5)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow() - timedelta(minutes=30)).attempt
    item = next(i for i in quiz.items_of(attempt) if i.question.type == QuestionType.SINGLE)
    db.session.commit()
    login(org.rep_a1a)
    late = client.post(f"/assessments/attempts/{attempt.id}",
                       data={f"item-{item.id}": "b", "action": "submit"}, follow_redirects=True)
    html = _page(late)
    assert late.status_code == 200 and "Time is up" in html and "time ran out" in html
    db.session.expire_all()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.timed_out
    assert item.response is None  # the late answer was not taken


@pytest.mark.parametrize(("policy", "shown"), [(FeedbackPolicy.NEVER, False),
                                               (FeedbackPolicy.AFTER_ATTEMPT, True)])
def test_the_result_page_follows_the_feedback_policy(org, client, login, policy, shown):
    _course, found = fq.ready(org, feedback_policy=policy)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.submit(attempt, now=utcnow())
    db.session.commit()
    login(org.rep_a1a)
    html = _page(client.get(f"/assessments/attempts/{attempt.id}"))
    assert ("Ask about the problem first" in html) is shown  # the right answer's text
    assert ("Because of single reasons." in html) is shown  # the explanation
    assert "0 of 2 points" in html


def test_a_manager_sees_a_reports_result_but_not_an_open_paper(org, client, login):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    db.session.commit()
    login(org.manager_a1)
    html = _page(client.get(f"/assessments/attempts/{attempt.id}"))
    assert "in progress" in html and "Ask about budget first" not in html
    assert client.post(f"/assessments/attempts/{attempt.id}",
                       data={"action": "submit"}).status_code == 403


def test_my_attempts_lists_every_attempt_of_mine_only(org, client, login):
    _course, found = fq.ready(org, enrol=(org.rep_a1a, org.rep_a1b))
    mine = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    quiz.start_attempt(org.rep_a1b, found, now=utcnow())
    db.session.commit()
    login(org.rep_a1a)
    html = _page(client.get("/assessments/mine"))
    assert html.count("/assessments/attempts/") == 1 and f"/attempts/{mine.id}" in html


def test_home_suggests_finishing_an_attempt_in_progress(org, client, login):
    _course, found = fq.ready(org)
    attempt = quiz.start_attempt(org.rep_a1a, found, now=utcnow()).attempt
    db.session.commit()
    login(org.rep_a1a)
    html = _page(client.get("/"))
    assert f"Finish “{found.title}”" in html and f"/assessments/attempts/{attempt.id}" in html


# --- admin pages ------------------------------------------------------------------------------

def test_admin_creates_an_assessment_with_a_new_course_step_from_the_form(org, client, login):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    fq.question(pool)
    module_key = course.current_version.modules[0].key
    login(org.admin)
    form = _page(client.get(f"/assessments/courses/{course.id}/quizzes/new"))
    assert pool.title in form and f"new:{module_key}" in form
    created = client.post(f"/assessments/courses/{course.id}/quizzes/new", data={
        "title": "Module check", "sources": [pool.id], "question_count": 1, "pass_mark": 80,
        "attempt_limit": "3", "time_limit_minutes": "", "feedback_policy": "after_passing",
        "shuffle_choices": "y", "lesson_key": f"new:{module_key}"})
    assert created.status_code == 302
    found = db.session.scalar(select(Assessment))
    assert (found.attempt_limit, found.time_limit_minutes) == (3, None)
    assert found.feedback_policy == FeedbackPolicy.AFTER_PASSING
    step = next(x for x in course.draft_version.lessons if x.key == found.lesson_key)
    assert step.kind == LessonKind.ASSESSMENT and step.title == "Module check"


def test_the_form_shows_a_refusal_beside_its_field(org, client, login):
    course = factories.course(by=org.admin)
    pool = fq.bank(course)
    fq.question(pool)
    login(org.admin)
    response = client.post(f"/assessments/courses/{course.id}/quizzes/new", data={
        "title": "Too many", "sources": [pool.id], "question_count": 5, "pass_mark": 80,
        "feedback_policy": "never"})
    html = _page(response)
    assert response.status_code == 422
    assert re.search(r'id="question_count-error"[^>]*>[^<]*hold 1 question;', html)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_the_course_editor_links_to_assessments_for_admins(org, client, login):
    course = factories.course(by=org.admin)
    login(org.admin)
    html = _page(client.get(f"/courses/manage/{course.id}"))
    assert f"/assessments/courses/{course.id}/quizzes" in html


def test_the_admin_list_and_the_learner_page_hide_authoring_from_learners(org, client, login):
    _course, found = fq.ready(org)
    login(org.rep_a1a)
    html = _page(client.get(f"/assessments/{found.id}"))
    assert f"/assessments/{found.id}/edit" not in html and "Team results" not in html
    assert client.get(f"/assessments/{found.id}/edit").status_code == 403
    assert client.get(f"/assessments/courses/{found.course_id}/quizzes").status_code == 403


# --- results for managers ---------------------------------------------------------------------

def test_team_results_cover_the_subtree_with_best_score_and_csv(org, client, login):
    _course, found = fq.ready(org, enrol=(org.rep_a1a, org.rep_a1b, org.rep_b1a))
    for person, right in ((org.rep_a1a, True), (org.rep_a1a, False), (org.rep_b1a, True)):
        attempt = quiz.start_attempt(person, found, now=utcnow()).attempt
        quiz.save_answers(attempt, {i.id: (fq.RIGHT if right else fq.WRONG)[i.question.type]
                                    for i in quiz.items_of(attempt)}, now=utcnow())
        quiz.submit(attempt, now=utcnow())
    db.session.commit()
    login(org.manager_a1)
    html = _page(client.get(f"/assessments/{found.id}/results"))
    assert "Rita Rep" in html and "Ron Rep" in html and "Raj Rep" not in html
    assert "Not taken" in html and "100%" in html
    csv = csv_files.text(client.get(f"/assessments/{found.id}/results?format=csv").data)
    lines = csv.strip().splitlines()
    assert lines[0].startswith("name,email,level,manager,attempts,best_percent,passed")
    rita = next(line for line in lines if line.startswith("Rita Rep"))
    assert ",2,100.0,yes," in rita
    overview = _page(client.get("/assessments/results"))
    assert found.title in overview


def test_team_results_cost_the_same_queries_for_three_or_thirty(org, client, login,
                                                                 count_queries):
    _course, found = fq.ready(org, enrol=())

    def add_reps(n):
        for _ in range(n):
            rep = factories.person(manager=org.manager_a1)
            enrolment.enrol(rep, found.course, by=org.admin)
            quiz.submit(quiz.start_attempt(rep, found, now=utcnow()).attempt, now=utcnow())
        db.session.commit()

    login(org.manager_a1)
    counts = []
    for n in (3, 27):
        add_reps(n)
        client.get(f"/assessments/{found.id}/results")  # the enrolment emails go out here
        with count_queries() as counter:
            assert client.get(f"/assessments/{found.id}/results").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
