"""A form refused for its CSRF token (an expired page) saves nothing and gives the person's
words back to copy, instead of a bare error page that loses them."""

from __future__ import annotations

import pytest

from lms.extensions import db
from tests.reinforcement.checkins import factories as make

pytestmark = pytest.mark.usefixtures("ctx")

TYPED = "Asked about the Q3 pipeline.\nAgreed: two discovery calls a day <b>not bold</b>"


def _post_notes(client, check_in, **headers):
    return client.post(f"/reinforcement/check-ins/{check_in.id}/notes", headers=headers,
                       data={"csrf_token": "stale", "shared_notes": TYPED,
                             "private_notes": "Seems tired"})


def test_an_expired_notes_form_saves_nothing_and_shows_what_was_typed(client, login, org,
                                                                    app):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, shared="Before")
    db.session.commit()
    login(org.manager_a1)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page_url = f"http://localhost/reinforcement/check-ins/{check_in.id}"
        response = _post_notes(client, check_in, Referer=page_url)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was saved" in html
    # Escaped, kept whole (both lines), and the token never echoed.
    assert ("Asked about the Q3 pipeline.\nAgreed: two discovery calls a day "
            "&lt;b&gt;not bold&lt;/b&gt;</textarea>") in html
    assert "Seems tired</textarea>" in html
    assert "stale" not in html
    assert f'href="{page_url}"' in html
    db.session.refresh(check_in)
    assert check_in.shared_notes == "Before"


def test_after_the_sign_in_ended_the_page_says_to_sign_in_first(client, org, csrf_enabled):
    check_in = make.check_in(org.manager_a1, org.rep_a1a, shared="Before")
    db.session.commit()
    response = _post_notes(client, check_in, Referer="https://elsewhere.example/form")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "open the page again after signing in" in html
    assert "elsewhere.example" not in html  # only a link back to this site
    db.session.refresh(check_in)
    assert check_in.shared_notes == "Before"
