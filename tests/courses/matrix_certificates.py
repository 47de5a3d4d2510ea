"""Authorization matrix entries for certificates (see ``tests/authz_matrix.py``).

A certificate belongs to the case's target: its holder and everyone above them see it
(leader_a for self, direct and deeper reports), others get 404, only admins revoke.
Certificates here carry a stored PDF, so downloads serve it without rendering. Templates are
admins' alone (404 for anyone else when one is named, 403 for the pages without one). The
verification page and API are public.
"""

from __future__ import annotations

from courses.certificates.models import Certificate, CertificateTemplate
from courses.certificates.services import new_code
from lms.db import utcnow
from lms.extensions import db
from tests import factories
from tests.authz_matrix import LOGIN, Case, Route, form, on_person, plain


def _certificate(case: Case) -> Certificate:
    course = factories.course(by=case.org.admin, lessons=1)
    certificate = Certificate(
        code=new_code(), user_id=case.target.id, course_id=course.id,
        learner_name=case.target.name, course_title=course.title, issuer="Cadence",
        pdf=b"%PDF-1.7 matrix", pdf_sha256="0" * 64, rendered_at=utcnow())
    db.session.add(certificate)
    db.session.flush()
    return certificate


def target_certificate(case: Case):
    return {"id": _certificate(case).id}, {}


def api_target_certificate(case: Case):
    return {"certificate_id": _certificate(case).id}, {}


def a_code(case: Case):
    return {"code": _certificate(case).code}, {}


def a_template(case: Case):
    template = CertificateTemplate(name="Matrix", html="<p>{{ learner_name }}</p>", css="")
    db.session.add(template)
    db.session.flush()
    return {"id": template.id}, {}


ROUTES: dict[tuple[str, str], Route] = {
    ("certificates.mine", "GET"): plain(200, 200, LOGIN),
    ("certificates.index", "GET"): plain(200, 200, LOGIN),
    ("certificates.detail", "GET"): on_person(200, 200, target_certificate),
    ("certificates.pdf", "GET"): on_person(200, 200, target_certificate),
    ("certificates.revoke", "POST"): on_person(
        403, 302, form({"reason": "Issued by mistake"}, target_certificate)),
    ("certificates.templates", "GET"): plain(403, 200, LOGIN),
    ("certificates.template_create", "GET"): plain(403, 200, LOGIN),
    ("certificates.template_create", "POST"): plain(403, 200, LOGIN, form({"name": ""})),
    ("certificates.template_edit", "GET"): plain(404, 200, LOGIN, a_template),
    ("certificates.template_edit", "POST"): plain(404, 200, LOGIN,
                                                  form({"name": ""}, a_template)),
    ("certificates.template_default", "POST"): plain(404, 302, LOGIN, a_template),
    ("certificates.template_preview", "POST"): plain(403, 200, LOGIN, form({"name": ""})),
    ("certificates.verify", "GET"): plain(200, 200, 200),
    ("certificates.verify_code", "GET"): plain(200, 200, 200, a_code),
    ("certificates_api.index", "GET"): plain(200, 200, 401),
    ("certificates_api.detail", "GET"): on_person(200, 200, api_target_certificate, api=True),
    ("certificates_api.pdf", "GET"): on_person(200, 200, api_target_certificate, api=True),
    ("certificates_api.verify", "GET"): plain(200, 200, 200, a_code),
}
