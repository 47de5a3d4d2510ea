"""Leader review, adherence and council rules for the one permission layer (``lms.authz``).

A leader review (a confirmation or feedback on a manager's coaching for a month) exists for
the leader who wrote it, the manager it is about, everyone above that manager and admins.
Leaders and executives decide for the managers in their subtree; the manager alone
acknowledges feedback. Adherence reports are for managers and up (their subtree) and admins.

A champions council exists for its members, its chair and admins; the chair and admins run
it; leaders, executives and admins found councils.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_

from lms.authz import in_subtree, rule, scope, visibility
from lms.people import tree
from lms.people.models import Level, User
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from reinforcement.leaders.reviews import reviews_leaders


def _coaches(user: User) -> bool:
    return Level(user.level).rank >= Level.MANAGER.rank


# --- leader reviews --------------------------------------------------------------------------

@visibility(LeaderReview)
def _review_visible(user: User, review: LeaderReview) -> bool:
    return (user.is_admin or user.id in (review.leader_id, review.manager_id)
            or in_subtree(user, review.manager))


@scope(LeaderReview)
def _review_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(or_(LeaderReview.leader_id == user.id,
                          LeaderReview.manager_id.in_(tree.subtree_ids(user.id))))


@rule("review.view")
def _review_view(user: User, _review: Any) -> bool:
    return True  # visibility already decided


@rule("review.decide")
def _review_decide(user: User, manager: User | None) -> bool:
    """Without a person: may review managers at all (menus); with one: that manager, who is
    under them (admins too review only their own part of the organisation)."""
    if not reviews_leaders(user):
        return False
    return manager is None or (manager.id != user.id and manager.level == Level.MANAGER
                               and in_subtree(user, manager))


@rule("review.acknowledge")
def _review_acknowledge(user: User, review: LeaderReview | None) -> bool:
    return (review is not None and review.manager_id == user.id
            and review.decision == ReviewDecision.FEEDBACK)


@rule("adherence.report")
def _adherence_report(user: User, _root: User | None) -> bool:
    """Managers and up for their subtree (visibility decides a given root), admins."""
    return user.is_admin or _coaches(user)


# --- champions councils ------------------------------------------------------------------------

















