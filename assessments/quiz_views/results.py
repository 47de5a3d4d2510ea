"""Results for managers, leaders and admins: their people's scores per assessment, as a page
and as CSV. Whom a page covers follows the tree: the viewer's subtree, or everyone for admins."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from assessments import bp
from assessments.models import Assessment, Attempt, AttemptStatus
from assessments.quiz.results import SCORE_HEADER, overview, team_scores
from lms.authz import permission_required, visible
from lms.extensions import db
from lms.web.spreadsheets import csv_response


@bp.get("/results")
@permission_required("assessment.results")
def quiz_results_index():
    return render_template("assessments/quiz/results_index.html", rows=overview(current_user))


@bp.get("/<int:id>/results")
@permission_required("assessment.results", load=Assessment)
def quiz_results(assessment: Assessment):
    scores = team_scores(assessment, current_user)
    if request.args.get("format") == "csv":
        return csv_response((score.cells() for score in scores), SCORE_HEADER,
                            f"results-{assessment.id}")
    attempts = list(db.session.scalars(visible(
        select(Attempt).where(Attempt.assessment_id == assessment.id,
                              Attempt.status == AttemptStatus.SUBMITTED)
        .options(joinedload(Attempt.user))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(500), current_user)))
    return render_template("assessments/quiz/results.html", assessment=assessment,
                           scores=scores, attempts=attempts)
