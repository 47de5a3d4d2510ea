"""Cadence core: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the Cadence app; ``overrides`` win over every other configuration source."""
    import assessments
    import courses
    import reinforcement
    from lms import (
        api,
        audit,
        auth,
        authz,
        calendar,
        cli,
        errors,
        home,
        notify,
        people,
        reminders,
        security,
        web,
    )
    from lms.config import load_config
    from lms.extensions import bootstrap, csrf, db, limiter, migrate
    from lms.web import templating

    app = Flask(
        "lms",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str((overrides or {}).get("INSTANCE_PATH") or ROOT / "instance"),
    )
    web.init_app(app)  # before any route, so every <int:…> gets the bounded converter
    load_config(app, overrides)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    authz.init_app(app)
    auth.init_app(app)
    people.init_app(app)
    notify.init_app(app)
    reminders.init_app(app)
    calendar.init_app(app)
    audit.init_app(app)
    home.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    courses.init_app(app)
    assessments.init_app(app)
    reinforcement.init_app(app)
    return app
