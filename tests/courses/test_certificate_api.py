"""Certificates in the REST API: lists scoped to the tree, the PDF, and public verification."""

from __future__ import annotations

import hashlib

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from courses.certificates import rendering, services
from courses.certificates.models import Certificate
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import User
from tests import factories
from tests.api_support import token_maker

pytestmark = pytest.mark.usefixtures("ctx")

API = "/api/v1/certificates/"
PUBLIC_FIELDS = {"code", "status", "learner_name", "course_title", "issued_on", "revoked_on"}
bearer = token_maker("courses:read")


def a_certificate(person: User, title: str = "Discovery Calls", *,
                  pdf: bytes | None = b"%PDF-1.7 stored") -> Certificate:
    course = factories.course(title=title)
    certificate = Certificate(
        code=services.new_code(), user_id=person.id, course_id=course.id,
        learner_name=person.name, course_title=title, issuer="Cadence", pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf else None,
        rendered_at=utcnow() if pdf else None)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def names(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["learner_name"] for item in response.get_json()["items"]}


def test_list_holds_mine_and_my_subtrees_only(org, client):
    for person in (org.manager_a1, org.rep_a1a, org.rep_b1a):
        a_certificate(person)
    assert names(client.get(API, headers=bearer(org.rep_a1a))) == {"Rita Rep"}
    assert names(client.get(API, headers=bearer(org.manager_a1))) == {"Dana Reyes", "Rita Rep"}
    assert names(client.get(API, headers=bearer(org.admin))) == {"Dana Reyes", "Rita Rep",
                                                                "Raj Rep"}


def test_list_filters_and_shapes_items(org, client):
    mine = a_certificate(org.rep_a1a, "Discovery Calls")
    other = a_certificate(org.rep_a1b, "Objection Handling")
    services.revoke(other, "Duplicate", by=org.admin)
    headers = bearer(org.manager_a1)

    assert names(client.get(API, query_string={"status": "revoked"}, headers=headers)) == {
        "Ron Rep"}
    assert names(client.get(API, query_string={"course_id": mine.course_id},
                            headers=headers)) == {"Rita Rep"}
    assert names(client.get(API, query_string={"q": mine.code}, headers=headers)) == {
        "Rita Rep"}
    item = client.get(f"{API}{mine.id}", headers=headers).get_json()
    assert item["status"] == "valid" and item["verify_url"] == (
        f"https://cadence.test/verify/{mine.code}")
    assert item["pdf_url"] == f"/api/v1/certificates/{mine.id}/pdf"
    assert client.get(API, query_string={"status": "lost"}, headers=headers).status_code == 422
    assert client.get(API, query_string={"colour": "red"}, headers=headers).status_code == 422


def test_someone_elses_certificate_is_404_and_no_token_is_401(org, client):
    theirs = a_certificate(org.rep_b1a)
    assert client.get(f"{API}{theirs.id}", headers=bearer(org.manager_a1)).status_code == 404
    assert client.get(f"{API}{theirs.id}/pdf",
                      headers=bearer(org.manager_a1)).status_code == 404
    assert client.get(f"{API}{theirs.id}").status_code == 401
    assert client.get(API, headers=bearer(org.rep_b1a, "people:read")).status_code == 403


def test_pdf_serves_the_stored_bytes_without_rendering(org, client, monkeypatch):
    certificate = a_certificate(org.rep_a1a, pdf=b"%PDF-1.7 the stored one")
    monkeypatch.setattr(rendering, "render_pdf", lambda *a, **k: pytest.fail("re-rendered"))
    response = client.get(f"{API}{certificate.id}/pdf", headers=bearer(org.manager_a1))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == b"%PDF-1.7 the stored one"


def test_verify_needs_no_token_and_tells_only_status_name_course_and_date(org, client):
    certificate = a_certificate(org.rep_a1a, "Coaching Rhythm")

    valid = client.get(f"{API}verify/{certificate.code}")

    assert valid.status_code == 200
    body = valid.get_json()
    assert set(body) == PUBLIC_FIELDS
    assert (body["status"], body["learner_name"], body["course_title"], body["revoked_on"]) == (
        "valid", "Rita Rep", "Coaching Rhythm", None)
    services.revoke(certificate, "Issued in error", by=org.admin)
    db.session.commit()
    revoked = client.get(f"{API}verify/{certificate.code}").get_json()
    assert revoked["status"] == "revoked"
    assert revoked["revoked_on"] == certificate.revoked_at.date().isoformat()
    assert "Issued in error" not in str(revoked)


def test_verify_unknown_code_is_404_in_the_one_error_shape(client, session):
    response = client.get(f"{API}verify/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {"errors": {"request": ["No certificate has this code."]}}


def test_openapi_stays_valid_and_marks_verification_public(client, session):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    assert paths["/api/v1/certificates/verify/{code}"]["get"]["security"] == []
    assert "security" not in paths["/api/v1/certificates/"]["get"]  # the bearer default
    pdf = paths["/api/v1/certificates/{certificate_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]


def test_list_costs_the_same_queries_for_two_or_eight(org, client, count_queries):
    headers = bearer(org.admin)

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(API, headers=headers).status_code == 200
        return counter.count

    for person in (org.rep_a1a, org.rep_a1b):
        a_certificate(person)
    db.session.commit()
    two = measure()
    for person in db.session.scalars(select(User).where(User.level == "manager")):
        a_certificate(person)
    a_certificate(org.leader_a)
    a_certificate(org.leader_b)
    db.session.commit()
    assert measure() == two
