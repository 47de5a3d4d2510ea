"""Assessments: question banks and quizzes, observation scorecards, readiness surveys."""

from flask import Blueprint, Flask

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


def init_app(app: Flask) -> None:
    from assessments import models  # noqa: F401  (tables)

    app.register_blueprint(bp)
