"""Courses: authoring, versions, the catalog, enrolment, the course player and unlocking."""

from flask import Blueprint, Flask

bp = Blueprint("courses", __name__, url_prefix="/courses")


def init_app(app: Flask) -> None:
    from courses import models, permissions  # noqa: F401  (tables and permission rules)

    app.register_blueprint(bp)
