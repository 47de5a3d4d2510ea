"""Home suggestion: a certificate earned in the last 30 days, ready to download."""

from __future__ import annotations

from flask import url_for

from courses.certificates.queries import recent_valid
from lms.home.nextsteps import NextStep, provider
from lms.people.models import User
from lms.web.templating import date_text


@provider
def certificate_steps(user: User) -> list[NextStep]:
    return [NextStep(f"Your certificate for “{certificate.course_title}”",
                     f"Issued {date_text(certificate.issued_at)}. Download the PDF "
                     "or share its verification link.",
                     url_for("certificates.detail", id=certificate.id), 35, "View certificate")
            for certificate in recent_valid(user)]
