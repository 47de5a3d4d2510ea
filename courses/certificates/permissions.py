"""Certificate rules for the one permission layer (registered into ``lms.authz``).

A certificate exists for its holder, everyone above the holder in the reports-to tree, and
admins; for anyone else it does not exist (404). Templates are admins' alone. The public
verification page and API do not go through these rules: they show a code's status, the
name, the course and the date, nothing else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false

from courses.certificates.models import Certificate, CertificateTemplate
from lms.authz import in_subtree, rule, scope, visibility
from lms.people.models import Level, User


@visibility(Certificate)
def _certificate_visible(user: User, certificate: Certificate) -> bool:
    return user.is_admin or in_subtree(user, certificate.user)


@scope(Certificate)
def _certificate_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    from lms.people.tree import subtree_ids
    return stmt.where(Certificate.user_id.in_(subtree_ids(user.id)))


@visibility(CertificateTemplate)
def _template_visible(user: User, _template: CertificateTemplate) -> bool:
    return user.is_admin


@scope(CertificateTemplate)
def _template_scope(stmt: Select, user: User) -> Select:
    return stmt if user.is_admin else stmt.where(false())


@rule("certificate.view")
def _view(user: User, _certificate: Any) -> bool:
    """See and download a certificate: visibility (holder, their managers, admins) decides."""
    return True


@rule("certificate.team")
def _team(user: User, _obj: Any) -> bool:
    """List the certificates of the people under you (managers and up), or everyone's."""
    return user.is_admin or Level(user.level).rank >= Level.MANAGER.rank


@rule("certificate.manage")
def _manage(user: User, _obj: Any) -> bool:
    """Edit templates and revoke certificates: admins."""
    return user.is_admin
