"""Leader confirmation and coaching feedback.

A review period is a calendar month. For a month that has begun, a leader or executive sees
every manager under them with their rhythm figures (``reinforcement.adherence``), reads the
shared part of their check-ins, and decides for each manager: **confirm** that the
reinforcement happened, or send **feedback on the coaching** (text required), which the
manager is told about, reads and acknowledges once. One decision per leader, manager and
month: a confirmation may later become feedback; feedback may be revised until the manager
acknowledges it, and is final after that. A shared coaching scorecard the leader made of the
manager may be attached.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from assessments.models import Observation, ObservationKind, ObservationStatus
from lms.audit.services import pending_changes, record, value_changes
from lms.claims import add_once, claim
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.models import Channel
from lms.notify.preferences import register_kind
from lms.notify.services import notify
from lms.people import tree
from lms.people.models import Level, User
from reinforcement.checkins.models import CheckIn, CheckInStatus
from reinforcement.leaders.adherence import Period, Person, Row, midnight, rollup
from reinforcement.leaders.models import LeaderReview, ReviewDecision

FEEDBACK_KIND = "review.feedback"
CONFIRMED_KIND = "review.confirmed"
ACKNOWLEDGED_KIND = "review.acknowledged"
register_kind(FEEDBACK_KIND, "A leader gives you feedback on your coaching")
register_kind(CONFIRMED_KIND, "A leader confirms your coaching rhythm for a month",
              Channel.IN_APP)
register_kind(ACKNOWLEDGED_KIND, "A manager acknowledges your feedback on their coaching",
              Channel.IN_APP)
FEEDBACK_MAX = 5000
NOTE_MAX = 2000
# A month's review is due on this day of the following month: time to read the last
# check-ins of the month, short enough that the feedback still concerns recent coaching.
REVIEW_DUE_DAY = 10


def review_path(review: LeaderReview) -> str:
    return f"/reinforcement/reviews/{review.id}"


def month_of(day: date) -> Period:
    return Period.containing("month", day)


def last_complete_month(today: date) -> Period:
    """The month a leader has to review: the last one that is over."""
    return month_of(today).shifted(-1)


def review_due_on(period: Period) -> date:
    """The day the review of ``period`` is due (``REVIEW_DUE_DAY`` of the month after)."""
    return period.end.replace(day=REVIEW_DUE_DAY)


def reviews_leaders(user: User) -> bool:
    """Leaders and executives review the coaching of the managers under them."""
    return Level(user.level).rank >= Level.LEADER.rank


def may_review(leader: User, manager: User) -> bool:
    return (reviews_leaders(leader) and manager.id != leader.id
            and manager.level == Level.MANAGER and tree.is_in_subtree(leader.id, manager.id))


# --- what a leader looks at --------------------------------------------------------------------

@dataclass
class BoardLine:
    manager: Person
    row: Row
    review: LeaderReview | None


def managers_under(leader: User):
    """A SELECT of the active managers under ``leader``."""
    return (select(User.id).where(User.id.in_(tree.subtree_ids(leader.id, include_root=False)),
                                  User.level == Level.MANAGER, User.is_active.is_(True)))


@dataclass(frozen=True)
class Outstanding:
    managers: int  # active managers under the leader
    to_review: int  # … without this leader's decision for the month


def outstanding(leader: User, period: Period) -> Outstanding:
    """How many managers under ``leader`` still wait for their review of ``period``; one
    query whatever the number of managers."""
    decided = (select(LeaderReview.id)
               .where(LeaderReview.leader_id == leader.id, LeaderReview.manager_id == User.id,
                      LeaderReview.period_start == period.start).exists())
    managers, waiting = db.session.execute(
        select(func.count(User.id), func.coalesce(func.sum(case((~decided, 1), else_=0)), 0))
        .where(User.id.in_(managers_under(leader)))).one()
    return Outstanding(int(managers), int(waiting))


def board(leader: User, period: Period, *, now: datetime | None = None) -> list[BoardLine]:
    """Every active manager under ``leader`` with their figures and this leader's decision.

    Five queries whatever the number of managers: people, figures (three), decisions.
    """
    figures = rollup(leader, period, now=now, people=managers_under(leader))
    reviews = {review.manager_id: review for review in db.session.scalars(
        select(LeaderReview).where(LeaderReview.leader_id == leader.id,
                                   LeaderReview.period_start == period.start))}
    return [BoardLine(row.person, row, reviews.get(row.key)) for row in figures.coaches]


@dataclass(frozen=True)
class SharedCheckIn:
    """The part of a check-in anyone but the coach may read: never the private notes."""

    id: int
    coachee: str
    scheduled_at: datetime
    status: str
    held_at: datetime | None
    agenda_prepared_at: datetime | None
    shared_notes: str


def shared_check_ins(manager: User, period: Period) -> list[SharedCheckIn]:
    """The check-ins ``manager`` coached in ``period``, shared part only; one query."""
    stmt = (select(CheckIn.id, User.name, CheckIn.scheduled_at, CheckIn.status,
                   CheckIn.held_at, CheckIn.agenda_prepared_at, CheckIn.shared_notes)
            .join(User, User.id == CheckIn.coachee_id)
            .where(CheckIn.coach_id == manager.id,
                   CheckIn.scheduled_at >= midnight(period.start),
                   CheckIn.scheduled_at < midnight(period.end),
                   CheckIn.status != CheckInStatus.RESCHEDULED)
            .order_by(CheckIn.scheduled_at, CheckIn.id))
    return [SharedCheckIn(*row) for row in db.session.execute(stmt)]


def coaching_scorecards(leader: User, manager: User) -> list[Observation]:
    """The leader's shared coaching scorecards of ``manager``, newest first."""
    return list(db.session.scalars(
        select(Observation).where(Observation.observer_id == leader.id,
                                  Observation.subject_id == manager.id,
                                  Observation.kind == ObservationKind.COACHING,
                                  Observation.status == ObservationStatus.SHARED)
        .order_by(Observation.observed_on.desc(), Observation.id.desc())))


# --- decisions ---------------------------------------------------------------------------------

def _check(manager: User, period_start: date, by: User, now: datetime) -> Period:
    if not reviews_leaders(by):
        raise ValidationError("Only leaders and executives confirm a manager's coaching.",
                              field="manager_id")
    if manager.id == by.id or manager.level != Level.MANAGER:
        raise ValidationError(f"{manager.name} is not a manager: leaders review the coaching "
                              "of the managers under them.", field="manager_id")
    if not tree.is_in_subtree(by.id, manager.id):
        raise ValidationError(f"{manager.name} is not under you: you can review only the "
                              "managers in your part of the organisation.", field="manager_id")
    if period_start.day != 1:
        raise ValidationError("A review covers a calendar month: give its first day.",
                              field="period_start")
    period = month_of(period_start)
    if period.start > now.date():
        raise ValidationError(f"{period.label} has not begun: review a month once it has "
                              "started.", field="period_start")
    return period


def _check_observation(observation: Observation | None, manager: User, by: User) -> None:
    if observation is None:
        return
    if (observation.observer_id != by.id or observation.subject_id != manager.id
            or observation.kind != ObservationKind.COACHING):
        raise ValidationError(f"Attach a scorecard you made of {manager.name}'s coaching.",
                              field="observation_id")
    if observation.status != ObservationStatus.SHARED:
        raise ValidationError(f"Share the scorecard with {manager.name} before attaching it.",
                              field="observation_id")


def _existing(by: User, manager: User, period: Period) -> LeaderReview | None:
    return db.session.scalar(select(LeaderReview).where(
        LeaderReview.leader_id == by.id, LeaderReview.manager_id == manager.id,
        LeaderReview.period_start == period.start))


def held_check_ins(manager: User, period: Period) -> int:
    """How many check-ins ``manager`` held as coach in ``period``; one query."""
    return db.session.scalar(select(func.count(CheckIn.id)).where(
        CheckIn.coach_id == manager.id, CheckIn.status == CheckInStatus.HELD,
        CheckIn.scheduled_at >= midnight(period.start),
        CheckIn.scheduled_at < midnight(period.end))) or 0


def confirm_reinforcement(manager: User, period_start: date, *, by: User,
                          observation: Observation | None = None, note: str = "",
                          now: datetime | None = None) -> LeaderReview:
    """Confirm that ``manager`` kept the reinforcement up in the month of ``period_start``.

    A month in which they held no check-in is confirmed only with a ``note`` saying why.
    """
    now = now or utcnow()
    note = (note or "").strip()
    period = _check(manager, period_start, by, now)
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep the note under {NOTE_MAX:,} characters.", field="note")
    _check_observation(observation, manager, by)
    existing = _existing(by, manager, period)
    if existing is not None:
        done = ("confirmed" if existing.decision == ReviewDecision.CONFIRMED
                else "sent feedback on")
        raise ValidationError(f"You already {done} {manager.name}'s coaching for "
                              f"{period.label}.", field="decision")
    if not note and not held_check_ins(manager, period):
        raise ValidationError(f"{manager.name} held no check-ins in {period.label}: say in a "
                              "note why you confirm their coaching, or send feedback instead.",
                              field="note")
    review = LeaderReview(leader_id=by.id, manager_id=manager.id, period_start=period.start,
                          period_end=period.last_day, decision=ReviewDecision.CONFIRMED,
                          note=note, observation_id=observation.id if observation else None,
                          created_at=now, updated_at=now)
    if not add_once(review):  # a racing request decided first
        raise ValidationError(f"You already reviewed {manager.name}'s coaching for "
                              f"{period.label}.", field="decision")
    record(by, "review.confirm", review, summary=f"{manager.name}, {period.label}")
    notify(manager, kind=CONFIRMED_KIND, link=review_path(review),
           subject=f"{by.name} confirmed your coaching rhythm for {period.label}", body=note)
    return review


def send_feedback(manager: User, period_start: date, text: str, *, by: User,
                  observation: Observation | None = None,
                  now: datetime | None = None) -> LeaderReview:
    """Give ``manager`` feedback on their coaching in the month of ``period_start``.

    Turns this leader's confirmation for the month into feedback, or revises feedback the
    manager has not acknowledged yet; the manager is told either way.
    """
    now = now or utcnow()
    text = (text or "").strip()
    period = _check(manager, period_start, by, now)
    if not text:
        raise ValidationError("Write the feedback for the manager.", field="feedback")
    if len(text) > FEEDBACK_MAX:
        raise ValidationError(f"Keep the feedback under {FEEDBACK_MAX:,} characters.",
                              field="feedback")
    _check_observation(observation, manager, by)
    review = _existing(by, manager, period)
    values = {"decision": ReviewDecision.FEEDBACK, "feedback": text, "updated_at": now}
    if observation is not None:
        values["observation_id"] = observation.id
    if review is None:
        review = LeaderReview(leader_id=by.id, manager_id=manager.id, created_at=now,
                              period_start=period.start, period_end=period.last_day, **values)
        if not add_once(review):  # a racing request was first
            raise ValidationError(f"You already reviewed {manager.name}'s coaching for "
                                  f"{period.label}.", field="decision")
        action, changes = "review.feedback", {}
    else:
        changes = _revise(review, values, manager, period)
        if not changes:  # the same feedback again (a second click): nothing to tell
            return review
        action = "review.revise"
    db.session.flush()
    record(by, action, review, summary=f"{manager.name}, {period.label}", changes=changes)
    notify(manager, kind=FEEDBACK_KIND, link=review_path(review),
           subject=f"{by.name} sent you feedback on your coaching in {period.label}",
           body=text)
    return review


def _revise(review: LeaderReview, values: dict, manager: User, period: Period) -> dict:
    """Change ``review`` to ``values`` unless they are already what it holds; the changes.

    The write is a claim on the review as this request read it, so of two identical
    revisions sent at once only the first changes it (and tells the manager).
    """
    fields = [name for name in values if name != "updated_at"]
    changes = value_changes(review, {name: values[name] for name in fields})
    if review.acknowledged_at is not None:
        raise ValidationError(f"{manager.name} has acknowledged your feedback for "
                              f"{period.label}: it is final.", field="decision")
    if not changes:
        return {}
    as_read = [getattr(LeaderReview, name) == getattr(review, name) for name in fields]
    if claim(review, LeaderReview.acknowledged_at.is_(None), *as_read, **values):
        return changes
    if all(getattr(review, name) == values[name] for name in fields):
        return {}  # a racing request sent exactly this
    raise ValidationError(f"Your feedback for {period.label} changed meanwhile (another tab?): "
                          "reload the page and revise it again.", field="feedback")


def attach_observation(review: LeaderReview, observation: Observation, *,
                       by: User) -> LeaderReview:
    """Attach the leader's shared coaching scorecard of the manager to their review."""
    if review.leader_id != by.id:
        raise ValidationError("Only the leader who wrote the review attaches a scorecard.",
                              field="observation_id")
    _check_observation(observation, review.manager, by)
    review.observation_id = observation.id
    record(by, "review.attach", review, summary=review.manager.name,
           changes=pending_changes(review, ("observation_id",)))
    return review


def acknowledge_feedback(review: LeaderReview, *, by: User,
                         now: datetime | None = None) -> LeaderReview:
    """The manager confirms they have read the feedback (once); the leader is told."""
    if review.manager_id != by.id:
        raise ValidationError("Only the manager the feedback is for acknowledges it.",
                              field="review")
    if review.decision != ReviewDecision.FEEDBACK:
        raise ValidationError("A confirmation needs no acknowledgement.", field="review")
    if review.acknowledged_at is not None:
        raise ValidationError("You have already acknowledged this feedback.", field="review")
    if not review.acknowledge(now or utcnow()):  # a racing request acknowledged first
        raise ValidationError("You have already acknowledged this feedback.", field="review")
    record(by, "review.acknowledge", review, summary=f"{by.name}, {review.period_start:%B %Y}")
    notify(review.leader, kind=ACKNOWLEDGED_KIND, link=review_path(review),
           subject=f"{by.name} acknowledged your feedback for {review.period_start:%B %Y}")
    return review
