"""Every role opens every page its menus and Home lead to, on a desk and on a phone.

The pages themselves are checked by the axe audit of the ``open_page`` fixture (serious or
critical findings fail); this walk makes sure each role reaches them at both sizes.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 800}}
ROLES = ["admin", "leader_a", "manager_a1", "rep_a1a"]
# Files, feeds and one-click actions are not pages to read.
NOT_A_PAGE = re.compile(
    r"\.(csv|xlsx|pdf|ics|json)\b|format=|/export|/download|/api/|/feed|unsubscribe")
MOST_PAGES = 40  # per role and size: the menus and Home, then what they link to


def _links(page: Page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href]:not([download]), main a[href]:not([download])",
        "(links) => links.map((a) => a.href)")
    return [href.split("#")[0] for href in hrefs
            if href.startswith(origin) and not NOT_A_PAGE.search(href)]


def _walk(page: Page, origin: str) -> list[str]:
    """Open Home, every page it and the menus link to, then theirs, up to ``MOST_PAGES``."""
    seen, queue = [], [f"{origin}/"]
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        response = page.goto(url)
        assert response is not None and response.status < 500, url
        queue.extend(link for link in _links(page, origin) if link not in seen)
    return seen


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_passes_axe(open_page, live_server, sign_in, role, size):
    page = open_page(**size)
    sign_in(page, live_server.people[role])
    seen = _walk(page, live_server.url)
    assert len(seen) >= 10, seen  # the walk really went through the menus
