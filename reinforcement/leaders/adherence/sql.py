"""Portable SQL for time differences: SQLite (julianday) and PostgreSQL (intervals)."""

from __future__ import annotations

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement):  # noqa: N801  (an SQL function, named like one)
    """Seconds from the first timestamp to the second (negative when it comes earlier)."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _seconds_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the first date to the second."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND(julianday({end}) - julianday({start})) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({end} - {start})"




class days_since(FunctionElement):  # noqa: N801
    """Whole days from a moment (the second argument) to a later timestamp (the first)."""

    type = Integer()
    name = "days_since"
    inherit_cache = True


@compiles(days_since)
def _days_since_sqlite(element, compiler, **kw) -> str:
    moment, start = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({moment}) - julianday({start}) AS INTEGER)"


@compiles(days_since, "postgresql")
def _days_since_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    moment, start = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({moment} - {start})) / 86400) AS INTEGER)"


class utc_month(FunctionElement):  # noqa: N801
    """The month (1-12) of a timestamp, in UTC."""

    type = Integer()
    name = "utc_month"
    inherit_cache = True


@compiles(utc_month)
def _utc_month_sqlite(element, compiler, **kw) -> str:
    # UTCDateTime keeps SQLite timestamps as UTC text "YYYY-MM-DD HH:MM:SS.ffffff": the month
    # is characters 6-7, read without parsing the whole timestamp.
    return f"CAST(substr({compiler.process(element.clauses, **kw)}, 6, 2) AS INTEGER)"


@compiles(utc_month, "postgresql")
def _utc_month_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    return (f"CAST(EXTRACT(MONTH FROM ({compiler.process(element.clauses, **kw)}) "
            "AT TIME ZONE 'UTC') AS INTEGER)")


class days_late(FunctionElement):  # noqa: N801
    """Whole days from a date (the second argument) to the UTC date of a timestamp (the first);
    negative when the timestamp falls before that date."""

    type = Integer()
    name = "days_late"
    inherit_cache = True


@compiles(days_late)
def _days_late_sqlite(element, compiler, **kw) -> str:
    # A date is its midnight, so the whole days between them are the difference's floor
    # (truncation differs only below zero, which callers clamp to zero anyway).
    moment, day = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday({moment}) - julianday({day}) AS INTEGER)"


@compiles(days_late, "postgresql")
def _days_late_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    moment, day = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST(({moment}) AT TIME ZONE 'UTC' AS DATE) - {day})"


class at_least_zero(FunctionElement):  # noqa: N801
    """The value, or 0 when it is negative (evaluated once)."""

    type = Integer()
    name = "at_least_zero"
    inherit_cache = True


@compiles(at_least_zero)
def _at_least_zero_sqlite(element, compiler, **kw) -> str:
    return f"max({compiler.process(element.clauses, **kw)}, 0)"


@compiles(at_least_zero, "postgresql")
def _at_least_zero_postgresql(element, compiler, **kw) -> str:  # PostgreSQL only
    return f"GREATEST({compiler.process(element.clauses, **kw)}, 0)"
