"""Home: what to do next; team: the subtree as a tree with levels."""

from __future__ import annotations

from collections import Counter

from flask import render_template
from flask_login import current_user, login_required

from lms.authz import permission_required
from lms.home import bp
from lms.home.nextsteps import next_steps
from lms.home.panels import panels_for
from lms.people import tree
from lms.people.models import Level, User


@bp.get("/")
@login_required
def index():
    return render_template("lms/home/index.html", steps=next_steps(current_user),
                           panels=panels_for(current_user))


def _render_team(root: User):
    node = tree.build_tree(root.id)
    counts = Counter()
    stack = [node]
    while stack:
        current = stack.pop()
        counts[current.person.level] += 1
        stack.extend(current.children)
    levels = [(level, counts.get(level.value, 0)) for level in reversed(Level)]
    return render_template("lms/home/team.html", root=node, levels=levels,
                           total=sum(counts.values()) - 1)


@bp.get("/team")
@login_required
def team():
    return _render_team(current_user)


@bp.get("/team/<int:id>")
@permission_required("team.view", load=User)
def team_of(user: User):
    return _render_team(user)
