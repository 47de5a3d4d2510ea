"""Certificates: issued once when a course's completion rule holds, rendered to PDF, verifiable.

The pages live on their own blueprint because the public verification page (``/verify``) is
outside ``/courses``; ``init_app`` is called from ``courses.init_app``.
"""

from flask import Blueprint, Flask

bp = Blueprint("certificates", __name__)


def init_app(app: Flask) -> None:
    from courses.certificates import (  # noqa: F401  (rules, job, routes, home suggestions)
        api,
        nextsteps,
        permissions,
        services,
        template_views,
        views,
    )
    from lms.api import register

    app.register_blueprint(bp)
    register(api.blp)
