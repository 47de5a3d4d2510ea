"""Use cases for people and the reports-to tree. Services flush; callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import func, select, update

from lms.audit import services as audit
from lms.errors import TreeError, ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import EMAIL_PATTERN, Level, User, may_report_to

EDITABLE_FIELDS = ("email", "name", "job_title", "level", "manager_id", "is_admin",
                   "is_facilitator", "time_zone")


@dataclass(frozen=True)
class PersonData:
    """What an admin may set on a person."""

    email: str
    name: str
    job_title: str = ""
    level: Level = Level.REP
    manager_id: int | None = None
    is_admin: bool = False
    is_facilitator: bool = False
    time_zone: str = "UTC"


_TIME_ZONES: frozenset[str] | None = None


def valid_time_zone(name: str) -> bool:
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = frozenset(available_timezones())
    return name in _TIME_ZONES


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _check_unique_email(email: str, person: User | None) -> None:
    other = find_by_email(email)
    if other is not None and other is not person:
        raise ValidationError("Another person already uses this email.", field="email")


def check_manager(person: User | None, level: Level, manager: User | None) -> None:
    """Refuse a manager who would create a cycle or does not outrank the person."""
    if manager is None:
        return
    # Keeping a deactivated manager is allowed, so a deactivated person stays editable.
    if not manager.is_active and (person is None or person.manager_id != manager.id):
        raise TreeError(f"{manager.name} is deactivated and cannot have reports.",
                        field="manager_id")
    if not may_report_to(level, Level(manager.level)):
        raise TreeError(
            f"{manager.name} is a {manager.level} and does not outrank a {level}.",
            field="manager_id",
        )
    if person is not None and person.id is not None and tree.is_in_subtree(person.id, manager.id):
        raise TreeError(f"{manager.name} reports to {person.name}: that would make a cycle.",
                        field="manager_id")


def _check_reports_outranked(person: User, level: Level) -> None:
    """Refuse a level change that leaves a direct report not outranked."""
    for report in db.session.scalars(select(User).where(User.manager_id == person.id)):
        if report.is_active and not may_report_to(Level(report.level), level):
            raise TreeError(
                f"{report.name} ({report.level}) reports to this person; a {level} "
                "cannot manage them. Reassign them first.", field="level")


def _apply(person: User, data: PersonData) -> None:
    if not EMAIL_PATTERN.match(data.email.strip()) or len(data.email.strip()) > 254:
        raise ValidationError("Enter an email address such as dana@example.com.", field="email")
    if not data.name.strip():
        raise ValidationError("A name is required.", field="name")
    if not valid_time_zone(data.time_zone):
        raise ValidationError("Unknown time zone.", field="time_zone")
    _check_unique_email(data.email, person)
    manager = db.session.get(User, data.manager_id) if data.manager_id else None
    if data.manager_id and manager is None:
        raise TreeError("That manager does not exist.", field="manager_id")
    check_manager(person, Level(data.level), manager)
    for field in EDITABLE_FIELDS:
        setattr(person, field, getattr(data, field))


def create_person(data: PersonData, *, by: User | None) -> User:
    """Add a person to the organisation."""
    person = User()
    _apply(person, data)
    db.session.add(person)
    audit.record(by, "person.create", person, summary=f"Created {person.name}")
    return person


def update_person(person: User, data: PersonData, *, by: User | None) -> User:
    """Change a person's details, manager, level or permissions."""
    if Level(data.level) != Level(person.level):
        _check_reports_outranked(person, Level(data.level))
    _apply(person, data)
    changes = audit.pending_changes(person)
    if changes:
        audit.record(by, "person.update", person, summary=f"Updated {person.name}",
                     changes=changes)
    return person


def reassign_reports(person: User, new_manager: User, *, by: User | None) -> int:
    """Move every direct report of ``person`` to ``new_manager``; return how many moved."""
    if new_manager.id == person.id:
        raise TreeError("Choose someone else to take over the reports.", field="manager_id")
    reports = list(db.session.scalars(
        select(User).where(User.manager_id == person.id).order_by(User.name, User.id)))
    if tree.is_in_subtree(person.id, new_manager.id):
        raise TreeError(f"{new_manager.name} is under {person.name}; pick someone outside "
                        "their team.", field="manager_id")
    # Check every report before moving any: a refusal leaves the whole team where it was.
    for report in reports:
        check_manager(report, Level(report.level), new_manager)
    for report in reports:
        report.manager_id = new_manager.id
        audit.record(by, "person.reassign", report,
                     summary=f"{report.name} now reports to {new_manager.name}",
                     changes={"manager_id": [person.id, new_manager.id]})
    return len(reports)


def deactivate_person(person: User, *, by: User | None) -> User:
    """Deactivate a person who has no active reports; their sessions and tokens end."""
    from lms.auth.services import revoke_all_tokens

    if by is not None and by.id == person.id:
        raise ValidationError("You cannot deactivate yourself.")
    active_reports = db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.manager_id == person.id, User.is_active.is_(True))
    )
    if active_reports:
        raise TreeError(
            f"{person.name} has {active_reports} active report(s). Reassign them first.")
    person.is_active = False
    person.invalidate_sessions()
    # Record first: revoking runs an UPDATE whose autoflush would erase the change history.
    audit.record(by, "person.deactivate", person, summary=f"Deactivated {person.name}")
    revoke_all_tokens(person)
    return person


def reactivate_person(person: User, *, by: User | None) -> User:
    """Let a deactivated person sign in again."""
    manager = person.manager
    if manager is not None and not manager.is_active:
        raise TreeError(f"{manager.name} is deactivated; choose a new manager first.")
    # The manager's level may have changed while this person was away.
    if manager is not None and not may_report_to(Level(person.level), Level(manager.level)):
        raise TreeError(f"{manager.name} is a {manager.level} and no longer outranks a "
                        f"{person.level}; choose a new manager first.", field="manager_id")
    person.is_active = True
    audit.record(by, "person.reactivate", person, summary=f"Reactivated {person.name}")
    return person


def update_profile(person: User, *, name: str, time_zone: str) -> User:
    """Let a person change their own display name and time zone."""
    if not valid_time_zone(time_zone):
        raise ValidationError("Unknown time zone.", field="time_zone")
    person.name = name.strip()
    person.time_zone = time_zone
    audit.record(person, "person.profile", person, summary="Updated own profile")
    return person


def direct_report_counts(ids: list[int]) -> dict[int, int]:
    """Return ``{manager_id: number of direct reports}`` for ``ids`` in one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.manager_id, func.count()).where(User.manager_id.in_(ids))
        .group_by(User.manager_id)
    )
    return dict(rows.all())


def direct_reports_noun(person: User) -> str:
    """Speak of ``person``'s active direct reports by their levels, highest first: "leaders",
    "leaders and managers"; "people" when nobody reports to them. One query."""
    levels = db.session.scalars(
        select(User.level).where(User.manager_id == person.id, User.is_active.is_(True))
        .distinct())
    words = [level.plural for level in sorted(map(Level, levels), key=lambda lv: -lv.rank)]
    if len(words) > 1:
        return f"{', '.join(words[:-1])} and {words[-1]}"
    return words[0] if words else "people"


__all__ = ["PersonData", "create_person", "update_person", "deactivate_person",
           "reactivate_person", "reassign_reports", "update_profile", "check_manager",
           "find_by_email", "direct_report_counts", "direct_reports_noun", "update"]
