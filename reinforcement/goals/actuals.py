"""Actuals: what a person achieved on a metric in one week, entered by hand or imported.

Every actual is weekly: ``period_start`` is the Monday of the week (weeks run Monday to
Sunday). There is at most one value per person, metric and week; entering or importing it
again replaces it. Hand entry is by the person or anyone above them, often at a check-in
(``check_in_id`` remembers which); a week that has not started yet takes no value.

The CRM import reads a CSV export with the columns ``email,metric,period_start,value`` (in
any order; other columns are ignored). The whole file is checked before anything is
written — unknown people, people outside the importer's part of the organisation (admins
import for everyone), unknown or archived metric keys, dates that are not a Monday,
values that do not fit the metric's unit, the same week twice — and every problem is listed
with its line number. Importing the same file again changes nothing; a changed value
updates the week.

Services flush, never commit; every change is audited; refusals raise ``ValidationError``
(or ``NotAllowedError``, ``ImportRejected``) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import insert, select, tuple_, update

from lms.audit.models import AuditEntry
from lms.audit.services import record
from lms.authz import can
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.people import tree
from lms.people.csv_io import ImportRejected, Problem, records
from lms.people.models import User
from lms.web.dates import format_date
from reinforcement.checkins.models import CheckIn, CheckInStatus
from reinforcement.goals.models import ActualSource, Metric, MetricActual
from reinforcement.goals.services import check_value, monday_of, parse_number, value_problem

COLUMNS = ("email", "metric", "period_start", "value")
MAX_ROWS = 50_000
CHUNK = 500


def _check_week(period_start: date, today: date, field_name: str = "period_start") -> None:
    if not isinstance(period_start, date) or isinstance(period_start, datetime):
        raise ValidationError("Give the week as a date (YYYY-MM-DD).", field=field_name)
    if period_start.weekday() != 0:
        raise ValidationError(f"{format_date(period_start)} is a {period_start:%A}: a week is "
                              f"given by its Monday ({format_date(monday_of(period_start))}).",
                              field=field_name)
    if period_start > today:
        raise ValidationError("That week has not started yet.", field=field_name)


def _check_check_in(check_in: CheckIn, person: User, by: User) -> None:
    if check_in.coachee_id != person.id or by.id not in (check_in.coach_id, check_in.coachee_id):
        raise ValidationError("Enter actuals at a check-in of theirs that you take part in.",
                              field="check_in")
    if check_in.status in (CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED):
        raise ValidationError("That check-in was cancelled or moved.", field="check_in")


def enter_actual(person: User, metric: Metric, period_start: date, value: float, *, by: User,
                 check_in: CheckIn | None = None, now: datetime | None = None,
                 today: date | None = None) -> tuple[MetricActual, bool]:
    """Record ``person``'s ``value`` for ``metric`` in the week from ``period_start``.

    Returns the actual and whether anything changed (the same value again is a no-op).
    """
    now = now or utcnow()
    today = today or now.date()
    if not tree.is_in_subtree(by.id, person.id):
        raise NotAllowedError(f"Only {person.name} and the people above them enter their "
                              "actuals.")
    if metric is None or metric.is_archived:
        raise ValidationError("Choose a metric from the catalogue (archived ones take no new "
                              "values).", field="metric")
    _check_week(period_start, today)
    value = check_value(metric, value, field="value")
    if check_in is not None:
        _check_check_in(check_in, person, by)
    actual = db.session.scalar(select(MetricActual).where(
        MetricActual.person_id == person.id, MetricActual.metric_id == metric.id,
        MetricActual.period_start == period_start))
    source = ActualSource.CHECK_IN
    check_in_id = check_in.id if check_in is not None else None
    if actual is not None and actual.value == value:
        return actual, False
    if actual is None:
        actual = MetricActual(person_id=person.id, metric_id=metric.id,
                              period_start=period_start)
        db.session.add(actual)
        before = None
    else:
        before = actual.value
    actual.value, actual.source, actual.check_in_id = value, source, check_in_id
    actual.entered_by_id, actual.updated_at = by.id, now
    record(by, "metric_actual.enter", actual,
           summary=f"{metric.name} for {person.name}, week of {format_date(period_start)}",
           changes={"value": [before, value], "period_start": [None, period_start.isoformat()],
                    "check_in_id": [None, check_in_id]})
    return actual, True


# --- CRM import ----------------------------------------------------------------------------------

# Problem and ImportRejected are the people import's: one shape for every CSV import.


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people: set[int] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Row:
    line: int
    email: str
    metric_key: str
    period_text: str
    value_text: str


def _read(data: bytes) -> tuple[list[_Row], list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(1, "the file is not UTF-8 text; save it as CSV UTF-8")]
    rows, problems = [], []
    lines = records(text, problems)
    header = [name.strip().lower() for name in next(lines, (1, []))[1]]
    missing = [name for name in COLUMNS if name not in header]
    if problems or missing:
        return [], problems or [Problem(1, f"missing column(s): {', '.join(missing)}; the "
                                           f"header needs {','.join(COLUMNS)}")]
    where = [header.index(name) for name in COLUMNS]
    for number, (line, raw) in enumerate(lines):
        if number >= MAX_ROWS:
            problems.append(Problem(line, f"more than {MAX_ROWS} rows; split the file"))
            break
        if not "".join(raw).strip():
            continue
        cells = [raw[i].strip() if i < len(raw) else "" for i in where]
        rows.append(_Row(line, cells[0].lower(), cells[1].lower(), *cells[2:]))
    if not rows and not problems:
        problems.append(Problem(1, "the file has a header but no rows"))
    return rows, problems


def _people(emails: set[str], by: User) -> tuple[dict[str, int], set[int] | None]:
    """Ids by email of the people named, and the ids the importer may import for."""
    users = User.__table__.c
    found: dict[str, int] = {}
    listed = sorted(emails)
    for start in range(0, len(listed), CHUNK):
        found.update(db.session.execute(
            select(users.email, users.id)
            .where(users.email.in_(listed[start:start + CHUNK]))).tuples().all())
    allowed = None if by.is_admin else set(db.session.scalars(tree.subtree_ids(by.id)))
    return found, allowed


def _check_rows(rows: list[_Row], by: User, today: date) -> tuple[list[tuple], list[Problem]]:
    metrics = {m.key.lower(): m for m in db.session.scalars(select(Metric))}
    ids, allowed = _people({row.email for row in rows}, by)
    good, problems, first = [], [], {}
    for row in rows:
        before = len(problems)
        person_id = ids.get(row.email)
        if not row.email:
            problems.append(Problem(row.line, "the email is empty"))
        elif person_id is None or (allowed is not None and person_id not in allowed):
            where = "the organisation" if allowed is None else "your part of the organisation"
            problems.append(Problem(row.line, f"unknown person {row.email}: no one in {where} "
                                              "has this email"))
        metric = metrics.get(row.metric_key)
        if metric is None:
            known = ", ".join(sorted(k for k, m in metrics.items() if not m.is_archived))
            problems.append(Problem(row.line, f"unknown metric {row.metric_key!r}: use one of "
                                              f"{known}"))
        elif metric.is_archived:
            problems.append(Problem(row.line, f"metric {metric.key} is archived"))
        week = _week(row, today, problems)
        if metric is not None and not metric.is_archived:
            value = parse_number(row.value_text)
            if value is None:
                problems.append(Problem(row.line, f"value {row.value_text!r} is not a number"))
            elif problem := value_problem(metric, value):
                problems.append(Problem(row.line, f"value {row.value_text!r} for {metric.key} "
                                                  f"{problem}"))
        if len(problems) > before:
            continue
        key = (person_id, metric.id, week)
        if key in first:
            problems.append(Problem(row.line, f"{row.email}, {metric.key}, week of {week} "
                                              f"is already on line {first[key]}"))
            continue
        first[key] = row.line
        good.append((*key, value, row))
    return good, problems


def _week(row: _Row, today: date, problems: list[Problem]) -> date | None:
    try:
        week = date.fromisoformat(row.period_text)
    except ValueError:
        problems.append(Problem(row.line, f"period_start {row.period_text!r} is not a date: "
                                          "use YYYY-MM-DD"))
        return None
    if week.weekday() != 0:
        problems.append(Problem(row.line, f"period_start {week} is a {week:%A}: give the "
                                          f"week's Monday ({monday_of(week)})"))
    elif week > today:
        problems.append(Problem(row.line, f"the week of {week} has not started yet"))
    return week


def import_actuals(data: bytes, *, by: User, now: datetime | None = None,
                   today: date | None = None) -> ImportResult:
    """Check the whole CRM file, then create and update weekly actuals; raise
    ``ImportRejected`` listing every problem by line."""
    if not (by.is_admin or _may_import(by)):
        raise NotAllowedError("Managers and above import actuals for their part of the "
                              "organisation; admins for everyone.")
    now = now or utcnow()
    today = today or now.date()
    rows, problems = _read(data)
    good, more = _check_rows(rows, by, today) if rows else ([], [])
    if problems or more:
        raise ImportRejected(problems + more)
    existing = _existing([key[:3] for key in good])
    result, inserts, updates, audits = ImportResult(), [], [], []
    for person_id, metric_id, week, value, row in good:
        result.people.add(person_id)
        found = existing.get((person_id, metric_id, week))
        common = {"value": value, "source": ActualSource.IMPORT.value, "check_in_id": None,
                  "entered_by_id": by.id, "updated_at": now}
        if found is None:
            inserts.append({"person_id": person_id, "metric_id": metric_id, "period_start": week,
                            **common})
        elif found[1] != value:
            updates.append({"id": found[0], **common})
            audits.append(_audit(by, found[0], now, row, {"value": [found[1], value]}))
        else:
            result.unchanged += 1
    result.created, result.updated = len(inserts), len(updates)
    if inserts:
        db.session.execute(insert(MetricActual.__table__), inserts)
        created = _existing([(r["person_id"], r["metric_id"], r["period_start"])
                             for r in inserts])
        audits.extend(_audit(by, created[(r["person_id"], r["metric_id"], r["period_start"])][0],
                             now, None, {"value": [None, r["value"]],
                                         "period_start": [None, r["period_start"].isoformat()]})
                      for r in inserts)
    if updates:
        db.session.execute(update(MetricActual), updates)
    if audits:
        db.session.execute(insert(AuditEntry.__table__), audits)
    db.session.expire_all()
    return result


def _may_import(by: User) -> bool:
    return can(by, "actual.import")


def _existing(keys: list[tuple[int, int, date]]) -> dict[tuple, tuple[int, float]]:
    """``{(person, metric, week): (id, value)}`` for the keys that already have a value."""
    found: dict[tuple, tuple[int, float]] = {}
    actuals = MetricActual.__table__.c
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        stmt = select(actuals.person_id, actuals.metric_id, actuals.period_start, actuals.id,
                      actuals.value).where(
            tuple_(actuals.person_id, actuals.metric_id, actuals.period_start).in_(chunk))
        for person_id, metric_id, week, actual_id, value in db.session.execute(stmt):
            found[(person_id, metric_id, week)] = (actual_id, value)
    return found


def _audit(by: User, actual_id: int, now: datetime, row: _Row | None, changes: dict) -> dict:
    summary = "Imported from a CRM file" + (f" (line {row.line})" if row else "")
    return {"actor_id": by.id, "action": "metric_actual.import", "object_type": "MetricActual",
            "object_id": actual_id, "summary": summary, "changes": changes, "created_at": now}
