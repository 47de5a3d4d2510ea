"""Claims: a conditional UPDATE that reports whether it changed the row, and an insert that
a unique constraint allows once. The races themselves are in ``tests/races``."""

from __future__ import annotations

from sqlalchemy import func, select, update

from lms.claims import add_once, claim, claim_many
from lms.extensions import db
from lms.notify.models import SystemState


def _state(name: str, value: str = "") -> SystemState:
    state = SystemState(name=name, value=value)
    db.session.add(state)
    db.session.flush()
    return state


def test_a_claim_changes_the_row_once(session):
    state = _state("claims.once")

    assert claim(state, SystemState.value == "", value="mine") is True
    assert state.value == "mine"
    assert claim(state, SystemState.value == "", value="again") is False
    assert db.session.scalar(select(SystemState.value).where(
        SystemState.name == "claims.once")) == "mine"


def test_a_lost_claim_shows_what_the_winner_stored(session):
    state = _state("claims.lost")
    # Another transaction's write, behind the object's back.
    db.session.execute(update(SystemState).where(SystemState.name == "claims.lost")
                       .values(value="theirs").execution_options(synchronize_session=False))

    assert claim(state, SystemState.value == "", value="mine") is False
    assert state.value == "theirs"


def test_an_object_not_written_yet_simply_takes_the_values(session):
    state = SystemState(name="claims.new", value="")

    assert claim(state, SystemState.value == "", value="mine") is True
    assert state.value == "mine"


def test_claim_many_answers_the_rows_it_changed(session):
    for name, value in (("claims.a", ""), ("claims.b", "taken"), ("claims.c", "")):
        _state(name, value)

    changed = claim_many(SystemState, ["claims.a", "claims.b", "claims.c", "claims.none"],
                         SystemState.value == "", value="mine")

    assert changed == {"claims.a", "claims.c"}


def test_add_once_refuses_a_twin_and_keeps_the_transaction_usable(session):
    assert add_once(SystemState(name="claims.twin", value="first")) is True
    assert add_once(SystemState(name="claims.twin", value="second")) is False

    assert db.session.scalar(select(func.count()).select_from(SystemState).where(
        SystemState.name == "claims.twin")) == 1
    assert db.session.get(SystemState, "claims.twin").value == "first"
