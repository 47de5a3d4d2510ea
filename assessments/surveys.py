"""Readiness self-assessments: surveys of Likert statements and free-text questions.

Admins author a survey in sections for chosen levels; people at those levels take it as often
as they like. Each response is scored when it is submitted: per section, the mean of its Likert
answers (1 strongly disagree .. 5 strongly agree), stored in ``SurveySectionScore``; overall,
the mean of all its Likert answers (``SurveyResponse.score``).

Services flush, never commit; every change is audited. Refusals raise ``ValidationError``
before anything is written. Once answered, a survey's sections and questions are fixed so
earlier scores stay comparable: copy it to change them, archive it to close it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import func, select

from assessments import retiring
from assessments.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveySection,
    SurveySectionScore,
)
from lms.audit.services import pending_changes, record
from lms.db import utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import LEVEL_VALUES, Level, User

MAX_TEXT = 4000
LIKERT_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
                 4: "Agree", 5: "Strongly agree"}


@dataclass
class QuestionData:
    kind: str
    prompt: str
    required: bool = True


@dataclass
class SectionData:
    title: str
    questions: list[QuestionData] = field(default_factory=list)


@dataclass
class SurveyData:
    title: str
    description: str = ""
    audience: tuple[str, ...] = (Level.LEADER.value, Level.MANAGER.value)
    sections: list[SectionData] = field(default_factory=list)


def audience_of(survey: Survey) -> list[str]:
    return [level for level in survey.audience.split(",") if level]


def audience_label(survey: Survey) -> str:
    """``Leaders and managers``: the audience in rank order, highest first."""
    levels = [Level(v) for v in audience_of(survey) if v in LEVEL_VALUES]
    names = [f"{level.value}s" for level in sorted(levels, key=lambda lv: -lv.rank)]
    text = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return text[:1].upper() + text[1:]


def _clean(data: SurveyData) -> SurveyData:
    return SurveyData(
        title=(data.title or "").strip(), description=(data.description or "").strip(),
        audience=tuple(dict.fromkeys(data.audience)),
        sections=[SectionData((s.title or "").strip(),
                              [QuestionData(q.kind, (q.prompt or "").strip(), bool(q.required))
                               for q in s.questions]) for s in data.sections])


def _check_survey(data: SurveyData) -> None:
    if not data.title or len(data.title) > 200:
        raise ValidationError("Give the survey a title of at most 200 characters.",
                              field="title")
    if not data.audience or not set(data.audience) <= set(LEVEL_VALUES):
        raise ValidationError("Choose at least one audience level.", field="audience")
    if not data.sections:
        raise ValidationError("Add at least one section.", field="sections")
    for number, section in enumerate(data.sections, start=1):
        if not section.title or len(section.title) > 200:
            raise ValidationError(f"Give section {number} a title of at most 200 characters.",
                                  field="sections")
        if not section.questions:
            raise ValidationError(f"Section “{section.title}” has no questions.",
                                  field="sections")
        for question in section.questions:
            if question.kind not in [kind.value for kind in SurveyQuestionKind]:
                raise ValidationError(f"A question in “{section.title}” is neither a Likert "
                                      "statement nor a free-text question.", field="sections")
            if not question.prompt or len(question.prompt) > 1000:
                raise ValidationError(f"Each question in “{section.title}” needs a wording of "
                                      "at most 1,000 characters.", field="sections")
    if not any(q.kind == SurveyQuestionKind.LIKERT for s in data.sections for q in s.questions):
        raise ValidationError("Add at least one Likert statement: they are what is scored.",
                              field="sections")


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse)
                             .where(SurveyResponse.survey_id == survey.id)) or 0


def _structure(survey: Survey) -> list:
    return [(s.title, [(q.kind, q.prompt, q.is_required) for q in s.questions])
            for s in survey.sections]


def _wanted(data: SurveyData) -> list:
    return [(s.title, [(q.kind, q.prompt, q.required) for q in s.questions])
            for s in data.sections]


def _set_sections(survey: Survey, sections: list[SectionData]) -> None:
    survey.sections = [
        SurveySection(position=position, title=section.title, questions=[
            SurveyQuestion(position=number, kind=SurveyQuestionKind(q.kind), prompt=q.prompt,
                           is_required=q.required)
            for number, q in enumerate(section.questions)])
        for position, section in enumerate(sections)]


def create_survey(data: SurveyData, *, by: User) -> Survey:
    data = _clean(data)
    _check_survey(data)
    survey = Survey(title=data.title, description=data.description,
                    audience=f",{','.join(data.audience)},")
    _set_sections(survey, data.sections)
    db.session.add(survey)
    db.session.flush()
    record(by, "survey.create", survey, summary=survey.title,
           changes={"sections": [None, [s.title for s in data.sections]]})
    return survey


def update_survey(survey: Survey, data: SurveyData, *, by: User) -> Survey:
    """Change a survey; an answered one keeps its sections and questions."""
    data = _clean(data)
    _check_survey(data)
    restructured = _wanted(data) != _structure(survey)
    answered = response_count(survey) if restructured else 0
    if answered:
        raise ValidationError(
            f"“{survey.title}” has {answered} response{'s' if answered != 1 else ''}: its "
            "sections and questions are fixed so scores stay comparable over time. Copy it "
            "to make a changed version.", field="sections")
    survey.title, survey.description = data.title, data.description
    survey.audience = f",{','.join(data.audience)},"
    changes = pending_changes(survey)
    if restructured:
        changes["sections"] = [[s.title for s in survey.sections],
                               [s.title for s in data.sections]]
        _set_sections(survey, data.sections)
    record(by, "survey.update", survey, summary=survey.title, changes=changes)
    return survey


def copy_survey(survey: Survey, *, by: User) -> Survey:
    """Start a new, editable survey from ``survey``'s sections and questions."""
    return create_survey(SurveyData(
        title=f"Copy of {survey.title}"[:200], description=survey.description,
        audience=tuple(audience_of(survey)),
        sections=[SectionData(s.title, [QuestionData(q.kind, q.prompt, q.is_required)
                                        for q in s.questions]) for s in survey.sections]),
        by=by)


def set_survey_archived(survey: Survey, archived: bool, *, by: User) -> Survey:
    """Close a survey to new responses (results stay) or open it again."""
    return retiring.set_archived(survey, archived, kind="survey", by=by)


def delete_survey(survey: Survey, *, by: User) -> None:
    """Delete a survey nobody has answered yet."""
    retiring.delete_unused(survey, used=response_count(survey), kind="survey", by=by,
                           refusal=f"“{survey.title}” has responses: archive it instead.")


# --- responses -------------------------------------------------------------------------------

@dataclass
class AnswerData:
    question_id: int
    likert: int | None = None
    text: str = ""


def _check_answer(question: SurveyQuestion, answer: AnswerData) -> None:
    where = f"answers.{question.id}"
    if question.kind == SurveyQuestionKind.LIKERT:
        if answer.likert is not None and (isinstance(answer.likert, bool)
                                          or answer.likert not in range(1, 6)):
            raise ValidationError(f"Answer “{question.prompt}” from 1 to 5.", field=where)
        if (answer.text or "").strip():
            raise ValidationError(f"“{question.prompt}” takes a score from 1 to 5, not text.",
                                  field=where)
    else:
        if answer.likert is not None:
            raise ValidationError(f"“{question.prompt}” takes text, not a score.", field=where)
        if len(answer.text or "") > MAX_TEXT:
            raise ValidationError(f"Keep the answer to “{question.prompt}” under 4,000 "
                                  "characters.", field=where)


def _is_blank(question: SurveyQuestion, answer: AnswerData | None) -> bool:
    if answer is None:
        return True
    if question.kind == SurveyQuestionKind.LIKERT:
        return answer.likert is None
    return not (answer.text or "").strip()


def _check_response(survey: Survey, answers: list[AnswerData], by: User
                    ) -> dict[int, AnswerData]:
    if survey.is_archived:
        raise ValidationError(f"“{survey.title}” is closed.")
    if by.level not in audience_of(survey):
        raise ValidationError(f"“{survey.title}” is for {audience_label(survey).lower()}.")
    questions = {q.id: q for s in survey.sections for q in s.questions}
    given: dict[int, AnswerData] = {}
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None:
            raise ValidationError(f"Question {answer.question_id} is not part of this survey.",
                                  field="answers")
        if answer.question_id in given:
            raise ValidationError(f"“{question.prompt}” is answered twice.", field="answers")
        _check_answer(question, answer)
        given[answer.question_id] = answer
    for question in questions.values():
        if question.is_required and _is_blank(question, given.get(question.id)):
            raise ValidationError(f"Answer “{question.prompt}”.",
                                  field=f"answers.{question.id}")
    if not any(q.kind == SurveyQuestionKind.LIKERT and not _is_blank(q, given.get(q.id))
               for q in questions.values()):
        raise ValidationError("Score at least one statement from 1 to 5.", field="answers")
    return given


def submit_response(survey: Survey, answers: list[AnswerData], *, by: User) -> SurveyResponse:
    """Record ``by``'s answers to ``survey`` and score them per section and overall."""
    given = _check_response(survey, answers, by)
    response = SurveyResponse(survey=survey, user_id=by.id, submitted_at=utcnow())
    everything: list[int] = []
    for section in survey.sections:
        likert = []
        for question in section.questions:
            answer = given.get(question.id)
            if _is_blank(question, answer):
                continue
            response.answers.append(SurveyAnswer(
                question_id=question.id, likert=answer.likert,
                text=(answer.text or "").strip() if answer.likert is None else ""))
            if answer.likert is not None:
                likert.append(answer.likert)
        if likert:
            response.section_scores.append(SurveySectionScore(
                section_id=section.id, score=round(fmean(likert), 2)))
            everything.extend(likert)
    response.score = round(fmean(everything), 2)
    db.session.add(response)
    db.session.flush()
    record(by, "survey.respond", response, summary=f"{survey.title}: {response.score:.2f}")
    return response


# --- the leader's coaching-habits self-check -------------------------------------------------

COACHING_CHECK = SurveyData(
    title="Coaching habits: a leader's self-check",
    description=("Rate how far each statement holds for your part of the organisation today. "
                 "Take it again every quarter to see which habits are taking hold."),
    audience=(Level.LEADER.value, Level.EXECUTIVE.value),
    sections=[
        SectionData("Goals for every rep", [
            QuestionData("likert", "Each rep under me has agreed activity goals, such as the "
                         "number of contacts made or proposals sent."),
            QuestionData("likert", "Each rep under me also has proficiency goals, such as "
                         "close ratio, average sale value or proposal ratio."),
            QuestionData("likert", "Reps and their managers agreed those goals together and "
                         "revisit them during the quarter, not once a year."),
        ]),
        SectionData("Managers review the numbers", [
            QuestionData("likert", "My managers look at each rep's activity and proficiency "
                         "figures on a regular rhythm to find gaps."),
            QuestionData("likert", "When a gap shows, my managers look for its root cause "
                         "(environment, commitment, capacity, skills or knowledge) before "
                         "acting on it."),
            QuestionData("likert", "Corrective actions agreed with a rep are followed up until "
                         "the figures show whether they worked."),
        ]),
        SectionData("Inspecting coaching itself", [
            QuestionData("likert", "I observe or review my managers' coaching conversations, "
                         "not only their forecasts and pipeline updates."),
            QuestionData("likert", "Each of my managers gets specific feedback from me on how "
                         "they coach."),
            QuestionData("likert", "Our reviews report on selling and coaching behaviours "
                         "next to results."),
            QuestionData("likert", "My managers are committed to our sales process and hold "
                         "every rep on their team accountable to it."),
        ]),
        SectionData("Your next step", [
            QuestionData("text", "Which one coaching habit will you strengthen before you "
                         "take this check again, and how will your managers notice?",
                         required=False),
        ]),
    ])


def default_coaching_survey(by: User) -> Survey:
    """Create the leader's coaching-habits self-check (for the demo and new installs)."""
    return create_survey(COACHING_CHECK, by=by)
