"""Demo content for reinforcement: a plan five weeks in, goals and actuals, leader reviews and a
champions council.

*Coaching Rhythm reinforcement* hangs off the demo program, weekly for 12 weeks, with three
focus activities, an agenda template and a playbook. The East region's first two managers
started it about five weeks ago: most past check-ins were held on time with the agenda
prepared the day before and shared notes, one was missed, one held a day late; a few action
items are done and one is overdue; the first manager keeps one private note. Manager 1's reps
have agreed proposal and close-ratio goals with weekly actuals; one rep's close ratio is
behind, reviewed (skills) with a corrective action and evaluated since. The East leader
confirmed manager 1's previous month and sent manager 2 feedback. The three regional leaders
sit on a champions council that met ten days ago.

Check-ins are created by ``start_plan`` with a ``now`` set before their dates, so every step
goes through the services with explicit times. Nothing here commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from courses.live.models import Program
from lms import demo as lms_demo
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User
from reinforcement.checkins import actions
from reinforcement.checkins import services as checkins
from reinforcement.checkins.models import CheckIn, CheckInStatus
from reinforcement.councils import services as councils
from reinforcement.goals import actuals, gaps
from reinforcement.goals import services as goals
from reinforcement.goals.models import Metric
from reinforcement.leaders import reviews
from reinforcement.plans.models import PlanStatus, ReinforcementPlan
from reinforcement.plans.services import settings, teams
from reinforcement.resources import services as resources
from reinforcement.resources.models import ResourceKind

PROGRAM_NAME = "Coaching Rhythm rollout"
PLAN_TITLE = "Coaching Rhythm reinforcement"
COUNCIL_NAME = "Coaching Rhythm champions"
STARTED_DAYS_AGO = 33  # the next check-in falls two days from today
FOCUS = ("Prepare each 1:1 agenda the day before and share it with the rep",
         "Follow up every open action item until it is done",
         "Review one activity and one proficiency goal with each rep every week")
AGENDA = ("Wins since last week", "Open action items", "Goals: proposals sent and close ratio",
          "One deal to coach", "Commitments for next week")
PLAYBOOK = """\
# The weekly coaching 1:1

A short guide for the twelve weeks after *Coaching Rhythm*.

## Before the meeting
- Open the check-in the day before and mark the agenda **prepared** once it is ready.
- Look at the rep's figures for last week: proposals sent and close ratio.
- Carry forward every action item that is still open.

## During the meeting
1. Start with a win, however small.
2. Walk the open action items; close the ones that are done.
3. Compare the week's figures with the goal. If a goal is behind, ask *why* before you
   suggest anything: is it knowledge, skills, commitment, capacity or the environment?
4. Coach one live deal. Ask more than you tell: the rep should leave with their own plan.
5. Agree at most two new action items, each with an owner and a date.

## After the meeting
Write the shared notes the same day. Keep your private notes for what only you need to
remember; nobody else reads them.
"""
SHARED_NOTES = (
    "Went through last week's proposals and agreed which two deals to push.",
    "Good progress on discovery questions; practised the cost-of-inaction question.",
    "Pipeline review: three proposals out, one stalled at procurement.",
    "Closed the follow-up items from last week; new focus on next steps with buyers.",
    "Role-played the pricing call for Thursday; agreed the walk-away point.",
)
PROPOSALS_PER_WEEK = (7, 6, 8, 7, 7, 6)
CLOSE_RATIOS = (27, 29, 26, 31, 28, 30)
BEHIND_RATIOS = (12, 14, 22, 24, 26, 27)  # one rep's close ratio: behind, then improving


def _at(day: date, clock: time = time(12)) -> datetime:
    return datetime.combine(day, clock, tzinfo=UTC)


def _reports(people: list[User], manager: User) -> list[User]:
    return sorted((p for p in people if p.manager_id == manager.id), key=lambda p: p.id)


def _plan(program: Program, admin: User) -> ReinforcementPlan:
    playbook = resources.create_resource(resources.ResourceData(
        "The weekly coaching 1:1", kind=ResourceKind.PLAYBOOK,
        summary="How to prepare, run and follow up a weekly coaching 1:1.",
        audience=(Level.MANAGER.value, Level.LEADER.value), program_id=program.id),
        resources.VersionData(body_markdown=PLAYBOOK), by=admin)
    plan = settings.create_plan(program, settings.PlanData(
        title=PLAN_TITLE, weeks=12, focus_activities="\n".join(FOCUS),
        agenda_template="\n".join(AGENDA), resource_ids=[playbook.id]), by=admin)
    db.session.flush()
    settings.set_status(plan, PlanStatus.ACTIVE, by=admin)
    return plan


def _past_check_ins(coach: User, now: datetime) -> list[CheckIn]:
    return list(db.session.scalars(select(CheckIn).where(
        CheckIn.coach_id == coach.id, CheckIn.scheduled_at < now)
        .order_by(CheckIn.scheduled_at, CheckIn.coachee_id)))


def _run(check_in: CheckIn, number: int, *, missed: bool, late: bool) -> None:
    """Prepare the agenda the day before, hold the check-in and write the shared notes."""
    coach, at = check_in.coach, check_in.scheduled_at
    if missed:
        checkins.mark_missed(check_in, by=coach, now=at + timedelta(hours=2))
        return
    if number % 4 == 1:
        checkins.add_agenda_item(check_in, "Help with the Northwind renewal proposal",
                                 by=check_in.coachee, now=at - timedelta(days=2))
    checkins.prepare_agenda(check_in, by=coach, now=at - timedelta(days=1))
    held = at + timedelta(days=1) if late else at + timedelta(minutes=2)
    checkins.mark_held(check_in, by=coach, held_at=held, now=held + timedelta(minutes=35))
    checkins.save_shared_notes(check_in, SHARED_NOTES[number % len(SHARED_NOTES)], by=coach,
                               now=held + timedelta(minutes=40))


def _check_ins(managers: list[User], now: datetime) -> None:
    for manager in managers:
        past = _past_check_ins(manager, now)
        for number, check_in in enumerate(past):
            _run(check_in, number, missed=manager is managers[1] and number == len(past) - 3,
                 late=manager is managers[0] and number == 8)
    first = [c for c in _past_check_ins(managers[0], now) if c.status == CheckInStatus.HELD]
    coach = managers[0]
    done = actions.create_action_item(
        first[0], title="Send the revised proposal to Northwind", owner=first[0].coachee,
        due_on=first[0].scheduled_at.date() + timedelta(days=3), by=coach,
        now=first[0].scheduled_at + timedelta(minutes=30))
    actions.complete_action_item(done, by=first[0].coachee,
                                 now=first[0].scheduled_at + timedelta(days=2))
    shared = actions.create_action_item(
        first[1], title="Share two discovery call recordings", owner=coach,
        due_on=first[1].scheduled_at.date() + timedelta(days=5), by=coach,
        now=first[1].scheduled_at + timedelta(minutes=30))
    actions.complete_action_item(shared, by=coach, now=first[1].scheduled_at + timedelta(days=4))
    late = first[-7]
    actions.create_action_item(
        late, title="Book the pricing call with the buyer's finance lead", owner=late.coachee,
        due_on=late.scheduled_at.date() + timedelta(days=4), by=coach,
        now=late.scheduled_at + timedelta(minutes=30))
    checkins.save_private_notes(
        first[2], "Seems stretched by the two large renewals; ask about workload next time "
        "before pushing the proposal target.", by=coach,
        now=first[2].scheduled_at + timedelta(minutes=45))


def _metric(key: str) -> Metric:
    return db.session.scalar(select(Metric).where(Metric.key == key))


def _goals(manager: User, reps: list[User], starts_on: date, today: date) -> None:
    proposals, ratio = _metric("proposals_sent"), _metric("close_ratio")
    goal_start = goals.monday_of(starts_on)
    goal_end = goal_start + timedelta(weeks=12, days=-1)
    proposed = _at(goal_start - timedelta(days=3))
    mondays = [m for m in goals.weeks_of(goal_start, goal_end) if m + timedelta(days=7) <= today]
    behind = None
    for number, rep in enumerate(reps):
        for metric, target in ((proposals, 60.0), (ratio, 25.0)):
            goal = goals.propose_goal(rep, metric, starts_on=goal_start, ends_on=goal_end,
                                      target=target, by=manager, now=proposed, tell=False)
            goals.agree_goal(goal, by=rep, now=proposed + timedelta(days=1, hours=number))
            if metric is ratio and number == 1:
                behind = goal
        for week, monday in enumerate(mondays):
            entered = _at(monday + timedelta(days=7), time(15))
            values = ((proposals, PROPOSALS_PER_WEEK[(week + number) % 6]),
                      (ratio, (BEHIND_RATIOS[week] if number == 1
                               else CLOSE_RATIOS[(week + number) % 6])))
            for metric, value in values:
                actuals.enter_actual(rep, metric, monday, float(value), by=manager,
                                     now=entered, today=entered.date())
    _gap_review(manager, behind)


def _gap_review(manager: User, goal) -> None:
    held = list(db.session.scalars(select(CheckIn).where(
        CheckIn.coach_id == manager.id, CheckIn.coachee_id == goal.person_id,
        CheckIn.status == CheckInStatus.HELD).order_by(CheckIn.scheduled_at)))
    at, later = held[2], held[-1]
    rep = db.session.get(User, goal.person_id)
    review = gaps.create_gap_review(
        goal, root_cause="skills", check_in=at, by=manager,
        notes="Proposals go out on time, but discovery stops before the cost of the problem, "
              "so buyers compare on price.",
        action=gaps.Action("Role-play two discovery calls a week with a peer, focusing on "
                           "quantifying the cost of inaction", rep,
                           at.scheduled_at.date() + timedelta(days=28)),
        now=at.scheduled_at + timedelta(minutes=25), today=at.scheduled_at.date())
    gaps.evaluate_gap_review(
        review, check_in=later, by=manager,
        note="Two better discovery calls this fortnight; the ratio is climbing. Keep the "
             "role-plays going for another month.",
        now=later.scheduled_at + timedelta(minutes=25), today=later.scheduled_at.date())


def _leader_reviews(leader: User, managers: list[User], today: date) -> None:
    previous = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    now = utcnow() - timedelta(hours=3)
    reviews.confirm_reinforcement(managers[0], previous, by=leader, now=now)
    reviews.send_feedback(
        managers[1], previous,
        "Your check-ins happen and the notes are useful, but two agendas were prepared on the "
        "day itself and one 1:1 was missed without being moved. Prepare the day before and "
        "reschedule rather than skip.", by=leader, now=now + timedelta(minutes=20))


def _council(leaders: list[User], admin: User, today: date) -> None:
    council = councils.create_council(councils.CouncilData(
        COUNCIL_NAME, purpose="The regional VPs compare how the coaching rhythm is taking "
        "hold, share what works and remove what gets in the way.", chair=leaders[0],
        members=list(leaders), every_weeks=4), by=admin)
    first_at = _at(today - timedelta(days=10), time(16))
    meeting, _next = councils.schedule_meetings(
        council, first_at, count=2, agenda="Adherence by region\nWhat works\nBlockers",
        by=leaders[0], now=first_at - timedelta(days=7))
    councils.record_attendance(meeting, {person.id for person in leaders}, by=leaders[0],
                               now=first_at + timedelta(hours=1))
    councils.update_meeting(meeting, councils.MeetingNotes(
        agenda=meeting.agenda,
        works="Agendas shared the day before; reps add their own topics.",
        does_not_work="Check-ins on Mondays collide with the pipeline call in Central.",
        notes="East is ahead on adherence. Central will move its check-ins to Tuesdays. West "
              "starts after its kick-off."), by=leaders[0])
    councils.add_council_action(meeting, "Move Central's check-ins off Monday mornings",
                                leaders[1], today + timedelta(days=7), by=leaders[0])


def load_demo_reinforcement(people: list[User], admin: User, *,
                            now: datetime | None = None) -> ReinforcementPlan | None:
    """Add the demo's reinforcement content; None when it is there already or has no program."""
    if db.session.scalar(select(ReinforcementPlan.id).where(
            ReinforcementPlan.title == PLAN_TITLE)):
        return None
    program = db.session.scalar(select(Program).where(Program.name == PROGRAM_NAME))
    if program is None:
        return None
    now = now or utcnow()
    today = now.date()
    leaders = [p for p in people if p.level == Level.LEADER and not p.is_admin]
    managers = _reports(people, leaders[0])[:2]
    starts_on = today - timedelta(days=STARTED_DAYS_AGO)
    started = _at(starts_on - timedelta(days=3))
    plan = _plan(program, admin)
    for manager in managers:
        teams.start_plan(plan, manager, starts_on=starts_on, local_time="10:00", by=manager,
                         now=started)
    _check_ins(managers, now)
    _goals(managers[0], _reports(people, managers[0]), starts_on, today)
    _leader_reviews(leaders[0], managers, today)
    _council(leaders, admin, today)
    db.session.flush()
    return plan


def _load_with_the_demo_organisation(people: list[User]) -> None:
    admin = next((person for person in people if person.is_admin), None)
    if admin is not None:
        load_demo_reinforcement(people, admin)


def register() -> None:
    """Load the reinforcement demo after the demo organisation (once per process)."""
    _load_with_the_demo_organisation.demo_order = 30  # type: ignore[attr-defined]
    if _load_with_the_demo_organisation not in lms_demo.DEMO_LOADERS:
        lms_demo.DEMO_LOADERS.append(_load_with_the_demo_organisation)
