"""Certificates in the REST API: yours and your people's, their PDFs, and public verification.

``GET /api/v1/certificates/verify/{code}`` needs no token: it answers what the public
verification page shows (status, name, course, date) and nothing else.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, g
from flask_smorest import Blueprint

from courses.certificates import services
from courses.certificates.models import Certificate
from courses.certificates.queries import listed
from courses.certificates.schemas import (
    CertificateListSchema,
    CertificateQuerySchema,
    CertificateSchema,
    VerificationSchema,
)
from courses.certificates.views import VERIFY_LIMIT, pdf_response
from lms.api import page_of, token_required
from lms.authz import load_visible
from lms.extensions import db, limiter

blp = Blueprint("certificates_api", __name__, url_prefix="/api/v1/certificates",
                description="Certificates you hold or may see, their PDFs, and verification "
                            "of a code")

PDF_RESPONSE = {"200": {"description": "The certificate as a PDF file.", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


def _out(certificate: Certificate) -> dict:
    return {
        "id": certificate.id, "code": certificate.code, "user_id": certificate.user_id,
        "course_id": certificate.course_id, "learner_name": certificate.learner_name,
        "course_title": certificate.course_title, "issuer": certificate.issuer,
        "issued_at": certificate.issued_at, "issued_on": services.issued_on(certificate),
        "status": "revoked" if certificate.is_revoked else "valid",
        "revoked_at": certificate.revoked_at, "revoked_reason": certificate.revoked_reason,
        "verify_url": services.verify_url(certificate),
        "pdf_url": f"{blp.url_prefix}/{certificate.id}/pdf",
    }


@blp.route("/")
@token_required("courses:read")
@blp.arguments(CertificateQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, CertificateListSchema)
def index(args):
    """Your certificates and those of the people under you (admins: everyone's)."""
    stmt = listed(g.api_user, course_id=args["course_id"], status=args["status"],
                  search=args["q"].strip(), user_id=args["user_id"])
    page = page_of(stmt, args)
    page["items"] = [_out(certificate) for certificate in page["items"]]
    return page


@blp.route("/<int:certificate_id>")
@token_required("courses:read")
@blp.response(200, CertificateSchema)
def detail(certificate_id):
    """One certificate you may see."""
    return _out(load_visible(Certificate, certificate_id, g.api_user))


@blp.route("/<int:certificate_id>/pdf")
@token_required("courses:read")
@blp.doc(responses=PDF_RESPONSE)
def pdf(certificate_id):
    """The certificate's PDF (rendered once, then served as stored)."""
    certificate = load_visible(Certificate, certificate_id, g.api_user)
    data = services.pdf_of(certificate)
    db.session.commit()
    return pdf_response(certificate, data)


@blp.route("/verify/<code>")
@limiter.shared_limit(VERIFY_LIMIT, scope="certificate-verify")
@blp.doc(security=[], description="Public: no token needed. Unknown codes answer 404.")
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="RATE_LIMITED")
def verify(code):
    """Check a certificate code: valid or revoked, with name, course and date only."""
    certificate = services.by_code(code)
    if certificate is None:
        abort(404, description="No certificate has this code.")
    return {"code": certificate.code,
            "status": "revoked" if certificate.is_revoked else "valid",
            "learner_name": certificate.learner_name,
            "course_title": certificate.course_title,
            "issued_on": services.issued_on(certificate),
            "revoked_on": certificate.revoked_at.date() if certificate.revoked_at else None}
