"""The adherence report's trend charts and CSV tables, from a computed ``Rollup``; no database.

Charts reuse ``lms.web.charts`` (a 1-5 value axis): a percentage p sits at
1 + p / 25, so the five grid lines read 0, 25, 50, 75 and 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lms.web.charts import Chart, line_chart
from lms.web.dates import format_date, format_day
from reinforcement.leaders.adherence.figures import Figures, Rollup, Row, TrendStep

SERIES = (("held", "Check-ins held on time", "held_share"),
          ("agenda", "Agendas prepared ahead", "agenda_share"),
          ("actions", "Action items done", "actions_share"))
TABLES = ("coaches", "leaders", "levels", "trend")
FIGURE_HEADER = ("check_ins_due", "held", "held_on_time", "held_on_time_pct", "agenda_ahead",
                 "agenda_ahead_pct", "action_items_due", "action_items_done",
                 "action_items_done_pct", "late_action_items", "median_days_overdue",
                 "gap_reviews", "gap_reviews_evaluated", "gap_reviews_evaluated_pct")
# Coverage leads, as on the page: who is expected to coach (people report to them, or they
# held a check-in) and whether they held any, so a spreadsheet never reads absence as health.
COVERAGE_HEADER = ("coaches_expected", "coaches_coaching")
HEADERS = {
    "coaches": ("name", "email", "level", "direct_reports", "coaching", *FIGURE_HEADER,
                "needs_help"),
    "leaders": ("leader", "email", "managers", *COVERAGE_HEADER, *FIGURE_HEADER,
                "needs_help"),
    "levels": ("level", "coaches", *COVERAGE_HEADER, *FIGURE_HEADER, "needs_help"),
    "trend": ("from", "to", *FIGURE_HEADER),
}


def percent_y(share: float) -> float:
    """Where a percentage sits on the shared 1-5 axis."""
    return 1 + share / 25


@dataclass(frozen=True)
class PercentChart:
    chart: Chart
    summary: str  # the chart in words, for its accessible name
    threshold: int | None
    threshold_y: float | None  # in SVG units


def _summary(title: str, values: list[tuple[TrendStep, int]]) -> str:
    if not values:
        return f"{title}: nothing due yet"
    (first, a), (last, b) = values[0], values[-1]
    if len(values) == 1:
        return f"{title}: {a}% in the week of {format_date(first.start)}"
    return (f"{title}: from {a}% ({format_date(first.start)}) to {b}% ({format_date(last.start)}), "
            f"{len(values)} steps")


def trend_charts(report: Rollup) -> list[PercentChart]:
    """One chart per figure across the period's steps (steps with nothing due are left out)."""
    if not report.trend:
        return []
    start, end = report.trend[0].start, report.trend[-1].start
    charts = []
    for name, title, attribute in SERIES:
        values = [(step, getattr(step.figures, attribute)) for step in report.trend
                  if getattr(step.figures, attribute) is not None]
        chart = line_chart(title, [
            (step.start, percent_y(share),
             f"{format_day(step.start)}–{format_date(_last(step))}: {share}%")
            for step, share in values], start=start, end=end)
        limit = report.thresholds.get(name)
        threshold_y = None
        if limit is not None:
            threshold_y = line_chart("", [(start, percent_y(limit), "")], start=start,
                                     end=end).points[0].y
        charts.append(PercentChart(chart, _summary(title, values), limit, threshold_y))
    return charts


def _last(step: TrendStep) -> date:
    return step.end - timedelta(days=1)


def _figures(f: Figures) -> list:
    return [f.check_ins, f.held, f.held_on_time, f.held_share, f.agenda_ahead, f.agenda_share,
            f.actions, f.actions_done, f.actions_share, f.late_actions, f.median_overdue,
            f.gap_reviews, f.gap_evaluated, f.gap_share]


def _flags(row: Row) -> str:
    return "; ".join(row.flags)


def _coaching(row: Row) -> str:
    """One coach: "yes" when they held a check-in, "no" when expected to and did not, and
    empty when nobody reports to them and they held none."""
    if not row.expected:
        return ""
    return "yes" if row.coaching else "no"


def csv_rows(report: Rollup, table: str) -> list[list]:
    """The rows of one table of the report, in ``HEADERS[table]`` order."""
    if table == "coaches":
        return [[r.label, r.person.email, r.person.level, r.person.reports,
                 _coaching(r), *_figures(r.figures), _flags(r)] for r in report.coaches]
    if table == "leaders":
        return [[r.label, r.person.email, r.coaches, r.expected, r.coaching,
                 *_figures(r.figures), _flags(r)] for r in report.leaders]
    if table == "levels":
        return [[r.label, r.coaches, r.expected, r.coaching, *_figures(r.figures), _flags(r)]
                for r in report.levels]
    return [[step.start, _last(step), *_figures(step.figures)] for step in report.trend]
