"""Keyboard users see where they are, and a failed form takes them to its problems."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 800}}

# The computed focus ring of the focused element and the background behind it.
RING = """
(el) => {
  const style = getComputedStyle(el);
  let bg = el.parentElement;
  while (bg && getComputedStyle(bg).backgroundColor === "rgba(0, 0, 0, 0)") bg = bg.parentElement;
  return {
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor, boxShadow: style.boxShadow,
    background: bg ? getComputedStyle(bg).backgroundColor : "rgb(255, 255, 255)",
  };
}
"""


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
    return red, green, blue


def _contrast(first: str, second: str) -> float:
    def luminance(css: str) -> float:
        channels = [c / 255 for c in _rgb(css)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _tab_to(page: Page, target: Locator, limit: int = 30) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(el) => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def _assert_ring_stands_out(target: Locator) -> dict:
    ring = target.evaluate(RING)
    assert ring["outlineStyle"] == "solid", ring
    assert ring["outlineWidth"] >= 3, ring
    return ring


def test_keyboard_focus_ring_shows_on_the_navbar_and_on_a_button(page, live_server, sign_in):
    sign_in(page, live_server.people["manager_a1"])
    page.goto("/account")

    home = page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")
    _tab_to(page, home)
    ring = _assert_ring_stands_out(home)
    # On the navy navbar the amber outline carries the ring.
    assert _contrast(ring["outlineColor"], ring["background"]) >= 3, ring

    save = page.get_by_role("button", name="Save profile")
    _tab_to(page, save)
    ring = _assert_ring_stands_out(save)
    # On white the dark inner ring carries it, not Bootstrap's faint glow.
    inner = re.match(r"rgba?\([^)]*\)", ring["boxShadow"])
    assert inner, ring
    assert _contrast(inner.group(0), ring["background"]) >= 3, ring


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_failed_submit_focuses_the_error_summary_whose_links_reach_the_fields(
        open_page, live_server, sign_in, size):
    page = open_page(**size)
    sign_in(page, live_server.people["rep_a1a"])
    page.goto("/account")
    name, zone = page.get_by_label("Name", exact=True), page.get_by_label("Time zone")
    kept = name.input_value(), zone.input_value()  # the live server is shared: put them back
    name.fill("")
    zone.fill("")
    page.get_by_role("button", name="Save profile").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.get_by_role("link")
    expect(links).to_have_text(["Name: This field is required.",
                                "Time zone: This field is required."])

    links.nth(1).click()
    expect(zone).to_be_focused()
    page.keyboard.type(kept[1])
    links.nth(0).focus()
    page.keyboard.press("Enter")
    expect(name).to_be_focused()
    page.keyboard.type(kept[0])
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)


def test_a_table_wider_than_a_phone_is_a_named_region_the_keyboard_can_scroll(
        open_page, live_server, sign_in):
    page = open_page(**PHONE)
    sign_in(page, live_server.people["admin"])
    page.goto("/people/")

    box = page.locator(".table-responsive").first
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the table fits: no test"
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_attribute("tabindex", "0")
    expect(box).to_have_attribute("aria-label", re.compile(r"\(scrolls sideways\)$"))

    _tab_to(page, box)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(el) => el.scrollLeft > 0", arg=box.element_handle())
