"""Assessments: question banks and quizzes, observation scorecards, readiness surveys."""

from flask import Blueprint, Flask

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


def init_app(app: Flask) -> None:
    from assessments import (  # noqa: F401  (tables, rules, routes)
        bank_api,
        bank_views,
        demo,
        models,
        nextsteps,
        permissions,
        quiz_api,
        quiz_permissions,
        quiz_views,
        scorecard_api,
        scorecard_permissions,
        scorecard_views,
        survey_views,
    )
    from lms.api import register
    from lms.auth.services import register_scope
    from lms.web import menu

    register_scope("assessments:read", "Read question banks (admins), assessments, results, "
                   "scorecards and self-assessments")
    register_scope("assessments:write", "Author question banks (admins), take assessments, "
                   "score observations and answer self-assessments")
    app.register_blueprint(bp)
    menu.add("Coaching", "Scorecards", "assessments.scorecard_index", order=30,
             active=("assessments.scorecard_",))
    menu.add("Coaching", "Self-assessments", "assessments.survey_index", order=40,
             active=("assessments.survey_",))
    menu.add("Admin", "Rubrics", "assessments.rubric_index", order=20,
             active=("assessments.rubric_",), permission="rubric.manage")
    register(bank_api.blp)
    register(quiz_api.blp)
    for blueprint in scorecard_api.BLUEPRINTS:
        register(blueprint)
