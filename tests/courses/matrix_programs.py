"""Authorization matrix entries for programs (see ``tests/authz_matrix.py``).

The member is leader_a: leaders see programs (200) but only admins manage them (403).
"""

from __future__ import annotations

from datetime import date, timedelta

from courses.live import programs
from courses.live import services as live
from lms.db import utcnow
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, plain


def _program(case: Case):
    program = programs.create_program(programs.ProgramData(
        name="Matrix program", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30)),
        by=case.org.admin)
    waves = programs.default_waves(program, [factories.course(audience=("manager",))],
                                   [factories.course()], by=case.org.admin)
    return program, waves


def a_program(case: Case):
    program, _waves = _program(case)
    return {"id": program.id}, {}


def a_wave(case: Case):
    program, waves = _program(case)
    return {"id": program.id, "wave_id": waves[1].id}, {}


def activate(case: Case):
    program, _waves = _program(case)
    return {"id": program.id}, {"data": {"status": "active"}}


def _session(case: Case):
    starts = utcnow().replace(microsecond=0) + timedelta(days=4)
    return live.create_session(live.SessionData(
        title="Matrix kick-off", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        by=case.org.admin)


def link(case: Case):
    program, waves = _program(case)
    session = _session(case)
    return {"id": program.id}, {"data": {"session": session.id, "wave": waves[0].id}}


def linked(case: Case):
    program, waves = _program(case)
    session = _session(case)
    programs.link_session(program, session, waves[0], by=case.org.admin)
    return {"id": program.id, "session_id": session.id}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("courses.program_list", "GET"): plain(200, 200, LOGIN),
    ("courses.program_detail", "GET"): plain(200, 200, LOGIN, a_program),
    ("courses.program_create", "GET"): plain(403, 200, LOGIN),
    ("courses.program_create", "POST"): plain(403, 200, LOGIN, form({"name": ""})),
    ("courses.program_edit", "GET"): plain(403, 200, LOGIN, a_program),
    ("courses.program_edit", "POST"): plain(403, 200, LOGIN, a_program),
    ("courses.program_status", "POST"): plain(403, 302, LOGIN, activate),
    ("courses.program_wave_create", "GET"): plain(403, 200, LOGIN, a_program),
    ("courses.program_wave_create", "POST"): plain(403, 200, LOGIN, a_program),
    ("courses.program_wave_edit", "GET"): plain(403, 200, LOGIN, a_wave),
    ("courses.program_wave_edit", "POST"): plain(403, 200, LOGIN, a_wave),
    ("courses.program_wave_delete", "POST"): plain(403, 302, LOGIN, a_wave),
    ("courses.program_session_link", "POST"): plain(403, 302, LOGIN, link),
    ("courses.program_session_unlink", "POST"): plain(403, 302, LOGIN, linked),
}
