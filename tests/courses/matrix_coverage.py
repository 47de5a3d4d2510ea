"""Authorization matrix entries for communication coverage and program readiness."""

from __future__ import annotations

from tests.authz_matrix import LOGIN, Route, plain
from tests.courses.matrix_live_reports import a_program, a_session

ROUTES: dict[tuple[str, str], Route] = {
    ("courses.coverage_session", "GET"): plain(200, 200, LOGIN, a_session),
    ("courses.coverage_program", "GET"): plain(200, 200, LOGIN, a_program),
    ("courses.program_readiness", "GET"): plain(200, 200, LOGIN, a_program),
}
