"""A form that failed validation opens with an error summary whose entries link to the fields."""

from __future__ import annotations

import re

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, StringField

from tests import factories

SUMMARY = re.compile(r'<div class="alert alert-danger error-summary" role="alert" tabindex="-1">'
                     r'(.*?)</div>', re.S)


class _Form(FlaskForm):
    headline = StringField("Headline")
    token = HiddenField()
    descriptors = FieldList(StringField("Descriptor"), min_entries=2)


def _summary(form: FlaskForm) -> str:
    return render_template_string(
        '{% from "_macros/forms.html" import form_errors %}{{ form_errors(form) }}', form=form)


def test_failed_profile_form_lists_each_problem_as_a_link_to_its_field(client, session, login):
    person = factories.person()
    login(person)
    response = client.post("/account", data={"name": "", "time_zone": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = SUMMARY.search(page)
    assert summary, "no error summary on the failed form"
    assert "There are problems with what you entered" in summary.group(1)
    links = re.findall(r'<a href="#([\w-]+)" class="error-summary-link">([^<]+)</a>',
                       summary.group(1))
    assert links == [("name", "Name: This field is required."),
                     ("time_zone", "Time zone: This field is required.")]
    for target, _text in links:
        assert f'id="{target}"' in page
    # The untouched forms of the same page show no summary.
    assert len(SUMMARY.findall(page)) == 1


def test_summary_of_the_email_form_links_to_its_own_password_field(client, session, login):
    person = factories.person()
    login(person)
    response = client.post("/account/email",
                           data={"email": "new.address@example.com", "current_password": "nope"})
    page = response.get_data(as_text=True)
    assert 'href="#email-current-password"' in SUMMARY.search(page).group(1)
    # Three forms on one page: every field keeps an id of its own, so labels and links hold.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_summary_lists_form_messages_plainly_and_links_only_fields_a_person_can_reach(ctx):
    form = _Form(formdata=None)
    form.form_errors.append("Nothing was saved.")
    form.headline.errors = ["Keep it under 80 characters."]
    form.token.errors = ["The form expired; send it again."]
    form.descriptors.errors = [["Too long."], []]  # one entry's own list of messages

    summary = _summary(form)

    assert "<li>Nothing was saved.</li>" in summary
    assert ('<a href="#headline" class="error-summary-link">Headline: Keep it under 80 '
            'characters.</a>' in summary)
    assert "The form expired; send it again." in summary
    assert 'href="#token"' not in summary
    assert ('<a href="#descriptors" class="error-summary-link">Descriptors: check the highlighted '
            'entries.</a>') in summary
    assert summary.count("<li>") == 4


def test_a_form_without_errors_has_no_summary(ctx):
    assert "error-summary" not in _summary(_Form(formdata=None))
