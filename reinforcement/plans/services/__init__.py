"""Reinforcement plans: the coaching rhythm after a program, and starting it for a team.

A plan belongs to a program and sets how long the coaching lasts, how often coach and coachee
meet, for how long, the few activities the coaching focuses on, the agenda every check-in
starts with and the resources to use. Starting a plan for a coach schedules every check-in
with each of their coachees at once (direct reports by default; the plan's pairings add or
take away people). Changing the cadence reschedules future check-ins only.

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
with the form field they concern, before anything is written.
"""

from reinforcement.plans.services.cadence import CadenceChange, change_cadence
from reinforcement.plans.services.settings import (
    MAX_FOCUS,
    TRANSITIONS,
    PlanData,
    create_plan,
    has_teams,
    remove_pairing,
    set_pairing,
    set_status,
    update_plan,
)
from reinforcement.plans.services.teams import (
    SCHEDULED_KIND,
    TeamRow,
    coachees_of,
    lines,
    start_plan,
    team_of,
    teams_of,
)

__all__ = [
    "MAX_FOCUS", "SCHEDULED_KIND", "TRANSITIONS", "CadenceChange", "PlanData", "TeamRow",
    "change_cadence", "coachees_of", "create_plan", "has_teams", "lines", "remove_pairing",
    "set_pairing", "set_status", "start_plan", "team_of", "teams_of", "update_plan",
]
