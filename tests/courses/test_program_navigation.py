"""Programs are reachable: a Programs item in the main navigation for admins, leaders and
executives (not reps or managers), program pages link their reports, and every program report
links the program's readiness."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lms import authz
from tests.courses.factories_live import a_program

NAV_ITEM = re.compile(r'<a class="nav-link[^"]*"\s+(aria-current=page\s+)?'
                      r'href="/courses/programs">Programs</a>')


@pytest.fixture
def program(session):
    return a_program("East rollout")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _main_nav(html: str) -> str:
    return html.partition('aria-label="Main"')[2].partition("</nav>")[0]


def test_programs_is_in_the_navigation_of_admins_leaders_and_executives_only(
        client, switch, org):
    for person, shown in ((org.admin, True), (org.leader_a, True), (org.exec, True),
                          (org.manager_a1, False), (org.rep_a1a, False)):
        switch(person)
        assert bool(NAV_ITEM.search(_main_nav(_page(client, "/")))) is shown, person.name
        assert authz.can(person, "program.view") is shown  # the same rule decides


def test_a_manager_who_owns_a_program_still_has_no_programs_item(client, login, org, program):
    program.owner = org.manager_a1
    login(org.manager_a1)
    assert not NAV_ITEM.search(_main_nav(_page(client, "/")))


def test_the_programs_item_is_current_on_the_program_list(client, login, org, program):
    login(org.leader_a)
    nav = _main_nav(_page(client, "/courses/programs"))
    assert re.search(r'class="nav-link active"\s+aria-current=page\s+href="/courses/programs"',
                     nav)
    nav = _main_nav(_page(client, f"/courses/programs/{program.id}/readiness"))
    assert 'class="nav-link active"' in nav and "aria-current=page" not in nav


def test_the_program_page_links_its_readiness_and_reports(client, switch, org, program):
    switch(org.leader_a)
    page = _page(client, f"/courses/programs/{program.id}")
    assert f'href="/courses/programs/{program.id}/readiness"' in page
    assert f'href="/courses/sessions/reports/program/{program.id}"' in page
    assert f'href="/courses/sessions/reports/program/{program.id}/coverage"' in page
    program.owner = org.manager_a1
    switch(org.manager_a1)  # an owner without the reports sees readiness only
    page = _page(client, f"/courses/programs/{program.id}")
    assert f'href="/courses/programs/{program.id}/readiness"' in page
    assert "/courses/sessions/reports/program/" not in page


@pytest.mark.parametrize("report, other", [
    ("/courses/sessions/reports/program/{id}", "/courses/sessions/reports/program/{id}/coverage"),
    ("/courses/sessions/reports/program/{id}/coverage", "/courses/sessions/reports/program/{id}"),
])
def test_every_program_report_links_the_readiness_and_the_other_report(
        client, switch, org, program, report, other):
    for person in (org.admin, org.leader_a, org.exec):
        switch(person)
        page = _page(client, report.format(id=program.id))
        assert f'<a href="/courses/programs/{program.id}/readiness">Readiness</a>' in page
        assert f'href="{other.format(id=program.id)}"' in page
