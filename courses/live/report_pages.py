"""What the reports by level (attendance, communication coverage) share on their pages: whose
figures the viewer sees, the bar chart's panels and the CSV export of the by-level tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_login import current_user
from sqlalchemy import Select

from courses.live.reports import LEVEL_ORDER
from lms.people import tree
from lms.web.spreadsheets import csv_response

# Bar heights are percent of BAR_HEIGHT; CHART_PAD leaves room for the scale on the left.
BAR_HEIGHT, CHART_PAD = 100, 30


def people_in_sight() -> Select | None:
    """Whom the viewer's figures cover: their subtree, or everyone for admins."""
    return None if current_user.is_admin else tree.subtree_ids(current_user.id)


@dataclass(frozen=True)
class Panel:
    """One level's bars across sessions; each session takes ``pitch`` pixels."""

    level: str
    label: str
    bars: list
    pitch: int

    @property
    def width(self) -> int:
        return CHART_PAD + len(self.bars) * self.pitch


def chart(sessions: Sequence, pitch: int, bar: Callable[[int, Any, Any], Any]) -> list[Panel]:
    """One panel per level, executives first, one ``bar(x, session, row)`` per session:
    ``row`` holds the session's figures at that level."""
    return [Panel(level.value, level.label,
                  [bar(CHART_PAD + index * pitch, figures, figures.table.levels[level.value])
                   for index, figures in enumerate(sessions)], pitch)
            for level in LEVEL_ORDER]


def levels_csv(report, table: str, header: tuple[str, ...], figures: Callable[[Any], list],
               stem: str):
    """The by-level table of all sessions, or each session's (``table`` "sessions"), as CSV;
    ``figures(row)`` gives a level's values after its label."""
    if table == "sessions":
        rows = ([s.title, s.starts_at, row.label, *figures(row)]
                for s in report.sessions for row in s.table.rows)
        return csv_response(rows, ("session", "starts_at", *header), f"{stem}-sessions")
    rows = ([row.label, *figures(row)] for row in report.total.rows)
    return csv_response(rows, header, f"{stem}-by-level")
