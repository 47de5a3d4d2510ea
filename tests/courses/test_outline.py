"""The course outline: adding a lesson returns to it with the new item marked and focused."""

from __future__ import annotations

import pytest

from courses.models import LessonKind
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

MANAGE = "/courses/manage"


@pytest.mark.parametrize("kind", [LessonKind.TEXT, LessonKind.LIVE])
def test_adding_a_lesson_returns_to_the_outline_with_it_marked(client, login, org, kind):
    course = factories.course(lessons=1, by=org.admin)
    module = course.latest.modules[0]
    login(org.admin)
    response = client.post(f"{MANAGE}/{course.id}/modules/{module.key}/lessons/new?kind={kind}",
                           data={"title": "Why weekly", "body_markdown": "Keep the rhythm.",
                                 "estimated_minutes": "7", "is_required": "y"})
    assert response.status_code == 302
    lesson = course.latest.lessons[-1]
    assert response.location == (f"{MANAGE}/{course.id}?added={lesson.key}"
                                 f"#lesson-{lesson.key}")
    html = client.get(response.location).get_data(as_text=True)
    start = html.rindex("<li", 0, html.index(f'id="lesson-{lesson.key}"'))
    item = html[start:html.index("</li>", start)]
    assert "outline-added" in item and 'tabindex="-1" data-focus-on-load' in item
    assert '<span class="badge text-bg-success">Added</span>' in item
    assert 'aria-current="true">Why weekly</a>' in item
    assert "js/added.js" in html
    # Only the new item is marked.
    assert html.count("data-focus-on-load") == 1 and html.count(">Added</span>") == 1


def test_the_outline_marks_nothing_without_an_added_lesson(client, login, org):
    course = factories.course(lessons=2, by=org.admin)
    login(org.admin)
    html = client.get(f"{MANAGE}/{course.id}?added=nonesuch").get_data(as_text=True)
    assert "data-focus-on-load" not in html and ">Added</span>" not in html
