"""Course pages, one module per audience: authoring (admins), learner, progress, exchange."""

from courses.views import (  # noqa: F401  (routes)
    authoring,
    content,
    enrol,
    exchange,
    learner,
    progress,
)
