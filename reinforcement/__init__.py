"""Reinforcement: what happens after the training, one folder per feature.

Features, each depending only on those before it:
``resources`` ← ``checkins`` ← ``plans``, ``goals``, ``leaders``, ``councils``.
A plan lists resources and schedules check-ins for a team; goals, gap reviews, leaders'
reviews and councils build on check-ins and action items. (Council actions are action items,
so the check-ins' visibility rule also reads council membership.) ``demo`` seeds all of them.
"""

from flask import Blueprint, Flask

from lms.auth.services import register_scope

READ, WRITE = "reinforcement:read", "reinforcement:write"  # the API scopes of every feature

from reinforcement import checkins, councils, goals, leaders, plans, resources  # noqa: E402

FEATURES = (plans, resources, checkins, leaders, councils, goals)  # the API document's order

# Each feature's pages live in its own blueprint under this one: endpoints read
# ``reinforcement.<feature>.<view>`` and URLs keep the ``/reinforcement`` prefix.
bp = Blueprint("reinforcement", __name__, url_prefix="/reinforcement")
for _feature in FEATURES:
    bp.register_blueprint(_feature.bp)


def init_app(app: Flask) -> None:
    # The demo loader uses every feature's services: loaded only when the app is built.
    from reinforcement import demo

    register_scope(READ, "Read plans, resources, check-ins, action items and the coaching "
                   "figures you may see")
    register_scope(WRITE, "Run check-ins, write notes and action items, and change what your "
                   "role allows in reinforcement")
    for feature in FEATURES:
        feature.init_app(app)
    demo.register()
    app.register_blueprint(bp)
