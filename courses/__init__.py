"""Courses: the blueprint only for now; features land with their issues."""

from flask import Blueprint, Flask

bp = Blueprint("courses", __name__, url_prefix="/courses")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
