"""The demo rollout: a program in progress, with live sessions, attendance and communications.

*Coaching Rhythm rollout*, owned by the CSO, runs manager-first: wave 1 (leaders and managers)
takes *Coaching Rhythm*, wave 2 (reps) takes *Discovery Conversations* once their own manager
is done. Two regional kick-offs are over (East: everyone stayed except the CSO, who left after
the opening; Central: the regional VP left after the opening), the West kick-off and a reps'
practice lab are ahead. East's leader wrote to their managers well ahead of time and most
acknowledged; Central's leader wrote late; West's leader has not written yet, so the reminder
and the home page's next step have something to say.

Sessions are scheduled through the live-session services while still in the future, then
moved to their demo dates (the services rightly refuse registering for a past session).
Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from courses.demo import DemoCourses
from courses.live import comm_delivery, communications, programs
from courses.live import services as live
from courses.live.models import AttendanceStatus, LiveSession, Program, ProgramStatus
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

PROGRAM_NAME = "Coaching Rhythm rollout"
AGENDA = [("Opening by the regional VP", 20), ("The weekly coaching rhythm", 70),
          ("Practice: a 1:1 with agenda and action items", 60), ("Commitments", 30)]


def _at(days: int, hour: int) -> datetime:
    """``days`` from today at ``hour`` UTC, on the hour."""
    day = utcnow() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _session(program: Program, wave, title: str, start: datetime, facilitator: User,
             location: str, *, by: User, zone: str, minutes: int = 180,
             agenda=AGENDA, course=None) -> LiveSession:
    session = live.create_session(live.SessionData(
        title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes),
        capacity=40, time_zone=zone, location=location, facilitator=facilitator,
        description="Part of the Coaching Rhythm rollout. Leaders stay for the whole session.",
        segments=list(agenda)), by=by)
    programs.link_session(program, session, wave, by=by)
    session.course_id = course.id if course is not None else None
    return session


def _move(session: LiveSession, start: datetime) -> None:
    length = session.ends_at - session.starts_at
    session.starts_at, session.ends_at = start, start + length


def _take(session: LiveSession, exceptions: dict[int, live.AttendanceRow], by: User) -> None:
    rows = []
    for registration, _attendance in live.roster(session):
        row = exceptions.get(registration.user_id)
        if row is None:
            row = live.AttendanceRow(registration.id, AttendanceStatus.ATTENDED)
        else:
            row.registration_id = registration.id
        rows.append(row)
    live.take_attendance(session, rows, by=by)


def _left_after_opening(session: LiveSession) -> live.AttendanceRow:
    return live.AttendanceRow(0, AttendanceStatus.LEFT_EARLY,
                              left_after_segment_id=session.segments[0].id)


def _write(session: LiveSession, leader: User, *, sent_days: int, acknowledged: int,
           question: str = "") -> None:
    """``leader`` writes to their managers about ``session``, ``sent_days`` from today."""
    sent = _at(sent_days, 13)
    communication = communications.schedule_communication(communications.CommunicationData(
        subject=f"Before we meet: {session.title}",
        what_you_learn="How to run a weekly 1:1 with each rep: an agenda prepared ahead, "
                       "action items carried until done, and one activity and one proficiency "
                       "goal per rep.",
        why_it_matters="Training alone does not change what happens on calls. What changes it "
                       "is a manager who coaches every week, and I will be in the room with "
                       "you for the whole day.",
        how_work_changes="From the week after the session, every rep has a 1:1 on the "
                         "calendar, the agenda is ready the day before, and I will review the "
                         "rhythm with each of you once a month.",
        expected_results="Within a quarter: every rep with agreed goals, nine in ten 1:1s "
                         "held on time, and a higher proposal-to-close ratio in each team.",
        session=session, send_at=sent), by=leader, now=sent - timedelta(hours=1))
    comm_delivery.send_communication(communication, now=sent)
    for number, receipt in enumerate(sorted(communication.recipients,
                                            key=lambda r: r.user_id)[:acknowledged]):
        communications.mark_opened(receipt, now=sent + timedelta(hours=2 + number))
        communications.acknowledge(communication, receipt.user,
                                   question=question if number == 0 else "",
                                   now=sent + timedelta(hours=3 + number))


def load_demo_program(people: list[User], admin: User, courses: DemoCourses) -> Program | None:
    """Add the demo program for the demo ``people``; None when it is already there."""
    if db.session.scalar(select(Program.id).where(Program.name == PROGRAM_NAME)):
        return None
    executive = next(p for p in people if p.level == Level.EXECUTIVE)
    leaders = [p for p in people if p.level == Level.LEADER and not p.is_admin]
    managers = {leader.id: [p for p in people if p.manager_id == leader.id]
                for leader in leaders}
    start = utcnow().date() - timedelta(days=30)
    program = programs.create_program(programs.ProgramData(
        name=PROGRAM_NAME, starts_on=start, ends_on=start + timedelta(days=120), owner=executive,
        goal="Every manager runs a weekly coaching 1:1 with each rep, with an agenda prepared "
             "ahead, action items followed up and activity and proficiency goals reviewed, "
             "and every leader confirms it happens. Leaders and managers train first; reps "
             "start once their own manager has finished."), by=admin)
    wave1, wave2 = programs.default_waves(program, [courses.manager], [courses.rep], by=admin)
    programs.set_status(program, ProgramStatus.ACTIVE, by=admin)

    zones = [leader.time_zone for leader in leaders]
    east, central, west = (
        _session(program, wave1, f"Kick-off: Coaching Rhythm ({region})", _at(days, 14),
                 admin, f"{region} regional office, training room", by=admin, zone=zone,
                 course=courses.manager)
        for region, days, zone in (("East", 40, zones[0]), ("Central", 41, zones[1]),
                                   ("West", 10, zones[2])))
    lab = _session(program, wave2, "Discovery practice lab", _at(25, 16), admin, "",
                   by=admin, zone=zones[0], minutes=120,
                   agenda=[("Why discovery comes first", 15), ("Role-plays in threes", 80),
                           ("Commitments", 25)], course=courses.rep)
    lab.meeting_url = "https://meet.cadence.example/discovery-lab"

    for session, leader in ((east, leaders[0]), (central, leaders[1]), (west, leaders[2])):
        for person in [leader, *managers[leader.id]]:
            live.register(person, session, by=leader)
    live.register(executive, east, by=executive)
    for manager in managers[leaders[0].id][:2]:
        for rep in [p for p in people if p.manager_id == manager.id]:
            live.register(rep, lab, by=manager)

    _write(east, leaders[0], sent_days=-36, acknowledged=3,
           question="Should we bring last quarter's 1:1 notes to the session?")
    _write(central, leaders[1], sent_days=-21, acknowledged=1)
    _move(east, _at(-20, 14))
    _move(central, _at(-13, 15))
    east_managers, central_managers = managers[leaders[0].id], managers[leaders[1].id]
    _take(east, {
        executive.id: _left_after_opening(east),
        east_managers[3].id: live.AttendanceRow(0, AttendanceStatus.EXCUSED,
                                                excuse="Customer escalation on site"),
    }, admin)
    _take(central, {
        leaders[1].id: _left_after_opening(central),
        central_managers[2].id: live.AttendanceRow(0, AttendanceStatus.LEFT_EARLY,
                                                   minutes_present=95),
        central_managers[3].id: live.AttendanceRow(0, AttendanceStatus.ABSENT),
    }, admin)
    live.confirm(east, leaders[0])
    live.confirm(east, executive)
    return program
