"""Reports-to tree queries, each a single recursive CTE whatever the size or depth."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, literal, select

from lms.extensions import db
from lms.people.models import User


def subtree_cte(root_id: int, *, include_root: bool = True):
    """Return a CTE of ``(id, depth)`` for everyone under ``root_id``."""
    start = select(User.id.label("id"), literal(0).label("depth")).where(User.id == root_id)
    tree = start.cte("subtree", recursive=True)
    below = select(User.id, tree.c.depth + 1).where(User.manager_id == tree.c.id)
    tree = tree.union_all(below)
    if include_root:
        return tree
    return select(tree.c.id, tree.c.depth).where(tree.c.depth > 0).cte("subtree_below")


def chain_cte(person_id: int):
    """Return a CTE of ``(id, depth)`` for ``person_id`` and their managers up to the top."""
    start = select(User.id.label("id"), User.manager_id.label("manager_id"),
                   literal(0).label("depth")).where(User.id == person_id)
    chain = start.cte("chain", recursive=True)
    above = select(User.id, User.manager_id, chain.c.depth + 1).where(
        User.id == chain.c.manager_id
    )
    return chain.union_all(above)


def subtree_ids(root_id: int, *, include_root: bool = True) -> Select:
    """Return a SELECT of the ids in ``root_id``'s subtree, for use in ``IN`` clauses."""
    tree = subtree_cte(root_id, include_root=include_root)
    return select(tree.c.id)


def subtree(root_id: int, *, include_root: bool = True) -> list[tuple[User, int]]:
    """Return ``(person, depth)`` for everyone under ``root_id`` in one query."""
    tree = subtree_cte(root_id, include_root=include_root)
    stmt = (
        select(User, tree.c.depth)
        .join(tree, tree.c.id == User.id)
        .order_by(tree.c.depth, User.name)
    )
    return [(person, depth) for person, depth in db.session.execute(stmt)]


def chain(person_id: int, *, include_self: bool = False) -> list[User]:
    """Return the person's managers, nearest first, in one query."""
    up = chain_cte(person_id)
    stmt = select(User).join(up, up.c.id == User.id).order_by(up.c.depth)
    if not include_self:
        stmt = stmt.where(up.c.depth > 0)
    return list(db.session.scalars(stmt))


def is_in_subtree(root_id: int, person_id: int) -> bool:
    """Say whether ``person_id`` is ``root_id`` or reports to them, directly or not."""
    if root_id == person_id:
        return True
    up = chain_cte(person_id)
    return db.session.scalar(select(literal(True)).where(up.c.id == root_id).limit(1)) is not None


@dataclass
class TreeNode:
    person: User
    depth: int
    children: list[TreeNode] = field(default_factory=list)

    @property
    def size(self) -> int:
        return 1 + sum(child.size for child in self.children)


def build_tree(root_id: int) -> TreeNode | None:
    """Load ``root_id``'s subtree in one query and nest it for display."""
    rows = subtree(root_id)
    if not rows:
        return None
    nodes = {person.id: TreeNode(person, depth) for person, depth in rows}
    for person, _depth in rows:
        parent = nodes.get(person.manager_id) if person.id != root_id else None
        if parent is not None:
            parent.children.append(nodes[person.id])
    return nodes[root_id]
