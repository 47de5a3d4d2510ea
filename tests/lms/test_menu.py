"""The navigation bar comes from the entries features add: each person sees the entries they
may use, in order, the current feature marked, and the page itself named for screen readers."""

from __future__ import annotations

import re
from html import unescape

from lms.web import menu


def _nav(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    return html.partition('aria-label="Main"')[2].partition("</nav>")[0]


def _dropdown(nav: str, label: str) -> list[str]:
    block = nav.partition(f">{label}</button>")[2].partition("</ul>")[0]
    return re.findall(r'<a class="dropdown-item[^"]*"[^>]*>([^<]+)</a>', block)


def test_each_person_sees_the_entries_they_may_use_in_order(client, switch, org):
    switch(org.rep_a1a)
    nav = _nav(client, "/")
    assert _dropdown(nav, "Coaching") == ["This week", "Goals", "Scorecards",
                                          "Self-assessments", "Resources"]
    assert ">Team</button>" not in nav and ">Admin</button>" not in nav
    switch(org.leader_a)
    nav = _nav(client, "/")
    assert _dropdown(nav, "Team") == ["My team", "Progress", "Attendance", "Coaching rhythm",
                                      "Champions councils"]
    switch(org.admin)
    assert _dropdown(_nav(client, "/"), "Admin") == [
        "Course authoring", "Rubrics", "People", "Reminders", "Audit log", "Health"]


def test_every_page_of_a_feature_marks_its_entry(client, login, org):
    login(org.manager_a1)
    nav = _nav(client, f"/reinforcement/people/{org.manager_a1.id}/goals")
    assert re.search(r'dropdown-item active" aria-current=page href="[^"]+">Goals<', nav)
    nav = _nav(client, "/reinforcement/goals/team")  # another page of the goals feature
    assert re.search(r'dropdown-item active"[^>]*>Goals<', nav)
    assert not re.search(r'dropdown-item active"[^>]*>This week<', nav)


def test_a_bar_item_names_only_its_own_page_as_current(client, login, org):
    login(org.rep_a1a)
    nav = _nav(client, "/courses/")
    assert re.search(r'nav-link active"\s+aria-current=page\s+href="/courses/">Courses<', nav)
    nav = _nav(client, "/")
    assert not re.search(r'nav-link active"[^>]*>Courses<', nav)


def test_adding_an_entry_again_replaces_it(app):
    before = dict(menu._entries)
    try:
        menu.add("Coaching", "Goals", "reinforcement.goals.goals_person", order=20,
                 active=("reinforcement.goals.",), values=lambda user: {"person_id": user.id})
        assert len(menu._entries) == len(before)
    finally:
        menu._entries.clear()
        menu._entries.update(before)


def test_a_pattern_is_a_prefix_only_when_it_ends_in_a_dot_or_underscore():
    entry = menu.Entry("", "Courses", "courses.catalog", 20,
                       ("courses.catalog", "courses.session_", "reinforcement.goals."))
    assert entry.is_active("courses.catalog")
    assert not entry.is_active("courses.catalog_export")
    assert entry.is_active("courses.session_list")
    assert entry.is_active("reinforcement.goals.goal_detail")
    assert not entry.is_active("reinforcement.goalsx")
