"""Rules for reinforcement plans and resources (registered into ``lms.authz``).

Plans are the coaches' business: managers, leaders and executives see the active and
archived ones (a draft only admins); admins write them. Anyone at manager level or above may
start a plan, for their own team only — the views check who the coach is (``may_coach_as``).
Resources are a library for everyone signed in; an archived one exists only for admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from lms.authz import rule, scope, visibility
from lms.people.models import Level, User
from reinforcement.plans.models import PlanStatus, ReinforcementPlan
from reinforcement.resources.models import Resource


def _coaches(user: User) -> bool:
    return Level(user.level).rank >= Level.MANAGER.rank


# --- plans -----------------------------------------------------------------------------------

@visibility(ReinforcementPlan)
def _plan_visible(user: User, plan: ReinforcementPlan) -> bool:
    return user.is_admin or (_coaches(user) and plan.status != PlanStatus.DRAFT)


@scope(ReinforcementPlan)
def _plan_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    if not _coaches(user):
        return stmt.where(ReinforcementPlan.id.is_(None))
    return stmt.where(ReinforcementPlan.status != PlanStatus.DRAFT)


@rule("plan.view")
def _plan_view(user: User, _plan: Any) -> bool:
    """Without a plan: may this person look at plans at all (menus, the list)."""
    return user.is_admin or _coaches(user)


@rule("plan.manage")
def _plan_manage(user: User, _plan: Any) -> bool:
    return user.is_admin


@rule("plan.start")
def _plan_start(user: User, _plan: Any) -> bool:
    """Admins for any coach; managers, leaders and executives for their own team."""
    return user.is_admin or _coaches(user)


def may_coach_as(user: User, coach: User) -> bool:
    """Say whether ``user`` may start a plan with ``coach`` as the coach."""
    return user.is_admin or (coach.id == user.id and _coaches(user))


# --- resources -------------------------------------------------------------------------------

@visibility(Resource)
def _resource_visible(user: User, resource: Resource) -> bool:
    return user.is_admin or not resource.is_archived


@scope(Resource)
def _resource_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(Resource.is_archived.is_(False))


@rule("resource.view")
def _resource_view(user: User, _resource: Any) -> bool:
    return True  # visibility already decided


@rule("resource.manage")
def _resource_manage(user: User, _resource: Any) -> bool:
    return user.is_admin


@rule("resource.team")
def _resource_team(user: User, _resource: Any) -> bool:
    """See who in one's subtree has not read the resources assigned to them."""
    return user.is_admin or _coaches(user)
