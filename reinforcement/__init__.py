"""Reinforcement: the blueprint only for now; features land with their issues."""

from flask import Blueprint, Flask

bp = Blueprint("reinforcement", __name__, url_prefix="/reinforcement")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
