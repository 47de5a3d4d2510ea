"""Action items: created at a check-in, done or reopened, carried forward until done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.models import Notification
from reinforcement.checkins import actions
from reinforcement.checkins.models import ActionItem, CheckInStatus
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(ActionItem))


def day_of(check_in) -> date:
    return check_in.scheduled_at.date()  # everyone here lives in UTC


def test_an_action_item_belongs_to_the_pair_and_its_owner_is_told(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    item = actions.create_action_item(check_in, title=" Send the Acme proposal ",
                                      owner=org.rep_a1a, due_on=day_of(check_in), by=org.manager_a1)
    assert (item.title, item.owner_id, item.check_in_id) == (
        "Send the Acme proposal", org.rep_a1a.id, check_in.id)
    assert (item.coach_id, item.coachee_id, item.done_at) == (org.manager_a1.id,
                                                              org.rep_a1a.id, None)
    assert db.session.scalar(select(Notification.kind).where(
        Notification.recipient_id == org.rep_a1a.id)) == actions.ASSIGNED_KIND
    own = actions.create_action_item(check_in, title="Shadow a call", owner=org.manager_a1,
                                     due_on=day_of(check_in), by=org.manager_a1)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == org.manager_a1.id)) == 0
    assert own.owner_id == org.manager_a1.id


def test_a_due_date_before_the_check_in_is_refused_and_nothing_written(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    with pytest.raises(ValidationError) as refused:
        actions.create_action_item(check_in, title="Too early", owner=org.rep_a1a,
                                   due_on=day_of(check_in) - timedelta(days=1),
                                   by=org.manager_a1)
    assert refused.value.field == "due_on"
    assert "cannot be before the check-in" in refused.value.message
    assert count() == 0


def test_owner_outside_the_pair_empty_title_or_an_outsider_is_refused(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    due = day_of(check_in)
    with pytest.raises(ValidationError) as refused:
        actions.create_action_item(check_in, title="Call", owner=org.rep_a1b, due_on=due,
                                   by=org.manager_a1)
    assert refused.value.field == "owner"
    with pytest.raises(ValidationError) as refused:
        actions.create_action_item(check_in, title="  ", owner=org.rep_a1a, due_on=due,
                                   by=org.manager_a1)
    assert refused.value.field == "title"
    with pytest.raises(NotAllowedError):
        actions.create_action_item(check_in, title="Call", owner=org.rep_a1a, due_on=due,
                                   by=org.leader_a)
    assert count() == 0


@pytest.mark.parametrize("status", [CheckInStatus.CANCELLED, CheckInStatus.RESCHEDULED])
def test_no_action_items_on_a_cancelled_or_moved_check_in(org, status):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, status=status)
    with pytest.raises(ValidationError):
        actions.create_action_item(check_in, title="Call", owner=org.rep_a1a,
                                   due_on=day_of(check_in), by=org.manager_a1)
    assert count() == 0


def test_owner_or_coach_marks_done_and_reopens_others_may_not(org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1)
    item = make.action_item(check_in, org.rep_a1a, due_on=date.today())
    for outsider in (org.leader_a, org.rep_a1b, org.admin):
        with pytest.raises(NotAllowedError):
            actions.complete_action_item(item, by=outsider)
    actions.complete_action_item(item, by=org.rep_a1a)
    assert item.done_at is not None
    with pytest.raises(ValidationError, match="already done"):
        actions.complete_action_item(item, by=org.manager_a1)
    actions.reopen_action_item(item, by=org.manager_a1)
    assert item.done_at is None
    with pytest.raises(ValidationError, match="still open"):
        actions.reopen_action_item(item, by=org.rep_a1a)


def test_open_items_carry_forward_to_later_check_ins_until_done(org):
    now = utcnow()
    first = make.check_in(org.manager_a1, org.rep_a1a, at=now - timedelta(days=14),
                          status=CheckInStatus.HELD)
    second = make.check_in(org.manager_a1, org.rep_a1a, at=now - timedelta(days=7),
                           status=CheckInStatus.HELD)
    upcoming = make.check_in(org.manager_a1, org.rep_a1a, at=now + timedelta(days=1))
    other_pair = make.check_in(org.manager_a1, org.rep_a1b, at=now + timedelta(days=1))
    from_first = make.action_item(first, org.rep_a1a, due_on=date.today(), title="From first",
                                  created_at=first.scheduled_at)
    from_second = make.action_item(second, org.manager_a1, due_on=date.today(),
                                   title="From second", created_at=second.scheduled_at)
    make.action_item(other_pair, org.rep_a1b, due_on=date.today(), title="Other pair")

    assert [i.title for i in actions.carried_forward(upcoming)] == ["From first", "From second"]
    assert [i.title for i in actions.carried_forward(second)] == ["From first"]
    assert actions.carried_forward(first) == []
    assert [i.title for i in actions.items_of(second)] == ["From second"]

    actions.complete_action_item(from_first, by=org.rep_a1a)
    assert [i.title for i in actions.carried_forward(upcoming)] == ["From second"]
    # The held check-in still shows what was open at the time, done since.
    (shown,) = actions.carried_forward(second)
    assert shown.id == from_first.id and shown.done_at is not None
    actions.reopen_action_item(from_first, by=org.manager_a1)
    assert {i.id for i in actions.carried_forward(upcoming)} == {from_first.id, from_second.id}


# --- pages -----------------------------------------------------------------------------------

def test_adding_and_completing_an_action_item_through_the_page(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    db.session.commit()
    login(org.manager_a1)
    due = (day_of(check_in) + timedelta(days=7)).isoformat()
    response = client.post(f"/reinforcement/check-ins/{check_in.id}/actions",
                           data={"title": "Book two discovery calls", "owner": org.rep_a1a.id,
                                 "due_on": due})
    assert response.status_code == 302
    item = db.session.scalar(select(ActionItem))
    assert (item.title, item.owner_id, item.due_on.isoformat()) == (
        "Book two discovery calls", org.rep_a1a.id, due)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert "Book two discovery calls" in html and f"/reinforcement/actions/{item.id}/done" in html
    assert client.post(f"/reinforcement/actions/{item.id}/done").status_code == 302
    assert item.done_at is not None


def test_a_bad_due_date_on_the_page_is_shown_and_nothing_written(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=3)
    db.session.commit()
    login(org.rep_a1a)
    before = (day_of(check_in) - timedelta(days=2)).isoformat()
    response = client.post(f"/reinforcement/check-ins/{check_in.id}/actions",
                           data={"title": "Call", "owner": org.rep_a1a.id, "due_on": before},
                           follow_redirects=True)
    assert "cannot be before the check-in" in response.get_data(as_text=True)
    assert count() == 0


def test_a_leader_sees_the_items_without_buttons_and_cannot_post(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, days=-1, status=CheckInStatus.HELD)
    item = make.action_item(check_in, org.rep_a1a, due_on=date.today(), title="Visible item")
    db.session.commit()
    login(org.leader_a)
    html = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert "Visible item" in html
    assert f"/reinforcement/actions/{item.id}/done" not in html
    assert f"/reinforcement/check-ins/{check_in.id}/actions" not in html
    assert client.post(f"/reinforcement/actions/{item.id}/done").status_code == 403
    assert client.post(f"/reinforcement/check-ins/{check_in.id}/actions",
                       data={"title": "x", "owner": org.rep_a1a.id,
                             "due_on": date.today().isoformat()}).status_code == 403
    assert item.done_at is None
