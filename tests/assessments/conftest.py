"""Fixtures shared by the assessment tests.

Test files whose services build links run inside a request context
(``pytestmark = pytest.mark.usefixtures("ctx")``); those whose services must work without one
(quizzes, attempts, grading) do not.
"""

from __future__ import annotations

import pytest

from assessments import banks
from tests import factories


@pytest.fixture
def course(org):
    return factories.course(title="Discovery Calls", by=org.admin)


@pytest.fixture
def bank(org, course):
    """An empty question bank of ``course``."""
    return banks.create_bank(course, banks.BankData("Discovery basics", "Openers"),
                             by=org.admin)
