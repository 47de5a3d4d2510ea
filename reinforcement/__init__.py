"""Reinforcement: plans, resources, check-ins, goals and gap reviews, leader confirmation,
champions councils and rhythm adherence."""

from flask import Blueprint, Flask

bp = Blueprint("reinforcement", __name__, url_prefix="/reinforcement")


def init_app(app: Flask) -> None:
    from reinforcement import demo, models  # noqa: F401  (tables, demo content)

    _init_plans()
    _init_check_ins()
    _init_leaders()
    _init_goals()
    app.register_blueprint(bp)


def _init_goals() -> None:
    """Metrics, goals, actuals and gap reviews: rules, pages, API."""
    from lms.api import register
    from lms.auth.services import register_scope
    from reinforcement import goal_api, goal_permissions, goal_views  # noqa: F401  (rules, routes)

    register_scope("reinforcement:read", "Read plans, resources, check-ins, action items and "
                   "the coaching figures you may see")
    register_scope("reinforcement:write", "Run check-ins, write notes and action items, and "
                   "change what your role allows in reinforcement")
    for blueprint in goal_api.BLUEPRINTS:
        register(blueprint)


def _init_leaders() -> None:
    """Leader reviews, rhythm adherence and champions councils: rules, pages, API."""
    from lms.api import register
    from reinforcement import (  # noqa: F401  (rules, routes)
        council_views,
        leader_api,
        leader_permissions,
        leader_views,
    )

    for blueprint in leader_api.BLUEPRINTS:
        register(blueprint)


def _init_check_ins() -> None:
    """Check-ins and action items: rules, pages, API, reminders, calendar feed, Home."""
    from lms.api import register
    from lms.auth.services import register_scope
    from reinforcement import (  # noqa: F401  (rules, routes, reminder rules, feed, Home)
        calendar,
        checkin_api,
        checkin_permissions,
        checkin_views,
        nextsteps,
        reminders,
    )

    # Registering a scope twice keeps the first description, so every part may ask for it.
    register_scope("reinforcement:read", "Read plans, resources, check-ins, action items and "
                   "the coaching figures you may see")
    register_scope("reinforcement:write", "Run check-ins, write notes and action items, and "
                   "change what your role allows in reinforcement")
    for blueprint in checkin_api.BLUEPRINTS:
        register(blueprint)


def _init_plans() -> None:
    """Plans and resources: rules, pages, API; the API scopes of the whole package."""
    from lms.api import register
    from lms.auth.services import register_scope
    from reinforcement import (  # noqa: F401  (rules, routes)
        plan_api,
        plan_permissions,
        plan_views,
        resource_views,
    )

    register_scope("reinforcement:read", "Read plans, resources, check-ins, action items and "
                   "the coaching figures you may see")
    register_scope("reinforcement:write", "Run check-ins, write notes and action items, and "
                   "change what your role allows in reinforcement")
    for blueprint in plan_api.BLUEPRINTS:
        register(blueprint)
