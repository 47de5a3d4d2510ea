"""Certificates: issue once on completion, render after the commit, serve the stored PDF, revoke.

Issuing happens inside the completing transaction (a row with its code and a snapshot of the
learner's name, the course title and the issuer); the PDF is rendered by the job
``render_certificate`` once that transaction commits, and stored with its SHA-256. Later
downloads serve the stored bytes; a download that finds none yet renders and stores it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from courses.certificates import rendering
from courses.certificates.default_template import DEFAULT_CSS, DEFAULT_HTML
from courses.certificates.models import Certificate, CertificateTemplate
from courses.models import Course, Enrollment
from lms.audit import services as audit
from lms.db import begin_writing, end_reading, utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.notify import jobs
from lms.notify.preferences import register_kind
from lms.notify.services import notify, notify_many
from lms.people.models import User
from lms.web.templating import person_zone

log = logging.getLogger(__name__)
CODE_BYTES = 24  # 192 random bits: 32 URL-safe characters
MAX_REASON = 1000
MAX_NAME = 200

register_kind("certificate.issued", "You earn a certificate")
register_kind("certificate.revoked", "A certificate of yours is revoked")


def new_code() -> str:
    """An unguessable, URL-safe verification code."""
    return secrets.token_urlsafe(CODE_BYTES)


def issuer_name() -> str:
    return current_app.config["CERTIFICATE_ISSUER"]


def certificate_path(certificate: Certificate) -> str:
    return f"/certificates/{certificate.id}"


def default_template() -> CertificateTemplate | None:
    """The saved template marked default, if any (else the built-in one is used)."""
    return db.session.scalar(select(CertificateTemplate)
                             .where(CertificateTemplate.is_default.is_(True))
                             .order_by(CertificateTemplate.id).limit(1))


def certificate_of(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user_id,
                                                       Certificate.course_id == course_id))


def by_code(code: str) -> Certificate | None:
    """The certificate with ``code``; None for anything that cannot be one."""
    if not code or len(code) > 40:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


# --- issuing ---------------------------------------------------------------------------------

def _snapshot(enrollment: Enrollment, template: CertificateTemplate | None,
              issuer: str) -> dict:
    """The new certificate's columns: a fresh code and what it certifies, as of now."""
    return {"code": new_code(), "user_id": enrollment.user_id,
            "course_id": enrollment.course_id,
            "template_id": template.id if template else None,
            "learner_name": enrollment.user.name, "course_title": enrollment.course.title,
            "issuer": issuer, "issued_at": enrollment.completed_at, "revoked_reason": ""}


def issue(enrollment: Enrollment, *, by: User | None) -> Certificate:
    """Issue the certificate of a completed enrolment, exactly once per person and course.

    Two requests racing to complete the same course both reach the INSERT; the unique
    constraint refuses the second inside a SAVEPOINT, which then returns the first one's.
    """
    if enrollment.completed_at is None:
        raise ValidationError("The course is not complete yet, so there is no certificate.")
    existing = certificate_of(enrollment.user_id, enrollment.course_id)
    if existing is not None:
        return existing
    certificate = Certificate(**_snapshot(enrollment, default_template(), issuer_name()))
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        existing = certificate_of(enrollment.user_id, enrollment.course_id)
        if existing is None:  # not the (user, course) constraint: a real error
            raise
        return existing
    audit.record(by, "certificate.issue", certificate, changes={},
                 summary=f"Certificate for {certificate.learner_name}: "
                         f"{certificate.course_title}")
    notify(enrollment.user, kind="certificate.issued",
           subject=f"Your certificate for “{certificate.course_title}”",
           body="Well done: you completed the course. Download your certificate; anyone "
                "can check it with its code.", link=certificate_path(certificate))
    jobs.enqueue("render_certificate", certificate_id=certificate.id)
    return certificate


def issue_many(enrollments: list[Enrollment], course: Course, *,
               by: User | None) -> list[Certificate]:
    """Issue the certificates of many completed enrolments of ``course`` at once.

    A constant number of statements whatever their number (one audit entry, one batch of
    notifications); if another request issued one of them meanwhile, it falls back to
    ``issue`` one by one, which returns the existing ones.
    """
    completed = [e for e in enrollments if e.completed_at is not None]
    if not completed:
        return []
    user_ids = {e.user_id for e in completed}
    people = {person.id: person for person in db.session.scalars(
        select(User).where(User.id.in_(user_ids)))}
    existing = {c.user_id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.course_id == course.id, Certificate.user_id.in_(user_ids)))}
    template, issuer = default_template(), issuer_name()
    rows = [_snapshot(e, template, issuer) for e in completed if e.user_id not in existing]
    if not rows:
        return list(existing.values())
    try:
        with db.session.begin_nested():
            ids = list(db.session.scalars(insert(Certificate).returning(Certificate.id), rows))
    except IntegrityError:
        return [issue(enrollment, by=by) for enrollment in completed]
    new = list(db.session.scalars(select(Certificate).where(Certificate.id.in_(ids))))
    audit.record(by, "certificate.issue_many", course,
                 changes={"certificate_ids": [None, sorted(c.id for c in new)]},
                 summary=f"{len(new)} certificates for {course.title}")
    notify_many([people[c.user_id] for c in new], kind="certificate.issued",
                subject=f"Your certificate for “{course.title}”",
                body="Well done: you completed the course. Download your certificate from "
                     "My certificates; anyone can check it with its code.",
                link="/certificates/")
    for certificate in new:
        jobs.enqueue("render_certificate", certificate_id=certificate.id)
    return [*existing.values(), *new]


# --- rendering -------------------------------------------------------------------------------

def issued_on(certificate: Certificate) -> date:
    """The date of issue in the holder's own time zone."""
    return certificate.issued_at.astimezone(person_zone(certificate.user)).date()


def verify_url(certificate: Certificate) -> str:
    return rendering.verify_url(current_app.config["BASE_URL"], certificate.code)


def context_of(certificate: Certificate) -> rendering.CertificateContext:
    return rendering.CertificateContext(
        learner_name=certificate.learner_name, course_title=certificate.course_title,
        issued_on=issued_on(certificate), issuer=certificate.issuer, code=certificate.code,
        verify_url=verify_url(certificate))


def _render(certificate: Certificate) -> bytes:
    """Render the PDF with no transaction open: it takes a while, and a transaction would
    hold SQLite's write lock (jobs) or an ever older snapshot (requests) meanwhile."""
    template = certificate.template or default_template()
    html, css = (template.html, template.css) if template else (DEFAULT_HTML, DEFAULT_CSS)
    template_id = template.id if template else None
    options = {"static_folder": current_app.static_folder,
               "base_url": current_app.config["BASE_URL"]}
    context, certificate_id = context_of(certificate), certificate.id
    end_reading(db.session)
    try:
        rendered = rendering.render_pdf(html, css, context, **options)
    except rendering.TemplateError:
        # Checked when saved, so this is rare (a name the template trips on): the
        # certificate still gets a PDF, from the built-in template.
        log.exception("certificate %s: template %s failed; using the built-in one",
                      certificate_id, template_id)
        rendered = rendering.render_pdf(DEFAULT_HTML, DEFAULT_CSS, context, **options)
    if rendered.refused:
        log.warning("certificate %s: refused to fetch %s", certificate_id, rendered.refused)
    return rendered.pdf


def pdf_of(certificate: Certificate) -> bytes:
    """The certificate's PDF: the stored one, or rendered now and stored (once)."""
    if certificate.rendered_at is not None:
        return certificate.pdf
    pdf = _render(certificate)
    begin_writing(db.session)  # a download is a GET
    stored = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.rendered_at.is_(None))
        .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), rendered_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if stored.rowcount == 0:  # another worker stored one first: serve that one
        db.session.refresh(certificate, ["pdf", "pdf_sha256", "rendered_at"])
        return certificate.pdf
    return pdf


@jobs.job("render_certificate")
def render_job(certificate_id: int) -> None:
    """Render and store a newly issued certificate's PDF (idempotent)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is not None and certificate.rendered_at is None:
        pdf_of(certificate)


# --- revoking --------------------------------------------------------------------------------

def revoke(certificate: Certificate, reason: str, *, by: User) -> Certificate:
    """Revoke ``certificate`` (admins); the verification page then says so."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the certificate is revoked.", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(f"Keep the reason under {MAX_REASON} characters.",
                              field="reason")
    if certificate.is_revoked:
        raise ValidationError("This certificate is already revoked.")
    now = utcnow()
    if not certificate.revoke(now, reason, by):  # a racing request revoked it first
        raise ValidationError("This certificate is already revoked.")
    audit.record(by, "certificate.revoke", certificate,
                 changes={"revoked_at": [None, now.isoformat()],
                          "revoked_reason": ["", reason]},
                 summary=f"Revoked {certificate.learner_name}'s certificate for "
                         f"{certificate.course_title}")
    notify(certificate.user, kind="certificate.revoked",
           subject=f"Your certificate for “{certificate.course_title}” was revoked",
           body=f"Reason: {reason}", link=certificate_path(certificate))
    return certificate


# --- templates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateData:
    name: str
    html: str
    css: str = ""


def check_template(data: TemplateData) -> bytes:
    """Refuse a template that would not render a sound certificate; return a sample PDF."""
    name = (data.name or "").strip()
    if not name:
        raise ValidationError("Give the template a name.", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Keep the name under {MAX_NAME} characters.", field="name")
    try:
        return rendering.check_template(
            data.html or "", data.css or "", static_folder=current_app.static_folder,
            base_url=current_app.config["BASE_URL"], issuer=issuer_name())
    except rendering.TemplateError as error:
        raise ValidationError(error.message, field=error.field) from None


def create_template(data: TemplateData, *, by: User) -> CertificateTemplate:
    """Add a certificate template (checked by rendering it with sample values)."""
    check_template(data)
    template = CertificateTemplate(name=data.name.strip(), html=data.html, css=data.css or "",
                                   is_default=False, updated_by_id=by.id)
    db.session.add(template)
    db.session.flush()
    audit.record(by, "certificate_template.create", template, changes={},
                 summary=f"Certificate template “{template.name}”")
    return template


def update_template(template: CertificateTemplate, data: TemplateData, *,
                    by: User) -> CertificateTemplate:
    """Change a template; certificates not rendered yet use the new version."""
    check_template(data)
    template.name = data.name.strip()
    template.html = data.html
    template.css = data.css or ""
    template.updated_by_id = by.id
    # The HTML and CSS are long: the log says that they changed, not what they were.
    changes = {key: value if key == "name" else ["(before)", "(changed)"]
               for key, value in audit.pending_changes(template, ("name", "html", "css")).items()}
    audit.record(by, "certificate_template.update", template, changes=changes,
                 summary=f"Certificate template “{template.name}”")
    return template


def set_default(template: CertificateTemplate, *, by: User) -> CertificateTemplate:
    """Make ``template`` the one new certificates use."""
    db.session.execute(update(CertificateTemplate)
                       .where(CertificateTemplate.id != template.id,
                              CertificateTemplate.is_default.is_(True))
                       .values(is_default=False)
                       .execution_options(synchronize_session="fetch"))
    template.is_default = True
    audit.record(by, "certificate_template.default", template,
                 summary=f"“{template.name}” is the default certificate template")
    return template
