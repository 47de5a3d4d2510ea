"""The audit log and its browser for admins."""

from flask import Blueprint, Flask

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def init_app(app: Flask) -> None:
    from lms.audit import models, views  # noqa: F401  (registers tables and routes)
    from lms.web import menu

    app.register_blueprint(bp)
    menu.add("Admin", "Audit log", "audit.index", order=50, active=("audit.",),
             permission="audit.view")
