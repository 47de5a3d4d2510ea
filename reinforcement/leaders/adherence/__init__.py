"""Rhythm adherence: how well each coach keeps the coaching rhythm over a period.

Per coach (a manager coaching reps, a leader coaching managers), over the check-ins, action
items and gap reviews of a period:

- **held on time**: check-ins held within 24 hours either side of their scheduled time, out of
  the check-ins *due*: scheduled in the period, neither cancelled nor rescheduled (the new
  check-in of a rescheduled one counts instead), and either settled (held or missed) or past
  their 24-hour window. A check-in still inside its window does not count yet.
- **agenda ahead**: due check-ins whose agenda was marked prepared before the scheduled time.
- **actions done**: the pair's action items due in the period (past their due date, or already
  done), done at any time; **days overdue**: for each item that is open past its due date (days
  until today) or was done after it (days from due date to done date, in UTC), the median over
  those late items only; on-time items do not pull it down.
- **gap reviews followed up**: gap reviews recorded in the period that were evaluated since.

Figures add up exactly: a leader's roll-up (their managers) and a level's are the sums of the
counts, and their median is taken over the merged lists of days overdue. The figures are a
constant number of queries whatever the number of people or rows (four: the coaches, then
one GROUP BY pass over check-ins, action items and gap reviews each, by coach and trend
step); days overdue come back as ``(coach, step, days, items)`` histograms, which merge
exactly. Period boundaries are midnight UTC; trend steps are weeks from Monday (months for
a year).
"""

from reinforcement.leaders.adherence.figures import (
           NO_CHECK_INS,
           NOT_COACHING,
           THRESHOLDS,
           Figures,
           Person,
           Rollup,
           Row,
           TrendStep,
           median,
           thresholds,
)
from reinforcement.leaders.adherence.periods import PERIOD_KINDS, Period, midnight, parse_period
from reinforcement.leaders.adherence.queries import COACH_LEVELS, WINDOW, rollup

__all__ = ["COACH_LEVELS", "NO_CHECK_INS", "NOT_COACHING", "PERIOD_KINDS", "THRESHOLDS",
           "WINDOW", "Figures", "Period", "Person", "Rollup", "Row", "TrendStep", "median",
           "midnight", "parse_period", "rollup", "thresholds"]
