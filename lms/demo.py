"""A believable demo organisation: 1 executive, 3 leaders, 12 managers, 72 reps, 1 L&D admin."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from lms.auth.passwords import hash_password
from lms.extensions import db
from lms.people.models import Level, User

DEMO_PASSWORD = "cadence-demo-2026"  # noqa: S105  (printed and documented demo sign-in)
DOMAIN = "cadence.example"
REGIONS = ("East", "Central", "West")
FIRST = ("Dana", "Marco", "Priya", "Jonas", "Aisha", "Tom", "Lena", "Omar", "Grace", "Kenji",
         "Sofia", "Liam", "Nadia", "Ravi", "Elena", "Chris", "Maya", "Diego", "Hannah", "Yusuf",
         "Chloe", "Ben", "Ines", "Kwame")
LAST = ("Reyes", "Lindqvist", "Patel", "Becker", "Okafor", "Nguyen", "Costa", "Haddad",
        "Murphy", "Tanaka", "Rossi", "Walsh", "Karimi", "Iyer", "Novak", "Brennan", "Silva",
        "Moreau", "Schmidt", "Yilmaz")
ZONES = {"East": "America/New_York", "Central": "America/Chicago", "West": "America/Los_Angeles"}
# Higher packages add their demo content here (lms never imports them); each loader gets the
# demo people, flushed, and must flush, never commit. Loaders run in the order of their
# ``demo_order`` attribute (lower packages first, whatever order they were imported in).
DEMO_LOADERS: list[Callable[[list[User]], None]] = []


def _names():
    index = 0
    while True:
        yield f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
        index += 1


def _person(names, level: Level, title: str, manager: User | None, zone: str,
            password_hash: str, email: str | None = None) -> User:
    name = next(names)
    email = email or f"{name.lower().replace(' ', '.')}@{DOMAIN}"
    person = User(email=email, name=name, job_title=title, level=level, manager=manager,
                  time_zone=zone, password_hash=password_hash)
    db.session.add(person)
    return person


def load_demo(*, if_empty: bool = False) -> list[User] | None:
    """Add the demo organisation; return its people, or None when ``if_empty`` and not empty."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        return None
    shared_hash = hash_password(DEMO_PASSWORD)
    names = _names()
    people = [_person(names, Level.EXECUTIVE, "Chief Sales Officer", None, "America/New_York",
                      shared_hash, email=f"cso@{DOMAIN}")]
    for region_no, region in enumerate(REGIONS, start=1):
        zone = ZONES[region]
        leader = _person(names, Level.LEADER, f"Regional VP, {region}", people[0], zone,
                         shared_hash, email=f"leader{region_no}@{DOMAIN}")
        people.append(leader)
        for team_no in range(1, 5):
            manager = _person(names, Level.MANAGER, f"Sales Manager, {region} {team_no}",
                              leader, zone, shared_hash,
                              email=f"manager{(region_no - 1) * 4 + team_no}@{DOMAIN}")
            people.append(manager)
            for _ in range(6):
                people.append(_person(names, Level.REP, "Account Executive", manager, zone,
                                      shared_hash))
    admin = _person(names, Level.LEADER, "Director of Learning & Development", None,
                    "Europe/London", shared_hash, email=f"admin@{DOMAIN}")
    admin.is_admin = True
    admin.is_facilitator = True
    people.append(admin)
    db.session.flush()
    for loader in sorted(DEMO_LOADERS, key=lambda loader: getattr(loader, "demo_order", 0)):
        loader(people)
    return people
