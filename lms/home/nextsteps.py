"""What each person should do next: a registry that every module can add suggestions to.

Higher modules (courses, reinforcement) register providers here, so the core home page
never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from lms.people.models import User


@dataclass(frozen=True)
class NextStep:
    title: str
    detail: str
    url: str
    priority: int = 50  # lower comes first
    action: str = "Open"


Provider = Callable[[User], list[NextStep]]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    """Register a function that suggests next steps for a person."""
    PROVIDERS.append(fn)
    return fn


def next_steps(user: User) -> list[NextStep]:
    """Collect every provider's suggestions, most urgent first."""
    steps = [step for fn in PROVIDERS for step in fn(user)]
    return sorted(steps, key=lambda step: step.priority)


@provider
def _core_steps(user: User) -> list[NextStep]:
    from lms.notify.services import unread_count
    from lms.people.services import direct_report_counts

    steps = []
    unread = unread_count(user)
    if unread:
        steps.append(NextStep("Read your notifications", f"{unread} unread",
                              url_for("notify.index", show="unread"), 10, "Read"))
    reports = direct_report_counts([user.id]).get(user.id, 0)
    if reports:
        steps.append(NextStep("Check on your team", f"{reports} direct report"
                              f"{'s' if reports != 1 else ''} and everyone under them.",
                              url_for("home.team"), 40, "View team"))
    if user.is_admin:
        steps.append(NextStep("Keep the org chart current",
                              "Import the latest org-chart CSV or edit people.",
                              url_for("people.index"), 60, "Manage people"))
    if user.time_zone == "UTC":
        steps.append(NextStep("Set your time zone", "Sessions and check-ins show in your "
                              "local time.", url_for("auth.account"), 80, "Settings"))
    return steps
