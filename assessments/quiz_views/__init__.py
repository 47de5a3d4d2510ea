"""Assessment pages, one module per audience: authoring (admins), learners, results; and the
course step the player shows."""

from assessments.quiz_views import learner, manage, results, steps  # noqa: F401  (routes)
