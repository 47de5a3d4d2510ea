"""Notifications: the in-app list, the email outbox and the after-commit job runner."""

from flask import Blueprint, Flask

bp = Blueprint("notify", __name__, url_prefix="/notifications")


def init_app(app: Flask) -> None:
    from lms.notify import delivery, jobs, models, views  # noqa: F401  (tables, jobs, routes)

    jobs.init_app(app)
    app.register_blueprint(bp)

    @app.context_processor
    def _unread():
        from flask_login import current_user

        from lms.notify.services import unread_count

        if getattr(current_user, "is_authenticated", False):
            return {"unread_notifications": unread_count(current_user)}
        return {"unread_notifications": 0}
