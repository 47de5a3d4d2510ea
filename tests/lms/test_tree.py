"""The reports-to tree: subtree, chain and nesting, each in one query whatever the size."""

from __future__ import annotations

import pytest

from lms.people import tree
from lms.people.models import Level, User
from tests import factories


def _names(people) -> set[str]:
    return {person.name for person in people}


def test_subtree_lists_everyone_under_a_leader_with_depths(org):
    rows = tree.subtree(org.leader_a.id)
    assert {person.id: depth for person, depth in rows} == {
        org.leader_a.id: 0, org.manager_a1.id: 1, org.manager_a2.id: 1,
        org.rep_a1a.id: 2, org.rep_a1b.id: 2, org.rep_a2a.id: 2,
    }
    assert [depth for _person, depth in rows] == sorted(depth for _person, depth in rows)


def test_subtree_without_root_leaves_the_root_out(org):
    rows = tree.subtree(org.manager_a1.id, include_root=False)
    assert [person for person, _depth in rows] == [org.rep_a1a, org.rep_a1b]


def test_subtree_of_a_rep_is_the_rep_alone(org):
    assert tree.subtree(org.rep_b1a.id) == [(org.rep_b1a, 0)]


def test_subtree_keeps_deactivated_people(org):
    org.rep_a1b.is_active = False
    assert org.rep_a1b in [person for person, _ in tree.subtree(org.manager_a1.id)]


def test_subtree_ids_can_scope_another_query(org, session):
    from sqlalchemy import select

    ids = tree.subtree_ids(org.leader_b.id, include_root=False)
    found = session.scalars(select(User.name).where(User.id.in_(ids))).all()
    assert set(found) == {org.manager_b1.name, org.rep_b1a.name}


def test_chain_runs_from_the_nearest_manager_to_the_top(org):
    assert tree.chain(org.rep_a1a.id) == [org.manager_a1, org.leader_a, org.exec]
    assert tree.chain(org.rep_a1a.id, include_self=True)[0] == org.rep_a1a
    assert tree.chain(org.exec.id) == []


@pytest.mark.parametrize(("root", "person", "inside"), [
    ("leader_a", "leader_a", True),
    ("leader_a", "manager_a1", True),
    ("leader_a", "rep_a2a", True),
    ("exec", "rep_b1a", True),
    ("rep_a1a", "manager_a1", False),
    ("leader_a", "exec", False),
    ("leader_a", "leader_b", False),
    ("manager_a1", "rep_a2a", False),
    ("leader_a", "admin", False),
])
def test_is_in_subtree(org, root, person, inside):
    assert tree.is_in_subtree(getattr(org, root).id, getattr(org, person).id) is inside


def test_build_tree_nests_reports_under_their_managers(org):
    root = tree.build_tree(org.exec.id)
    assert root.person == org.exec and root.depth == 0 and root.size == 10
    leaders = {node.person.name: node for node in root.children}
    assert set(leaders) == {org.leader_a.name, org.leader_b.name}
    lena = leaders[org.leader_a.name]
    assert _names(node.person for node in lena.children) == {org.manager_a1.name,
                                                             org.manager_a2.name}
    dana = next(node for node in lena.children if node.person == org.manager_a1)
    assert _names(node.person for node in dana.children) == {org.rep_a1a.name,
                                                             org.rep_a1b.name}
    assert [node.depth for node in dana.children] == [3, 3]


def test_build_tree_of_an_unknown_person_is_none(org):
    assert tree.build_tree(org.admin.id + 10_000) is None


# --- a constant number of queries whatever the size or depth ----------------------------------

def _small_team() -> tuple[User, User]:
    """An executive with four reps: five people, depth 1. Return (root, deepest)."""
    root = factories.person(level=Level.EXECUTIVE)
    reps = [factories.person(manager=root) for _ in range(4)]
    return root, reps[-1]


def _deep_team() -> tuple[User, User]:
    """300 people, 60 levels deep: a spine of executives (who may report to executives),
    each with four reps. Return (root, deepest)."""
    root = boss = factories.person(level=Level.EXECUTIVE)
    for _ in range(59):
        for _ in range(4):
            factories.person(manager=boss)
        boss = factories.person(level=Level.EXECUTIVE, manager=boss)
    reps = [factories.person(manager=boss) for _ in range(4)]
    return root, reps[-1]


def _count(session, count_queries, call) -> int:
    session.expire_all()
    with count_queries() as counter:
        call()
    return counter.count


@pytest.mark.parametrize("operation", ["subtree", "chain", "is_in_subtree", "build_tree"])
def test_tree_queries_do_not_grow_with_size_or_depth(session, count_queries, operation):
    calls = {
        "subtree": lambda root, deepest: tree.subtree(root),
        "chain": lambda root, deepest: tree.chain(deepest),
        "is_in_subtree": lambda root, deepest: tree.is_in_subtree(root, deepest),
        "build_tree": lambda root, deepest: tree.build_tree(root),
    }
    # Ids, not people: reading an attribute of an expired person would be a query too.
    small, deep = ([person.id for person in team] for team in (_small_team(), _deep_team()))
    assert len(tree.subtree(deep[0])) == 300
    assert len(tree.chain(deep[1])) == 60
    counts = [_count(session, count_queries, lambda team=team: calls[operation](*team))
              for team in (small, deep)]
    assert counts == [1, 1]


def test_team_page_query_count_is_the_same_for_5_and_300_people(
        app, session, count_queries):
    counts = []
    for root, deepest in (_small_team(), _deep_team()):
        client = app.test_client()
        response = client.post("/login", data={"email": root.email,
                                               "password": factories.PASSWORD})
        assert response.status_code == 302
        session.expire_all()
        with count_queries() as counter:
            page = client.get("/team")
        assert page.status_code == 200
        assert deepest.name in page.get_data(as_text=True)
        counts.append(counter.count)
    assert counts[0] == counts[1]
