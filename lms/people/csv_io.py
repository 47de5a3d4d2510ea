"""Org-chart CSV import and export: ``email,name,title,level,manager_email,roles``.

The import checks the whole file against the organisation it would produce before
writing anything; one bad row rejects the file with every problem listed by line.
Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import EMAIL_PATTERN, Level, Role, User, may_report_to
from lms.web.spreadsheets import csv_bytes, restore
from lms.web.text import has_control

COLUMNS = ("email", "name", "title", "level", "manager_email", "roles")
ROLE_SPLIT = re.compile(r"[;|\s]+")
MAX_ROWS = 100_000
LEVEL_OF = {level.value: level for level in Level}
LEVELS = frozenset(LEVEL_OF)
ROLES = frozenset(role.value for role in Role)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


class ImportRejected(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda p: p.line)


def records(text: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """Yield each CSV record with the line it ends on.

    A record the csv module refuses (a cell over its field size limit, a stray quote in a
    strict dialect) ends the file with a line problem, as any other refusal would, instead
    of escaping as a ``csv.Error``.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(Problem(reader.line_num or 1, unreadable(error)))
            return
        yield reader.line_num, record


def unreadable(error: csv.Error) -> str:
    """Say why the csv module refused a record, in the words of the other line problems."""
    if "field limit" in str(error):
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return f"not readable as CSV: {error}"


@dataclass
class Row:
    line: int
    email: str
    name: str
    title: str
    level: Level
    manager_email: str
    roles: frozenset[str]


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    emails_created: list[str] = field(default_factory=list)


@dataclass
class Existing:
    id: int
    name: str
    title: str
    level: Level
    manager_id: int | None
    roles: frozenset[str]
    is_active: bool


def _cell(value: str) -> str:
    """A cell as typed, without the apostrophes the export puts before formula lines."""
    return restore(value.strip())


def _parse_row(line: int, record: list[str], problems: list[Problem]) -> Row | None:
    email, name, title, level, manager_email, roles_text = map(_cell, record)
    before = len(problems)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        problems.append(Problem(line, f"invalid email {email!r}"))
    if not name or len(name) > 120:
        problems.append(Problem(line, "name is required (at most 120 characters)"))
    if len(title) > 120:
        problems.append(Problem(line, "title is longer than 120 characters"))
    for column, text in (("name", name), ("title", title)):
        if has_control(text):
            problems.append(Problem(line, f"{column}: line breaks, tabs and other control "
                                          "characters are not allowed"))
    if level.lower() not in LEVELS:
        problems.append(Problem(
            line, f"invalid level {level!r}: use rep, manager, leader or executive"))
    if manager_email and not EMAIL_PATTERN.match(manager_email):
        problems.append(Problem(line, f"invalid manager email {manager_email!r}"))
    roles = (frozenset(r for r in ROLE_SPLIT.split(roles_text.lower()) if r)
             if roles_text else frozenset())
    if unknown := roles - ROLES:
        problems.append(Problem(line, f"unknown role(s) {', '.join(sorted(unknown))}: "
                                      "use admin and/or facilitator"))
    if len(problems) > before:
        return None
    return Row(line, email.lower(), name, title, LEVEL_OF[level.lower()],
               manager_email.lower(), roles)


@dataclass
class Parsed:
    rows: list[Row]
    problems: list[Problem]
    # Emails of rows rejected for their own values: people naming them as manager are not
    # also reported as having an unknown manager.
    bad_emails: set[str] = field(default_factory=set)


def parse(data: bytes) -> Parsed:
    """Read the CSV into rows, collecting every problem found in the rows themselves."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Parsed([], [Problem(1, "the file is not UTF-8 text; save it as CSV UTF-8")])
    parsed, first_line = Parsed([], []), {}
    rows, problems = parsed.rows, parsed.problems
    lines = records(text, problems)
    header = [name.strip().lower() for name in next(lines, (1, []))[1]]
    missing = [name for name in COLUMNS if name not in header]
    if problems or missing:
        return Parsed([], problems or [Problem(1, f"missing column(s): {', '.join(missing)}; "
                                                  f"the header must be {','.join(COLUMNS)}")])
    # Columns may come in any order; short records read as empty trailing cells.
    where = [header.index(name) for name in COLUMNS]
    for number, (line, raw) in enumerate(lines):
        if number >= MAX_ROWS:
            problems.append(Problem(line, f"more than {MAX_ROWS} rows; split the file"))
            break
        record = [raw[i] if i < len(raw) else "" for i in where]
        if len(raw) > len(header) and "".join(raw[len(header):]).strip():
            problems.append(Problem(line, "more fields than the header has columns"))
            parsed.bad_emails.add(record[0].strip().lower())
            continue
        if not "".join(raw).strip():
            continue
        row = _parse_row(line, record, problems)
        if row is None:
            parsed.bad_emails.add(record[0].strip().lower())
            continue
        if row.email in first_line:
            problems.append(Problem(line, f"duplicate email {row.email} "
                                          f"(first on line {first_line[row.email]})"))
            continue
        first_line[row.email] = line
        rows.append(row)
    parsed.bad_emails -= first_line.keys()
    return parsed


def _existing() -> tuple[dict[str, Existing], dict[int, str]]:
    users = User.__table__.c  # plain columns: no ORM row processing for a whole organisation
    result = db.session.execute(select(
        users.id, users.email, users.name, users.job_title, users.level, users.manager_id,
        users.is_admin, users.is_facilitator, users.is_active))
    by_email, email_of = {}, {}
    for pid, email, name, title, level, manager_id, is_admin, is_fac, active in result:
        roles = frozenset(r for r, on in (("admin", is_admin), ("facilitator", is_fac)) if on)
        by_email[email] = Existing(pid, name, title, Level(level), manager_id, roles, active)
        email_of[pid] = email
    return by_email, email_of


def _check_tree(rows: list[Row], existing: dict[str, Existing], email_of: dict[int, str],
                bad_emails: set[str]) -> list[Problem]:
    """Check managers, ranks and cycles in the organisation the import would produce."""
    problems: list[Problem] = []
    level = {email: person.level for email, person in existing.items()}
    manager_of = {email: email_of.get(person.manager_id) for email, person in existing.items()}
    for row in rows:
        level[row.email] = row.level
        manager_of[row.email] = row.manager_email or None
    in_file = {row.email: row for row in rows}
    for row in rows:
        boss = row.manager_email
        if not boss:
            continue
        if boss == row.email:
            problems.append(Problem(row.line, "a person cannot be their own manager"))
        elif boss in bad_emails and boss not in existing:
            continue  # the manager's own line already carries the problem
        elif boss not in level:
            problems.append(Problem(row.line, f"unknown manager {boss}: not in the file or "
                                              "the organisation"))
        elif boss in existing and boss not in in_file and not existing[boss].is_active:
            problems.append(Problem(row.line, f"manager {boss} is deactivated"))
        elif not may_report_to(row.level, level[boss]):
            problems.append(Problem(row.line, f"manager {boss} ({level[boss]}) does not "
                                              f"outrank {row.email} ({row.level})"))
    staying_reports: dict[str, list[str]] = defaultdict(list)
    for email, person in existing.items():
        if email not in in_file and person.is_active and manager_of[email]:
            staying_reports[manager_of[email]].append(email)
    for row in rows:  # a level change must still outrank people who stay under them
        for email in staying_reports.get(row.email, ()):
            if not may_report_to(existing[email].level, row.level):
                problems.append(Problem(row.line, f"{row.email} as a {row.level} would no "
                                                  f"longer outrank their report {email}"))
    problems.extend(_cycles(in_file, manager_of))
    return problems


def _cycles(in_file: dict[str, Row], manager_of: dict[str, str | None]) -> list[Problem]:
    settled: set[str] = set()  # people known to reach the top without a loop
    problems = []
    for start in in_file:
        path, seen = [], set()
        node = start
        while node and node not in settled and node not in seen:
            seen.add(node)
            path.append(node)
            node = manager_of.get(node)
        if node and node in seen:
            loop = path[path.index(node):]
            chain = " -> ".join([*loop, node])
            for email in loop:
                if email in in_file and email not in settled:
                    problems.append(Problem(in_file[email].line, f"reporting cycle: {chain}"))
            settled.update(loop)
        settled.update(path)
    return problems


def _depths(new_rows: list[Row], new_emails: set[str]) -> dict[int, list[Row]]:
    """Group new people so that each group's managers already exist when it is inserted."""
    manager_of = {row.email: row.manager_email for row in new_rows}
    depth: dict[str, int] = {}
    for row in new_rows:
        chain, node = [], row.email
        while node in new_emails and node not in depth:
            chain.append(node)
            node = manager_of[node]
        base = depth.get(node, -1) if node in new_emails else -1
        for offset, email in enumerate(reversed(chain), start=1):
            depth[email] = base + offset
    groups: dict[int, list[Row]] = defaultdict(list)
    for row in new_rows:
        groups[depth[row.email]].append(row)
    return groups


def _changes(row: Row, person: Existing, manager_id: int | None) -> dict[str, list]:
    changes = {}
    for key, old, new in (("name", person.name, row.name), ("job_title", person.title, row.title),
                          ("level", person.level.value, row.level.value),
                          ("manager_id", person.manager_id, manager_id)):
        if old != new:
            changes[key] = [old, new]
    for role in ("admin", "facilitator"):
        if (role in person.roles) != (role in row.roles):
            changes[f"is_{role}"] = [role in person.roles, role in row.roles]
    return changes


def import_people(data: bytes, *, by: User | None) -> ImportResult:
    """Check the whole file, then create and update people; raise ``ImportRejected``."""
    parsed = parse(data)
    rows = parsed.rows
    existing, email_of = _existing()
    problems = parsed.problems + _check_tree(rows, existing, email_of, parsed.bad_emails)
    if problems:
        raise ImportRejected(problems)
    ids = {email: person.id for email, person in existing.items()}
    new_rows = [row for row in rows if row.email not in existing]
    result = ImportResult(created=len(new_rows), emails_created=[r.email for r in new_rows])
    audit_rows, now, actor_id = [], utcnow(), by.id if by else None
    for _depth, group in sorted(_depths(new_rows, {r.email for r in new_rows}).items()):
        params = [{"email": r.email, "name": r.name, "job_title": r.title, "level": r.level.value,
                   "manager_id": ids[r.manager_email] if r.manager_email else None,
                   "is_admin": "admin" in r.roles, "is_facilitator": "facilitator" in r.roles,
                   "created_at": now, "updated_at": now} for r in group]
        # A plain Core executemany is several times faster than an ORM bulk insert with
        # RETURNING; the new ids are then read back by email, a unique column.
        db.session.execute(insert(User.__table__), params)
        ids.update(_ids_by_email([row.email for row in group]))
        audit_rows.extend(
            _audit(actor_id, "person.import.create", ids[p["email"]], now,
                   f"Created {p['name']} by CSV import",
                   {"email": [None, p["email"]], "name": [None, p["name"]],
                    "job_title": [None, p["job_title"]], "level": [None, p["level"]],
                    "manager_id": [None, p["manager_id"]], "is_admin": [None, p["is_admin"]],
                    "is_facilitator": [None, p["is_facilitator"]]})
            for p in params)
    updates = []
    for row in rows:
        if row.email not in existing:
            continue
        person = existing[row.email]
        changes = _changes(row, person, ids[row.manager_email] if row.manager_email else None)
        if not changes:
            result.unchanged += 1
            continue
        updates.append({"id": person.id, "updated_at": now,
                        **{key: new for key, (_old, new) in changes.items()}})
        audit_rows.append(_audit(actor_id, "person.import.update", person.id, now,
                                 f"Updated {row.name} by CSV import", changes))
    for group in _group_by_keys(updates).values():
        db.session.execute(update(User), group)
    result.updated = len(updates)
    if audit_rows:
        db.session.execute(insert(AuditEntry.__table__), audit_rows)
    db.session.expire_all()
    return result


def _ids_by_email(emails: list[str], chunk: int = 5000) -> dict[str, int]:
    users, ids = User.__table__.c, {}
    for start in range(0, len(emails), chunk):
        ids.update(db.session.execute(
            select(users.email, users.id).where(users.email.in_(emails[start:start + chunk]))
        ).tuples().all())
    return ids


def _group_by_keys(rows: list[dict]) -> dict[tuple, list[dict]]:
    """Bulk UPDATE needs the same columns in every row of one statement."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return groups


def _audit(actor_id, action, object_id, now, summary, changes) -> dict:
    return {"actor_id": actor_id, "action": action, "object_type": "User",
            "object_id": object_id, "summary": summary, "changes": changes, "created_at": now}


def export_people() -> bytes:
    """Return everyone as an org-chart CSV file, in the import's format."""
    manager = aliased(User)
    result = db.session.execute(
        select(User.email, User.name, User.job_title, User.level, manager.email,
               User.is_admin, User.is_facilitator)
        .outerjoin(manager, manager.id == User.manager_id).order_by(User.id))
    rows = ((email, name, title, level, manager_email or "",
             ";".join(r for r, on in (("admin", is_admin), ("facilitator", is_fac)) if on))
            for email, name, title, level, manager_email, is_admin, is_fac in result)
    return csv_bytes(rows, COLUMNS)
