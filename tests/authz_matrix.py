"""The authorization matrix's building blocks, shared by every package's route entries.

``tests/lms/test_authz.py`` checks that every registered route has an entry. Each package
lists its routes in ``tests/<package>/matrix_*.py`` modules (a package laid out by feature: in
``tests/<package>/<feature>/matrix.py``), each exposing ``ROUTES``, a dict
``{(endpoint, method): Route}``; the test merges them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import g, session
from flask.testing import FlaskClient
from flask_login import login_user

from lms.people.models import User
from tests import factories

LOGIN = "login"  # redirected to the sign-in page with the page asked for as ``next``


@dataclass
class Case:
    org: factories.Org
    actor: User | None
    target: User


Build = Callable[[Case], tuple[dict, dict]]  # -> (URL values, test-client keyword arguments)


@dataclass(frozen=True)
class Route:
    build: Build
    expect: dict[str, int | str]


def plain(member, admin, signed_out, build: Build | None = None) -> Route:
    return Route(build or (lambda case: ({}, {})),
                 {"member": member, "admin": admin, "signed out": signed_out})


def on_person(visible, admin, build: Build, *, api: bool = False) -> Route:
    """Seen people answer ``visible``; people out of sight are 404."""
    return Route(build, {"self": visible, "direct report": visible, "deeper report": visible,
                         "own manager": 404, "peer": 404, "other branch": 404,
                         "admin": admin, "signed out": 401 if api else LOGIN})


def owned(own, build: Build) -> Route:
    """Someone else's object does not exist for you, even for an admin."""
    return Route(build, {"self": own, "direct report": 404, "deeper report": 404,
                         "own manager": 404, "peer": 404, "other branch": 404, "admin": 404,
                         "signed out": LOGIN})


def form(data: dict | Callable[[Case], dict], values: Build | None = None) -> Build:
    def build(case: Case):
        url_values = values(case)[0] if values else {}
        return url_values, {"data": data(case) if callable(data) else data}
    return build


def json_body(payload: dict | Callable[[Case], dict], values: Build | None = None) -> Build:
    def build(case: Case):
        url_values = values(case)[0] if values else {}
        return url_values, {"json": payload(case) if callable(payload) else payload}
    return build


def sign_in(client: FlaskClient, person: User) -> None:
    """Sign ``person`` in on ``client`` without posting the sign-in form.

    ``login_user`` fills the session of a request from the client's address and browser: the
    person's id with their session generation (``lms.auth`` refuses a stale one), the fresh
    marker and the identifier that session protection compares. The client's cookie then
    carries that session. tests/lms/test_auth.py signs in through the real form.
    """
    with client.application.test_request_context(environ_base=client.environ_base):
        login_user(person)
        signed_in = dict(session)
    g.pop("_login_user", None)  # that request shared the test's app context
    with client.session_transaction() as cookie_session:
        cookie_session.update(signed_in)


def collect_routes() -> dict:
    """Merge the ``ROUTES`` of every matrix module: ``tests/<package>/matrix_*.py``, or
    ``tests/<package>/<feature>/matrix.py`` in a package laid out by feature."""
    import importlib
    from pathlib import Path

    here = Path(__file__).parent
    routes: dict = {}
    for path in sorted([*here.glob("*/matrix_*.py"), *here.glob("*/*/matrix.py")]):
        dotted = ".".join(path.relative_to(here).with_suffix("").parts)
        module = importlib.import_module(f"tests.{dotted}")
        clash = set(routes) & set(module.ROUTES)
        assert not clash, f"{path} repeats matrix entries: {sorted(clash)}"
        routes.update(module.ROUTES)
    return routes
