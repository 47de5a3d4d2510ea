"""Notifications: the in-app list, the email outbox and the after-commit job runner."""

from flask import Blueprint, Flask, g

bp = Blueprint("notify", __name__, url_prefix="/notifications")
# Operations pages for admins (background jobs, email delivery).
ops_bp = Blueprint("ops", __name__, url_prefix="/admin")


def init_app(app: Flask) -> None:
    from lms.notify import (  # noqa: F401  (tables, jobs, routes, the admins' health page)
        delivery,
        digests,
        jobs,
        models,
        ops_views,
        views,
    )
    from lms.web import menu

    jobs.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(ops_bp)
    menu.add("Admin", "Health", "ops.health", order=60, active=("ops.",),
             permission="system.health")

    @app.context_processor
    def _unread():
        from flask_login import current_user

        # After a server error the session may be failed: the error page counts nothing.
        if getattr(current_user, "is_authenticated", False) and not g.get("request_failed"):
            return {"unread_notifications": _UnreadCount(current_user)}
        return {"unread_notifications": 0}


class _UnreadCount:
    """The signed-in person's unread count, counted when a template first shows it.

    Every render_template runs the context processors, emails included: counting eagerly
    cost a query (and an autoflush) per email queued in a request.
    """

    def __init__(self, user):
        self.user, self.value = user, None

    def __int__(self) -> int:
        if self.value is None:
            from lms.notify.services import unread_count

            self.value = unread_count(self.user)
        return self.value

    def __bool__(self) -> bool:
        return int(self) > 0

    def __str__(self) -> str:
        return str(int(self))

    def __eq__(self, other) -> bool:
        return int(self) == other

    __hash__ = None
