"""The navigation bar: each feature adds its own entries; a person sees the ones they may use.

An entry sits in a menu (``""`` is the bar itself, any other name a dropdown of that name) at
a place given by ``order``, and is current on every page whose endpoint matches one of its
``active`` patterns: a pattern ending in ``.`` or ``_`` is a prefix (``"reinforcement.goals."``
is every page of the goals feature), any other pattern one endpoint. Adding the same entry
again (a second app in one process) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import Flask, request, url_for
from flask_login import current_user


class Link(NamedTuple):
    url: str
    label: str
    active: bool  # the page belongs to the entry
    current: bool  # the page is the one the entry opens


@dataclass(frozen=True)
class Entry:
    menu: str
    label: str
    endpoint: str
    order: int
    active: tuple[str, ...]
    permission: str | None = None
    shown: Callable[[Any], bool] | None = None
    values: Callable[[Any], dict] | None = None

    def is_active(self, endpoint: str) -> bool:
        return any(endpoint.startswith(pattern) if pattern.endswith((".", "_"))
                   else endpoint == pattern for pattern in self.active)

    def is_shown(self, user: Any, allowed: Callable[[str], bool]) -> bool:
        if self.permission and not allowed(self.permission):
            return False
        return self.shown is None or self.shown(user)


_entries: dict[tuple[str, str], Entry] = {}


def add(menu: str, label: str, endpoint: str, *, order: int, active: tuple[str, ...],
        permission: str | None = None, shown: Callable[[Any], bool] | None = None,
        values: Callable[[Any], dict] | None = None) -> None:
    """Put an entry in ``menu``; ``values`` gives the endpoint's URL values for a person."""
    _entries[menu, label] = Entry(menu, label, endpoint, order, active, permission, shown, values)


def links(user: Any, menu: str, endpoint: str, allowed: Callable[[str], bool]) -> list[Link]:
    """The entries of ``menu`` that ``user`` may use, in order, the current one marked;
    ``allowed`` answers whether the user may take an action (the permission layer's ``can``)."""
    entries = sorted((entry for entry in _entries.values() if entry.menu == menu),
                     key=lambda entry: entry.order)
    return [Link(url_for(entry.endpoint, **(entry.values(user) if entry.values else {})),
                 entry.label, entry.is_active(endpoint), endpoint == entry.endpoint)
            for entry in entries if entry.is_shown(user, allowed)]


def init_app(app: Flask) -> None:
    """``menu_links(menu)`` in templates; ``can`` is the permission layer's template global."""
    globals_ = app.jinja_env.globals
    globals_["menu_links"] = lambda menu: links(current_user, menu, request.endpoint or "",
                                                globals_["can"])
