"""The axe audit itself: it catches a violation, and a page left at once is still checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Route

from tests.browser.axe import AxeAudit
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

FAINT = ('<!doctype html><html lang="en"><head><title>Probe</title></head><body><main>'
         '<h1>Probe</h1><p style="color:#bbb;background:#fff">Faint words</p>{extra}'
         '</main></body></html>')
PLAIN = ('<!doctype html><html lang="en"><head><title>Plain</title></head><body><main>'
         '<h1>Plain</h1><p>Readable words</p></main></body></html>')


@pytest.fixture
def audited(browser: Browser, live_server: LiveServer) -> Iterator[tuple[BrowserContext, AxeAudit]]:
    """A context under audit whose /probe/* pages are served by the test, not the app."""
    context = browser.new_context(base_url=live_server.url)
    pages = {
        "faint": FAINT.format(extra=""),
        # Leaves for /probe/plain as soon as it is parsed, before its own load event.
        "leaving": FAINT.format(extra='<script>location.replace("/probe/plain")</script>'),
        "plain": PLAIN,
    }

    def serve(route: Route) -> None:
        route.fulfill(content_type="text/html", body=pages[route.request.url.rsplit("/", 1)[1]])

    # Routed before the audit attaches, so the audit's route runs first and holds navigations.
    context.route("**/probe/*", serve)
    audit = AxeAudit.attach(context)
    try:
        yield context, audit
    finally:
        context.close()


def test_audit_fails_on_low_contrast_text_naming_rule_url_and_target(audited):
    context, audit = audited
    page = context.new_page()
    page.goto("/probe/faint")
    with pytest.raises(AssertionError) as failure:
        audit.verdict(context)
    message = str(failure.value)
    assert "color-contrast (serious)" in message
    assert "/probe/faint" in message
    assert "'p'" in message


def test_audit_checks_a_page_left_before_it_finished_loading(audited):
    context, audit = audited
    page = context.new_page()
    page.goto("/probe/leaving", wait_until="commit")
    page.wait_for_url("**/probe/plain")
    with pytest.raises(AssertionError) as failure:
        audit.verdict(context)
    assert "/probe/leaving" in str(failure.value)
    assert sorted(audit.opened.values()) == sorted(r["url"] for r in audit.reports.values())


def test_audit_passes_a_clean_page_and_counts_every_document(audited):
    context, audit = audited
    page = context.new_page()
    page.goto("/probe/plain")
    page.goto("/probe/plain")
    audit.verdict(context)
    assert len(audit.opened) == len(audit.reports) == 2
