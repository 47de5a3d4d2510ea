"""Check-ins, action items, gap reviews, reviews and councils for leader tests, built with the
models at explicit times: they flush, never commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from assessments.models import Observation, ObservationKind, ObservationScore, ObservationStatus
from lms.extensions import db
from lms.people.models import User
from reinforcement.checkins.models import ActionItem, CheckIn, CheckInStatus
from reinforcement.councils.models import Council, CouncilMeeting
from reinforcement.goals.models import GapReview, Goal, Metric, RootCause
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from tests.assessments import factories_scorecards

# Every service test runs "now" on 20 March 2030 at noon UTC, reviewing March 2030.
NOW = datetime(2030, 3, 20, 12, 0, tzinfo=UTC)
MARCH = date(2030, 3, 1)
PRIVATE = "PRIVATE-COACH-NOTE-never-shown"


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2030, month, day, hour, minute, tzinfo=UTC)


def check_in(coach: User, coachee: User, when: datetime, *,
             status: CheckInStatus = CheckInStatus.SCHEDULED, held_at: datetime | None = None,
             prepared_at: datetime | None = None, shared: str = "",
             private: str = "") -> CheckIn:
    if held_at is not None:
        status = CheckInStatus.HELD
    made = CheckIn(coach_id=coach.id, coachee_id=coachee.id, scheduled_at=when, status=status,
                   held_at=held_at, agenda_prepared_at=prepared_at, shared_notes=shared,
                   private_notes=private, created_at=when - timedelta(days=7))
    db.session.add(made)
    db.session.flush()
    return made


def action(coach: User, coachee: User, due_on: date, *, done_at: datetime | None = None,
           owner: User | None = None, title: str = "Send two proposals") -> ActionItem:
    item = ActionItem(title=title, owner_id=(owner or coachee).id, due_on=due_on,
                      done_at=done_at, coach_id=coach.id, coachee_id=coachee.id)
    db.session.add(item)
    db.session.flush()
    return item


def gap_review(coach: User, person: User, created_at: datetime, *,
               evaluated_at: datetime | None = None) -> GapReview:
    metric = db.session.scalar(select(Metric).where(Metric.key == "proposals_sent"))
    goal = db.session.scalar(select(Goal).where(Goal.person_id == person.id,
                                                Goal.metric_id == metric.id))
    if goal is None:
        goal = Goal(person_id=person.id, metric_id=metric.id, starts_on=date(2030, 1, 1),
                    ends_on=date(2030, 6, 30), target=20)
        db.session.add(goal)
        db.session.flush()
    review = GapReview(goal_id=goal.id, coach_id=coach.id, root_cause=RootCause.SKILLS,
                       gap_at_review=5, created_at=created_at, evaluated_at=evaluated_at,
                       improved=True if evaluated_at else None)
    db.session.add(review)
    db.session.flush()
    return review


def coaching_scorecard(leader: User, manager: User, *, shared: bool = True) -> Observation:
    """A coaching scorecard ``leader`` made of ``manager``."""
    rubric = factories_scorecards.rubric(leader, level="manager", title="Coaching conversation")
    observation = Observation(
        rubric=rubric, observer_id=leader.id, subject_id=manager.id,
        kind=ObservationKind.COACHING, observed_on=MARCH, average=3.0,
        status=ObservationStatus.SHARED if shared else ObservationStatus.DRAFT,
        shared_at=NOW if shared else None,
        scores=[ObservationScore(criterion_id=c.id, score=3) for c in rubric.criteria])
    db.session.add(observation)
    db.session.flush()
    return observation


def review(leader: User, manager: User, *, decision: ReviewDecision = ReviewDecision.FEEDBACK,
           month: date = MARCH, feedback: str = "Prepare agendas the day before.",
           acknowledged: bool = False) -> LeaderReview:
    made = LeaderReview(leader_id=leader.id, manager_id=manager.id, period_start=month,
                        period_end=date(month.year, month.month, 28), decision=decision,
                        feedback=feedback if decision == ReviewDecision.FEEDBACK else "",
                        acknowledged_at=NOW if acknowledged else None)
    db.session.add(made)
    db.session.flush()
    return made


def council(chair: User, members: list[User], *, name: str = "Coaching champions",
            every_weeks: int = 4) -> Council:
    made = Council(name=name, purpose="Share what works.", chair_id=chair.id,
                   every_weeks=every_weeks,
                   members=list({p.id: p for p in [chair, *members]}.values()))
    db.session.add(made)
    db.session.flush()
    return made


def meeting(council: Council, when: datetime) -> CouncilMeeting:
    made = CouncilMeeting(council_id=council.id, scheduled_at=when, agenda="What works")
    db.session.add(made)
    db.session.flush()
    return made


def council_action(meeting: CouncilMeeting, owner: User, due_on: date, *,
                   done_at: datetime | None = None) -> ActionItem:
    item = ActionItem(title="Share the agenda template", owner_id=owner.id, due_on=due_on,
                      done_at=done_at, council_meeting_id=meeting.id)
    db.session.add(item)
    db.session.flush()
    return item
