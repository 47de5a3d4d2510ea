"""How the scorecard and survey pages finish a post: run the service, commit once or roll back,
and show the outcome beside the form's fields or, after a button, as a flash message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from flask_wtf import FlaskForm

from assessments.scorecard_forms import show_error
from lms.errors import CadenceError
from lms.extensions import db
from lms.web.forms import PostForm

T = TypeVar("T")


def saved(form: FlaskForm, save: Callable[[], T]) -> T | None:
    """Run ``save()`` for a valid submission of ``form`` and commit; return its result.

    None when nothing valid was submitted, or when the service refused: its reason then
    stands beside the field it is about and nothing was written.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = save()
    except CadenceError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    return result


def button_post(action: Callable[[], T], message: str, *, back: str,
                after: str | Callable[[T], str] | None = None):
    """Run ``action()`` for a button's post, commit, flash ``message`` and redirect to
    ``after`` (a URL, or one made from the action's result; by default ``back``).

    An expired form or a refusal goes ``back`` with the reason and writes nothing.
    """
    if not PostForm().validate_on_submit():
        flash("The form expired; try again.", "danger")
        return redirect(back)
    try:
        result = action()
    except CadenceError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    if after is None:
        return redirect(back)
    return redirect(after if isinstance(after, str) else after(result))
