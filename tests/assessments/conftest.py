"""Fixtures shared by the assessment tests.

``org`` runs inside a request context, as the assessment services that build links need one;
test files whose services must work without one (quizzes, attempts, grading) keep their own
``org(session)``.
"""

from __future__ import annotations

import pytest

from assessments import banks
from tests import factories


@pytest.fixture
def org(session, ctx):
    return factories.org()


@pytest.fixture
def course(org):
    return factories.course(title="Discovery Calls", by=org.admin)


@pytest.fixture
def bank(org, course):
    """An empty question bank of ``course``."""
    return banks.create_bank(course, banks.BankData("Discovery basics", "Openers"),
                             by=org.admin)
