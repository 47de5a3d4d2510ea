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
    from lms.notify.delivery import deliver_all

    click.echo(f"{deliver_all()} message(s) sent.")


@cadence.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run a job worker on the Redis queue (production mode)."""
    from flask import current_app

    from lms.notify import queue

    if not current_app.config.get("REDIS_URL"):
        click.echo("error: set CADENCE_REDIS_URL to run a worker (the embedded mode runs "
                   "jobs in-process)", err=True)
        sys.exit(1)
    queue.work(current_app._get_current_object(), burst=burst)


@cadence.command("scheduler")
@click.option("--once", is_flag=True, help="Enqueue what is due, then stop.")
def scheduler_command(once: bool) -> None:
    """Enqueue periodic jobs on their interval onto the Redis queue (production mode)."""
    from flask import current_app

    from lms.notify import queue

    if not current_app.config.get("REDIS_URL"):
        click.echo("error: set CADENCE_REDIS_URL to run the scheduler", err=True)
        sys.exit(1)
    queue.run_scheduler(current_app._get_current_object(), once=once)


@cadence.command("sweep")
def sweep_command() -> None:
    """Run every periodic job now, in this process (outbox retries, reminders, digests)."""
    from lms.extensions import db
    from lms.notify.jobs import PERIODIC, run_job

    for name in sorted(PERIODIC):
        try:
            run_job(name, {})
        except Exception as error:  # report each job; one failure must not hide the others
            db.session.rollback()
            click.echo(f"{name}: failed: {error}", err=True)
            continue
        click.echo(f"{name}: done")


@cadence.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the app with waitress and the embedded periodic sweep (what ``make run`` uses).

    ``CADENCE_SERVE_THREADS`` sets how many requests are served at once.
    """
    from flask import current_app

    from lms import serving
    from lms.config import ConfigError
    from lms.notify import sweeper

    app = current_app._get_current_object()
    try:
        base_url = serving.settle_base_url(app, host, port)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if not app.config.get("REDIS_URL"):  # with Redis, ``flask cadence scheduler`` does this
        sweeper.start(app)
    threads = app.config["SERVE_THREADS"]
    click.echo(f"Cadence on {base_url} ({threads} threads); links point there.")
    if host in serving.WILDCARD_HOSTS and not app.config.get("BASE_URL_SET"):
        click.echo("Listening on every address: set CADENCE_BASE_URL to the address people "
                   "use, so links in emails work from their machines.")
    serving.serve(app, host, port, threads=threads)


@cadence.command("remind")
def remind_command() -> None:
    """Send the reminders that are due now (the periodic sweep, run once)."""
    from lms.extensions import db
    from lms.reminders.sweep import sweep

    counts = sweep()
    db.session.commit()
    for rule, sent in counts.items():
        click.echo(f"{rule}: {sent} reminder(s) sent.")


def init_app(app: Flask) -> None:
    app.cli.add_command(cadence)
