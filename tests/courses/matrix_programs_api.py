"""Authorization matrix entries for the programs API (see ``tests/authz_matrix.py``).

The token holds every scope, so these check the permission layer: "member" (leader_a, not an
admin) reads programs, as leaders do; creating and changing them is for admins only.
"""

from __future__ import annotations

from datetime import date

from courses.live import programs
from tests import factories
from tests.authz_matrix import Case, Route, json_body, plain


def _program(case: Case):
    program = programs.create_program(programs.ProgramData(
        name="Matrix program", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30)),
        by=case.org.admin)
    waves = programs.default_waves(program, [factories.course(audience=("manager",))],
                                   [factories.course()], by=case.org.admin)
    return program, waves


def a_program(case: Case):
    return {"program_id": _program(case)[0].id}, {}


def a_wave(case: Case):
    program, waves = _program(case)
    return {"program_id": program.id, "wave_id": waves[1].id}, {}


NEW_PROGRAM = {"name": "Matrix API program", "starts_on": "2030-01-01", "ends_on": "2030-03-31"}
NEW_WAVE = {"number": 3, "name": "Late joiners", "opens_on": "2030-02-01", "audience": ["rep"]}

ROUTES: dict[tuple[str, str], Route] = {
    ("programs_api.index", "GET"): plain(200, 200, 401),
    ("programs_api.detail", "GET"): plain(200, 200, 401, a_program),
    ("programs_api.create", "POST"): plain(403, 201, 401, json_body(NEW_PROGRAM)),
    ("programs_api.update", "PATCH"): plain(403, 200, 401,
                                            json_body({"goal": "Coach weekly."}, a_program)),
    ("programs_api.set_status", "POST"): plain(403, 200, 401,
                                               json_body({"status": "active"}, a_program)),
    ("programs_api.add_wave", "POST"): plain(403, 201, 401, json_body(NEW_WAVE, a_program)),
    ("programs_api.update_wave", "PATCH"): plain(403, 200, 401,
                                                 json_body({"name": "All reps"}, a_wave)),
    ("programs_api.delete_wave", "DELETE"): plain(403, 204, 401, a_wave),
}
