"""Certificates: issuing once, the stored PDF, revocation, the pages (mine, my people's,
templates), public verification and the rules (rendering itself: test_certificate_rendering).

Real PDF renders are slow, so few tests make one: they count renders rather than repeat them.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC

import pytest
from sqlalchemy import func, select

from courses.certificates import rendering, services
from courses.certificates.models import Certificate, CertificateTemplate
from courses.services import enrolment, player
from lms import authz
from lms.audit.models import AuditEntry
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import Notification
from tests import csv_files, factories

pytestmark = pytest.mark.usefixtures("ctx")

BASE = "https://cadence.test"
CODE = re.compile(r"^[A-Za-z0-9_-]{32,40}$")


# --- issuing ---------------------------------------------------------------------------------

def complete(person, course, *, by=None):
    enrollment = enrolment.enrol(person, course, by=by or person, notify_person=False)
    for lesson in course.current_version.lessons:
        player.complete_lesson(enrollment, lesson, by=person)
    return enrollment


def certificates_of(person) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == person.id)))


def test_completing_a_course_issues_one_certificate_with_a_snapshot(org):
    course = factories.course(title="Discovery Calls", by=org.admin)
    enrollment = complete(org.rep_a1a, course)

    [certificate] = certificates_of(org.rep_a1a)
    assert CODE.match(certificate.code)
    assert (certificate.learner_name, certificate.course_title, certificate.issuer) == (
        "Rita Rep", "Discovery Calls", "Cadence")
    assert certificate.issued_at == enrollment.completed_at
    assert certificate.rendered_at is None  # the job renders it after the commit
    assert ("render_certificate", {"certificate_id": certificate.id}) in db.session.info[
        "cadence_jobs_pending"]
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id, Notification.kind == "certificate.issued"))
    assert note.link == f"/certificates/{certificate.id}"
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "certificate.issue", AuditEntry.object_id == certificate.id))

    org.rep_a1a.name = "Rita Renamed"
    assert services.issue(enrollment, by=None) is certificate  # once per person and course
    assert certificate.learner_name == "Rita Rep"


def test_codes_differ_and_issuer_comes_from_configuration(org, app, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUER", "Acme Sales Academy")
    course = factories.course(by=org.admin)
    first = services.issue(complete(org.rep_a1a, course), by=None)
    second = services.issue(complete(org.rep_a1b, course), by=None)
    assert first.code != second.code
    assert first.issuer == second.issuer == "Acme Sales Academy"


def test_an_incomplete_course_gets_no_certificate(org):
    course = factories.course(by=org.admin)
    enrollment = enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    with pytest.raises(services.ValidationError, match="not complete"):
        services.issue(enrollment, by=None)
    assert certificates_of(org.rep_a1a) == []


def test_losing_the_insert_race_returns_the_winners_certificate(org, monkeypatch):
    course = factories.course(by=org.admin)
    enrollment = complete(org.rep_a1a, course)
    [winner] = certificates_of(org.rep_a1a)
    # The other request's row appears between our check and our INSERT.
    real, calls = services.certificate_of, []

    def not_yet(user_id, course_id):
        calls.append(user_id)
        return None if len(calls) == 1 else real(user_id, course_id)

    monkeypatch.setattr(services, "certificate_of", not_yet)
    assert services.issue(enrollment, by=None) is winner
    assert len(calls) == 2  # the SAVEPOINT caught the IntegrityError, then it looked again
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.course_id == course.id)) == 1
    assert enrollment.completed_at is not None  # the outer transaction lives on


def test_issue_many_costs_the_same_statements_for_two_or_six_people(org, count_queries):
    course = factories.course(by=org.admin)
    people = [factories.person(manager=org.manager_a1) for _ in range(8)]
    enrollments = [enrolment.enrol(person, course, by=org.admin, notify_person=False)
                   for person in people]
    for enrollment in enrollments:
        enrollment.complete(utcnow())
    db.session.flush()
    counts = []
    for batch in (enrollments[:2], enrollments[2:]):
        with count_queries() as counter:
            issued = services.issue_many(batch, course, by=org.admin)
        counts.append(counter.count)
        assert len(issued) == len(batch)
    assert counts[0] == counts[1]
    assert services.issue_many(enrollments, course, by=org.admin) and db.session.scalar(
        select(func.count()).select_from(Certificate).where(
            Certificate.course_id == course.id)) == 8


def test_completing_a_batch_issues_each_persons_certificate(org):
    course = factories.course(by=org.admin)
    enrollments = [enrolment.enrol(person, course, by=org.admin, notify_person=False)
                   for person in (org.rep_a1a, org.rep_a1b)]
    services.issue(complete(org.rep_a2a, course), by=None)  # one already has theirs
    player.finish_many(enrollments, course, by=org.admin, because="a batch")
    holders = set(db.session.scalars(select(Certificate.user_id).where(
        Certificate.course_id == course.id)))
    assert holders == {org.rep_a1a.id, org.rep_a1b.id, org.rep_a2a.id}
    assert services.issue_many(enrollments, course, by=org.admin) and db.session.scalar(
        select(func.count()).select_from(Certificate).where(
            Certificate.course_id == course.id)) == 3


# --- the stored PDF --------------------------------------------------------------------------

@pytest.fixture
def renders(monkeypatch):
    """Count real renders (they still happen)."""
    calls = []
    real = rendering.render_pdf

    def counting(*args, **kwargs):
        calls.append(args[2].code)
        return real(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", counting)
    return calls


def test_pdf_is_rendered_once_stored_and_then_served(org, client, login, renders):
    certificate = services.issue(complete(org.rep_a1a, factories.course(by=org.admin)),
                                 by=None)
    db.session.commit()
    login(org.rep_a1a)

    first = client.get(f"/certificates/{certificate.id}/pdf")
    second = client.get(f"/certificates/{certificate.id}/pdf")

    assert first.status_code == second.status_code == 200
    assert first.mimetype == "application/pdf" and first.data.startswith(b"%PDF-")
    assert second.data == first.data
    assert renders == [certificate.code]  # the second download did not render
    db.session.refresh(certificate)
    assert certificate.pdf == first.data
    assert certificate.pdf_sha256 == hashlib.sha256(first.data).hexdigest()
    assert "attachment" in first.headers["Content-Disposition"]


def test_the_job_renders_once_the_completing_request_commits(org, client, login, renders):
    course = factories.course(by=org.admin, lessons=1)
    enrolment.enrol(org.rep_a1a, course, by=org.rep_a1a)
    db.session.commit()
    login(org.rep_a1a)
    [lesson] = course.current_version.lessons

    response = client.post(f"/courses/{course.slug}/lessons/{lesson.key}/complete")

    assert response.status_code == 302
    [certificate] = certificates_of(org.rep_a1a)
    db.session.refresh(certificate)
    assert certificate.rendered_at is not None and certificate.pdf.startswith(b"%PDF-")
    assert renders == [certificate.code]
    download = client.get(f"/certificates/{certificate.id}/pdf")
    assert download.data == certificate.pdf and renders == [certificate.code]
    services.render_job(certificate.id)  # run again (a retried job): nothing changes
    assert renders == [certificate.code]


# --- revoking --------------------------------------------------------------------------------

def a_certificate(person, *, title="Discovery Calls", pdf=b"%PDF-1.7 stored") -> Certificate:
    """A certificate with a stored PDF (no render), as ``issue`` leaves it after the job."""
    course = factories.course(title=title)
    certificate = Certificate(code=services.new_code(), user_id=person.id, course_id=course.id,
                              learner_name=person.name, course_title=title, issuer="Cadence",
                              pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                              rendered_at=utcnow())
    db.session.add(certificate)
    db.session.flush()
    return certificate


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_needs_a_reason_and_writes_nothing_without_one(org, reason):
    certificate = a_certificate(org.rep_a1a)
    with pytest.raises(services.ValidationError) as refused:
        services.revoke(certificate, reason, by=org.admin)
    assert refused.value.field == "reason"
    assert certificate.revoked_at is None and not certificate.revoked_reason


def test_revoking_is_audited_tells_the_holder_and_happens_once(org):
    certificate = a_certificate(org.rep_a1a)
    services.revoke(certificate, "  Completed on someone else's account ", by=org.admin)
    assert certificate.is_revoked and certificate.revoked_by_id == org.admin.id
    assert certificate.revoked_reason == "Completed on someone else's account"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.revoke"))
    assert entry.actor_id == org.admin.id and entry.object_id == certificate.id
    note = db.session.scalar(select(Notification).where(
        Notification.recipient_id == org.rep_a1a.id, Notification.kind == "certificate.revoked"))
    assert "someone else's account" in note.body
    with pytest.raises(services.ValidationError, match="already revoked"):
        services.revoke(certificate, "Again", by=org.admin)


def test_admin_revokes_over_http_and_the_verification_page_says_so(org, client, login):
    certificate = a_certificate(org.rep_a1a)
    db.session.commit()
    login(org.admin)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f"/certificates/{certificate.id}/revoke" in page

    empty = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert empty.status_code == 422 and "Say why" in empty.get_data(as_text=True)
    assert certificate.revoked_at is None

    done = client.post(f"/certificates/{certificate.id}/revoke",
                       data={"reason": "Issued by mistake"})
    assert done.status_code == 302
    db.session.refresh(certificate)
    verify = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    revoked = certificate.revoked_at.astimezone(UTC)  # a visitor reads UTC dates
    assert "Revoked." in verify
    assert f"revoked on {revoked:%a} {revoked.day} {revoked:%b %Y}" in verify
    assert "Issued by mistake" not in verify


def test_the_holder_and_their_manager_see_no_revoke_button(org, client, login):
    certificate = a_certificate(org.rep_a1a)
    for person in (org.rep_a1a, org.manager_a1):
        login(person)
        page = client.get(f"/certificates/{certificate.id}")
        assert page.status_code == 200 and "Download PDF" in page.get_data(as_text=True)
        assert "/revoke" not in page.get_data(as_text=True)
        assert client.post(f"/certificates/{certificate.id}/revoke",
                           data={"reason": "x"}).status_code == 403
        client.post("/logout")


# --- public verification ---------------------------------------------------------------------

def test_verification_shows_name_course_and_date_only(org, client):
    org.rep_a1a.time_zone = "Pacific/Auckland"
    certificate = a_certificate(org.rep_a1a, title="Coaching Rhythm")
    certificate.issued_at = certificate.issued_at.replace(year=2026, month=3, day=4, hour=20)

    response = client.get(f"/verify/{certificate.code}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Valid." in page
    assert "Rita Rep" in page and "Coaching Rhythm" in page
    assert "Thu 5 Mar 2026" in page  # the date in the holder's own time zone
    assert org.rep_a1a.email not in page and "Sign out" not in page
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_unknown_code_is_a_clear_404(client, session):
    response = client.get("/verify/not-a-real-code")
    assert response.status_code == 404
    assert "No certificate has the code" in response.get_data(as_text=True)
    assert client.get("/verify/" + "x" * 200).status_code == 404


def test_the_form_takes_a_code_or_a_pasted_address(org, client):
    certificate = a_certificate(org.rep_a1a)
    for typed in (f"  {certificate.code} ", f"{BASE}/verify/{certificate.code}/"):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 302
        assert response.location.endswith(f"/verify/{certificate.code}")
    assert client.get("/verify").status_code == 200


def test_verification_is_rate_limited_per_address(client, session):
    statuses = [client.get(f"/verify/code{number}").status_code for number in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert client.get("/api/v1/certificates/verify/code").status_code == 429  # shared


def test_verify_address_comes_from_base_url_not_the_host_header(org, client):
    certificate = a_certificate(org.rep_a1a)
    host = {"Host": "evil.example"}
    client.post("/login", headers=host,
                data={"email": org.rep_a1a.email, "password": factories.PASSWORD})
    page = client.get(f"/certificates/{certificate.id}", headers=host).get_data(as_text=True)
    assert "Download PDF" in page
    assert f"{BASE}/verify/{certificate.code}" in page and "evil.example" not in page
    values = services.context_of(certificate).values()
    assert values["verify_url"] == f"{BASE}/verify/{certificate.code}"
    assert f"<title>{BASE}/verify/{certificate.code}</title>" in values["qr_code"]


# --- lists -----------------------------------------------------------------------------------

def test_my_certificates_lists_only_mine(org, client, login):
    mine = a_certificate(org.rep_a1a, title="Mine to keep")
    a_certificate(org.rep_a1b, title="Someone else's")
    login(org.rep_a1a)
    page = client.get("/certificates/").get_data(as_text=True)
    assert "Mine to keep" in page and "Someone else" not in page
    assert f"/certificates/{mine.id}/pdf" in page
    assert "/certificates/people" not in page and "/certificates/templates" not in page
    assert client.get("/certificates/people").status_code == 403


def test_a_manager_sees_their_subtree_with_filters_and_csv(org, client, login):
    a_certificate(org.rep_a1a, title="Discovery Calls")
    a_certificate(org.rep_a1b, title="Objection Handling")
    a_certificate(org.rep_b1a, title="Other Branch Course")
    login(org.manager_a1)

    page = client.get("/certificates/people").get_data(as_text=True)
    assert "Rita Rep" in page and "Ron Rep" in page and "Raj Rep" not in page
    filtered = client.get("/certificates/people", query_string={"q": "ron"})
    assert "Ron Rep" in filtered.get_data(as_text=True)
    assert "Rita Rep" not in filtered.get_data(as_text=True)
    csv = client.get("/certificates/people", query_string={"format": "csv"})
    lines = csv_files.text(csv.data).strip().splitlines()
    assert csv.mimetype == "text/csv" and lines[0].startswith("name,email,course")
    assert len(lines) == 3 and f"{BASE}/verify/" in lines[1]


def test_people_page_costs_the_same_queries_for_two_or_eight(org, client, login,
                                                             count_queries):
    login(org.admin)

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/certificates/people").status_code == 200
        return counter.count

    for person in (org.rep_a1a, org.rep_a1b):
        a_certificate(person)
    db.session.commit()
    two = measure()
    for person in (org.rep_a2a, org.rep_b1a, org.manager_a1, org.manager_a2, org.manager_b1,
                   org.leader_b):
        a_certificate(person)
    db.session.commit()
    assert measure() == two


def test_home_suggests_a_new_certificate(org, client, login):
    certificate = a_certificate(org.rep_a1a, title="Fresh Course")
    login(org.rep_a1a)
    page = client.get("/").get_data(as_text=True)
    assert "Your certificate for “Fresh Course”" in page
    assert f"/certificates/{certificate.id}" in page


# --- rules -----------------------------------------------------------------------------------

RELATIONSHIPS = {"holder": "rep_a1a", "manager": "manager_a1", "leader": "leader_a",
                 "peer": "rep_a1b", "other branch": "manager_b1", "admin": "admin"}


def test_certificate_rules_follow_the_tree(org):
    certificate = a_certificate(org.rep_a1a)
    seen = {name: (authz.can(getattr(org, who), "certificate.view", certificate),
                   authz.can(getattr(org, who), "certificate.manage", certificate))
            for name, who in RELATIONSHIPS.items()}
    assert seen == {"holder": (True, False), "manager": (True, False),
                    "leader": (True, False), "peer": (False, False),
                    "other branch": (False, False), "admin": (True, True)}
    assert [authz.can(getattr(org, who), "certificate.team") for who in
            ("rep_a1a", "manager_a1", "leader_a", "admin")] == [False, True, True, True]
    assert not authz.can(None, "certificate.view", certificate)
    visible = set(db.session.scalars(authz.visible(select(Certificate.id), org.leader_b,
                                                   Certificate)))
    assert certificate.id not in visible


def test_templates_are_admins_alone(org):
    template = CertificateTemplate(name="T", html="<p>{{ code }}</p>", css="")
    db.session.add(template)
    db.session.flush()
    assert authz.can(org.admin, "certificate.manage", template)
    assert not authz.can_see(org.exec, template)


# --- templates (admins) ----------------------------------------------------------------------

def test_admin_saves_a_template_and_makes_it_the_default(org, client, login):
    login(org.admin)
    new = client.get("/certificates/templates/new").get_data(as_text=True)
    assert "Certificate of Completion" in new and "{{ learner_name }}" in new

    saved = client.post("/certificates/templates/new", data={
        "name": "Branded", "html": "<h1>{{ course_title }}</h1><p>{{ learner_name }}</p>"
        "{{ qr_code }}", "css": "@page { size: A4 landscape }"})
    assert saved.status_code == 302
    template = db.session.scalar(select(CertificateTemplate).where(
        CertificateTemplate.name == "Branded"))
    assert client.post(f"/certificates/templates/{template.id}/default").status_code == 302
    assert services.default_template() == template
    certificate = services.issue(complete(org.rep_a1a, factories.course(by=org.admin)),
                                 by=None)
    assert certificate.template_id == template.id
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "certificate_template.default", AuditEntry.object_id == template.id))


@pytest.mark.parametrize(("html", "message"), [
    ("<p>{{ student }}</p>", "Unknown placeholder: {{ student }}"),
    ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
    ('<img src="https://example.com/logo.png">', "https://example.com/logo.png"),
])
def test_a_bad_template_is_refused_when_saved_and_nothing_is_written(org, client, login, html,
                                                                    message):
    login(org.admin)
    response = client.post("/certificates/templates/new",
                           data={"name": "Bad", "html": html, "css": ""})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True).replace("&#34;", '"')
    assert db.session.scalar(select(func.count()).select_from(CertificateTemplate)) == 0


def test_editing_a_template_keeps_the_old_one_when_refused(org, client, login):
    template = CertificateTemplate(name="Plain", html="<p>{{ learner_name }}</p>", css="")
    db.session.add(template)
    db.session.commit()
    login(org.admin)
    response = client.post(f"/certificates/templates/{template.id}/edit",
                           data={"name": "Plain", "html": "<p>{{ nope }}</p>", "css": ""})
    assert "Unknown placeholder" in response.get_data(as_text=True)
    db.session.refresh(template)
    assert template.html == "<p>{{ learner_name }}</p>"


def test_preview_renders_the_form_with_sample_values(org, client, login):
    login(org.admin)
    response = client.post("/certificates/templates/preview",
                           data={"name": "Draft", "html": "<p>{{ learner_name }}</p>"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert db.session.scalar(select(func.count()).select_from(CertificateTemplate)) == 0
    refused = client.post("/certificates/templates/preview",
                          data={"name": "Draft", "html": "<p>{{ nobody }}</p>"})
    assert refused.mimetype == "text/html" and "Unknown placeholder" in refused.get_data(
        as_text=True)
