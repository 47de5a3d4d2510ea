"""The home dashboard shell and the team page."""

from flask import Blueprint, Flask

bp = Blueprint("home", __name__)


def init_app(app: Flask) -> None:
    from lms.home import views  # noqa: F401  (registers routes)
    from lms.web import menu

    app.register_blueprint(bp)
    menu.add("", "Home", "home.index", order=10, active=("home.index",))
    menu.add("Team", "My team", "home.team", order=10, active=("home.team", "home.team_"),
             shown=lambda user: user.level != "rep")
