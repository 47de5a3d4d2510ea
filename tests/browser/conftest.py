"""A live Cadence server and Debian's chromium for the browser journeys.

The per-test SAVEPOINT session of ``tests/conftest.py`` lives on one connection that a
server thread cannot share, so the journeys get a second app of their own: a temporary
SQLite file, CSRF switched on (a real browser posts the token) and a small organisation
committed once. These fixtures never touch the ``session`` or ``client`` fixtures, so the
module-level ``db.session`` stays the real one while the server answers requests.

Every page a browser context of ``page`` or ``open_page`` loads is checked by axe-core
(tests/browser/axe.py): a serious or critical WCAG 2.2 AA finding fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)

from lms.extensions import db
from tests import live
from tests.browser.axe import SETTLE_MS, AxeAudit
from tests.factories import PASSWORD, Org

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TIMEOUT_MS = 5_000  # a broken page fails fast instead of waiting Playwright's default 30 s
# An action that leaves a page first waits for axe to finish on it (tests/browser/axe.py).
ACTION_TIMEOUT_MS = TIMEOUT_MS + SETTLE_MS
# The root ``session`` fixture swaps db.session for one the server thread cannot use.
_REAL_DB_SESSION = db.session


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class LiveServer:
    url: str
    people: dict[str, Account]  # keyed by the attribute names of tests.factories.Org


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """Serve a seeded Cadence app from a daemon thread on a free local port."""
    folder = tmp_path_factory.mktemp("browser")
    app = live.live_app(folder, f"sqlite:///{folder / 'browser.db'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        org = Org()
        db.session.commit()
        people = {key: Account(p.id, p.name, p.email) for key, p in vars(org).items()}
    with live.serving(app) as url:
        yield LiveServer(url, people)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield browser
        finally:
            browser.close()


def _console_error(message: ConsoleMessage, errors: list[str]) -> None:
    # Chromium also logs every 4xx page as "Failed to load resource"; a form answering 401
    # or 422 is intended, so HTTP statuses are judged in _broken_asset instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def _broken_asset(response: Response, errors: list[str]) -> None:
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.status}: {response.url}")


def _failed_request(request: Request, errors: list[str]) -> None:
    # ERR_ABORTED is a load cancelled by the next navigation (a favicon, say), not a fault.
    if request.failure != "net::ERR_ABORTED":
        errors.append(f"failed: {request.url} ({request.failure})")


def _checked_page(browser: Browser, live_server: LiveServer, errors: list[str],
                  **options) -> tuple[BrowserContext, Page, AxeAudit]:
    """A new context and page whose console errors, broken assets and axe findings are kept."""
    # Reduced motion: no menu caught halfway through its slide when axe looks at the page.
    context = browser.new_context(base_url=live_server.url, reduced_motion="reduce", **options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    audit = AxeAudit.attach(context)
    page = context.new_page()
    page.on("console", lambda msg: _console_error(msg, errors))
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("response", lambda response: _broken_asset(response, errors))
    page.on("requestfailed", lambda request: _failed_request(request, errors))
    return context, page, audit


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context per test; console errors (CSP included), broken assets and
    serious axe findings on any page it loaded fail the test (see tests/browser/axe.py)."""
    assert db.session is _REAL_DB_SESSION, "browser tests must not use the session fixture"
    errors: list[str] = []
    context, page, audit = _checked_page(browser, live_server, errors)
    try:
        yield page
        audit.verdict(context)
    finally:
        context.close()
    assert errors == [], f"the browser console reported errors: {errors}"


@pytest.fixture
def sign_in() -> Callable[[Page, Account], None]:
    """Sign ``account`` in through the login form and wait for the home page."""
    def signing_in(page: Page, account: Account) -> None:
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(account.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
        # The heading shows before the scripts at the end of the body have run.
        page.wait_for_load_state("load")
    return signing_in


# --- seeding through the live app, and more people at once (the course journeys) ---------------

T = TypeVar("T")


@pytest.fixture(scope="session")
def live_app(live_server: LiveServer) -> Flask:
    """The app behind ``live_server``, to seed data through its services."""
    # LiveServer does not carry its app. Flask-SQLAlchemy keeps one engine map per app, and
    # only the live server's app was given the server's address as BASE_URL.
    apps = [app for app in list(db._app_engines) if app.config["BASE_URL"] == live_server.url]
    assert len(apps) == 1, "expected exactly one app serving the live server"
    return apps[0]


@pytest.fixture
def seed(live_app: Flask) -> Callable[[Callable[[], T]], T]:
    """Run ``build`` inside the live app and commit, so the server sees what it made.

    ``build`` should return plain values (ids, slugs, titles): its objects are expired by the
    commit and detached when the app context closes.
    """
    def seeding(build: Callable[[], T]) -> T:
        with live_app.app_context():
            result = build()
            db.session.commit()
            return result
    return seeding


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Open another browser context (another person) with the same checks as ``page``.

    Keyword options go to ``new_context``: a phone is ``viewport``, ``is_mobile`` and
    ``has_touch``.
    """
    contexts: list[tuple[BrowserContext, AxeAudit]] = []
    errors: list[str] = []

    def opening(**options) -> Page:
        context, page, audit = _checked_page(browser, live_server, errors, **options)
        contexts.append((context, audit))
        return page

    try:
        yield opening
        for context, audit in contexts:
            audit.verdict(context)
    finally:
        for context, _audit in contexts:
            context.close()
    assert errors == [], f"the browser console reported errors: {errors}"
