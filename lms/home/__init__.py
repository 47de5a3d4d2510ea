"""The home dashboard shell and the team page."""

from flask import Blueprint, Flask

bp = Blueprint("home", __name__)


def init_app(app: Flask) -> None:
    from lms.home import views  # noqa: F401  (registers routes)

    app.register_blueprint(bp)
