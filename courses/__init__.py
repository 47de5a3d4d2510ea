"""Courses: authoring, versions, the catalog, enrolment, the course player and unlocking."""

from flask import Blueprint, Flask

bp = Blueprint("courses", __name__, url_prefix="/courses")


def init_app(app: Flask) -> None:
    from courses import (  # noqa: F401  (tables, rules, routes, demo curriculum)
        api,
        calendar,
        demo,
        models,
        permissions,
        reminders,
        views,
    )
    from courses.certificates import models as certificate_models  # noqa: F401  (tables)
    from courses.live import api as live_api
    from courses.live import models as live_models  # noqa: F401  (tables)
    from courses.live import program_views as live_programs  # noqa: F401  (routes)
    from courses.live import reports_views  # noqa: F401  (routes)
    from courses.live import views as live_views  # noqa: F401  (routes)
    from lms.api import register
    from lms.auth.services import register_scope

    register_scope("courses:read", "Read courses, your enrolments and your team's progress")
    register_scope("courses:write", "Author courses (admins) and enrol people")
    register_scope("sessions:read", "Read live sessions and the attendance you may see")
    register_scope("sessions:write", "Register for live sessions, schedule them (admins) "
                   "and take attendance (facilitators)")
    app.register_blueprint(bp)
    register(api.blp)
    register(live_api.blp)
