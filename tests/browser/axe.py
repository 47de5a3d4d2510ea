"""axe-core on every document a browser context loads; serious or critical findings fail.

How "every page" holds, and why no page can slip through:

- ``add_init_script`` puts axe-core (the npm package pinned in ``package-lock.json``, a test
  tool the app never serves) and a small runner into every document before the page's own
  scripts, so no test has to remember to call anything. Init scripts bypass the page's CSP.
- The runner gives each top-level http(s) document an id and announces it through an exposed
  binding the moment the document starts (``opened``); after its ``load`` event it runs axe
  and delivers the findings through a second binding (``reported``).
- A document must not be replaced before its findings arrive, or a page left quickly (a click
  made while axe still runs, a form whose POST redirects at once) would go unchecked. A context
  route therefore holds every top-level navigation request until the document it is about to
  replace has reported; only then does the request go to the server. The old document lives
  on while its successor's request waits, so axe finishes. Python waits for the binding (it
  cannot evaluate in a frame that is navigating: Playwright would wait for the navigation).
- A document left before its ``load`` (a script that navigates while the page is parsed) has
  its loading stopped, so ``load`` never comes: the runner also starts axe on ``beforeunload``
  and on a cross-document ``navigate`` event, checking what the page shows at that moment.
- At teardown the audit waits for each open page's current document the same way, then
  asserts that every opened document reported (ids compared, not only counts) and that no
  serious or critical violation was found, naming the rule, the URL and the target selectors.

A test's own ``page.route`` answers before the context route, so it would bypass the hold:
route on the context before the audit attaches instead. A document that has not reported
within ``SETTLE_MS`` is let go and then fails the teardown as unreported, rather than hanging
the suite. ``CADENCE_AXE_LOG`` names a file that gets one JSON line per checked document.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Request, Route

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
SETTLE_MS = 10_000
POLL_MS = 20
# Only requests that may be navigations are routed: a stylesheet or script kept waiting for a
# round trip through Python would give a page's own scripts a later start than a person's
# browser does.
NOT_STATIC = re.compile(r"^(?!.*/static/)")
# A file name: one JSON line per checked document (URL, width, who was signed in, findings).
LOG_ENV = "CADENCE_AXE_LOG"

RUNNER = """
(() => {
  if (window !== window.top || !/^https?:$/.test(location.protocol)) return;
  const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  window.__cadenceAxeOpened(id, location.href);
  const who = () => {
    const toggles = document.querySelectorAll("#nav-main .dropdown-toggle");
    return toggles.length ? toggles[toggles.length - 1].textContent.trim() : "";
  };
  let started = false;
  const check = async (leaving) => {
    if (started) return;
    started = true;
    const start = performance.now();
    // A test that scrolls while axe runs (typing into a field further down) moves targets
    // out of view, and target-size then reads them as covered: judge it on a still page only.
    let scrolled = false;
    const onScroll = () => { scrolled = true; };
    window.addEventListener("scroll", onScroll, {passive: true});
    // A document left before its stylesheets arrived shows unstyled markup (a phone's folded
    // menu laid out in full, links in the browser's colours): its structure is checked, but
    // the rules that judge how it looks wait for a styled visit of the page.
    const styled = Array.from(document.querySelectorAll('link[rel="stylesheet"]'))
      .every((link) => link.sheet !== null);
    // Spacing between targets is judged on a loaded page only: one being left may be torn down.
    const unstyled = styled ? {} : {"color-contrast": {enabled: false}};
    if (!styled || leaving) unstyled["target-size"] = {enabled: false};
    let findings;
    try {
      const result = await axe.run(document, {
        runOnly: {type: "tag", values: __TAGS__}, resultTypes: ["violations"], rules: unstyled,
      });
      window.removeEventListener("scroll", onScroll);
      const judged = result.violations.filter((v) => !(scrolled && v.id === "target-size"));
      findings = {violations: judged.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map((n) => n.target.join(" ")),
      }))};
    } catch (error) {
      findings = {error: String(error)};
    }
    findings.styled = styled;
    findings.ms = Math.round(performance.now() - start);
    findings.width = window.innerWidth;
    findings.who = who();
    window.__cadenceAxeReport(id, location.href, findings);
  };
  window.addEventListener("load", () => setTimeout(() => check(false), 0));
  // Leaving before load stops the document's loading: check what it shows now instead.
  window.addEventListener("beforeunload", () => check(true));
  window.navigation?.addEventListener("navigate", (event) => {
    if (!event.destination.sameDocument) check(true);
  });
})();
""".replace("__TAGS__", json.dumps(TAGS))

@dataclass
class AxeAudit:
    """The axe findings of one browser context; ``verdict()`` raises on anything serious."""

    opened: dict[str, str] = field(default_factory=dict)  # document id -> URL
    current: dict[Page, str] = field(default_factory=dict)  # page -> id of its document
    reports: dict[str, dict] = field(default_factory=dict)  # document id -> findings

    @classmethod
    def attach(cls, context: BrowserContext) -> AxeAudit:
        """Check every document ``context`` loads from now on."""
        assert AXE_JS.exists(), "axe-core is missing: run `npm ci` at the repository root"
        audit = cls()
        context.expose_binding("__cadenceAxeOpened",
                               lambda source, doc, url: audit._open(source["page"], doc, url))
        context.expose_binding("__cadenceAxeReport",
                               lambda _source, doc, url, found: audit._report(doc, url, found))
        context.add_init_script(path=AXE_JS)
        context.add_init_script(script=RUNNER)
        context.route(NOT_STATIC, audit._hold_navigation)
        return audit

    def _open(self, page: Page, doc: str, url: str) -> None:
        self.opened[doc] = url
        self.current[page] = doc

    def _report(self, doc: str, url: str, findings: dict) -> None:
        self.reports[doc] = {**findings, "url": url}
        if os.environ.get(LOG_ENV):
            with open(os.environ[LOG_ENV], "a", encoding="utf-8") as log:
                log.write(json.dumps(self.reports[doc]) + "\n")

    def _hold_navigation(self, route: Route, request: Request) -> None:
        # A navigation request of a top-level frame replaces that frame's document on commit:
        # let it go only once the document it replaces has been checked.
        # (Evaluating in the navigating frame would wait for the navigation: a deadlock.)
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self._settle(request.frame.page)
        route.fallback()

    def _settle(self, page: Page) -> None:
        """Wait until the document shown in ``page`` has reported (at most ``SETTLE_MS``)."""
        doc = self.current.get(page)
        waited = 0
        while doc and doc not in self.reports and waited < SETTLE_MS and not page.is_closed():
            page.wait_for_timeout(POLL_MS)  # lets the binding calls through meanwhile
            waited += POLL_MS

    def verdict(self, context: BrowserContext) -> None:
        """Wait for the open pages' findings; fail on an unchecked page or a serious finding."""
        for page in context.pages:
            self._settle(page)
        unchecked = [url for doc, url in self.opened.items() if doc not in self.reports]
        assert not unchecked, f"axe never reported on these pages: {unchecked}"
        problems = [problem for report in self.reports.values() for problem in _problems(report)]
        assert not problems, "axe found serious accessibility violations:\n" + "\n".join(problems)


def _problems(report: dict) -> list[str]:
    if "error" in report:
        return [f"axe failed on {report['url']}: {report['error']}"]
    return [
        f"{v['id']} ({v['impact']}) on {report['url']} at {report['width']}px: {v['help']}; "
        f"targets: {v['targets'][:5]}"
        for v in report["violations"] if v["impact"] in FAILING_IMPACTS
    ]
