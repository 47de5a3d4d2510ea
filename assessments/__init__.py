"""Assessments: the blueprint only for now; features land with their issues."""

from flask import Blueprint, Flask

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
