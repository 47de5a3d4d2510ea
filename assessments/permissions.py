"""Question bank rules for the one permission layer (registered into ``lms.authz``).

Banks hold answer keys, so they exist for admins alone: for anyone else a bank or a
question is out of sight (404), and lists of them are empty.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from assessments.models import Question, QuestionBank
from lms.authz import rule, scope, visibility
from lms.people.models import User


def _admin_only(user: User, _obj: Any) -> bool:
    return user.is_admin


def _admin_scope(stmt: Select, user: User) -> Select:
    return stmt if user.is_admin else stmt.where(false())


for _model in (QuestionBank, Question):
    visibility(_model)(_admin_only)
    scope(_model)(_admin_scope)


@rule("bank.view")
def _view(user: User, _obj: Any) -> bool:
    """See a course's banks, their questions and answer keys (admins)."""
    return user.is_admin


@rule("bank.manage")
def _manage(user: User, _obj: Any) -> bool:
    """Create, edit, import and delete banks and questions (admins)."""
    return user.is_admin
