"""One rule for single-line text people type (names and titles): no control characters.

A carriage return or line feed in a name let a person plant a new row in every CSV export
and a forged header line in plain-text email; NUL and the other C0 characters have no place
in a name either. Tab is refused too: it is invisible in a page, reads as a cell break when
copied into a spreadsheet and starts a formula in some of them.
"""

from __future__ import annotations

import re

import marshmallow as ma
from wtforms import Field, Form
from wtforms.validators import ValidationError

CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # C0 controls (tab, CR, LF, NUL …) and DEL
MESSAGE = "Use one line of text: no line breaks, tabs or other control characters."


def has_control(text: str | None) -> bool:
    """Say whether ``text`` holds a control character."""
    return bool(text) and CONTROL.search(text) is not None


class SingleLine:
    """WTForms validator: the field's text has no control characters."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and has_control(field.data):
            raise ValidationError(MESSAGE)


def single_line(value: str | None) -> None:
    """marshmallow validator: ``value`` has no control characters."""
    if isinstance(value, str) and has_control(value):
        raise ma.ValidationError(MESSAGE)
