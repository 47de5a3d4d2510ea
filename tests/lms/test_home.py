"""Home tells each person what to do next; the team page shows the subtree with levels."""

from __future__ import annotations

from lms.extensions import db
from lms.notify.models import Notification
from tests import factories


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_manager_is_sent_to_their_team(client, login):
    org = factories.org()
    login(org.manager_a1)
    page = _home(client)
    assert "Check on your team" in page and "2 direct reports" in page


def test_admin_without_reports_is_sent_to_people_not_to_a_team(client, login):
    org = factories.org()
    login(org.admin)
    page = _home(client)
    assert "Keep the org chart current" in page
    assert "Check on your team" not in page


def test_rep_is_sent_to_unread_notifications_first(client, login):
    org = factories.org()
    db.session.add(Notification(recipient=org.rep_a1a, kind="test", subject="Hello"))
    db.session.flush()
    login(org.rep_a1a)
    page = _home(client)
    assert "Read your notifications" in page and "1 unread" in page
    assert "Check on your team" not in page
    assert page.index("Read your notifications") < page.index("Set your time zone")


def test_home_query_count_does_not_grow_with_the_team(client, login, count_queries):
    small = factories.person(level="manager")
    factories.person(manager=small)
    big = factories.person(level="manager")
    for _ in range(40):
        factories.person(manager=big)
    counts = []
    for manager in (small, big):
        login(manager)
        with count_queries() as counter:
            _home(client)
        counts.append(counter.count)
        client.post("/logout")
    assert counts[0] == counts[1]


def test_team_of_someone_in_the_subtree_shows_their_levels(client, login):
    org = factories.org()
    login(org.leader_a)
    page = client.get(f"/team/{org.manager_a1.id}").get_data(as_text=True)
    assert "Team of Dana Reyes" in page and "2 people under Dana" in page
    assert "Rita Rep" in page and "Rosa Rep" not in page
