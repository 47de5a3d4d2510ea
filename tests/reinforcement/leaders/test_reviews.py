"""Leader confirmation and coaching feedback: the services' rules and refusals, notifications,
the leader's pages and the manager's feedback page, private notes kept out."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify.models import Notification, OutboxMessage
from lms.people.models import Level
from reinforcement.leaders import reviews
from reinforcement.leaders.adherence import Period
from reinforcement.leaders.models import LeaderReview, ReviewDecision
from tests import factories
from tests.reinforcement.leaders import factories as make
from tests.reinforcement.leaders.factories import MARCH, NOW, PRIVATE, at


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == action))


def _notes(person, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id, Notification.kind == kind)))


@pytest.fixture
def coached(org):
    """Each manager held a check-in in February and March 2030: their months may be confirmed
    without a note."""
    for manager in (org.manager_a1, org.manager_a2, org.manager_b1):
        for month in (2, 3):
            make.check_in(manager, org.rep_a1a, at(4, month=month), held_at=at(4, month=month))


# --- decisions -------------------------------------------------------------------------------

def test_leader_confirms_a_manager_for_a_month(org, coached):
    review = reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    assert (review.decision, review.period_start, review.period_end) == (
        ReviewDecision.CONFIRMED, MARCH, date(2030, 3, 31))
    assert _audits("review.confirm") == 1
    [note] = _notes(org.manager_a1, reviews.CONFIRMED_KIND)
    assert "March 2030" in note.subject and note.link == f"/reinforcement/reviews/{review.id}"


def test_an_executive_reviews_a_manager_deeper_down(org, coached):
    review = reviews.confirm_reinforcement(org.manager_b1, MARCH, by=org.exec, now=NOW)
    assert review.leader_id == org.exec.id


@pytest.mark.parametrize(("by", "manager", "day", "field", "words"), [
    ("leader_a", "manager_b1", MARCH, "manager_id", "is not under you"),
    ("leader_a", "rep_a1a", MARCH, "manager_id", "is not a manager"),
    ("leader_a", "leader_a", MARCH, "manager_id", "is not a manager"),
    ("manager_a1", "manager_a1", MARCH, "manager_id", "Only leaders and executives"),
    ("leader_a", "manager_a1", date(2030, 4, 1), "period_start", "has not begun"),
    ("leader_a", "manager_a1", date(2030, 3, 2), "period_start", "calendar month"),
])
def test_confirmation_refused_with_a_clear_message_and_nothing_written(org, by, manager, day,
                                                                      field, words):
    with pytest.raises(ValidationError, match=words) as refused:
        reviews.confirm_reinforcement(getattr(org, manager), day, by=getattr(org, by), now=NOW)
    assert refused.value.field == field
    assert _count(LeaderReview) == 0 and _count(Notification) == 0
    assert _audits("review.confirm") == 0


def test_a_second_decision_of_the_same_kind_is_refused(org, coached):
    reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    with pytest.raises(ValidationError, match="already confirmed"):
        reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    # Another month, or another leader above, decides on their own.
    reviews.confirm_reinforcement(org.manager_a1, date(2030, 2, 1), by=org.leader_a, now=NOW)
    reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.exec, now=NOW)
    assert _count(LeaderReview) == 3


def test_feedback_needs_text_and_is_emailed_to_the_manager(org):
    with pytest.raises(ValidationError, match="Write the feedback") as refused:
        reviews.send_feedback(org.manager_a1, MARCH, "   ", by=org.leader_a, now=NOW)
    assert refused.value.field == "feedback" and _count(LeaderReview) == 0
    review = reviews.send_feedback(org.manager_a1, MARCH, "Hold the 1:1s on the day.",
                                   by=org.leader_a, now=NOW)
    assert (review.decision, review.feedback) == (ReviewDecision.FEEDBACK,
                                                   "Hold the 1:1s on the day.")
    [note] = _notes(org.manager_a1, reviews.FEEDBACK_KIND)
    assert note.body == "Hold the 1:1s on the day."
    assert db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.notification_id == note.id)) is not None


def test_feedback_may_replace_a_confirmation_and_be_revised_until_acknowledged(org, coached):
    confirmed = reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    review = reviews.send_feedback(org.manager_a1, MARCH, "First thoughts.", by=org.leader_a,
                                   now=NOW)
    assert review.id == confirmed.id and review.decision == ReviewDecision.FEEDBACK
    reviews.send_feedback(org.manager_a1, MARCH, "Better put.", by=org.leader_a, now=NOW)
    assert review.feedback == "Better put." and _audits("review.revise") == 2
    with pytest.raises(ValidationError, match="already sent feedback"):
        reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    reviews.acknowledge_feedback(review, by=org.manager_a1, now=NOW)
    with pytest.raises(ValidationError, match="it is final"):
        reviews.send_feedback(org.manager_a1, MARCH, "Changed my mind.", by=org.leader_a,
                              now=NOW)
    assert review.feedback == "Better put."


def test_the_same_feedback_sent_again_changes_and_tells_nothing(org, coached):
    review = reviews.send_feedback(org.manager_a1, MARCH, "Agendas earlier.", by=org.leader_a,
                                   now=NOW)
    db.session.flush()
    again = reviews.send_feedback(org.manager_a1, MARCH, "  Agendas earlier. ", by=org.leader_a,
                                  now=NOW)
    assert again is review and review.feedback == "Agendas earlier."
    assert _audits("review.revise") == 0
    assert len(_notes(org.manager_a1, reviews.FEEDBACK_KIND)) == 1
    reviews.send_feedback(org.manager_a1, MARCH, "Agendas the day before.", by=org.leader_a,
                          now=NOW)
    assert _audits("review.revise") == 1
    assert len(_notes(org.manager_a1, reviews.FEEDBACK_KIND)) == 2


def test_only_the_manager_acknowledges_feedback_and_only_once(org, coached):
    review = reviews.send_feedback(org.manager_a1, MARCH, "Agendas earlier.", by=org.leader_a,
                                   now=NOW)
    with pytest.raises(ValidationError, match="Only the manager"):
        reviews.acknowledge_feedback(review, by=org.leader_a)
    reviews.acknowledge_feedback(review, by=org.manager_a1, now=NOW)
    assert review.acknowledged_at == NOW
    assert len(_notes(org.leader_a, reviews.ACKNOWLEDGED_KIND)) == 1
    with pytest.raises(ValidationError, match="already acknowledged"):
        reviews.acknowledge_feedback(review, by=org.manager_a1)
    confirmed = reviews.confirm_reinforcement(org.manager_a2, MARCH, by=org.leader_a, now=NOW)
    with pytest.raises(ValidationError, match="needs no acknowledgement"):
        reviews.acknowledge_feedback(confirmed, by=org.manager_a2)


def test_a_leaders_shared_coaching_scorecard_can_be_attached(org, coached):
    scorecard = make.coaching_scorecard(org.leader_a, org.manager_a1)
    review = reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW,
                                           observation=scorecard)
    assert review.observation_id == scorecard.id
    other = reviews.confirm_reinforcement(org.manager_a2, MARCH, by=org.leader_a, now=NOW)
    later = make.coaching_scorecard(org.leader_a, org.manager_a2)
    reviews.attach_observation(other, later, by=org.leader_a)
    assert other.observation_id == later.id and _audits("review.attach") == 1


@pytest.mark.parametrize("which", ["draft", "someone else's", "of another manager"])
def test_a_scorecard_that_does_not_fit_is_refused(org, which):
    scorecard = {
        "draft": lambda: make.coaching_scorecard(org.leader_a, org.manager_a1, shared=False),
        "someone else's": lambda: make.coaching_scorecard(org.exec, org.manager_a1),
        "of another manager": lambda: make.coaching_scorecard(org.leader_a, org.manager_a2),
    }[which]()
    with pytest.raises(ValidationError) as refused:
        reviews.send_feedback(org.manager_a1, MARCH, "Text", by=org.leader_a, now=NOW,
                              observation=scorecard)
    assert refused.value.field == "observation_id" and _count(LeaderReview) == 0


def test_board_lists_the_managers_under_the_leader_with_figures_and_decisions(org):
    make.check_in(org.manager_a1, org.rep_a1a, at(3), held_at=at(3), prepared_at=at(2))
    reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW)
    lines = reviews.board(org.leader_a, Period("month", MARCH), now=NOW)
    assert [line.manager.id for line in lines] == [org.manager_a1.id, org.manager_a2.id]
    assert lines[0].review.decision == ReviewDecision.CONFIRMED and lines[1].review is None
    assert lines[0].row.figures.held_share == 100


def test_board_query_count_does_not_grow_with_managers(org, count_queries):
    period = Period("month", MARCH)
    with count_queries() as few:
        reviews.board(org.leader_a, period, now=NOW)
    for n in range(8):
        manager = factories.person(level=Level.MANAGER, manager=org.leader_a)
        rep = factories.person(manager=manager)
        make.check_in(manager, rep, at(2 + n), held_at=at(2 + n))
        reviews.confirm_reinforcement(manager, MARCH, by=org.leader_a, now=NOW)
    db.session.flush()
    with count_queries() as many:
        lines = reviews.board(org.leader_a, period, now=NOW)
    assert len(lines) == 10 and few.count == many.count == 5


def test_shared_check_ins_never_carry_private_notes(org):
    make.check_in(org.manager_a1, org.rep_a1a, at(3), held_at=at(3), shared="Agreed: 5 calls",
                  private=PRIVATE)
    [shared] = reviews.shared_check_ins(org.manager_a1, Period("month", MARCH))
    assert shared.shared_notes == "Agreed: 5 calls"
    assert PRIVATE not in repr(shared) and not hasattr(shared, "private_notes")


# --- pages -----------------------------------------------------------------------------------

def _this_month() -> date:
    """The month the review pages open on: the last complete one."""
    return Period("month", utcnow().date().replace(day=1)).shifted(-1).start


def _moment(day: int = 1) -> datetime:
    start = _this_month()
    return datetime(start.year, start.month, day, 9, tzinfo=NOW.tzinfo)


def _held_last_month(*managers) -> None:
    for manager in managers:
        make.check_in(manager, factories.person(manager=manager), _moment(), held_at=_moment())


def test_leader_review_page_lists_managers_under_them_only(client, login, org):
    _held_last_month(org.manager_a1, org.manager_a2)
    login(org.leader_a)
    html = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert org.manager_a1.name in html and org.manager_a2.name in html
    assert org.manager_b1.name not in html
    assert html.count("/confirm") == 2


def test_review_pages_refuse_out_of_sight_and_non_managers(client, login, org):
    login(org.leader_a)
    assert client.get(f"/reinforcement/reviews/managers/{org.manager_b1.id}").status_code == 404
    assert client.get(f"/reinforcement/reviews/managers/{org.rep_a1a.id}").status_code == 403
    response = client.post(f"/reinforcement/reviews/managers/{org.manager_b1.id}/confirm",
                           data={"month": _this_month().strftime("%Y-%m")})
    assert response.status_code == 404 and _count(LeaderReview) == 0


def test_manager_page_shows_shared_notes_not_private_ones(client, login, org):
    make.check_in(org.manager_a1, org.rep_a1a, _moment(), held_at=_moment(),
                  shared="We agreed on **five** proposals", private=PRIVATE)
    login(org.leader_a)
    response = client.get(f"/reinforcement/reviews/managers/{org.manager_a1.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>five</strong>" in html and PRIVATE not in html
    assert org.rep_a1a.name in html


def test_confirm_over_http_then_the_buttons_give_way(client, login, org):
    _held_last_month(org.manager_a1, org.manager_a2)
    login(org.leader_a)
    month = _this_month().strftime("%Y-%m")
    response = client.post(f"/reinforcement/reviews/managers/{org.manager_a1.id}/confirm",
                           data={"month": month})
    assert response.status_code == 302
    review = db.session.scalar(select(LeaderReview))
    assert (review.manager_id, review.decision) == (org.manager_a1.id, "confirmed")
    html = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert html.count("/confirm") == 1 and "Confirmed" in html


def test_confirming_a_future_month_over_http_is_refused(client, login, org):
    login(org.leader_a)
    future = Period("month", _this_month()).shifted(2).key
    response = client.post(f"/reinforcement/reviews/managers/{org.manager_a1.id}/confirm",
                           data={"month": future}, follow_redirects=True)
    assert "has not begun" in response.get_data(as_text=True)
    assert _count(LeaderReview) == 0


def test_feedback_without_text_shows_the_error_and_writes_nothing(client, login, org):
    login(org.leader_a)
    response = client.post(f"/reinforcement/reviews/managers/{org.manager_a1.id}/feedback",
                           data={"month": _this_month().strftime("%Y-%m"), "feedback": ""})
    assert response.status_code == 422
    assert "Write the feedback" in response.get_data(as_text=True)
    assert _count(LeaderReview) == 0


def test_manager_reads_and_acknowledges_feedback_once(client, login, org):
    review = reviews.send_feedback(org.manager_a1, _this_month(), "Prepare the day before.",
                                   by=org.leader_a)
    db.session.commit()
    login(org.manager_a1)
    html = client.get("/reinforcement/feedback/").get_data(as_text=True)
    assert "Prepare the day before." in html and f"/reviews/{review.id}/acknowledge" in html
    response = client.post(f"/reinforcement/reviews/{review.id}/acknowledge")
    assert response.status_code == 302 and review.acknowledged_at is not None
    html = client.get(f"/reinforcement/reviews/{review.id}").get_data(as_text=True)
    assert "Feedback acknowledged" in html and "/acknowledge" not in html


def test_the_leader_cannot_acknowledge_and_sees_no_button(client, login, org):
    review = reviews.send_feedback(org.manager_a1, _this_month(), "Text", by=org.leader_a)
    db.session.commit()
    login(org.leader_a)
    assert "/acknowledge" not in client.get(
        f"/reinforcement/reviews/{review.id}").get_data(as_text=True)
    assert client.post(f"/reinforcement/reviews/{review.id}/acknowledge").status_code == 403
    assert review.acknowledged_at is None


def test_a_rep_sees_no_review_tab_and_is_refused(client, login, org):
    login(org.rep_a1a)
    html = client.get("/reinforcement/feedback/").get_data(as_text=True)
    assert "/reinforcement/reviews/" not in html and "/reinforcement/adherence/" not in html
    assert client.get("/reinforcement/reviews/").status_code == 403


def test_review_page_query_count_does_not_grow_with_managers(client, login, org,
                                                             count_queries):
    login(org.leader_a)
    client.get("/reinforcement/reviews/")
    with count_queries() as few:
        client.get("/reinforcement/reviews/")
    for _ in range(6):
        manager = factories.person(level=Level.MANAGER, manager=org.leader_a)
        make.check_in(manager, factories.person(manager=manager), _moment(), held_at=_moment())
        reviews.send_feedback(manager, _this_month(), "Text", by=org.leader_a)
    db.session.commit()
    client.get("/reinforcement/reviews/")  # the emails queued above go out after this one
    with count_queries() as many:
        html = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert html.count("Feedback sent") == 6 and few.count == many.count


# --- the rules -------------------------------------------------------------------------------

@pytest.mark.parametrize(("actor", "manager", "allowed"), [
    ("leader_a", "manager_a1", True), ("leader_a", "manager_a2", True),
    ("leader_a", "manager_b1", False), ("leader_a", "rep_a1a", False),
    ("leader_a", "leader_a", False), ("exec", "manager_b1", True),
    ("manager_a1", "manager_a1", False), ("admin", "manager_b1", False),
    ("leader_b", "manager_a1", False)])
def test_review_decide_is_for_leaders_above_the_manager(org, actor, manager, allowed):
    assert authz.can(getattr(org, actor), "review.decide", getattr(org, manager)) is allowed


@pytest.mark.parametrize(("actor", "review_decide", "adherence_report"), [
    ("rep_a1a", False, False), ("manager_a1", False, True), ("leader_a", True, True),
    ("exec", True, True), ("admin", True, True)])
def test_rules_without_an_object_follow_the_level(org, actor, review_decide, adherence_report):
    person = getattr(org, actor)
    assert authz.can(person, "review.decide") is review_decide
    assert authz.can(person, "adherence.report") is adherence_report


def test_an_admin_rep_may_read_adherence_reports(org):
    assert authz.can(factories.admin(level=Level.REP), "adherence.report")


@pytest.mark.parametrize(("actor", "view", "acknowledge"), [
    ("manager_a1", True, True), ("leader_a", True, False), ("exec", True, False),
    ("admin", True, False), ("leader_b", False, False), ("rep_a1a", False, False),
    ("manager_a2", False, False)])
def test_a_review_is_seen_above_the_manager_and_acknowledged_by_them(org, actor, view,
                                                                    acknowledge):
    review = make.review(org.leader_a, org.manager_a1)
    person = getattr(org, actor)
    assert authz.can(person, "review.view", review) is view
    assert authz.can(person, "review.acknowledge", review) is acknowledge


def test_a_confirmation_is_not_for_acknowledging(org):
    review = make.review(org.leader_a, org.manager_a1, decision=ReviewDecision.CONFIRMED)
    assert not authz.can(org.manager_a1, "review.acknowledge", review)


def test_visible_reviews_are_scoped_in_sql(org):
    mine = make.review(org.leader_a, org.manager_a1)
    theirs = make.review(org.leader_b, org.manager_b1)
    seen = {r.id for r in db.session.scalars(authz.visible(select(LeaderReview), org.leader_a))}
    assert seen == {mine.id}
    assert {r.id for r in db.session.scalars(
        authz.visible(select(LeaderReview), org.admin))} == {mine.id, theirs.id}
    assert {r.id for r in db.session.scalars(
        authz.visible(select(LeaderReview), org.rep_a1a))} == set()


def test_no_leader_page_or_answer_shows_private_notes(client, login, org):
    make.check_in(org.manager_a1, org.rep_a1a, _moment(), held_at=_moment(),
                  shared="Shared line", private=PRIVATE)
    review = reviews.send_feedback(org.manager_a1, _this_month(), "Text", by=org.leader_a)
    db.session.commit()
    month = _this_month().strftime("%Y-%m")
    pages = ["/reinforcement/reviews/", f"/reinforcement/reviews/managers/{org.manager_a1.id}",
             f"/reinforcement/reviews/{review.id}", "/reinforcement/feedback/",
             f"/reinforcement/adherence/?start={month}",
             f"/reinforcement/adherence/?start={month}&format=csv&table=coaches",
             f"/reinforcement/adherence/?start={month}&format=csv&table=trend"]
    for person in (org.leader_a, org.exec, org.admin, org.manager_a1):
        login(person)
        for url in pages:
            response = client.get(url)
            assert PRIVATE not in response.get_data(as_text=True), (person.name, url)
        client.post("/logout")


def test_managers_get_the_rhythm_link_and_reps_do_not(client, login, org):
    login(org.manager_a1)
    assert 'href="/reinforcement/adherence/"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(org.rep_a1a)
    assert 'href="/reinforcement/adherence/"' not in client.get("/").get_data(as_text=True)


# --- a month without a check-in held ----------------------------------------------------------

def test_confirming_a_month_with_no_check_in_held_needs_a_note(org):
    # Scheduled but not held: the month has no coaching to confirm.
    make.check_in(org.manager_a1, org.rep_a1a, at(5))
    with pytest.raises(ValidationError, match="held no check-ins in March 2030") as refused:
        reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW,
                                      note="   ")
    assert refused.value.field == "note" and _count(LeaderReview) == 0
    review = reviews.confirm_reinforcement(org.manager_a1, MARCH, by=org.leader_a, now=NOW,
                                           note="Parental leave until the 28th.")
    assert review.note == "Parental leave until the 28th."
    [told] = _notes(org.manager_a1, reviews.CONFIRMED_KIND)
    assert told.body == "Parental leave until the 28th."


def test_review_pages_open_on_the_last_complete_month(client, login, org):
    login(org.leader_a)
    last = Period("month", _this_month())
    html = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert f"Review managers: {last.label}" in html
    html = client.get(f"/reinforcement/reviews/managers/{org.manager_a1.id}").get_data(
        as_text=True)
    assert f"coaching in {last.label}" in html


def test_a_month_without_check_ins_is_confirmed_over_http_only_with_a_note(client, login, switch,
                                                                          org):
    month = _this_month().strftime("%Y-%m")
    login(org.leader_a)
    board = client.get("/reinforcement/reviews/").get_data(as_text=True)
    assert "No check-ins held: confirm with a note" in board and "/confirm" not in board
    page = client.get(f"/reinforcement/reviews/managers/{org.manager_a1.id}").get_data(
        as_text=True)
    assert "held no check-ins in" in page and 'name="note"' in page

    url = f"/reinforcement/reviews/managers/{org.manager_a1.id}/confirm"
    refused = client.post(url, data={"month": month, "note": ""})
    assert refused.status_code == 422
    assert "say in a note why you confirm" in refused.get_data(as_text=True)
    assert _count(LeaderReview) == 0

    assert client.post(url, data={"month": month, "note": "On leave all month."}
                       ).status_code == 302
    review = db.session.scalar(select(LeaderReview))
    assert "Note: On leave all month." in client.get("/reinforcement/reviews/").get_data(
        as_text=True)
    switch(org.manager_a1)
    assert "On leave all month." in client.get("/reinforcement/feedback/").get_data(
        as_text=True)
    assert "On leave all month." in client.get(f"/reinforcement/reviews/{review.id}").get_data(
        as_text=True)
