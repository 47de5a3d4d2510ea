"""Reminders: rules registered by each package, a sweep that sends each reminder once."""

from flask import Blueprint, Flask

bp = Blueprint("reminders", __name__, url_prefix="/admin/reminders")


def init_app(app: Flask) -> None:
    from lms.reminders import models, sweep, views  # noqa: F401  (tables, the job, routes)
    from lms.web import menu

    app.register_blueprint(bp)
    menu.add("Admin", "Reminders", "reminders.index", order=40, active=("reminders.",),
             permission="reminders.manage")
