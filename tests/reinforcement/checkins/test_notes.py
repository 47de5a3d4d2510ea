"""The check-in page saves its notes in one form: shared and private together for the coach,
shared only for the coachee, and nothing typed is lost when a save is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from reinforcement.checkins.models import CheckInStatus
from reinforcement.checkins.services import MAX_NOTES
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")


def _notes_url(check_in) -> str:
    return f"/reinforcement/check-ins/{check_in.id}/notes"


def test_the_coach_saves_shared_and_private_notes_in_one_request(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a)
    db.session.commit()
    login(org.manager_a1)
    response = client.post(_notes_url(check_in), data={
        "shared_notes": "Two calls a day", "private_notes": "Seems tired; ask about workload"})
    assert response.status_code == 302
    db.session.refresh(check_in)
    assert check_in.shared_notes == "Two calls a day"
    assert check_in.private_notes == "Seems tired; ask about workload"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["check_in.shared_notes", "check_in.private_notes"]
    html = client.get(response.location).get_data(as_text=True)
    assert html.count('action="' + _notes_url(check_in) + '"') == 1  # one form, one save
    assert "Seems tired; ask about workload" in html


def test_the_coachee_saves_shared_notes_and_cannot_set_private_ones(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, private=make.PRIVATE)
    db.session.commit()
    login(org.rep_a1a)
    page = client.get(f"/reinforcement/check-ins/{check_in.id}").get_data(as_text=True)
    assert 'name="private_notes"' not in page and make.PRIVATE not in page
    response = client.post(_notes_url(check_in), data={
        "shared_notes": "My plan for the week", "private_notes": "overwritten by the coachee"})
    assert response.status_code == 302
    db.session.refresh(check_in)
    assert check_in.shared_notes == "My plan for the week"
    assert check_in.private_notes == make.PRIVATE


def test_a_refused_save_brings_both_texts_back_and_saves_neither(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, shared="Before", private="Kept")
    db.session.commit()
    login(org.manager_a1)
    response = client.post(_notes_url(check_in), data={
        "shared_notes": "x" * (MAX_NOTES + 1), "private_notes": "Typed in the meeting"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Typed in the meeting" in html and "x" * (MAX_NOTES + 1) in html
    assert "Your notes are not saved yet." in html and "data-unsaved" in html
    db.session.refresh(check_in)
    assert (check_in.shared_notes, check_in.private_notes) == ("Before", "Kept")


def test_notes_on_a_cancelled_check_in_come_back_with_the_reason(client, login, org):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, status=CheckInStatus.CANCELLED)
    db.session.commit()
    login(org.manager_a1)
    response = client.post(_notes_url(check_in), data={
        "shared_notes": "Shared words", "private_notes": "Private words"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Notes cannot be added to a cancelled check-in." in html
    assert "Shared words" in html and "Private words" in html
    db.session.refresh(check_in)
    assert (check_in.shared_notes, check_in.private_notes) == ("", "")

