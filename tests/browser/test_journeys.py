"""The journeys a person takes, driven through Debian's chromium against a live server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SIGN_IN_FAILED = "That email and password do not match an active account."


def _csv(*rows: str) -> dict:
    text = "\n".join(["email,name,title,level,manager_email,roles", *rows]) + "\n"
    return {"name": "org-chart.csv", "mimeType": "text/csv", "buffer": text.encode()}


def _search_people(page: Page, query: str) -> None:
    """Filter the People list already on screen; wait for the filtered page."""
    page.get_by_label("Search").fill(query)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/people/\?q="))


def test_sign_in_lands_on_next_steps_and_sign_out_closes_the_team_page(page, live_server,
                                                                        sign_in):
    dana = live_server.people["manager_a1"]
    sign_in(page, dana)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Hello, Dana")).to_be_visible()
    expect(page.get_by_text("Check on your team", exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("button", name=dana.name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/team")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fteam$"))
    expect(page.get_by_text("Please sign in to continue.")).to_be_visible()
    expect(page.get_by_text("Rita Rep")).to_have_count(0)


def test_leader_sees_own_branch_as_a_tree_with_levels_and_opens_a_person(page, live_server,
                                                                         sign_in):
    sign_in(page, live_server.people["leader_a"])
    page.get_by_role("button", name="Team", exact=True).click()
    page.get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", name="Your team")).to_be_visible()
    expect(page.get_by_text("5 people under you.")).to_be_visible()

    tree = page.locator(".org-tree")
    dana = tree.locator("details", has=page.locator("summary", has_text="Dana Reyes"))
    max_branch = tree.locator("details", has=page.locator("summary", has_text="Max Manager"))
    dana_line = tree.locator(".org-person", has=page.get_by_role("link", name="Dana Reyes"))
    expect(dana_line.locator(".badge")).to_have_text("manager")
    expect(dana_line.locator(".badge")).to_have_class(re.compile(r"\blevel-manager\b"))
    for rep in ("Rita Rep", "Ron Rep"):
        expect(dana.get_by_role("link", name=rep)).to_be_visible()
        badge = dana.locator("li", has=page.get_by_role("link", name=rep)).locator(".badge")
        expect(badge).to_have_text("rep")
    expect(dana.get_by_role("link", name="Rosa Rep")).to_have_count(0)
    expect(max_branch.get_by_role("link", name="Rosa Rep")).to_be_visible()
    for outsider in ("Lars Leader", "Mia Manager", "Raj Rep", "Erin Exec"):
        expect(tree.get_by_text(outsider)).to_have_count(0)

    dana.get_by_role("link", name="Rita Rep").click()
    rita = live_server.people["rep_a1a"]
    expect(page).to_have_url(f"{live_server.url}/people/{rita.id}")
    expect(page.get_by_role("heading", name="Rita Rep")).to_be_visible()
    chain = page.get_by_role("navigation", name="Reports-to chain")
    expect(chain.get_by_role("link", name="Dana Reyes")).to_be_visible()


def test_admin_csv_import_with_a_bad_row_writes_nothing_then_corrected_file_imports(
        page, live_server, sign_in):
    leader = live_server.people["leader_a"].email
    sign_in(page, live_server.people["admin"])
    page.get_by_role("button", name="Admin", exact=True).click()
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="Import the org chart")).to_be_visible()

    good = [
        f"nora@import.example.test,Nora North,Sales Manager,manager,{leader},",
        "ivan@import.example.test,Ivan Ito,Account Executive,rep,nora@import.example.test,",
    ]
    page.get_by_label("Org chart CSV").set_input_files(_csv(
        *good, "ines@import.example.test,Ines Ibarra,Account Executive,rep,"
               "nobody@import.example.test,"))
    page.get_by_role("button", name="Check and import").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported")
    expect(problems.locator("li")).to_have_count(1)
    expect(problems.locator("li")).to_contain_text(
        "Line 4: unknown manager nobody@import.example.test")

    page.get_by_role("button", name="Admin", exact=True).click()
    page.get_by_role("link", name="People", exact=True).click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    _search_people(page, "import.example.test")
    expect(page.get_by_text("No one matches these filters.")).to_be_visible()

    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("Org chart CSV").set_input_files(_csv(
        *good, "ines@import.example.test,Ines Ibarra,Account Executive,rep,"
               "nora@import.example.test,"))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Import done: 3 created, 0 updated, 0 unchanged.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/people/$"))
    _search_people(page, "import.example.test")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    for name, manager in [("Nora North", "Lena Leader"), ("Ivan Ito", "Nora North"),
                          ("Ines Ibarra", "Nora North")]:
        row = rows.filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row.locator("td").nth(4)).to_have_text(manager)


def test_wrong_password_shows_generic_error_at_the_field_and_keeps_the_email(page,
                                                                             live_server):
    email = live_server.people["rep_a1a"].email
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()

    password = page.get_by_label("Password", exact=True)
    expect(page.locator("#password-error")).to_have_text(SIGN_IN_FAILED)
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", "password-error")
    expect(password).to_have_value("")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_role("heading", name="What to do next")).to_have_count(0)


def test_keyboard_only_skip_link_first_then_sign_in(page, live_server):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.type(live_server.people["manager_a2"].email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    remember = page.get_by_label("Keep me signed in on this device")
    expect(remember).to_be_focused()
    page.keyboard.press("Space")
    expect(remember).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Hello, Max")).to_be_visible()
    assert "cadence_remember" in {cookie["name"] for cookie in page.context.cookies()}
    # A fresh page: the home page above kept the skip link's #main through the redirect.
    page.goto("/team")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()


def test_phone_nav_collapses_behind_toggle_and_loads_nothing_from_outside(page, live_server,
                                                                          sign_in):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.people["leader_a"])

    toggle = page.get_by_role("button", name="Show navigation")
    team_link = page.get_by_role("link", name="My team")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(team_link).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Team", exact=True).click()
    team_link.click()
    expect(page.get_by_role("heading", name="Your team")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    http = [url for url in requested if not url.startswith("data:")]
    assert any(url.endswith("/js/bootstrap.min.js") for url in http)
    assert any(url.endswith("/css/bootstrap.min.css") for url in http)
    outside = [url for url in http if urlsplit(url).netloc != urlsplit(live_server.url).netloc]
    assert outside == []
