"""Resources: playbooks, job aids and reinforcement guides, versioned, assigned by
audience and acknowledged by the people they are for."""

from flask import Blueprint, Flask

from lms.api import register
from lms.web import menu

bp = Blueprint("resources", __name__)


def init_app(app: Flask) -> None:
    """Register the feature's tables, rules, pages, menu entries and API."""
    # Imported here, not at the top, so that using a model or a service of the feature does
    # not load its pages; importing them registers tables, rules, routes and providers.
    from reinforcement.resources import api, models, views  # noqa: F401

    menu.add("Coaching", "Resources", "reinforcement.resources.resource_list", order=50,
             active=("reinforcement.resources.", "reinforcement.plans."))
    for blueprint in api.BLUEPRINTS:
        register(blueprint)
