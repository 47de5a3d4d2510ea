"""Resources: playbooks, job aids and reinforcement guides, versioned, with read receipts.

A resource is a Markdown page (sanitised when saved) or an uploaded file (checked by its
content, as lesson files are). Each new text or file is a new version that becomes current;
people acknowledge that they have read the current version, so a new version asks everyone
again. A resource is *assigned* to levels and/or a program: with levels only, to everyone
at those levels; with a program only, to everyone enrolled in one of its waves' courses;
with both, to the people of those levels in the program.

Services flush, never commit; every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import aliased
from werkzeug.datastructures import FileStorage

from courses.live.models import Program, ProgramWave, wave_courses
from courses.models import Course, Enrollment, EnrollmentStatus
from lms.audit.services import pending_changes, record
from lms.authz import visible
from lms.claims import add_once
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.models import LEVEL_VALUES, User
from lms.web import files
from lms.web.files import StoredFile
from lms.web.markdown import render_markdown
from reinforcement.resources.models import (
    Resource,
    ResourceAcknowledgement,
    ResourceKind,
    ResourceVersion,
)

NO_LEVELS = ","


@dataclass
class ResourceData:
    title: str
    kind: str = ResourceKind.PLAYBOOK
    summary: str = ""
    audience: Sequence[str] = ()
    program_id: int | None = None
    course_id: int | None = None


@dataclass
class VersionData:
    """A new text or file; ``change_note`` says what changed (needed from version 2 on)."""

    body_markdown: str = ""
    upload: FileStorage | None = None
    change_note: str = ""


def audience_text(levels: Sequence[str]) -> str:
    """``["rep", "manager"]`` -> ``",manager,rep,"`` (level order; ``","`` for none)."""
    return NO_LEVELS + "".join(f"{level}," for level in LEVEL_VALUES if level in levels)


def audience_levels(resource: Resource) -> list[str]:
    return [level for level in (resource.audience or "").split(",") if level]


def _check(data: ResourceData) -> None:
    title = data.title.strip()
    if not title or len(title) > 200:
        raise ValidationError("Give the resource a title (up to 200 characters).",
                              field="title")
    if data.kind not in {kind.value for kind in ResourceKind}:
        raise ValidationError("Choose a playbook, a job aid or a reinforcement guide.",
                              field="kind")
    if len(data.summary or "") > 2000:
        raise ValidationError("Keep the summary under 2,000 characters.", field="summary")
    if any(level not in LEVEL_VALUES for level in data.audience):
        raise ValidationError("Choose levels from the list.", field="audience")
    if data.program_id is not None and db.session.get(Program, data.program_id) is None:
        raise ValidationError("There is no such program.", field="program")
    if data.course_id is not None:
        course = db.session.get(Course, data.course_id)
        if course is None or course.current_version_id is None:
            raise ValidationError("Link a course that has been published.", field="course")


def _apply(resource: Resource, data: ResourceData) -> None:
    resource.title = data.title.strip()
    resource.kind = ResourceKind(data.kind)
    resource.summary = (data.summary or "").strip()
    resource.audience = audience_text(data.audience)
    resource.program_id = data.program_id
    resource.course_id = data.course_id


def _has_file(content: VersionData) -> bool:
    return content.upload is not None and bool(content.upload.filename)


def _check_version(content: VersionData, resource: Resource | None) -> str:
    """Refuse a version that is empty, both text and file, or unexplained; return its HTML."""
    text = (content.body_markdown or "").strip()
    if text and _has_file(content):
        raise ValidationError("Give either a text or a file, not both.", field="file")
    if not text and not _has_file(content):
        raise ValidationError("Write the text or upload a file.", field="body_markdown")
    note = (content.change_note or "").strip()
    if len(note) > 300:
        raise ValidationError("Keep the change note under 300 characters.",
                              field="change_note")
    if resource is not None and resource.current_version is not None:
        if not note:
            raise ValidationError("Say what changed: everyone it is assigned to is asked to "
                                  "read it again.", field="change_note")
        current = resource.current_version
        if text and current.file_id is None and text == current.body_markdown.strip():
            raise ValidationError("The text is the same as the current version's.",
                                  field="body_markdown")
    try:
        return render_markdown(text) if text else ""
    except ValueError as error:
        raise ValidationError(f"The text is too long: {error}.", field="body_markdown") from None


def _store(content: VersionData, *, by: User) -> StoredFile | None:
    """Check and keep the uploaded file (refused by its content) before any row is added."""
    return files.store_upload(content.upload, by=by) if _has_file(content) else None


def _new_version(resource: Resource, content: VersionData, html: str,
                 stored: StoredFile | None, *, by: User) -> ResourceVersion:
    number = 1 + (db.session.scalar(select(func.max(ResourceVersion.number)).where(
        ResourceVersion.resource_id == resource.id)) or 0)
    version = ResourceVersion(
        resource=resource, number=number, body_markdown=(content.body_markdown or "").strip(),
        body_html=html, file_id=stored.id if stored else None,
        change_note=(content.change_note or "").strip(), created_by_id=by.id)
    db.session.add(version)
    db.session.flush()
    resource.current_version = version
    return version


def create_resource(data: ResourceData, content: VersionData, *, by: User) -> Resource:
    """Add a resource with its first version."""
    _check(data)
    html = _check_version(content, None)
    stored = _store(content, by=by)
    resource = Resource(is_archived=False)
    _apply(resource, data)
    db.session.add(resource)
    db.session.flush()
    version = _new_version(resource, content, html, stored, by=by)
    record(by, "resource.create", resource, summary=f"{resource.title} (version "
           f"{version.number})")
    return resource


def _not_archived(resource: Resource) -> None:
    if resource.is_archived:
        raise ValidationError("This resource is archived; restore it before changing it.")


def update_resource(resource: Resource, data: ResourceData, *, by: User) -> None:
    """Change the title, kind, summary, assignment or links (no new version)."""
    _not_archived(resource)
    _check(data)
    _apply(resource, data)
    changes = pending_changes(resource)
    if changes:
        record(by, "resource.update", resource, summary=resource.title, changes=changes)


def add_version(resource: Resource, content: VersionData, *, by: User) -> ResourceVersion:
    """Publish a new text or file as the current version (everyone is asked to read it)."""
    _not_archived(resource)
    html = _check_version(content, resource)
    version = _new_version(resource, content, html, _store(content, by=by), by=by)
    record(by, "resource.version", version, summary=f"{resource.title}: version "
           f"{version.number}", changes={"change_note": version.change_note,
                                         "file_id": version.file_id})
    return version


def set_archived(resource: Resource, archived: bool, *, by: User) -> None:
    """Archive (out of the library and of assignments) or restore a resource."""
    if resource.is_archived == archived:
        raise ValidationError("The resource is already " +
                              ("archived." if archived else "in the library."))
    resource.is_archived = archived
    record(by, "resource.archive" if archived else "resource.restore", resource,
           summary=resource.title)


def acknowledge(resource: Resource, person: User, *,
                now: datetime | None = None) -> ResourceAcknowledgement:
    """``person`` has read the current version; saying it twice changes nothing."""
    if resource.is_archived or resource.current_version_id is None:
        raise ValidationError("This resource has no current version to read.")
    found = acknowledgement(resource, person)
    if found is not None:
        return found
    ack = ResourceAcknowledgement(resource_id=resource.id, user_id=person.id,
                                  version_id=resource.current_version_id,
                                  acknowledged_at=now or utcnow())
    if not add_once(ack):  # a racing request acknowledged it first
        return acknowledgement(resource, person)
    number = resource.current_version.number
    record(person, "resource.acknowledge", ack, summary=f"{resource.title}: version {number}")
    return ack


# --- reading -------------------------------------------------------------------------------------

def acknowledgement(resource: Resource, person: User) -> ResourceAcknowledgement | None:
    """``person``'s acknowledgement of the current version, if any."""
    return db.session.scalar(select(ResourceAcknowledgement).where(
        ResourceAcknowledgement.version_id == resource.current_version_id,
        ResourceAcknowledgement.user_id == person.id))


def last_read(resource: Resource, person: User) -> ResourceVersion | None:
    """The latest version of ``resource`` that ``person`` acknowledged."""
    return db.session.scalar(
        select(ResourceVersion)
        .join(ResourceAcknowledgement, ResourceAcknowledgement.version_id == ResourceVersion.id)
        .where(ResourceAcknowledgement.user_id == person.id,
               ResourceVersion.resource_id == resource.id)
        .order_by(ResourceVersion.number.desc()).limit(1))


def assigned(level, user_id, resource=Resource):
    """SQL: ``resource`` is assigned to the person with ``level`` and ``user_id`` (columns or
    literals); see the module note."""
    has_levels = resource.audience != NO_LEVELS
    in_levels = resource.audience.contains(literal(",") + level + literal(","))
    in_program = exists(
        select(Enrollment.id)
        .join(wave_courses, wave_courses.c.course_id == Enrollment.course_id)
        .join(ProgramWave, ProgramWave.id == wave_courses.c.wave_id)
        .where(ProgramWave.program_id == resource.program_id, Enrollment.user_id == user_id,
               Enrollment.status != EnrollmentStatus.WITHDRAWN))
    return and_(or_(has_levels, resource.program_id.is_not(None)),
                or_(not_(has_levels), in_levels),
                or_(resource.program_id.is_(None), in_program))


def assigned_to(person: User):
    return assigned(literal(person.level), literal(person.id))


@dataclass
class LibraryFilter:
    kind: str | None = None
    level: str | None = None
    program_id: int | None = None
    mine: bool = False  # assigned to the viewer
    archived: bool = False  # admins: the archived ones instead


def library(viewer: User, chosen: LibraryFilter):
    """The SELECT of the resources ``viewer`` may see that match ``chosen``."""
    stmt = (visible(select(Resource), viewer)
            .where(Resource.is_archived.is_(chosen.archived))
            .order_by(Resource.title, Resource.id))
    if chosen.kind:
        stmt = stmt.where(Resource.kind == chosen.kind)
    if chosen.level:
        stmt = stmt.where(Resource.audience.contains(f",{chosen.level},", autoescape=True))
    if chosen.program_id:
        stmt = stmt.where(Resource.program_id == chosen.program_id)
    if chosen.mine:
        stmt = stmt.where(assigned_to(viewer))
    return stmt


READ, OUTDATED, UNREAD = "read", "outdated", "unread"


def read_status(resources: Sequence[Resource], person: User) -> dict[int, str]:
    """Per resource id: ``read`` (the current version), ``outdated`` (an older one) or
    ``unread``; one query for any number of resources."""
    ids = [r.id for r in resources]
    seen: dict[int, set[int]] = {}
    if ids:
        for resource_id, version_id in db.session.execute(
                select(ResourceAcknowledgement.resource_id, ResourceAcknowledgement.version_id)
                .where(ResourceAcknowledgement.user_id == person.id,
                       ResourceAcknowledgement.resource_id.in_(ids))):
            seen.setdefault(resource_id, set()).add(version_id)
    status = {}
    for resource in resources:
        versions = seen.get(resource.id, set())
        status[resource.id] = (READ if resource.current_version_id in versions
                               else OUTDATED if versions else UNREAD)
    return status


def assigned_ids(resources: Sequence[Resource], person: User) -> set[int]:
    """The ids among ``resources`` assigned to ``person``; one query."""
    ids = [r.id for r in resources]
    if not ids:
        return set()
    return set(db.session.scalars(select(Resource.id).where(Resource.id.in_(ids),
                                                             assigned_to(person))))


def for_course(course: Course, viewer: User) -> list[Resource]:
    """The resources linked to ``course`` that ``viewer`` may see; one query."""
    return list(db.session.scalars(
        visible(select(Resource), viewer)
        .where(Resource.course_id == course.id, Resource.is_archived.is_(False),
               Resource.current_version_id.is_not(None))
        .order_by(Resource.title, Resource.id)))


def versions_of(resource: Resource) -> list[tuple[ResourceVersion, str | None]]:
    """Every version, newest first, with the name of who published it; one query."""
    author = aliased(User)
    return [(version, name) for version, name in db.session.execute(
        select(ResourceVersion, author.name)
        .outerjoin(author, author.id == ResourceVersion.created_by_id)
        .where(ResourceVersion.resource_id == resource.id)
        .order_by(ResourceVersion.number.desc()))]


# --- who has not read -----------------------------------------------------------------------------

@dataclass
class UnreadRow:
    resource: Resource
    assigned: int = 0
    read: int = 0
    not_read: list[User] = field(default_factory=list)


def unread_report(viewer: User, resource_id: int | None = None) -> list[UnreadRow]:
    """For each resource assigned to someone under ``viewer`` (everyone for admins): how many
    it is assigned to, how many read the current version, and who has not.

    Three queries whatever the number of people or resources.
    """
    person = aliased(User)
    read_current = exists().where(
        ResourceAcknowledgement.version_id == Resource.current_version_id,
        ResourceAcknowledgement.user_id == person.id)

    def pairs(*columns):
        stmt = (select(*columns).select_from(Resource)
                .join(person, assigned(person.level, person.id))
                .where(Resource.is_archived.is_(False),
                       Resource.current_version_id.is_not(None), person.is_active.is_(True)))
        if not viewer.is_admin:
            stmt = stmt.where(person.id.in_(tree.subtree_ids(viewer.id, include_root=False)))
        if resource_id is not None:
            stmt = stmt.where(Resource.id == resource_id)
        return stmt

    counts = {rid: (int(total), int(done or 0)) for rid, total, done in db.session.execute(
        pairs(Resource.id, func.count(), func.sum(case((read_current, 1), else_=0)))
        .group_by(Resource.id))}
    if not counts:
        return []
    rows = {r.id: UnreadRow(r, *counts[r.id]) for r in db.session.scalars(
        select(Resource).where(Resource.id.in_(counts)).order_by(Resource.title, Resource.id))}
    for rid, someone in db.session.execute(
            pairs(Resource.id, person).where(~read_current).order_by(person.name, person.id)):
        rows[rid].not_read.append(someone)
    return list(rows.values())
