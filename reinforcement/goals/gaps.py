"""Gap reviews: why a goal is behind, what will be done about it, and whether it worked.

When a goal is behind (or was missed; see ``reinforcement.goal_progress``) a coach of the
person records the root cause — environment, commitment, capacity, skills or knowledge —
notes, and one corrective action. The action becomes an action item of the coaching pair
(owned by the coach or the coachee, with a due date, tied to the check-in when the review is
made at one), so it stays on the pair's check-in agenda until done. Later — at a later
check-in, or on a later day — the coach evaluates the review: the gap is worked out again
from the actuals recorded by then, and the review counts as *improved* when the gap shrank.

Managers and leaders see the root causes counted across the people under them, by cause, by
level and by metric, in one query.

Services flush, never commit; every change is audited; refusals raise ``ValidationError``
(or ``NotAllowedError``) before anything is written. ``now`` and ``today`` may be given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from lms.audit.services import record
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.services import notify
from lms.people.models import Level, User
from lms.web.dates import format_date
from lms.web.templating import local_date
from reinforcement.checkins.actions import ASSIGNED_KIND
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.goals.models import GapReview, Goal, Metric, RootCause
from reinforcement.goals.permissions import is_coach_of
from reinforcement.goals.progress import progress

ROOT_CAUSES = {
    RootCause.ENVIRONMENT: ("Environment", "Something around them holds the work back: "
                            "territory, tools, process, the market."),
    RootCause.COMMITMENT: ("Commitment", "They could do it but are not yet convinced it is "
                           "worth doing."),
    RootCause.CAPACITY: ("Capacity", "Not enough time or attention left for it."),
    RootCause.SKILLS: ("Skills", "They know what to do but cannot yet do it well."),
    RootCause.KNOWLEDGE: ("Knowledge", "They do not yet know what to do or how."),
}
MAX_NOTES = 5000
MAX_TITLE = 300


def _require_coach(goal: Goal, by: User) -> User:
    person = db.session.get(User, goal.person_id)
    if not is_coach_of(by, person):
        raise NotAllowedError(f"Only a coach above {person.name} reviews their gaps.")
    return person


def _check_check_in(check_in: CheckIn, person: User, by: User) -> None:
    if check_in.coach_id != by.id or check_in.coachee_id != person.id:
        raise ValidationError(f"Choose a check-in of yours with {person.name}.",
                              field="check_in")
    if check_in.status in (CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED):
        raise ValidationError("That check-in was cancelled or moved.", field="check_in")


def _check_text(text: str, limit: int, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError(f"Keep it under {limit} characters.", field=field_name)
    return text


@dataclass(frozen=True)
class Action:
    """The corrective action: what, who (the coach or the coachee), by when."""

    title: str
    owner: User | None
    due_on: date | None


def _check_action(action: Action, person: User, by: User, earliest: date) -> str:
    title = (action.title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise ValidationError(f"Write the corrective action in 1 to {MAX_TITLE} characters.",
                              field="action_title")
    if action.owner is None or action.owner.id not in (person.id, by.id):
        raise ValidationError(f"The action is owned by you or by {person.name}.",
                              field="action_owner")
    if not isinstance(action.due_on, date) or isinstance(action.due_on, datetime):
        raise ValidationError("Give the action's due date.", field="action_due_on")
    if action.due_on < earliest:
        raise ValidationError(f"The due date cannot be before {format_date(earliest)}.",
                              field="action_due_on")
    return title


def create_gap_review(goal: Goal, *, root_cause: str, notes: str, action: Action, by: User,
                      check_in: CheckIn | None = None, now: datetime | None = None,
                      today: date | None = None) -> GapReview:
    """Record why ``goal`` is behind and a corrective action (an action item of the pair)."""
    now = now or utcnow()
    today = today or local_date(now, by)
    person = _require_coach(goal, by)
    if root_cause not in {cause.value for cause in RootCause}:
        raise ValidationError("Choose the root cause: environment, commitment, capacity, "
                              "skills or knowledge.", field="root_cause")
    notes = _check_text(notes, MAX_NOTES, "notes")
    earliest = today
    if check_in is not None:
        _check_check_in(check_in, person, by)
        earliest = local_date(check_in.scheduled_at, by)
    where = progress(goal, today)
    if not where.is_behind:
        raise ValidationError(f"This goal is not behind target ({where.status.label.lower()}): "
                              "a gap review is for a goal that is behind.", field="goal")
    title = _check_action(action, person, by, earliest)
    item = ActionItem(title=title, owner_id=action.owner.id, due_on=action.due_on,
                      check_in_id=check_in.id if check_in else None, coach_id=by.id,
                      coachee_id=person.id, created_by_id=by.id, created_at=now)
    db.session.add(item)
    db.session.flush()
    record(by, "action_item.create", item, summary=title[:200],
           changes={"owner_id": [None, action.owner.id],
                    "due_on": [None, action.due_on.isoformat()], "source": [None, "gap_review"]})
    review = GapReview(goal_id=goal.id, check_in_id=check_in.id if check_in else None,
                       coach_id=by.id, root_cause=RootCause(root_cause), notes=notes,
                       gap_at_review=where.gap, action_item_id=item.id, created_at=now)
    db.session.add(review)
    db.session.flush()
    record(by, "gap_review.create", review, summary=f"{goal.metric.name} of {person.name}: "
           f"{root_cause}", changes={"goal_id": [None, goal.id], "root_cause": [None, root_cause],
                                     "gap_at_review": [None, where.gap],
                                     "action_item_id": [None, item.id]})
    if action.owner.id != by.id:
        notify(action.owner, kind=ASSIGNED_KIND, subject=f"Action item: {title[:120]}",
               body=f"{by.name} gave you an action item to close your {goal.metric.name} gap, "
                    f"due {format_date(action.due_on)}: {title}",
               link=f"/reinforcement/people/{person.id}/goals")
    return review


def evaluate_gap_review(review: GapReview, *, note: str, by: User,
                        check_in: CheckIn | None = None, now: datetime | None = None,
                        today: date | None = None) -> GapReview:
    """Work the gap out again from the actuals recorded since; improved when it shrank."""
    now = now or utcnow()
    today = today or local_date(now, by)
    goal = review.goal
    person = _require_coach(goal, by)
    if review.evaluated_at is not None:
        raise ValidationError("This gap review has already been evaluated.", field="review")
    note = _check_text(note, MAX_NOTES, "note")
    if check_in is not None:
        _check_check_in(check_in, person, by)
        if check_in.id == review.check_in_id:
            raise ValidationError("Evaluate at a later check-in than the one the review was "
                                  "made at.", field="check_in")
    if today <= local_date(review.created_at, by):
        raise ValidationError("Evaluate on a later day, once new actuals are in: the review "
                              "was recorded today.", field="review")
    where = progress(goal, today)
    if where.gap is None:
        raise ValidationError("There are no actuals to evaluate against.", field="review")
    improved = where.gap < review.gap_at_review
    review.evaluated_at, review.gap_at_evaluation, review.improved = now, where.gap, improved
    review.evaluated_check_in_id = check_in.id if check_in else None
    review.evaluation_note = note
    record(by, "gap_review.evaluate", review, summary=f"{goal.metric.name} of {person.name}: "
           f"{'improved' if improved else 'not improved'}",
           changes={"gap_at_evaluation": [None, where.gap], "improved": [None, improved]})
    return review


def reviews_of(goal_ids: list[int]) -> dict[int, list[GapReview]]:
    """Gap reviews of the goals, newest first, with their action items: one query."""
    if not goal_ids:
        return {}
    found: dict[int, list[GapReview]] = defaultdict(list)
    for review in db.session.scalars(
            select(GapReview).where(GapReview.goal_id.in_(goal_ids))
            .options(joinedload(GapReview.action_item).joinedload(ActionItem.owner))
            .order_by(GapReview.created_at.desc(), GapReview.id.desc())):
        found[review.goal_id].append(review)
    return found


# --- root causes across a subtree -----------------------------------------------------------------

@dataclass
class CauseCount:
    reviews: int = 0
    evaluated: int = 0
    improved: int = 0

    def add(self, reviews: int, evaluated: int, improved: int) -> None:
        self.reviews += reviews
        self.evaluated += evaluated
        self.improved += improved


def _counts() -> dict[str, CauseCount]:
    return {cause.value: CauseCount() for cause in RootCause}


@dataclass
class RootCauseReport:
    by_cause: dict[str, CauseCount] = field(default_factory=_counts)
    by_level: dict[str, dict[str, CauseCount]] = field(default_factory=dict)
    by_metric: dict[str, dict[str, CauseCount]] = field(default_factory=dict)
    rows: list[tuple] = field(default_factory=list)  # cause, level, metric, figures

    @property
    def total(self) -> int:
        return sum(count.reviews for count in self.by_cause.values())


REPORT_HEADER = ("root_cause", "level", "metric", "reviews", "evaluated", "improved")


def root_cause_report(people: Select | None, *, since: date | None = None) -> RootCauseReport:
    """Count gap reviews of ``people`` (a SELECT of ids; ``None``: everyone) by root cause,
    level and metric, with how many were evaluated and improved: one query."""
    evaluated = func.sum(case((GapReview.evaluated_at.is_not(None), 1), else_=0))
    improved = func.sum(case((GapReview.improved.is_(True), 1), else_=0))
    stmt = (select(GapReview.root_cause, User.level, Metric.name, func.count(GapReview.id),
                   evaluated, improved)
            .join(Goal, Goal.id == GapReview.goal_id)
            .join(User, User.id == Goal.person_id)
            .join(Metric, Metric.id == Goal.metric_id)
            .group_by(GapReview.root_cause, User.level, Metric.name)
            .order_by(GapReview.root_cause, User.level, Metric.name))
    if people is not None:
        stmt = stmt.where(Goal.person_id.in_(people))
    if since is not None:
        stmt = stmt.where(GapReview.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    report = RootCauseReport()
    levels = [level.value for level in Level]
    for cause, level, metric, count, done, better in db.session.execute(stmt):
        figures = (count, int(done or 0), int(better or 0))
        report.rows.append((cause, level, metric, *figures))
        report.by_cause[cause].add(*figures)
        report.by_level.setdefault(level, _counts())[cause].add(*figures)
        report.by_metric.setdefault(metric, _counts())[cause].add(*figures)
    report.by_level = {level: report.by_level[level] for level in levels
                       if level in report.by_level}
    return report
