"""Course pages, one module per audience: authoring (admins), learner,
enrolling others, progress, exchange."""

from courses.views import (  # noqa: F401  (routes)
    authoring,
    content,
    enrol,
    exchange,
    learner,
    progress,
)
