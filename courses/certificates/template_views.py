"""Certificate templates (admins): list, edit with a sample PDF preview, choose the default."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from courses.certificates import bp, services
from courses.certificates.default_template import DEFAULT_CSS, DEFAULT_HTML, DEFAULT_NAME
from courses.certificates.forms import TemplateForm
from courses.certificates.models import CertificateTemplate
from courses.certificates.rendering import PLACEHOLDERS
from lms.authz import permission_required, visible
from lms.errors import CadenceError
from lms.extensions import db
from lms.web.args import int_arg
from lms.web.forms import PostForm, apply_error


def _data(form: TemplateForm) -> services.TemplateData:
    return services.TemplateData(name=form.name.data or "", html=form.html.data or "",
                                 css=form.css.data or "")


def _form_page(form: TemplateForm, template: CertificateTemplate | None):
    return render_template("courses/certificates/template_form.html", form=form,
                           template=template, placeholders=PLACEHOLDERS)


@bp.get("/certificates/templates")
@permission_required("certificate.manage")
def templates():
    rows = db.session.scalars(visible(select(CertificateTemplate), current_user)
                              .order_by(CertificateTemplate.name, CertificateTemplate.id))
    rows = list(rows)
    return render_template("courses/certificates/templates.html", templates=rows,
                           builtin_in_use=not any(t.is_default for t in rows),
                           builtin_name=DEFAULT_NAME, button=PostForm())


def _save(form: TemplateForm, template: CertificateTemplate | None):
    if form.validate_on_submit():
        try:
            if template is None:
                template = services.create_template(_data(form), by=current_user)
            else:
                services.update_template(template, _data(form), by=current_user)
        except CadenceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(f"Template “{template.name}” saved.", "success")
            return redirect(url_for("certificates.templates"))
    return _form_page(form, template)


@bp.route("/certificates/templates/new", methods=["GET", "POST"])
@permission_required("certificate.manage")
def template_create():
    form = TemplateForm()
    if request.method == "GET":
        form.name.data, form.html.data, form.css.data = "", DEFAULT_HTML, DEFAULT_CSS
    return _save(form, None)


@bp.route("/certificates/templates/<int:id>/edit", methods=["GET", "POST"])
@permission_required("certificate.manage", CertificateTemplate)
def template_edit(certificatetemplate: CertificateTemplate):
    form = TemplateForm(obj=certificatetemplate)
    return _save(form, certificatetemplate)


@bp.post("/certificates/templates/<int:id>/default")
@permission_required("certificate.manage", CertificateTemplate)
def template_default(certificatetemplate: CertificateTemplate):
    if not PostForm().validate_on_submit():
        abort(400)
    services.set_default(certificatetemplate, by=current_user)
    db.session.commit()
    flash(f"New certificates now use “{certificatetemplate.name}”.", "success")
    return redirect(url_for("certificates.templates"))


@bp.post("/certificates/templates/preview")
@permission_required("certificate.manage")
def template_preview():
    """The form's template (saved or not) rendered with sample values, as a PDF."""
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            pdf = services.check_template(_data(form))
        except CadenceError as error:
            apply_error(form, error)
        else:
            return Response(pdf, mimetype="application/pdf", headers={
                "Content-Disposition": 'inline; filename="certificate-preview.pdf"',
                "Cache-Control": "no-store"})
    template = db.session.get(CertificateTemplate, int_arg("id") or 0)
    return _form_page(form, template)
