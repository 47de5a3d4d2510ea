"""Names and titles are one line: control characters (CR, LF, tab, NUL …) are refused in the
forms, the people API and the people CSV import, with one shared rule."""

from __future__ import annotations

import marshmallow as ma
import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from lms.extensions import db
from lms.people.csv_io import ImportRejected, import_people
from lms.people.models import User
from lms.web.text import MESSAGE, SingleLine, has_control, single_line
from tests import factories
from tests.api_support import token_headers

SINGLE_LINE_FIELDS = {"name", "title", "job_title", "subject", "action_title"}
BAD = ["Eve\r\n=cmd|' /C calc'!A0", "Eve\nEvil", "Eve\x00", "Eve\tEvil", "Eve\x1b[31m"]


def _forms(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _forms(sub)


def test_every_name_and_title_field_of_every_form_is_single_line(app):
    checked, missing = 0, []
    for form in set(_forms()):
        for attribute, unbound in vars(form).items():
            if attribute in SINGLE_LINE_FIELDS and getattr(unbound, "field_class", None) is (
                    StringField):
                checked += 1
                validators = unbound.kwargs.get("validators") or []
                if not any(isinstance(v, SingleLine) for v in validators):
                    missing.append(f"{form.__module__}.{form.__name__}.{attribute}")

    assert checked >= 20 and missing == []


@pytest.mark.parametrize(("text", "refused"), [
    ("Zoë Ångström-Müller", False), ("O'Brien, Jr.", False), ("", False), (None, False),
    *((bad, True) for bad in BAD), ("Eve\x7f", True),
])
def test_has_control(text, refused):
    assert has_control(text) is refused


@pytest.mark.parametrize("name", BAD)
def test_the_person_form_refuses_a_name_with_control_characters(client, login, session, name):
    login(factories.admin())
    person = factories.person(name="Eve Example")

    response = client.post(f"/people/{person.id}/edit", data={
        "email": person.email, "name": name, "job_title": "", "level": "rep",
        "manager_email": "", "time_zone": "UTC"})

    assert response.status_code == 422
    assert "no line breaks, tabs or other control characters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Eve Example"


def test_the_course_form_refuses_a_title_with_a_line_break(client, login, session):
    login(factories.admin())

    response = client.post("/courses/manage/new", data={"title": "Discovery\r\nCalls"})

    assert response.status_code in (200, 422)
    assert "no line breaks, tabs or other control characters" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["name", "job_title"])
def test_the_people_api_refuses_control_characters(client, session, field):
    headers = token_headers(factories.admin(), ["people:read", "people:write"])
    body = {"email": "eve@example.test", "name": "Eve", field: "Eve\r\nEvil"}

    created = client.post("/api/v1/people/", json=body, headers=headers)
    person = factories.person()
    changed = client.patch(f"/api/v1/people/{person.id}", json={field: "Eve\x00"},
                           headers=headers)

    for response in (created, changed):
        assert response.status_code == 422
        assert response.get_json()["errors"][field] == [MESSAGE]
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email == "eve@example.test")) == 0


@pytest.mark.parametrize("column", ["name", "title"])
def test_the_people_import_refuses_control_characters(session, column):
    name, title = ("Eve\nEvil", "Rep") if column == "name" else ("Eve", "Account\tExec")
    data = ("email,name,title,level,manager_email,roles\n"
            f'eve@example.test,"{name}","{title}",rep,,\n').encode()

    with pytest.raises(ImportRejected) as rejected:
        import_people(data, by=None)

    [problem] = rejected.value.problems
    assert problem.message.startswith(f"{column}: line breaks")
    assert problem.line == (3 if column == "name" else 2)  # where the record ends


def _schemas(cls=ma.Schema):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_every_name_and_title_an_api_schema_loads_is_single_line(app):
    checked, missing = 0, []
    for schema in set(_schemas()):
        if not any(word in schema.__name__ for word in ("Create", "Update", "Edit")):
            continue
        for attribute, field in schema._declared_fields.items():
            if attribute not in SINGLE_LINE_FIELDS or field.dump_only:
                continue
            checked += 1
            if single_line not in field.validators:
                missing.append(f"{schema.__module__}.{schema.__name__}.{attribute}")

    assert checked >= 15 and missing == []
