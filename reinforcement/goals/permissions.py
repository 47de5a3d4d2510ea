"""Goal, actual and gap-review rules for the one permission layer (registered into ``lms.authz``).

A goal exists for its person, everyone above them in the tree, and admins; so do its actuals
and gap reviews. Coaching it — proposing or changing the goal, recording a gap review — is for
someone above the person at manager level or higher (admins manage the metrics catalogue, not
people's goals). The person alone agrees to their goal. Actuals are entered by the person or
anyone above them; a CRM file is imported by managers and above (for their subtree) and admins.

Rules about a person's goals take either the person (a ``User``) or one of their goals.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from lms.authz import in_subtree, rule, scope, visibility
from lms.extensions import db
from lms.people import tree
from lms.people.models import Level, User
from reinforcement.goals.models import GapReview, Goal, Metric, MetricActual


def _coaches(user: User) -> bool:
    return Level(user.level).rank >= Level.MANAGER.rank


def _person(obj: Any) -> User | None:
    """The person a rule is about: the ``User`` itself, or the person of a goal or review."""
    if isinstance(obj, User):
        return obj
    if isinstance(obj, GapReview):
        obj = obj.goal
    if isinstance(obj, Goal | MetricActual):
        return db.session.get(User, obj.person_id)
    return None


def is_coach_of(user: User, person: User | None) -> bool:
    """Someone above ``person`` in the tree, at manager level or higher."""
    return (person is not None and person.id != user.id and _coaches(user)
            and in_subtree(user, person))


# --- visibility and list scopes --------------------------------------------------------------

def _sees_person_id(user: User, person_id: int) -> bool:
    person = db.session.get(User, person_id)
    return person is not None and (user.is_admin or in_subtree(user, person))


@visibility(Goal)
def _goal_visible(user: User, goal: Goal) -> bool:
    return _sees_person_id(user, goal.person_id)


@scope(Goal)
def _goal_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(Goal.person_id.in_(tree.subtree_ids(user.id)))


@visibility(GapReview)
def _review_visible(user: User, review: GapReview) -> bool:
    return _sees_person_id(user, review.goal.person_id)


@scope(GapReview)
def _review_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    seen_goals = select(Goal.id).where(Goal.person_id.in_(tree.subtree_ids(user.id)))
    return stmt.where(GapReview.goal_id.in_(seen_goals))


@visibility(MetricActual)
def _actual_visible(user: User, actual: MetricActual) -> bool:
    return _sees_person_id(user, actual.person_id)


@scope(MetricActual)
def _actual_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(MetricActual.person_id.in_(tree.subtree_ids(user.id)))


@visibility(Metric)
def _metric_visible(user: User, metric: Metric) -> bool:
    # The catalogue is for everyone; an archived metric only for admins (goals keep theirs).
    return user.is_admin or not metric.is_archived


@scope(Metric)
def _metric_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(Metric.is_archived.is_(False))


# --- rules -----------------------------------------------------------------------------------

@rule("metric.manage")
def _metric_manage(user: User, _metric: Any) -> bool:
    return user.is_admin


@rule("goal.view")
def _goal_view(user: User, _obj: Any) -> bool:
    return True  # visibility already decided: the person, their chain up, admins


@rule("goal.propose")
def _goal_propose(user: User, obj: Any) -> bool:
    """Without a person: may coach goals at all (menus); with one: coach of that person."""
    if obj is None:
        return _coaches(user)
    return is_coach_of(user, _person(obj))


@rule("goal.agree")
def _goal_agree(user: User, goal: Any) -> bool:
    return goal is not None and goal.person_id == user.id


@rule("goal.team")
def _goal_team(user: User, _obj: Any) -> bool:
    """The team goals table: coaches (for the people under them) and admins."""
    return user.is_admin or _coaches(user)


@rule("actual.enter")
def _actual_enter(user: User, obj: Any) -> bool:
    person = _person(obj)
    return person is not None and in_subtree(user, person)


@rule("actual.import")
def _actual_import(user: User, _obj: Any) -> bool:
    return user.is_admin or _coaches(user)


@rule("gap.review")
def _gap_review(user: User, obj: Any) -> bool:
    """Record or evaluate a gap review: a coach of the goal's person."""
    if obj is None:
        return _coaches(user)
    return is_coach_of(user, _person(obj))


@rule("gap.report")
def _gap_report(user: User, _obj: Any) -> bool:
    return user.is_admin or _coaches(user)
