"""Alembic environment for Cadence, driven by Flask-Migrate (batch mode for SQLite)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from lms.db import UTCDateTime

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _skip_empty(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _configure(connection):
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty)
    args.update(render_as_batch=True, render_item=render_item, compare_type=True)
    context.configure(connection=connection, target_metadata=target_db.metadata, **args)


def run_migrations_offline():
    context.configure(url=str(target_db.engine.url), target_metadata=target_db.metadata,
                      literal_binds=True, render_as_batch=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:  # tests hand over their own connection
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with target_db.engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
