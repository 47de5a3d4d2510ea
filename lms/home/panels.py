"""Sections of Home that a higher package fills in: a registry, so lms never imports them.

A panel is a function of the signed-in person that answers the template to include and its
values, or None when it has nothing to show (``courses`` adds "My learning" this way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lms.people.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    values: dict[str, Any] = field(default_factory=dict)


PanelFunction = Callable[[User], Panel | None]
PANELS: dict[str, tuple[int, PanelFunction]] = {}


def register_panel(name: str, fn: PanelFunction, *, order: int = 50) -> None:
    """Show ``fn``'s panel on Home below the next steps, lower ``order`` first; registering
    a name again replaces it (each app created in one process registers once)."""
    PANELS[name] = (order, fn)


def panels_for(user: User) -> list[Panel]:
    """Every registered panel that has something to show ``user``, in order."""
    found = (fn(user) for _order, fn in sorted(PANELS.values(), key=lambda entry: entry[0]))
    return [panel for panel in found if panel is not None]
