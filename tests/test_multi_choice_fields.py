"""Every multi-choice field renders as a list of labelled checkboxes that can be ticked, with the
current values ticked when editing (a bare ``<option>`` outside a ``<select>`` cannot be)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from assessments import banks
from courses.live.models import CommunicationStatus
from lms.extensions import db
from tests import factories
from tests.assessments import factories_quiz as quiz_make
from tests.assessments import factories_scorecards as scorecard_make
from tests.courses import factories_live as live_make
from tests.reinforcement.leaders import factories as leader_make
from tests.reinforcement.plans import factories as plan_make


class _Checkboxes(HTMLParser):
    """The checkboxes of one field name, the labels' ``for`` targets and stray options."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self.boxes: dict[str, tuple[str, bool]] = {}  # value -> (id, checked)
        self.labelled: set[str] = set()
        self.options = 0

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "input" and found.get("name") == self.name:
            assert found.get("type") == "checkbox", found
            self.boxes[found["value"]] = (found["id"], "checked" in found)
        elif tag == "label" and found.get("for"):
            self.labelled.add(found["for"])
        elif tag == "option" and found.get("name") == self.name:
            self.options += 1


def ticked(page: str, name: str) -> dict[str, bool]:
    """Each checkbox of ``name`` by value: ticked or not; every one has its own label."""
    parser = _Checkboxes(name)
    parser.feed(page)
    assert parser.boxes, f"no checkbox named {name!r}"
    assert parser.options == 0
    for ident, _checked in parser.boxes.values():
        assert ident in parser.labelled, f"checkbox {ident} has no label"
    # The list is one fieldset named by its legend.
    assert re.search(rf'<fieldset class="checkbox-list" id="{name}"[^>]*>\s*<legend', page)
    return {value: checked for value, (_ident, checked) in parser.boxes.items()}


@pytest.fixture
def admin(session, ctx, login):
    org = factories.org()
    db.session.commit()
    login(org.admin)
    return org


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_program_wave_levels_and_courses(client, admin):
    program = live_make.a_program()
    course = factories.course(title="Coaching basics", by=admin.admin)
    other = factories.course(title="Pipeline reviews", by=admin.admin)
    program.waves[0].courses.append(course)
    db.session.commit()
    new = page(client, f"/courses/programs/{program.id}/waves/new")
    assert ticked(new, "audience") == {"rep": False, "manager": True, "leader": True,
                                       "executive": False}
    assert ticked(new, "courses") == {str(course.id): False, str(other.id): False}
    edit = page(client, f"/courses/programs/{program.id}/waves/{program.waves[0].id}/edit")
    assert ticked(edit, "audience") == {"rep": False, "manager": True, "leader": True,
                                        "executive": False}
    assert ticked(edit, "courses") == {str(course.id): True, str(other.id): False}


def test_assessment_sources(client, admin):
    course = factories.course(title="Discovery", by=admin.admin)
    first = banks.create_bank(course, banks.BankData("Openers", ""), by=admin.admin)
    second = banks.create_bank(course, banks.BankData("Closers", ""), by=admin.admin)
    quiz_make.question(first)
    made = quiz_make.assessment(course, [first], by=admin.admin, count=1, publish=False)
    db.session.commit()
    new = page(client, f"/assessments/courses/{course.id}/quizzes/new")
    assert ticked(new, "sources") == {str(first.id): False, str(second.id): False}
    edit = page(client, f"/assessments/{made.id}/edit")
    assert ticked(edit, "sources") == {str(first.id): True, str(second.id): False}


def test_course_survey_and_resource_audiences(client, admin):
    course = factories.course(title="Discovery", audience=("rep", "manager"), by=admin.admin)
    survey = scorecard_make.survey(admin.admin, audience=("leader",))
    resource = plan_make.resource(admin.admin, audience=("manager",))
    db.session.commit()
    assert ticked(page(client, f"/courses/manage/{course.id}/details"), "audience") == {
        "rep": True, "manager": True, "leader": False, "executive": False}
    assert ticked(page(client, f"/assessments/surveys/{survey.id}/edit"), "audience") == {
        "rep": False, "manager": False, "leader": True, "executive": False}
    assert ticked(page(client, f"/reinforcement/resources/{resource.id}/edit"), "audience") == {
        "rep": False, "manager": True, "leader": False, "executive": False}
    for url in ("/courses/manage/new", "/assessments/surveys/new", "/reinforcement/resources/new"):
        assert set(ticked(page(client, url), "audience")) == {"rep", "manager", "leader",
                                                               "executive"}


def test_communication_levels(client, admin):
    program = live_make.a_program()
    draft = live_make.message(admin.admin, program=program,
                              status=CommunicationStatus.SCHEDULED)
    draft.audience_levels = ",rep,leader,"
    db.session.commit()
    assert set(ticked(page(client, "/courses/communications/new"), "levels")) == {
        "rep", "manager", "leader", "executive"}
    assert ticked(page(client, f"/courses/communications/{draft.id}/edit"), "levels") == {
        "rep": True, "manager": False, "leader": True, "executive": False}


def test_plan_resources(client, admin):
    guide = plan_make.resource(admin.admin, title="Coaching guide")
    aid = plan_make.resource(admin.admin, title="Job aid")
    plan = plan_make.plan(admin.admin, active=False)
    plan.resources.append(guide)
    db.session.commit()
    assert ticked(page(client, "/reinforcement/plans/new"), "resources") == {
        str(guide.id): False, str(aid.id): False}
    assert ticked(page(client, f"/reinforcement/plans/{plan.id}/edit"), "resources") == {
        str(guide.id): True, str(aid.id): False}


def test_council_members_and_attendance(client, admin):
    council = leader_make.council(admin.leader_a, [admin.leader_b])
    meeting = leader_make.meeting(council, datetime.now(UTC) - timedelta(days=1))
    db.session.commit()
    members = ticked(page(client, f"/reinforcement/councils/{council.id}/edit"), "members")
    assert members[str(admin.leader_b.id)] and not members[str(admin.exec.id)]
    present = ticked(page(client, f"/reinforcement/councils/meetings/{meeting.id}"), "present")
    assert present == {str(admin.leader_a.id): True, str(admin.leader_b.id): True}


def test_token_scopes(client, admin):
    scopes = ticked(page(client, "/account/tokens"), "scopes")
    assert scopes and not any(scopes.values())
