"""Champions councils: leaders who meet on a rhythm about which coaching practices work."""

from flask import Blueprint, Flask

from lms.api import register
from lms.web import menu

bp = Blueprint("councils", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.councils import api, models, permissions, views  # noqa: F401

    menu.add("Team", "Champions councils", "reinforcement.councils.council_index", order=50,
             active=("reinforcement.councils.",), permission="council.create")
    for blueprint in api.BLUEPRINTS:
        register(blueprint)
