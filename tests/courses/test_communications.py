"""Pre-training communication: composing, delivery, receipts, the permission rules and pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from courses.live import comm_delivery, programs
from courses.live import communications as comms
from courses.live import services as live
from courses.live.models import (
    Communication,
    CommunicationRecipient,
    CommunicationStatus,
    LiveSession,
)
from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.errors import NotAllowedError, ValidationError
from lms.extensions import db
from lms.notify.jobs import run_ready
from lms.notify.models import Channel, Notification, OutboxMessage
from lms.notify.preferences import save_preferences
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

Y, N = True, False
PARTS = {"what_you_learn": "How to run a **weekly** coaching 1:1.",
         "why_it_matters": "Reps who are coached weekly ramp twice as fast.",
         "how_work_changes": "- one 1:1 per rep a week\n- an agenda prepared ahead",
         "expected_results": "Win rate up 5 points by June."}


def make_session(by, *, days: float = 20, title: str = "Coaching kick-off") -> LiveSession:
    starts = utcnow().replace(microsecond=0) + timedelta(days=days)
    return live.create_session(live.SessionData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=2)), by=by)


def write(author, session=None, **fields) -> Communication:
    fields = {"subject": "Before the kick-off", **PARTS, **fields}
    return comms.schedule_communication(comms.CommunicationData(session=session, **fields),
                                        by=author)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def recipients_of(communication) -> set[int]:
    return set(db.session.scalars(select(CommunicationRecipient.user_id).where(
        CommunicationRecipient.communication_id == communication.id)))


@pytest.fixture
def kickoff(org):
    return make_session(org.admin)


@pytest.fixture
def program(org):
    program = programs.create_program(programs.ProgramData(
        name="Coaching rollout", starts_on=date(2031, 1, 6), ends_on=date(2031, 6, 30)),
        by=org.admin)
    programs.add_wave(program, programs.WaveData(number=1, name="Managers first",
                                                 opens_on=date(2031, 2, 3)), by=org.admin)
    db.session.flush()
    return program


# --- composing ------------------------------------------------------------------------------

def test_default_send_date_is_fourteen_days_before_the_session_and_audited(org, kickoff):
    communication = write(org.leader_a, kickoff)
    assert communication.status == CommunicationStatus.SCHEDULED
    assert communication.send_at == kickoff.starts_at - timedelta(days=14)
    assert comms.levels_of(communication) == ["manager"]
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "communication.schedule"))
    assert entry.object_id == communication.id and entry.actor_id == org.leader_a.id


def test_a_session_implies_its_program_and_wave(org, kickoff, program):
    wave = program.waves[0]
    programs.link_session(program, kickoff, wave, by=org.admin)
    communication = write(org.leader_a, kickoff)
    assert (communication.program_id, communication.wave_id) == (program.id, wave.id)


def test_default_for_a_wave_is_fourteen_days_before_it_opens_at_nine_local(org, program):
    org.leader_a.time_zone = "Europe/Berlin"  # 09:00 in Berlin in February is 08:00 UTC
    communication = write(org.leader_a, wave=program.waves[0])
    assert communication.program_id == program.id
    assert communication.send_at == datetime(2031, 1, 20, 8, 0, tzinfo=UTC)


def test_default_already_passed_means_now(org):
    soon = make_session(org.admin, days=5)
    before = utcnow()
    communication = write(org.leader_a, soon)
    assert before <= communication.send_at <= utcnow()


@pytest.mark.parametrize("part", [name for name, _label in comms.PARTS])
def test_a_missing_part_is_refused_and_nothing_written(org, kickoff, part):
    with pytest.raises(ValidationError, match="all four parts") as refused:
        write(org.leader_a, kickoff, **{part: "   "})
    assert refused.value.field == part
    assert count(Communication) == 0


def test_a_send_date_in_the_past_is_refused_and_nothing_written(org, kickoff):
    with pytest.raises(ValidationError, match="in the past") as refused:
        write(org.leader_a, kickoff, send_at=utcnow() - timedelta(days=1))
    assert refused.value.field == "send_at"
    assert count(Communication) == 0


def test_a_send_date_after_the_session_starts_is_refused(org, kickoff):
    with pytest.raises(ValidationError, match="before the session starts"):
        write(org.leader_a, kickoff, send_at=kickoff.starts_at + timedelta(hours=1))


def test_writing_to_people_outside_your_subtree_is_refused_and_nothing_written(org, kickoff):
    with pytest.raises(ValidationError, match="your own part of the organisation") as refused:
        write(org.leader_a, kickoff, audience_root=org.manager_b1)
    assert refused.value.field == "audience_root"
    assert count(Communication) == 0
    # an admin writes to any team
    assert write(org.admin, kickoff, audience_root=org.manager_b1).audience_root_id == \
        org.manager_b1.id


def test_it_must_be_about_something_upcoming(org, kickoff):
    with pytest.raises(ValidationError, match="which session, wave or program"):
        write(org.leader_a)
    live.cancel_session(kickoff, by=org.admin)
    with pytest.raises(ValidationError, match="cancelled"):
        write(org.leader_a, kickoff)
    assert count(Communication) == 0


def test_a_cancelled_program_or_its_waves_are_refused(org, program):
    programs.set_status(program, "cancelled", by=org.admin)
    for about in ({"program": program}, {"wave": program.waves[0]}):
        with pytest.raises(ValidationError, match="is cancelled"):
            write(org.leader_a, **about)
    assert count(Communication) == 0


@pytest.mark.parametrize("levels", [[], ["boss"]])
def test_bad_levels_are_refused(org, kickoff, levels):
    with pytest.raises(ValidationError) as refused:
        write(org.leader_a, kickoff, levels=levels)
    assert refused.value.field == "levels"


def test_a_manager_may_not_write(org, kickoff):
    with pytest.raises(NotAllowedError):
        write(org.manager_a1, kickoff)
    assert count(Communication) == 0


def test_edit_while_scheduled_is_audited_then_refused_once_sent(org, kickoff):
    communication = write(org.leader_a, kickoff)
    data = comms.CommunicationData(subject="New subject", session=kickoff, **PARTS)
    comms.update_communication(communication, data, by=org.leader_a)
    assert communication.subject == "New subject"
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "communication.update"))
    assert entry.changes["subject"] == ["Before the kick-off", "New subject"]
    comm_delivery.send_communication(communication, by=org.leader_a)
    with pytest.raises(ValidationError, match="already been sent"):
        comms.update_communication(communication, comms.CommunicationData(
            subject="Too late", session=kickoff, **PARTS), by=org.leader_a)
    with pytest.raises(ValidationError, match="already been sent"):
        comms.cancel_communication(communication, by=org.leader_a)
    db.session.refresh(communication)
    assert communication.subject == "New subject"
    assert communication.status == CommunicationStatus.SENT


def test_only_the_author_or_an_admin_changes_it(org, kickoff):
    communication = write(org.leader_a, kickoff)
    with pytest.raises(NotAllowedError):
        comms.cancel_communication(communication, by=org.exec)
    comms.cancel_communication(communication, by=org.admin)
    assert communication.status == CommunicationStatus.CANCELLED
    assert comm_delivery.send_due_communications(communication.send_at + timedelta(days=1)) == 0


# --- delivery -------------------------------------------------------------------------------

def test_recipients_are_the_chosen_levels_of_the_subtree_resolved_at_send_time(org, kickoff):
    communication = write(org.leader_a, kickoff)
    newcomer = factories.person(level="manager", manager=org.leader_a, name="Nina New")
    org.manager_a2.is_active = False
    db.session.flush()
    assert comm_delivery.send_communication(communication, by=org.leader_a) == 2
    assert recipients_of(communication) == {org.manager_a1.id, newcomer.id}


def test_audience_root_and_levels_choose_the_team(org, kickoff):
    communication = write(org.leader_a, kickoff, audience_root=org.manager_a1,
                          levels=["manager", "rep"])
    comm_delivery.send_communication(communication, by=org.leader_a)
    assert recipients_of(communication) == {org.manager_a1.id, org.rep_a1a.id, org.rep_a1b.id}


def test_delivery_notifies_and_emails_the_four_parts_with_a_link(org, kickoff):
    communication = write(org.leader_a, kickoff,
                          expected_results="Win rate up. <script>alert(1)</script>")
    comm_delivery.send_communication(communication, by=org.leader_a)
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == "communication.received")).all()
    assert {n.recipient_id for n in notes} == {org.manager_a1.id, org.manager_a2.id}
    assert notes[0].link == f"/courses/communications/{communication.id}"
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient_id == org.manager_a1.id))
    assert mail.subject == "Before the kick-off" and mail.notification_id is not None
    for label in ("What you will learn", "Why it matters", "How your work will change",
                  "The results we expect"):
        assert label in mail.body_text and label in mail.body_html
    assert "Reps who are coached weekly" in mail.body_text
    assert "<strong>weekly</strong>" in mail.body_html
    assert "<script>" not in mail.body_html
    assert f"https://cadence.test/courses/communications/{communication.id}" in mail.body_text


def test_preferences_apply_in_app_only_and_digest(org, kickoff):
    save_preferences(org.manager_a1, {"communication.received": Channel.IN_APP},
                     digest_hour=8, weekly_team_digest=False)
    save_preferences(org.manager_a2, {"communication.received": Channel.DIGEST},
                     digest_hour=8, weekly_team_digest=False)
    comm_delivery.send_communication(write(org.leader_a, kickoff), by=org.leader_a)
    assert count(OutboxMessage) == 0
    pending = dict(db.session.execute(select(Notification.recipient_id,
                                             Notification.digest_pending)).all())
    assert pending == {org.manager_a1.id: False, org.manager_a2.id: True}


def test_the_periodic_job_sends_what_is_due_once(org, kickoff):
    now = utcnow()
    due = write(org.leader_a, kickoff, send_at=now + timedelta(hours=1))
    later = write(org.leader_b, kickoff, send_at=now + timedelta(days=3))
    assert comm_delivery.send_due_communications(now + timedelta(hours=2)) == 1
    assert comm_delivery.send_due_communications(now + timedelta(hours=3)) == 0
    assert due.status == CommunicationStatus.SENT and later.status == "scheduled"
    assert count(CommunicationRecipient) == 2
    assert count(Notification) == 2


def test_a_communication_another_runner_claimed_is_not_sent_twice(org, kickoff):
    communication = write(org.leader_a, kickoff)
    # Another process claims it first: this session's copy still says "scheduled".
    db.session.execute(update(Communication).where(Communication.id == communication.id)
                       .values(status="sent").execution_options(synchronize_session=False))
    assert communication.status == CommunicationStatus.SCHEDULED
    with pytest.raises(ValidationError, match="already been sent"):
        comm_delivery.send_communication(communication, by=org.leader_a)
    assert count(CommunicationRecipient) == 0 and count(Notification) == 0


def test_send_records_the_time_given(org, kickoff):
    communication = write(org.leader_a, kickoff)
    when = utcnow() - timedelta(days=3)
    comm_delivery.send_communication(communication, now=when)
    assert communication.sent_at == when
    delivered = set(db.session.scalars(select(CommunicationRecipient.delivered_at)))
    assert delivered == {when}


def test_sending_costs_the_same_queries_for_two_or_twenty_people(org, kickoff,
                                                                  count_queries):
    def cost(extra: int) -> int:
        leader = factories.person(level="leader", manager=org.exec)
        for _ in range(extra):
            factories.person(level="manager", manager=leader)
        communication = write(leader, kickoff)
        with count_queries() as counter:
            comm_delivery.send_communication(communication, by=leader)
            db.session.flush()
        return counter.count
    assert cost(2) == cost(20)


# --- receipts -------------------------------------------------------------------------------

@pytest.fixture
def sent(org, kickoff):
    communication = write(org.leader_a, kickoff)
    comm_delivery.send_communication(communication, by=org.leader_a)
    return communication


def test_opened_is_set_the_first_time_only(org, sent):
    mine = comms.receipt(sent, org.manager_a1)
    first = utcnow() - timedelta(hours=1)
    assert comms.mark_opened(mine, now=first) is True
    assert comms.mark_opened(mine) is False
    assert mine.opened_at == first
    other = comms.receipt(sent, org.manager_a2)
    # Opened meanwhile elsewhere (another tab): this copy is stale, the first time stays.
    db.session.execute(update(CommunicationRecipient).where(
        CommunicationRecipient.id == other.id).values(opened_at=first)
        .execution_options(synchronize_session=False))
    assert comms.mark_opened(other) is False
    assert other.opened_at == first
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "communication.open")) == 1


def test_acknowledge_once_with_a_question_for_the_author(org, sent):
    mine = comms.acknowledge(sent, org.manager_a1, question="  Do reps come too?  ")
    assert mine.acknowledged_at is not None and mine.opened_at is not None
    assert mine.question == "Do reps come too?"
    asked = db.session.scalar(select(Notification).where(
        Notification.kind == "communication.question"))
    assert asked.recipient_id == org.leader_a.id and "Do reps come too?" in asked.body
    with pytest.raises(ValidationError, match="already acknowledged"):
        comms.acknowledge(sent, org.manager_a1, question="Another one")
    assert mine.question == "Do reps come too?"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "communication.acknowledge")) == 1


def test_acknowledging_without_a_question_tells_nobody(org, sent):
    comms.acknowledge(sent, org.manager_a2)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "communication.question")) == 0


def test_only_a_recipient_acknowledges(org, sent):
    with pytest.raises(NotAllowedError):
        comms.acknowledge(sent, org.rep_a1a)


def test_tracking_is_one_query(org, sent, count_queries):
    comms.acknowledge(sent, org.manager_a1, question="When?")
    comms.mark_opened(comms.receipt(sent, org.manager_a2))
    db.session.flush()
    with count_queries() as counter:
        tracked = comms.tracking(sent)
        names = [row.user.name for row in tracked.rows]
    assert counter.count == 1
    assert names == ["Dana Reyes", "Max Manager"]
    assert (tracked.received, tracked.opened, tracked.acknowledged) == (2, 2, 1)
    assert [row.question for row in tracked.questions] == ["When?"]
    assert comms.counts_for([sent.id])[sent.id] == comms.Counts(2, 2, 1)


# --- the permission rules -------------------------------------------------------------------

ACTORS = ("leader_a", "exec", "manager_a1", "rep_a1a", "leader_b", "manager_b1", "admin")
#                        author above recipient below peer other admin
RULES = {
    "communication.view":        (Y, Y, Y, N, N, N, Y),
    "communication.manage":      (Y, N, N, N, N, N, Y),
    "communication.acknowledge": (N, N, Y, N, N, N, N),
}
WRITE = {"rep_a1a": N, "manager_a1": N, "leader_a": Y, "exec": Y, "admin": Y}


def test_every_communication_rule_is_tested():
    assert {a for a in authz.RULES if a.startswith("communication.")} == \
        set(RULES) | {"communication.write"}


@pytest.mark.parametrize("action", RULES)
def test_rule_over_the_relationships(org, sent, action):
    actual = tuple(authz.can(getattr(org, actor), action, sent) for actor in ACTORS)
    assert actual == RULES[action]


def test_write_is_for_leaders_executives_and_admins(org):
    assert {name: authz.can(getattr(org, name), "communication.write") for name in WRITE} == \
        WRITE


def test_lists_are_scoped_like_single_objects(org, sent):
    other = write(org.leader_b, make_session(org.admin, title="West kick-off"))
    for name in ACTORS:
        actor = getattr(org, name)
        listed = set(db.session.scalars(authz.visible(select(Communication.id), actor,
                                                      Communication)))
        assert listed == {c.id for c in (sent, other) if authz.can_see(actor, c)}, name


# --- pages ----------------------------------------------------------------------------------

def form_data(session, **fields) -> dict:
    return {"about": f"session:{session.id}", "subject": "Before the kick-off",
            "levels": "manager", "schedule": "Schedule", **PARTS, **fields}


def test_compose_page_starts_from_the_session_and_its_default_date(client, login, org,
                                                                   kickoff):
    login(org.leader_a)
    html = client.get(f"/courses/communications/new?session={kickoff.id}").get_data(
        as_text=True)
    assert f'selected value="session:{kickoff.id}"' in html
    assert 'value="Before “Coaching kick-off”"' in html
    default = kickoff.starts_at - timedelta(days=14)
    assert f'value="{default:%Y-%m-%dT%H:%M}"' in html
    for label in ("What you will learn", "Why it matters",
                  "How your work will change afterwards", "The results we expect"):
        assert label in html


def test_compose_ignores_a_session_out_of_sight(client, login, org, kickoff):
    live.cancel_session(kickoff, by=org.admin)  # only admins and its facilitator see it now
    db.session.commit()
    login(org.leader_a)
    html = client.get(f"/courses/communications/new?session={kickoff.id}").get_data(
        as_text=True)
    assert "Coaching kick-off" not in html


def test_compose_schedules_and_shows_the_message(client, login, org, kickoff):
    login(org.leader_a)
    response = client.post("/courses/communications/new", data=form_data(kickoff))
    communication = db.session.scalar(select(Communication))
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/communications/{communication.id}")
    html = client.get(response.location).get_data(as_text=True)
    assert "<strong>weekly</strong>" in html and "would reach <strong>2</strong>" in html


@pytest.mark.parametrize(("fields", "message"), [
    (lambda org: {"expected_results": ""}, "The results we expect"),
    (lambda org: {"send_at": "2001-01-01T09:00"}, "in the past"),
    (lambda org: {"audience_root": org.manager_b1.email}, "your own part of the organisation"),
    (lambda org: {"audience_root": "nobody@example.test"}, "Nobody has that email"),
])
def test_compose_bad_input_is_shown_and_nothing_written(client, login, org, kickoff, fields,
                                                       message):
    fields = fields(org)
    login(org.leader_a)
    response = client.post("/courses/communications/new", data=form_data(kickoff, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Communication) == 0


def test_send_now_sends_at_once(client, login, org, kickoff):
    login(org.leader_a)
    client.post("/courses/communications/new", data={**form_data(kickoff),
                                                     "send_now": "Send now"})
    communication = db.session.scalar(select(Communication))
    assert communication.status == CommunicationStatus.SENT
    assert recipients_of(communication) == {org.manager_a1.id, org.manager_a2.id}


def test_recipient_opens_and_acknowledges_once(client, login, org, sent):
    login(org.manager_a1)
    html = client.get(f"/courses/communications/{sent.id}").get_data(as_text=True)
    assert "I&#39;ve read this and I&#39;m ready" in html or "I've read this" in html
    assert "Who received, opened and acknowledged" not in html
    mine = comms.receipt(sent, org.manager_a1)
    opened = mine.opened_at
    assert opened is not None
    client.get(f"/courses/communications/{sent.id}")
    assert comms.receipt(sent, org.manager_a1).opened_at == opened
    client.post(f"/courses/communications/{sent.id}/acknowledge",
                data={"question": "Is there a pre-read?"})
    assert comms.receipt(sent, org.manager_a1).question == "Is there a pre-read?"
    again = client.post(f"/courses/communications/{sent.id}/acknowledge",
                        data={"question": "Changed"}, follow_redirects=True)
    assert "already acknowledged" in again.get_data(as_text=True)
    assert comms.receipt(sent, org.manager_a1).question == "Is there a pre-read?"


def test_author_sees_tracking_and_questions(client, login, org, sent):
    comms.acknowledge(sent, org.manager_a2, question="Can my reps join?")
    login(org.leader_a)
    html = client.get(f"/courses/communications/{sent.id}").get_data(as_text=True)
    assert "Who received, opened and acknowledged" in html
    assert "Can my reps join?" in html and "Dana Reyes" in html
    assert f"/courses/communications/{sent.id}/acknowledge" not in html


@pytest.mark.parametrize(("who", "page", "status"), [
    ("rep_b1a", "", 404), ("leader_b", "", 404), ("rep_a1a", "", 404),
    ("manager_a1", "/edit", 403), ("exec", "", 200), ("exec", "/edit", 403),
])
def test_pages_follow_the_rules(client, login, org, kickoff, who, page, status):
    communication = write(org.leader_a, kickoff)
    comm_delivery.send_communication(communication, by=org.leader_a)
    login(getattr(org, who))
    assert client.get(f"/courses/communications/{communication.id}{page}").status_code == status


def test_a_sent_communication_cannot_be_edited_or_cancelled_from_the_pages(client, login, org,
                                                                          sent):
    login(org.leader_a)
    html = client.get(f"/courses/communications/{sent.id}").get_data(as_text=True)
    assert f"/courses/communications/{sent.id}/cancel" not in html
    edit = client.get(f"/courses/communications/{sent.id}/edit", follow_redirects=True)
    assert "can no longer be changed" in edit.get_data(as_text=True)
    cancel = client.post(f"/courses/communications/{sent.id}/cancel", follow_redirects=True)
    assert "already been sent" in cancel.get_data(as_text=True)
    assert sent.status == CommunicationStatus.SENT


def test_edit_and_cancel_while_scheduled(client, login, org, kickoff):
    communication = write(org.leader_a, kickoff)
    login(org.leader_a)
    page = client.get(f"/courses/communications/{communication.id}/edit").get_data(
        as_text=True)
    assert "Before the kick-off" in page
    assert re.search(r'<input[^>]*value="manager"[^>]* checked', page)
    assert not re.search(r'<input[^>]*value="rep"[^>]* checked', page)
    client.post(f"/courses/communications/{communication.id}/edit",
                data=form_data(kickoff, subject="Updated subject"))
    assert communication.subject == "Updated subject"
    client.post(f"/courses/communications/{communication.id}/cancel")
    assert communication.status == CommunicationStatus.CANCELLED


def test_list_shows_what_i_wrote_and_received_in_constant_queries(client, login, org,
                                                                  count_queries):
    def page_cost(sessions: int) -> int:
        for number in range(sessions):
            written = write(org.leader_a, make_session(org.admin, title=f"Session {number}"))
            comm_delivery.send_communication(written, by=org.leader_a)
            received = write(org.exec, make_session(org.admin), levels=["leader"])
            comm_delivery.send_communication(received, by=org.exec)
        db.session.commit()
        run_ready()  # deliver the emails now, not during the page under test
        with count_queries() as counter:
            html = client.get("/courses/communications").get_data(as_text=True)
        assert "What I wrote" in html and "What I received" in html
        return counter.count
    login(org.leader_a)
    assert page_cost(1) == page_cost(4)
    html = client.get("/courses/communications").get_data(as_text=True)
    assert "Acknowledge: I&#39;m ready" in html or "Acknowledge: I'm ready" in html


def test_write_button_on_session_and_program_pages_for_writers_only(
        client, login, org, kickoff, program):
    session_page, program_page = (f"/courses/sessions/{kickoff.id}",
                                  f"/courses/programs/{program.id}")
    login(org.leader_a)
    assert f"/courses/communications/new?session={kickoff.id}" in client.get(
        session_page).get_data(as_text=True)
    assert f"/courses/communications/new?program={program.id}" in client.get(
        program_page).get_data(as_text=True)
    assert 'href="/courses/communications"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(org.manager_a1)
    html = client.get(session_page).get_data(as_text=True)
    assert "/courses/communications/new" not in html
    # Everyone reaches what they received from the account menu; only writers get "new".
    assert 'href="/courses/communications"' in html
    assert client.get(f"/courses/communications/new?session={kickoff.id}").status_code == 403


# --- Home -----------------------------------------------------------------------------------

def test_home_asks_a_recipient_to_read_until_acknowledged(client, login, org, sent):
    login(org.manager_a1)
    assert "Read “Before the kick-off”" in client.get("/").get_data(as_text=True)
    comms.acknowledge(sent, org.manager_a1)
    db.session.commit()
    assert "Read “Before the kick-off”" not in client.get("/").get_data(as_text=True)


def test_home_asks_a_leader_to_write_about_an_upcoming_session(client, login, org, kickoff,
                                                               program):
    programs.link_session(program, kickoff, None, by=org.admin)
    live.register(org.rep_a1a, kickoff, by=org.admin)
    far = make_session(org.admin, days=40, title="Far away")
    live.register(org.rep_a1b, far, by=org.admin)
    other = make_session(org.admin, days=10, title="Other session")
    programs.link_session(program, other, None, by=org.admin)
    db.session.commit()
    login(org.leader_a)
    step = "Write to your managers about “Coaching kick-off”"
    html = client.get("/").get_data(as_text=True)
    assert step in html and "Far away" not in html
    write(org.leader_a, other)  # another session of the same program does not count
    db.session.commit()
    assert step in client.get("/").get_data(as_text=True)
    write(org.leader_a, program=program)  # the program as a whole does
    db.session.commit()
    assert step not in client.get("/").get_data(as_text=True)
