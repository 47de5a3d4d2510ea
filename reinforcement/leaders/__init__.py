"""Leaders' monthly reviews of their managers' coaching and the rhythm adherence
reports they read."""

from flask import Blueprint, Flask

from lms.api import register
from lms.web import menu

bp = Blueprint("leaders", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.leaders import api, models, nextsteps, permissions, views  # noqa: F401

    menu.add("Team", "Coaching rhythm", "reinforcement.leaders.adherence_report", order=40,
             active=("reinforcement.leaders.",), permission="adherence.report")
    for blueprint in api.BLUEPRINTS:
        register(blueprint)
