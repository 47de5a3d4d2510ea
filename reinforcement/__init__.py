"""Reinforcement: plans, resources, check-ins, goals and gap reviews, leader confirmation,
champions councils and rhythm adherence."""

from flask import Blueprint, Flask

bp = Blueprint("reinforcement", __name__, url_prefix="/reinforcement")


def init_app(app: Flask) -> None:
    from reinforcement import models  # noqa: F401  (tables)

    app.register_blueprint(bp)
