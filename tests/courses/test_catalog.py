"""The catalog: courses for your level by default, search, tags, and your state in each."""

from __future__ import annotations

import re

from courses.models import PrerequisiteKind
from courses.services import authoring, enrolment, player
from lms.extensions import db
from tests import factories


def _catalog(client, **params) -> str:
    response = client.get("/courses/", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _titles(page: str) -> set[str]:
    return set(re.findall(r'<h2 class="h5 card-title"[^>]*><a [^>]*>([^<]+)</a>', page))


def _card(page: str, title: str) -> str:
    start = page.index(f">{title}</a>")
    return page[start:page.index("</article>", start)]


def _course(org, title: str, *, summary: str = "", tags=(), **kwargs):
    course = factories.course(title=title, by=org.admin, **kwargs)
    version = course.current_version
    version.summary = summary
    version.tag_list = tags
    db.session.flush()
    return course


def test_rep_sees_rep_courses_by_default_and_every_level_on_request(client, login, org):
    _course(org, "Discovery Calls", audience=("rep",))
    _course(org, "Coaching the Coach", audience=("manager",))
    _course(org, "Both Levels", audience=("rep", "manager"))
    login(org.rep_a1a)
    assert _titles(_catalog(client)) == {"Discovery Calls", "Both Levels"}
    assert _titles(_catalog(client, levels="all")) == {
        "Discovery Calls", "Coaching the Coach", "Both Levels"}


def test_manager_default_is_the_manager_level(client, login, org):
    _course(org, "Discovery Calls", audience=("rep",))
    _course(org, "Coaching the Coach", audience=("manager",))
    login(org.manager_a1)
    assert _titles(_catalog(client)) == {"Coaching the Coach"}


def test_drafts_and_archived_courses_are_not_in_the_catalog(client, login, org):
    _course(org, "Open Course")
    factories.course(title="Draft Course", published=False, by=org.admin)
    archived = _course(org, "Old Course")
    authoring.set_archived(archived, True, by=org.admin)
    login(org.admin)  # an admin sees drafts elsewhere, but the catalog is what learners see
    assert _titles(_catalog(client, levels="all")) == {"Open Course"}


def test_search_matches_titles_and_summaries(client, login, org):
    _course(org, "Discovery Calls", summary="Ask better questions.")
    _course(org, "Negotiation", summary="Hold your price on discovery of budget.")
    _course(org, "Pipeline Basics", summary="Stages and hygiene.")
    login(org.rep_a1a)
    assert _titles(_catalog(client, q="discovery")) == {"Discovery Calls", "Negotiation"}
    assert _titles(_catalog(client, q="HYGIENE")) == {"Pipeline Basics"}
    assert _titles(_catalog(client, q="%")) == set()  # a wildcard matches itself only


def test_tag_filter_and_tag_choices(client, login, org):
    _course(org, "Discovery Calls", tags=["calls", "discovery"])
    _course(org, "Cold Calls", tags=["calls"])
    _course(org, "Pipeline Basics", tags=["pipeline"])
    login(org.rep_a1a)
    assert _titles(_catalog(client, tag="calls")) == {"Discovery Calls", "Cold Calls"}
    assert _titles(_catalog(client, tag="pipeline")) == {"Pipeline Basics"}
    page = _catalog(client)
    for tag in ("calls", "discovery", "pipeline"):
        assert f'<option value="{tag}"' in page


def test_each_card_shows_enrolled_completed_and_locked(client, login, org):
    coaching = _course(org, "Coaching the Coach", audience=("manager",))
    locked = _course(org, "Discovery Calls")
    authoring.add_prerequisite(locked, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    enrolled = _course(org, "Cold Calls")
    done = _course(org, "Pipeline Basics", lessons=1)
    _course(org, "Negotiation")
    enrolment.enrol(org.rep_a1a, enrolled, by=org.rep_a1a)
    finished = enrolment.enrol(org.rep_a1a, done, by=org.rep_a1a)
    player.complete_lesson(finished, done.current_version.lessons[0], by=org.rep_a1a)
    login(org.rep_a1a)
    page = _catalog(client)
    assert "Locked" in _card(page, "Discovery Calls")
    assert "Enrolled" in _card(page, "Cold Calls")
    assert "Completed" in _card(page, "Pipeline Basics")
    assert not re.search("Locked|Enrolled|Completed", _card(page, "Negotiation"))


def test_lock_in_the_catalog_follows_the_managers_completion(client, login, org):
    coaching = _course(org, "Coaching the Coach", audience=("manager",), lessons=1)
    locked = _course(org, "Discovery Calls")
    authoring.add_prerequisite(locked, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    login(org.rep_b1a)  # a different manager's rep stays locked throughout
    assert "Locked" in _card(_catalog(client), "Discovery Calls")
    mine = enrolment.enrol(org.manager_b1, coaching, by=org.manager_b1)
    player.complete_lesson(mine, coaching.current_version.lessons[0], by=org.manager_b1)
    assert "Locked" not in _card(_catalog(client), "Discovery Calls")


def test_a_rep_without_a_manager_sees_a_manager_prerequisite_as_locked(client, login, org):
    coaching = _course(org, "Coaching the Coach", audience=("manager",))
    locked = _course(org, "Discovery Calls")
    authoring.add_prerequisite(locked, PrerequisiteKind.LEADER_COMPLETION, coaching,
                               by=org.admin)
    loner = factories.person(name="Lone Rep")
    login(loner)
    assert "Locked" in _card(_catalog(client), "Discovery Calls")


def test_catalog_query_count_does_not_grow_with_courses(client, login, org, count_queries):
    coaching = _course(org, "Coaching the Coach", audience=("manager",))

    def add_courses(count: int):
        for number in range(count):
            course = _course(org, f"Course {number} {count}", tags=[f"t{number}"])
            authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION,
                                       coaching, by=org.admin)
            # Self-enrolment: no email is queued, so no delivery job runs in the request.
            enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)

    add_courses(2)
    login(org.rep_a1a)
    counts = []
    for more in (0, 6):
        add_courses(more)
        db.session.commit()
        db.session.expire_all()  # as in a fresh request: nothing cached from the set-up
        with count_queries() as counter:
            assert len(_titles(_catalog(client))) == 2 + more
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_another_levels_course_is_not_shown_as_locked(client, login, org):
    """A manager browsing every level must not read "Locked" on a rep course meant for
    others; the rep it is for does see the lock."""
    coaching = _course(org, "Coaching the Coach", audience=("manager",))
    discovery = _course(org, "Discovery Calls", audience=("rep",))
    authoring.add_prerequisite(discovery, PrerequisiteKind.MANAGER_COMPLETION, coaching,
                               by=org.admin)
    login(org.manager_a1)
    assert "Locked" not in _card(_catalog(client, levels="all"), "Discovery Calls")
    client.post("/logout")
    login(org.rep_a1a)
    assert "Locked" in _card(_catalog(client), "Discovery Calls")
