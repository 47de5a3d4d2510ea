"""Home suggestions about goals: the goals a coach proposed that the person has not agreed to."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from lms.db import utcnow
from lms.extensions import db
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User
from reinforcement.goals.models import Goal


@provider
def goals_to_agree(user: User) -> list[NextStep]:
    """Home: the goals a coach proposed that the person has not agreed to yet (one query)."""
    waiting = db.session.scalar(select(func.count(Goal.id)).where(
        Goal.person_id == user.id, Goal.coachee_agreed_at.is_(None),
        Goal.ends_on >= utcnow().date()))
    if not waiting:
        return []
    return [NextStep("Agree to your goals", f"{waiting} goal{'s' if waiting != 1 else ''} "
                     "proposed by your coach wait for your agreement.",
                     url_for("reinforcement.goals.goals_person", person_id=user.id), 20, "Review")]

