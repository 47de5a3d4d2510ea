"""Course pages, one module per audience: authoring (admins), learner, progress, exchange."""

from courses.views import authoring, content, exchange, learner, progress  # noqa: F401  (routes)
