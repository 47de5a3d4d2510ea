"""Calendar feeds: a private iCalendar URL per person, and single-event downloads."""

from flask import Blueprint, Flask

bp = Blueprint("calendar", __name__)


def init_app(app: Flask) -> None:
    from lms.calendar import models, views  # noqa: F401  (tables, routes)

    app.register_blueprint(bp)
