"""Migrations and models agree, and the migrations run both ways on a fresh database."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import create_engine, inspect

from lms.extensions import db
from tests.live import suite_database


def _alembic_config():
    return current_app.extensions["migrate"].migrate.get_config(
        current_app.extensions["migrate"].directory)


def test_models_match_migrated_schema(app, session):
    """The test database is built by the migrations: autogenerate must find nothing to add."""
    connection = session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


@pytest.fixture
def fresh_engine(tmp_path):
    """An empty database of the same kind as the test database."""
    with suite_database(tmp_path) as url:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _run(engine, *steps):
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        for name, target in steps:
            getattr(command, name)(config, target)


def test_upgrade_downgrade_upgrade_on_fresh_database(app, fresh_engine):
    with app.app_context():
        _run(fresh_engine, ("upgrade", "head"))
        tables = set(inspect(fresh_engine).get_table_names())
        assert {"users", "audit_entries", "outbox_messages", "api_tokens"} <= tables
        _run(fresh_engine, ("downgrade", "base"))
        assert set(inspect(fresh_engine).get_table_names()) <= {"alembic_version"}
        _run(fresh_engine, ("upgrade", "head"))
        with fresh_engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
