"""Readiness self-assessment pages: the list, authoring (admins), taking a survey, your own
trend per section, and results by level over the viewer's subtree (everyone for admins)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from assessments import bp
from assessments import surveys as service
from assessments.form_posts import button_post, saved
from assessments.models import Survey, SurveyQuestionKind, SurveyResponse, SurveySection
from assessments.scorecard_forms import SurveyForm, take_form
from assessments.survey_reports import person_trend, results_by_level
from lms.authz import load_visible, permission_required, visible
from lms.extensions import db
from lms.people import tree
from lms.people.models import User
from lms.web.args import int_arg
from lms.web.spreadsheets import csv_response


@bp.get("/surveys/")
@permission_required("survey.view")
def survey_index():
    mine = (select(SurveyResponse.survey_id, func.count(SurveyResponse.id),
                   func.max(SurveyResponse.submitted_at))
            .where(SurveyResponse.user_id == current_user.id)
            .group_by(SurveyResponse.survey_id))
    taken = {sid: (count, last) for sid, count, last in db.session.execute(mine)}
    surveys = list(db.session.scalars(visible(select(Survey), current_user)
                                      .order_by(Survey.is_archived, Survey.title, Survey.id)))
    return render_template("assessments/surveys/index.html", surveys=surveys, taken=taken,
                           audiences={s.id: service.audience_label(s) for s in surveys})


def _edit(survey: Survey | None):
    form = SurveyForm()
    if request.method == "GET":
        if survey is not None:
            form.process(obj=survey, sections=[])
            # Set after process(): ``obj`` wins over keywords, and its audience is a string.
            form.audience.data = service.audience_of(survey)
        form.fill(survey)

    def save() -> Survey:
        if survey is None:
            return service.create_survey(form.data_for_service(), by=current_user)
        return service.update_survey(survey, form.data_for_service(), by=current_user)

    if (done := saved(form, save)) is not None:
        flash(f"Survey “{done.title}” saved.", "success")
        return redirect(url_for("assessments.survey_index"))
    answered = service.response_count(survey) if survey is not None else 0
    return render_template("assessments/surveys/edit.html", form=form, survey=survey,
                           answered=answered)


@bp.route("/surveys/new", methods=["GET", "POST"])
@permission_required("survey.manage")
def survey_create():
    return _edit(None)


@bp.route("/surveys/<int:id>/edit", methods=["GET", "POST"])
@permission_required("survey.manage", Survey)
def survey_edit(survey: Survey):
    return _edit(survey)


@bp.post("/surveys/<int:id>/archive")
@permission_required("survey.manage", Survey)
def survey_archive(survey: Survey):
    return button_post(lambda: service.set_survey_archived(survey, True, by=current_user),
                       f"“{survey.title}” archived: it takes no new responses.",
                       back=url_for("assessments.survey_index"))


@bp.post("/surveys/<int:id>/restore")
@permission_required("survey.manage", Survey)
def survey_restore(survey: Survey):
    return button_post(lambda: service.set_survey_archived(survey, False, by=current_user),
                       f"“{survey.title}” is open again.",
                       back=url_for("assessments.survey_index"))


@bp.post("/surveys/<int:id>/copy")
@permission_required("survey.manage", Survey)
def survey_copy(survey: Survey):
    return button_post(lambda: service.copy_survey(survey, by=current_user),
                       "Copy created: change it as you need.",
                       back=url_for("assessments.survey_index"),
                       after=lambda copy: url_for("assessments.survey_edit", id=copy.id))


@bp.post("/surveys/<int:id>/delete")
@permission_required("survey.manage", Survey)
def survey_delete(survey: Survey):
    return button_post(lambda: service.delete_survey(survey, by=current_user),
                       f"“{survey.title}” deleted.", back=url_for("assessments.survey_index"))


def _loaded(survey_id: int) -> Survey:
    """The survey with its sections and questions in two more queries."""
    return db.session.scalar(select(Survey).where(Survey.id == survey_id).options(
        selectinload(Survey.sections).selectinload(SurveySection.questions)))


def _answers(form, survey: Survey) -> list[service.AnswerData]:
    answers = []
    for _section, fields in form.question_fields(survey):
        for question, field in fields:
            if question.kind == SurveyQuestionKind.LIKERT:
                answers.append(service.AnswerData(question.id, likert=field.data))
            else:
                answers.append(service.AnswerData(question.id, text=field.data or ""))
    return answers


@bp.route("/surveys/<int:id>/take", methods=["GET", "POST"])
@permission_required("survey.take", Survey)
def survey_take(survey: Survey):
    survey = _loaded(survey.id)
    form = take_form(survey)
    response = saved(form, lambda: service.submit_response(survey, _answers(form, survey),
                                                           by=current_user))
    if response is not None:
        flash(f"Thank you. Your overall score: {response.score:.2f} out of 5.", "success")
        return redirect(url_for("assessments.survey_mine", id=survey.id))
    return render_template("assessments/surveys/take.html", survey=survey, form=form,
                           fields=form.question_fields(survey),
                           audience=service.audience_label(survey))


@bp.get("/surveys/<int:id>/mine")
@permission_required("survey.view", Survey)
def survey_mine(survey: Survey):
    person_id = int_arg("person")
    person = load_visible(User, person_id) if person_id else current_user
    return render_template("assessments/surveys/mine.html", survey=survey, person=person,
                           trend=person_trend(survey, person.id))


@bp.get("/surveys/responses/<int:id>")
@permission_required("survey.response", SurveyResponse)
def survey_response(surveyresponse: SurveyResponse):
    survey = _loaded(surveyresponse.survey_id)
    answers = {answer.question_id: answer for answer in surveyresponse.answers}
    scores = {score.section_id: score.score for score in surveyresponse.section_scores}
    return render_template("assessments/surveys/response.html", survey=survey,
                           response=surveyresponse, answers=answers, scores=scores,
                           likert_labels=service.LIKERT_LABELS)


def _results_csv(results, survey: Survey):
    header = ("level", "in_audience", "respondents", "response_rate", "overall",
              *(title for _sid, title in results.sections))
    rows = ([row.label, row.in_audience, row.respondents, row.response_rate,
             None if row.overall is None else round(row.overall, 2),
             *(round(row.sections[sid], 2) if sid in row.sections else None
               for sid, _title in results.sections)]
            for row in [*results.rows, results.total])
    return csv_response(rows, header, f"survey-{survey.id}-by-level")


@bp.get("/surveys/<int:id>/results")
@permission_required("survey.results", Survey)
def survey_results(survey: Survey):
    person_id = int_arg("person")
    root = load_visible(User, person_id) if person_id else None
    if root is None and not current_user.is_admin:
        root = current_user
    people = tree.subtree_ids(root.id) if root is not None else None
    results = results_by_level(survey, people)
    if request.args.get("format") == "csv":
        return _results_csv(results, survey)
    return render_template("assessments/surveys/results.html", survey=survey,
                           results=results, root=root)
