"""Sign-in, sign-out, password reset, account settings and API tokens."""

from __future__ import annotations

from flask import Blueprint, Flask
from sqlalchemy import select

bp = Blueprint("auth", __name__)


def _load_user(user_id: str):
    """Accept a session only if its generation is the person's current one."""
    from lms.extensions import db
    from lms.people.models import User

    person_id, _, generation = user_id.partition(":")
    if not person_id.isdigit() or not generation.isdigit():
        return None
    person = db.session.scalar(select(User).where(User.id == int(person_id)))
    if person is None or not person.is_active or person.session_generation != int(generation):
        return None
    return person


def init_app(app: Flask) -> None:
    from lms.auth import views  # noqa: F401  (registers routes)
    from lms.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.register_blueprint(bp)
