"""Certificate pages: my certificates, my people's, one certificate, and public verification."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from courses.certificates import bp, queries, services
from courses.certificates.forms import RevokeForm
from courses.certificates.models import Certificate
from lms.authz import permission_required
from lms.errors import CadenceError
from lms.extensions import db, limiter
from lms.web.args import int_arg, page_arg
from lms.web.forms import apply_error
from lms.web.spreadsheets import csv_response

PER_PAGE = 50
# Public pages: generous for a person, a brake on anyone scraping or guessing codes.
VERIFY_LIMIT = "30 per minute"
CSV_HEADER = ("name", "email", "course", "issued_on", "status", "revoked_on", "code",
              "verify_url")


def pdf_response(certificate: Certificate, pdf: bytes) -> Response:
    """Serve a certificate's PDF as a download named after the course."""
    name = "".join(ch if ch.isalnum() else "-" for ch in certificate.course_title.lower())
    filename = "certificate-" + "-".join(part for part in name.split("-") if part)[:60]
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}.pdf"',
        "Cache-Control": "private, no-store",
        "ETag": f'"{certificate.pdf_sha256}"'})


@bp.get("/certificates/")
@login_required
def mine():
    return render_template("courses/certificates/mine.html",
                           certificates=queries.own(current_user))


def _filters() -> dict:
    status = request.args.get("status")
    return {"course_id": int_arg("course"),
            "status": status if status in queries.STATUSES else None,
            "search": (request.args.get("q") or "").strip()[:100]}


def _csv(filters: dict):
    rows = ([c.learner_name, c.user.email, c.course_title, services.issued_on(c),
             "revoked" if c.is_revoked else "valid",
             c.revoked_at.date() if c.revoked_at else None, c.code, services.verify_url(c)]
            for c in db.session.scalars(queries.listed(current_user, **filters)))
    return csv_response(rows, CSV_HEADER, "certificates")


@bp.get("/certificates/people")
@permission_required("certificate.team")
def index():
    filters = _filters()
    if request.args.get("format") == "csv":
        return _csv(filters)
    page = db.paginate(queries.listed(current_user, **filters),
                       page=page_arg(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("courses/certificates/index.html", page=page, filters=filters,
                           choices=queries.course_choices(current_user))


def _render_detail(certificate: Certificate, form: RevokeForm | None = None, status=200):
    return render_template("courses/certificates/detail.html", certificate=certificate,
                           form=form or RevokeForm(), issued_on=services.issued_on(certificate),
                           verify_url=services.verify_url(certificate)), status


@bp.get("/certificates/<int:id>")
@permission_required("certificate.view", Certificate)
def detail(certificate: Certificate):
    return _render_detail(certificate)


@bp.get("/certificates/<int:id>/pdf")
@permission_required("certificate.view", Certificate)
def pdf(certificate: Certificate):
    data = services.pdf_of(certificate)
    db.session.commit()  # keeps a PDF rendered now, so the next download serves it
    return pdf_response(certificate, data)


@bp.post("/certificates/<int:id>/revoke")
@permission_required("certificate.manage", Certificate)
def revoke(certificate: Certificate):
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke(certificate, form.reason.data, by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"{certificate.learner_name}'s certificate is revoked; the verification "
                  "page now says so.", "success")
            return redirect(url_for("certificates.detail", id=certificate.id))
    return _render_detail(certificate, form, 422)


# --- public verification (no sign-in) --------------------------------------------------------

def _typed_code(text: str) -> str:
    """Accept a code or a whole verification address pasted into the box."""
    text = text.strip()
    return text.rstrip("/").rsplit("/", 1)[-1] if "/" in text else text


@bp.get("/verify")
@limiter.shared_limit(VERIFY_LIMIT, scope="certificate-verify")
def verify():
    code = _typed_code(request.args.get("code") or "")
    if code:
        return redirect(url_for("certificates.verify_code", code=code))
    return render_template("courses/certificates/verify.html", certificate=None, code="")


@bp.get("/verify/<code>")
@limiter.shared_limit(VERIFY_LIMIT, scope="certificate-verify")
def verify_code(code: str):
    certificate = services.by_code(code)
    status = 200 if certificate is not None else 404
    page = render_template(
        "courses/certificates/verify.html", certificate=certificate, code=code,
        issued_on=services.issued_on(certificate) if certificate else None)
    # The page names a person: keep it out of search engines and shared caches.
    return page, status, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
