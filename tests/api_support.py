"""Support for the REST API tests: a person's token and the headers that present it, the
routes of an API blueprint next to the routes the OpenAPI document describes, and a live API
server."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from lms.auth.services import SCOPES, create_api_token
from lms.extensions import db
from lms.people.models import User
from tests.factories import PASSWORD, Org
from tests.live import live_app, serving


def new_token(person: User, scopes: Iterable[str]) -> str:
    """Create a 30-day token of ``person`` with ``scopes`` (committed); return its secret."""
    _token, secret = create_api_token(person, password=PASSWORD, name="test",
                                      scopes=list(scopes), days=30)
    db.session.commit()
    return secret


def authorization(secret: str) -> dict:
    """The headers that present the token ``secret``."""
    return {"Authorization": f"Bearer {secret}"}


def token_headers(person: User, scopes: Iterable[str]) -> dict:
    """Headers carrying a new 30-day token of ``person`` with ``scopes`` (committed)."""
    return authorization(new_token(person, scopes))


def token_maker(*default_scopes: str) -> Callable[..., dict]:
    """A test module's ``bearer(person, *scopes)``: ``token_headers`` of ``person`` with
    ``scopes``, or with ``default_scopes`` when the test names none."""
    def bearer(person: User, *scopes: str) -> dict:
        return token_headers(person, scopes or default_scopes)
    return bearer


def api_routes(app: Flask, blueprint: str) -> set[tuple[str, str]]:
    """Every (path, method) that ``blueprint`` serves, its path as OpenAPI writes it."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint}."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def documented_routes(spec: dict) -> set[tuple[str, str]]:
    """Every (path, method) the OpenAPI document ``spec`` describes."""
    return {(path, method) for path, operations in spec["paths"].items()
            for method in operations if method != "parameters"}


@dataclass(frozen=True)
class LiveApi:
    url: str
    tokens: dict[str, str]  # role ("admin", "manager") -> a token secret with every scope
    people: dict[str, int]  # attribute name of tests.factories.Org -> id


@contextmanager
def serve_api(folder: Path, database_url: str | None = None) -> Iterator[LiveApi]:
    """Serve a seeded app on a SQLite file in ``folder`` from a thread, on a free port.

    The per-test SAVEPOINT session lives on one connection a server thread cannot share, so
    the server is a second app of its own. Use it without the ``session``/``client``
    fixtures, which swap ``db.session`` for the test's. ``database_url`` (an empty
    database) replaces the SQLite file.
    """
    app = live_app(folder, database_url or f"sqlite:///{folder / 'api.db'}")
    with app.app_context():
        org = Org()
        tokens = {}
        for role, person in (("admin", org.admin), ("manager", org.manager_a1)):
            _token, tokens[role] = create_api_token(person, password=PASSWORD, name=role,
                                                    scopes=sorted(SCOPES), days=1)
        db.session.commit()
        people = {name: person.id for name, person in vars(org).items()}
    with serving(app) as url:
        yield LiveApi(url, tokens, people)
