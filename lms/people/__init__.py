"""People, the reports-to tree and people administration."""

from flask import Blueprint, Flask

bp = Blueprint("people", __name__, url_prefix="/people")


def init_app(app: Flask) -> None:
    from lms.people import models, views  # noqa: F401  (registers tables and routes)
    from lms.web import menu

    app.register_blueprint(bp)
    menu.add("Admin", "People", "people.index", order=30, active=("people.",),
             permission="people.manage")
