"""People services keep the reports-to tree valid and leave an audit trail."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.auth.models import ApiToken
from lms.auth.services import create_api_token
from lms.errors import TreeError, ValidationError
from lms.people.models import Level, User
from lms.people.services import (
    PersonData,
    create_person,
    deactivate_person,
    reactivate_person,
    reassign_reports,
    update_person,
)
from tests import factories
from tests.factories import PASSWORD


def data_of(person: User, **changes) -> PersonData:
    """What the edit form would send for ``person``, with ``changes``."""
    current = PersonData(email=person.email, name=person.name, job_title=person.job_title,
                         level=Level(person.level), manager_id=person.manager_id,
                         is_admin=person.is_admin, is_facilitator=person.is_facilitator,
                         time_zone=person.time_zone)
    return replace(current, **changes)


def entries(session, action: str, person: User) -> list[AuditEntry]:
    return session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == "User",
        AuditEntry.object_id == person.id).order_by(AuditEntry.id)).all()


# --- create ------------------------------------------------------------------------------------

def test_create_adds_the_person_under_their_manager_and_audits_it(session, org):
    person = create_person(PersonData(email="Nia.New@Example.com", name="Nia New",
                                      level=Level.REP, manager_id=org.manager_a1.id),
                           by=org.admin)
    assert person.id is not None and person.manager == org.manager_a1
    assert person.email == "nia.new@example.com"
    [entry] = entries(session, "person.create", person)
    assert entry.actor_id == org.admin.id
    assert entry.changes["email"] == [None, "nia.new@example.com"]
    assert entry.changes["manager_id"] == [None, org.manager_a1.id]


@pytest.mark.parametrize("email", ["dana.reyes@example.com", "DANA.Reyes@Example.COM",
                                   "  dana.reyes@example.com "])
def test_email_is_unique_whatever_its_case(session, org, email):
    create_person(PersonData(email="dana.reyes@example.com", name="First"), by=org.admin)
    with pytest.raises(ValidationError) as refused:
        create_person(PersonData(email=email, name="Second"), by=org.admin)
    assert refused.value.field == "email"
    assert session.scalars(select(User).where(User.name == "Second")).all() == []


@pytest.mark.parametrize(("level", "manager", "allowed"), [
    (Level.REP, "manager_a1", True),
    (Level.REP, "leader_a", True),  # skipping a level is fine: they still outrank
    (Level.MANAGER, "manager_a1", False),
    (Level.LEADER, "manager_a1", False),
    (Level.LEADER, "leader_a", False),
    (Level.MANAGER, "rep_a1a", False),
    (Level.EXECUTIVE, "exec", True),  # a VP may report to the CSO
    (Level.EXECUTIVE, "leader_a", False),
])
def test_manager_must_outrank_the_report(session, org, level, manager, allowed):
    data = PersonData(email="new@example.com", name="New", level=level,
                      manager_id=getattr(org, manager).id)
    if allowed:
        assert create_person(data, by=org.admin).manager == getattr(org, manager)
    else:
        with pytest.raises(TreeError) as refused:
            create_person(data, by=org.admin)
        assert refused.value.field == "manager_id"


def test_unknown_or_deactivated_manager_is_refused(session, org):
    with pytest.raises(TreeError, match="does not exist"):
        create_person(PersonData(email="a@example.com", name="A", manager_id=999_999),
                      by=org.admin)
    org.manager_b1.is_active = False
    with pytest.raises(TreeError, match="deactivated"):
        create_person(PersonData(email="b@example.com", name="B",
                                 manager_id=org.manager_b1.id), by=org.admin)


def test_unknown_time_zone_is_refused(session, org):
    with pytest.raises(ValidationError) as refused:
        create_person(PersonData(email="a@example.com", name="A", time_zone="Mars/Olympus"),
                      by=org.admin)
    assert refused.value.field == "time_zone"


# --- update ------------------------------------------------------------------------------------

def test_update_records_only_the_changed_fields(session, org):
    rep = org.rep_a1a
    update_person(rep, data_of(rep, job_title="Senior seller", manager_id=org.manager_a2.id),
                  by=org.admin)
    session.flush()
    [entry] = entries(session, "person.update", rep)
    assert entry.changes == {"job_title": ["", "Senior seller"],
                             "manager_id": [org.manager_a1.id, org.manager_a2.id]}
    assert rep.manager_id == org.manager_a2.id


def test_update_without_changes_writes_no_audit_entry(session, org):
    update_person(org.rep_a1a, data_of(org.rep_a1a), by=org.admin)
    assert entries(session, "person.update", org.rep_a1a) == []


def test_update_may_keep_ones_own_email_but_not_take_anothers(session, org):
    rep = org.rep_a1a
    update_person(rep, data_of(rep, email=rep.email.upper()), by=org.admin)
    with pytest.raises(ValidationError):
        update_person(rep, data_of(rep, email=org.rep_a1b.email.upper()), by=org.admin)


def test_reporting_to_oneself_is_a_cycle(session, org):
    exec_ = org.exec
    with pytest.raises(TreeError, match="cycle"):
        update_person(exec_, data_of(exec_, manager_id=exec_.id), by=org.admin)


def test_reporting_to_someone_below_is_a_cycle_and_changes_nothing(session, org):
    vp = factories.person(level=Level.EXECUTIVE, manager=org.exec)
    deep_vp = factories.person(level=Level.EXECUTIVE, manager=vp)
    with pytest.raises(TreeError, match="cycle") as refused:
        update_person(org.exec, data_of(org.exec, manager_id=deep_vp.id), by=org.admin)
    assert refused.value.field == "manager_id"
    assert org.exec.manager_id is None


@pytest.mark.parametrize(("person", "level"), [
    ("manager_a1", Level.REP),  # their reps would report to a rep
    ("leader_a", Level.MANAGER),  # their managers would report to a manager
])
def test_level_change_refused_if_a_report_would_not_be_outranked(session, org, person, level):
    target = getattr(org, person)
    before = target.level
    with pytest.raises(TreeError) as refused:
        update_person(target, data_of(target, level=level), by=org.admin)
    assert refused.value.field == "level"
    assert target.level == before


def test_level_change_ignores_deactivated_reports(session, org):
    manager = org.manager_a2  # one report, rep_a2a
    org.rep_a2a.is_active = False
    update_person(manager, data_of(manager, level=Level.REP, manager_id=org.manager_a1.id),
                  by=org.admin)
    assert manager.level == Level.REP


def test_promotion_must_still_be_outranked_by_ones_own_manager(session, org):
    with pytest.raises(TreeError, match="outrank"):
        update_person(org.manager_a1, data_of(org.manager_a1, level=Level.LEADER),
                      by=org.admin)
    # An executive may report to an executive.
    update_person(org.leader_b, data_of(org.leader_b, level=Level.EXECUTIVE), by=org.admin)
    assert org.leader_b.level == Level.EXECUTIVE


def test_deactivated_person_under_deactivated_manager_stays_editable(session, org):
    org.rep_a2a.is_active = False
    deactivate_person(org.manager_a2, by=org.admin)
    update_person(org.rep_a2a, data_of(org.rep_a2a, job_title="Alumna"), by=org.admin)
    assert org.rep_a2a.job_title == "Alumna"
    with pytest.raises(TreeError, match="deactivated"):
        update_person(org.rep_a1a, data_of(org.rep_a1a, manager_id=org.manager_a2.id),
                      by=org.admin)


# --- reassign ----------------------------------------------------------------------------------

def test_reassign_moves_every_direct_report_and_audits_each(session, org):
    moved = reassign_reports(org.manager_a1, org.manager_a2, by=org.admin)
    assert moved == 2
    assert {org.rep_a1a.manager_id, org.rep_a1b.manager_id} == {org.manager_a2.id}
    for rep in (org.rep_a1a, org.rep_a1b):
        [entry] = entries(session, "person.reassign", rep)
        assert entry.changes == {"manager_id": [org.manager_a1.id, org.manager_a2.id]}


def test_reassign_to_someone_in_the_team_is_refused(session, org):
    with pytest.raises(TreeError, match="under"):
        reassign_reports(org.leader_a, org.manager_a1, by=org.admin)
    assert org.manager_a1.manager_id == org.leader_a.id


def test_reassign_to_oneself_is_refused(session, org):
    with pytest.raises(TreeError):
        reassign_reports(org.manager_a1, org.manager_a1, by=org.admin)


def test_reassign_moves_no_one_if_one_report_would_not_be_outranked(session, org):
    # leader_b has a rep and a manager directly; a manager can take the rep, not the manager.
    rep = factories.person(manager=org.leader_b, name="Aaron Early")
    with pytest.raises(TreeError, match="outrank"):
        reassign_reports(org.leader_b, org.manager_a1, by=org.admin)
    assert rep.manager_id == org.leader_b.id
    assert org.manager_b1.manager_id == org.leader_b.id
    assert entries(session, "person.reassign", rep) == []


# --- deactivate and reactivate -----------------------------------------------------------------

def test_deactivation_refused_while_active_reports_exist(session, org):
    with pytest.raises(TreeError, match="2 active report"):
        deactivate_person(org.manager_a1, by=org.admin)
    assert org.manager_a1.is_active


def test_deactivation_ends_sessions_revokes_tokens_and_audits(session, org):
    rep = org.rep_a1a
    token, _secret = create_api_token(rep, password=PASSWORD, name="crm",
                                      scopes=["people:read"], days=30)
    generation = rep.session_generation
    deactivate_person(rep, by=org.admin)
    session.flush()
    assert rep.is_active is False
    assert rep.session_generation == generation + 1
    session.refresh(token)
    assert token.revoked_at is not None
    live = session.scalars(select(ApiToken).where(ApiToken.user_id == rep.id,
                                                  ApiToken.revoked_at.is_(None))).all()
    assert live == []
    [entry] = entries(session, "person.deactivate", rep)
    assert entry.actor_id == org.admin.id
    assert entry.changes["is_active"] == [True, False]


def test_deactivation_allowed_when_only_deactivated_reports_remain(session, org):
    org.rep_a2a.is_active = False
    deactivate_person(org.manager_a2, by=org.admin)
    assert org.manager_a2.is_active is False


def test_admin_cannot_deactivate_themselves(session, org):
    with pytest.raises(ValidationError):
        deactivate_person(org.admin, by=org.admin)
    assert org.admin.is_active


def test_reactivation_refused_while_the_manager_is_deactivated(session, org):
    org.rep_a2a.is_active = False
    deactivate_person(org.manager_a2, by=org.admin)
    with pytest.raises(TreeError, match="deactivated"):
        reactivate_person(org.rep_a2a, by=org.admin)
    assert org.rep_a2a.is_active is False


def test_reactivation_refused_if_the_manager_no_longer_outranks(session, org):
    deactivate_person(org.rep_a2a, by=org.admin)
    # With no active reports left, manager_a2 may be made a rep.
    update_person(org.manager_a2, data_of(org.manager_a2, level=Level.REP,
                                          manager_id=org.manager_a1.id), by=org.admin)
    with pytest.raises(TreeError, match="outrank"):
        reactivate_person(org.rep_a2a, by=org.admin)
    assert org.rep_a2a.is_active is False


def test_reactivation_lets_the_person_back_and_audits_it(session, org):
    deactivate_person(org.rep_a1a, by=org.admin)
    reactivate_person(org.rep_a1a, by=org.admin)
    assert org.rep_a1a.is_active
    [entry] = entries(session, "person.reactivate", org.rep_a1a)
    assert entry.changes["is_active"] == [False, True]


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.com", "a b@example.com",
                                   "dana@localhost", ""])
def test_create_refuses_a_malformed_email(session, email):
    with pytest.raises(ValidationError) as refused:
        create_person(PersonData(email=email, name="Dana"), by=None)
    assert refused.value.field == "email"
    assert session.scalar(select(User).where(User.name == "Dana")) is None


def test_special_use_domains_are_accepted(session):
    person = create_person(PersonData(email="Dana@Sales.Local", name="Dana"), by=None)
    assert person.email == "dana@sales.local"


def test_create_refuses_a_blank_name(session):
    with pytest.raises(ValidationError) as refused:
        create_person(PersonData(email="dana@example.com", name="   "), by=None)
    assert refused.value.field == "name"
