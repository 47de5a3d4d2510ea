"""Course rules in the one permission layer: who sees, authors, enrols and takes what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courses.models import Course
from courses.services import enrolment
from lms import authz
from lms.extensions import db
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

Y, N = True, False


@pytest.fixture
def courses(org):
    published = factories.course(title="Published", audience=("rep",), by=org.admin)
    draft = factories.course(title="Draft", published=False, by=org.admin)
    assigned = factories.course(title="Assigned only", audience=("rep",), self_enrol=False,
                                by=org.admin)
    return {"published": published, "draft": draft, "assigned": assigned}


COURSE_RULES = {
    # actor:              rep  manager leader admin  (on the published rep course)
    "course.view":        (Y,  Y,      Y,     Y),
    "course.author":      (N,  N,      N,     Y),
    "course.enrol_self":  (Y,  N,      N,     N),
    "course.enrol_others": (N, Y,      Y,     Y),
    "course.progress":    (N,  Y,      Y,     Y),
    "attendance.report":  (N,  N,      Y,     Y),
    "program.manage":     (N,  N,      N,     Y),
}
ACTORS = ("rep_a1a", "manager_a1", "leader_a", "admin")


def test_every_course_rule_is_tested():
    prefixes = ("course.", "enrollment.", "attendance.", "program.")
    course_rules = {a for a in authz.RULES if a.startswith(prefixes)}
    assert course_rules == set(COURSE_RULES) | {"enrollment.take", "enrollment.withdraw",
                                                "program.view"}


def test_program_view_is_for_admins_owner_leaders_and_executives(org):
    from datetime import date

    from courses.live import programs
    program = programs.create_program(programs.ProgramData(
        name="Rollout", starts_on=date(2030, 1, 1), ends_on=date(2030, 3, 1),
        owner=org.manager_a2), by=org.admin)
    seen = {name: authz.can(getattr(org, name), "program.view", program)
            for name in ("rep_a1a", "manager_a1", "manager_a2", "leader_a", "exec", "admin")}
    assert seen == {"rep_a1a": N, "manager_a1": N, "manager_a2": Y, "leader_a": Y,
                    "exec": Y, "admin": Y}


@pytest.mark.parametrize("action", COURSE_RULES)
def test_course_rule_by_actor(org, courses, action):
    actual = tuple(authz.can(getattr(org, actor), action, courses["published"])
                   for actor in ACTORS)
    assert actual == COURSE_RULES[action]


def test_draft_course_exists_only_for_admins(org, courses):
    draft = courses["draft"]
    assert authz.can_see(org.admin, draft)
    assert not any(authz.can_see(getattr(org, actor), draft) for actor in ACTORS[:3])
    titles = {c.title for c in db.session.scalars(authz.visible(select(Course), org.rep_a1a))}
    assert "Draft" not in titles and "Published" in titles


def test_self_enrolment_needs_the_course_to_allow_it(org, courses):
    assert not authz.can(org.rep_a1a, "course.enrol_self", courses["assigned"])


def test_enrolment_is_seen_by_the_learner_their_managers_and_admins(org, courses):
    mine = enrolment.enrol(org.rep_a1a, courses["published"], by=org.rep_a1a)
    seen = {name: authz.can_see(getattr(org, name), mine)
            for name in ("rep_a1a", "rep_a1b", "manager_a1", "leader_a", "exec",
                         "manager_b1", "leader_b", "admin")}
    assert seen == {"rep_a1a": Y, "rep_a1b": N, "manager_a1": Y, "leader_a": Y, "exec": Y,
                    "manager_b1": N, "leader_b": N, "admin": Y}
    assert authz.can(org.rep_a1a, "enrollment.take", mine)
    assert not authz.can(org.manager_a1, "enrollment.take", mine)
    assert authz.can(org.manager_a1, "enrollment.withdraw", mine)
    assert not authz.can(org.manager_b1, "enrollment.withdraw", mine)
