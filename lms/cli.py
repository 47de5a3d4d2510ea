"""``flask cadence …`` commands: admin creation, demo data, org-chart import."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

cadence = AppGroup("cadence", help="Cadence administration commands.")


@cadence.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(prompt="Password", confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an L&D admin who can sign in with EMAIL and PASSWORD."""
    from lms.auth.services import set_password
    from lms.errors import CadenceError
    from lms.extensions import db
    from lms.people.models import Level
    from lms.people.services import PersonData, create_person

    try:
        person = create_person(
            PersonData(email=email, name=name, level=Level.EXECUTIVE, is_admin=True), by=None
        )
        set_password(person, password, by=None)
    except CadenceError as error:
        db.session.rollback()
        click.echo(f"error: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Admin {person.email} created.")


@cadence.command("import-people")
@click.argument("file", type=click.File("rb"))
@click.option("--as", "actor_email", default=None, help="Record the import as this admin.")
def import_people_command(file, actor_email: str | None) -> None:
    """Import an org-chart CSV (email,name,title,level,manager_email,roles)."""
    from lms.extensions import db
    from lms.people.csv_io import ImportRejected, import_people
    from lms.people.services import find_by_email

    actor = find_by_email(actor_email) if actor_email else None
    if actor_email and (actor is None or not actor.is_admin):
        click.echo(f"error: no admin has the email {actor_email}", err=True)
        sys.exit(1)
    try:
        result = import_people(file.read(), by=actor)
    except ImportRejected as rejected:
        db.session.rollback()
        for problem in rejected.problems:
            click.echo(f"{file.name}:{problem.line}: {problem.message}", err=True)
        click.echo(f"Nothing imported: {len(rejected.problems)} problem(s).", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {file.name}: {result.created} created, {result.updated} updated, "
               f"{result.unchanged} unchanged.")


@cadence.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when people already exist.")
def demo_command(if_empty: bool) -> None:
    """Load the demo organisation and print its sign-ins."""
    from lms.demo import DEMO_PASSWORD, load_demo
    from lms.extensions import db
    from lms.people.models import Level

    people = load_demo(if_empty=if_empty)
    if people is None:
        click.echo("People already exist; demo data not loaded.")
        return
    db.session.commit()
    click.echo(f"Demo organisation loaded: {len(people)} people. Password for all: "
               f"{DEMO_PASSWORD}")
    admin = next(person for person in people if person.is_admin)
    click.echo(f"  {'admin (L&D)':<12} {admin.email}")
    for level in reversed(Level):  # one sign-in per level, first in the tree
        person = next(p for p in people if p.level == level and not p.is_admin)
        click.echo(f"  {level.value:<12} {person.email}")


@cadence.command("deliver")
def deliver_command() -> None:
    """Deliver every due email in the outbox now."""
    from lms.notify.delivery import deliver_due

    click.echo(f"{deliver_due()} message(s) sent.")


def init_app(app: Flask) -> None:
    app.cli.add_command(cadence)
