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
    from courses.certificates import init_app as init_certificates
    from courses.certificates import models as certificate_models  # noqa: F401  (tables)
    from courses.learning import learning_panel
    from courses.live import api as live_api
    from courses.live import comm_api as communications_api
    from courses.live import comm_reminders as communication_reminders  # noqa: F401  (rule)
    from courses.live import comm_views as communication_views  # noqa: F401  (routes)
    from courses.live import coverage_views as live_coverage  # noqa: F401  (routes)
    from courses.live import models as live_models  # noqa: F401  (tables)
    from courses.live import program_api as programs_api
    from courses.live import program_views as live_programs  # noqa: F401  (routes)
    from courses.live import reports_views  # noqa: F401  (routes)
    from courses.live import rollout_nextsteps as rollout_steps  # noqa: F401  (Home steps)
    from courses.live import session_reminders as session_rule  # noqa: F401  (reminder rule)
    from courses.live import views as live_views  # noqa: F401  (routes)
    from lms.api import register
    from lms.auth.services import register_scope
    from lms.home.panels import register_panel

    register_scope("courses:read", "Read courses, your enrolments and your team's progress")
    register_scope("courses:write", "Author courses (admins) and enrol people")
    register_scope("sessions:read", "Read live sessions and the attendance you may see")
    register_scope("sessions:write", "Register for live sessions, schedule them (admins) "
                   "and take attendance (facilitators)")
    app.register_blueprint(bp)
    _menu()
    register_panel("my-learning", learning_panel, order=10)
    register(api.blp)
    init_certificates(app)  # its own blueprint: /certificates and the public /verify
    register(live_api.blp)
    register_scope("programs:read", "Read programs, their waves and your subtree's progress")
    register_scope("programs:write", "Create and change programs and their waves (admins)")
    register(programs_api.blp)
    register_scope("communications:read", "Read the pre-training communications you wrote "
                   "or received")
    register_scope("communications:write", "Write and schedule pre-training communications "
                   "(leaders) and acknowledge those you received")
    register(communications_api.blp)


def _menu() -> None:
    from lms.web import menu

    menu.add("", "Courses", "courses.catalog", order=20,
             active=("courses.catalog", "courses.detail", "courses.lesson", "courses.enrol"))
    menu.add("", "Sessions", "courses.session_list", order=30, active=("courses.session_",))
    menu.add("", "Programs", "courses.program_list", order=40, active=("courses.program_",),
             permission="program.view")
    menu.add("Team", "Progress", "courses.progress_team", order=20,
             active=("courses.progress_",), permission="course.progress")
    menu.add("Team", "Attendance", "courses.attendance_index", order=30,
             active=("courses.attendance_",), permission="attendance.report")
    menu.add("Admin", "Course authoring", "courses.manage_index", order=10,
             active=("courses.manage", "courses.manage_", "courses.preview",
                     "courses.import_json"), permission="course.author")
