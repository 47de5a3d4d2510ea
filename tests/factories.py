"""Plain factory functions: they flush, never commit; unique fields come from a counter."""

from __future__ import annotations

import itertools

from lms.auth.passwords import hash_password
from lms.extensions import db
from lms.people.models import Level, User

_counter = itertools.count(1)
_hashes: dict[str, str] = {}
PASSWORD = "correct horse battery staple"  # noqa: S105  (test accounts only)


def _hash(password: str) -> str:
    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


def person(*, level: Level | str = Level.REP, manager: User | None = None,
           name: str | None = None, email: str | None = None, password: str | None = PASSWORD,
           **fields) -> User:
    """Add a person (with the shared test password unless ``password=None``)."""
    number = next(_counter)
    user = User(
        email=email or f"person{number}@example.test",
        name=name or f"Person {number}",
        level=Level(level),
        manager=manager,
        password_hash=_hash(password) if password else None,
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def admin(**fields) -> User:
    fields.setdefault("level", Level.LEADER)
    return person(is_admin=True, **fields)


class Org:
    """A small organisation with every relationship the permission tests need.

    exec
    ├── leader_a ── manager_a1 ── rep_a1a, rep_a1b
    │           └── manager_a2 ── rep_a2a
    └── leader_b ── manager_b1 ── rep_b1a
    admin (outside the sales tree)
    """

    def __init__(self):
        self.exec = person(level=Level.EXECUTIVE, name="Erin Exec")
        self.leader_a = person(level=Level.LEADER, manager=self.exec, name="Lena Leader")
        self.leader_b = person(level=Level.LEADER, manager=self.exec, name="Lars Leader")
        self.manager_a1 = person(level=Level.MANAGER, manager=self.leader_a, name="Dana Reyes")
        self.manager_a2 = person(level=Level.MANAGER, manager=self.leader_a, name="Max Manager")
        self.manager_b1 = person(level=Level.MANAGER, manager=self.leader_b, name="Mia Manager")
        self.rep_a1a = person(manager=self.manager_a1, name="Rita Rep")
        self.rep_a1b = person(manager=self.manager_a1, name="Ron Rep")
        self.rep_a2a = person(manager=self.manager_a2, name="Rosa Rep")
        self.rep_b1a = person(manager=self.manager_b1, name="Raj Rep")
        self.admin = admin(name="Ada Admin")


def org() -> Org:
    return Org()


def course(*, title: str | None = None, audience=("rep",), lessons: int = 2,
           modules: int = 1, published: bool = True, by: User | None = None,
           self_enrol: bool = True):
    """Add a course with ``modules`` x ``lessons`` text lessons, published unless told."""
    from courses.services import authoring

    number = next(_counter)
    by = by or admin()
    created = authoring.create_course(authoring.CourseData(
        title=title or f"Course {number}", slug=f"course-{number}",
        audience=tuple(Level(level) for level in audience), self_enrol=self_enrol), by=by)
    for m in range(modules):
        module = authoring.add_module(created, f"Module {m + 1}", by=by)
        for n in range(lessons):
            authoring.add_lesson(module, authoring.LessonData(
                title=f"Lesson {m + 1}.{n + 1}", body_markdown=f"Read this, part {n + 1}."),
                by=by)
    if published:
        authoring.publish(created, by=by)
    return created
