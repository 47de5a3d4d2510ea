"""Certificate PDF benchmark; prints figures, asserts nothing.

    python -m bench.certificates                   # a temporary SQLite file
    python -m bench.certificates --repeat 20
    python -m bench.certificates --database-url postgresql+psycopg://user@host/empty_db --reset

(a) a certificate's first render through the app (``services.pdf_of``: the template, the
sandboxed placeholders, the QR code, WeasyPrint with the static-only URL fetcher, metadata,
PDF/A-3b and tags, storing the PDF and its SHA-256) next to WeasyPrint rendering the same HTML
and CSS alone with the same PDF options, in the same run, alternating, medians over
``--repeat`` (target ratio: at most 1.3); and WeasyPrint alone writing a plain PDF (no PDF/A,
no tags), which shows what archiving and accessibility cost;
(b) a signed-in download of a stored certificate (``GET /certificates/<id>/pdf``) next to a
first download that has to render (target: at least 20x faster).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import update
from weasyprint import CSS, HTML

from bench.run import Databases, ensure_empty, quiet_logging, signed_in_client, timing
from courses.certificates import rendering, services
from courses.certificates.default_template import DEFAULT_CSS, DEFAULT_HTML
from courses.certificates.models import Certificate
from courses.services import authoring
from lms.auth.passwords import hash_password
from lms.db import utcnow
from lms.extensions import db
from lms.people.models import Level, User

PASSWORD = "bench password not for real use"  # noqa: S105  (a throwaway database)
TARGET_RATIO, TARGET_SPEEDUP = 1.3, 20.0


def seed(count: int) -> tuple[User, list[int]]:
    """One learner with ``count`` certificates of one course each, none rendered yet."""
    admin = User(email="admin@bench-certs.example", name="Bench Admin", level=Level.EXECUTIVE,
                 is_admin=True)
    learner = User(email="learner@bench-certs.example", name="Dana Reyes-Okonkwo",
                   level=Level.MANAGER, password_hash=hash_password(PASSWORD))
    db.session.add_all([admin, learner])
    db.session.flush()
    ids = []
    for number in range(count):
        course = authoring.create_course(authoring.CourseData(
            title=f"Discovery Conversations That Move Deals {number}",
            slug=f"bench-cert-{number}", audience=(Level.MANAGER,)), by=admin)
        certificate = Certificate(code=services.new_code(), user_id=learner.id,
                                  course_id=course.id, learner_name=learner.name,
                                  course_title=course.title, issuer="Cadence",
                                  issued_at=utcnow())
        db.session.add(certificate)
        db.session.flush()
        ids.append(certificate.id)
    db.session.commit()
    return learner, ids


def weasyprint_alone(certificate: Certificate, options: dict) -> None:
    context = services.context_of(certificate)
    html = rendering.render_html(DEFAULT_HTML, context)
    document = HTML(string=html, base_url=current_app.config["BASE_URL"] + "/").render(
        stylesheets=[CSS(string=DEFAULT_CSS)], **options)
    rendering.describe(document, context, rendering.LANGUAGE)  # a tagged PDF needs /Lang
    document.write_pdf(**options)


SIDES = {"alone": rendering.PDF_OPTIONS, "plain": {}}


def measure(app, repeat: int) -> dict:
    learner, ids = seed(3 * repeat + 2)
    certificates = [db.session.get(Certificate, cid) for cid in ids]
    for options in SIDES.values():  # warm fonts and caches for every side
        weasyprint_alone(certificates[0], options)
    services.pdf_of(certificates[0])
    db.session.commit()
    times: dict[str, list[float]] = {"app": [], "alone": [], "plain": []}
    for number, certificate in enumerate(certificates[1:repeat + 1]):
        order = ["app", *SIDES]
        for side in order[number % 3:] + order[:number % 3]:  # rotate who goes first
            with timing() as elapsed:
                if side == "app":
                    services.pdf_of(certificate)
                    db.session.commit()
                else:
                    weasyprint_alone(certificate, SIDES[side])
            times[side].append(elapsed.wall)

    client = signed_in_client(app, learner.email)
    first_times, stored_times = [], []
    for cid in ids[repeat + 1:2 * repeat + 1]:
        with timing() as first:
            response = client.get(f"/certificates/{cid}/pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        with timing() as stored:
            again = client.get(f"/certificates/{cid}/pdf")
        assert again.data == response.data
        first_times.append(first.wall)
        stored_times.append(stored.wall)
    db.session.execute(update(User).values(password_hash=None))
    db.session.commit()
    return {**{side: statistics.median(values) for side, values in times.items()},
            "first": statistics.median(first_times), "stored": statistics.median(stored_times),
            "size": len(response.data)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args(argv)
    if args.database_url:
        ensure_empty(args.database_url, args.reset)
    with tempfile.TemporaryDirectory() as folder, quiet_logging():
        databases = Databases(args.database_url, Path(folder))
        with databases.fresh() as app, app.test_request_context():
            figures = measure(app, args.repeat)
    ratio = figures["app"] / figures["alone"]
    speedup = figures["first"] / figures["stored"]
    print(f"certificate PDF ({figures['size']:,} bytes), medians of {args.repeat}")
    print(f"  WeasyPrint alone, plain PDF:         {figures['plain'] * 1000:7.1f} ms")
    print(f"  WeasyPrint alone, PDF/A-3b + tags:   {figures['alone'] * 1000:7.1f} ms   "
          f"{figures['alone'] / figures['plain']:.2f}x the plain PDF")
    print(f"  first render through the app:        {figures['app'] * 1000:7.1f} ms   "
          f"ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"  first download (renders):            {figures['first'] * 1000:7.1f} ms")
    print(f"  stored download:                     {figures['stored'] * 1000:7.1f} ms   "
          f"{speedup:.0f}x faster (target >= {TARGET_SPEEDUP:.0f}x)")


if __name__ == "__main__":
    main()
