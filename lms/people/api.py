"""People and the reports-to tree in the REST API."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from lms.api import page_of, token_required
from lms.authz import load_visible, require, visible
from lms.extensions import db
from lms.people import services, tree
from lms.people.models import Level, Role, User
from lms.people.schemas import (
    PeopleQuerySchema,
    PersonCreateSchema,
    PersonListSchema,
    PersonSchema,
    PersonUpdateSchema,
    TreeNodeSchema,
)

blp = Blueprint("people_api", __name__, url_prefix="/api/v1/people",
                description="People and the reports-to tree")


def _node(node: tree.TreeNode) -> dict:
    person = node.person
    return {"id": person.id, "name": person.name, "job_title": person.job_title,
            "level": person.level, "is_active": person.is_active,
            "children": [_node(child) for child in node.children]}


def _data(payload: dict, person: User | None = None) -> services.PersonData:
    current = {}
    if person is not None:
        current = {field: getattr(person, field) for field in services.EDITABLE_FIELDS}
    roles = payload.pop("roles", None)
    if roles is not None:
        current.update({f"is_{role.value}": role.value in roles for role in Role})
    current.update(payload)
    current["level"] = Level(current["level"])
    return services.PersonData(**current)


@blp.route("/me")
@token_required("people:read")
@blp.response(200, PersonSchema)
def me():
    """The person the token belongs to."""
    return g.api_user


@blp.route("/")
@token_required("people:read")
@blp.arguments(PeopleQuerySchema, location="query")
@blp.response(200, PersonListSchema)
def index(args):
    """People the token's owner may see: themselves and their subtree (admins: everyone)."""
    stmt = visible(select(User), g.api_user).order_by(User.name, User.id)
    if args["q"]:
        # autoescape: a "%" or "_" typed in the search matches itself, not everything.
        stmt = stmt.where(or_(User.email.contains(args["q"].lower(), autoescape=True),
                              User.name.icontains(args["q"], autoescape=True)))
    if args["level"]:
        stmt = stmt.where(User.level == args["level"])
    return page_of(stmt, args)


@blp.route("/", methods=["POST"])
@token_required("people:write")
@blp.arguments(PersonCreateSchema)
@blp.response(201, PersonSchema)
def create(payload):
    """Add a person (admins)."""
    require(g.api_user, "people.manage")
    person = services.create_person(_data(payload), by=g.api_user)
    db.session.commit()
    return person


@blp.route("/<int:person_id>")
@token_required("people:read")
@blp.response(200, PersonSchema)
def detail(person_id):
    """One person, if the token's owner may see them."""
    return load_visible(User, person_id, g.api_user)


@blp.route("/<int:person_id>", methods=["PATCH"])
@token_required("people:write")
@blp.arguments(PersonUpdateSchema)
@blp.response(200, PersonSchema)
def update(payload, person_id):
    """Change a person (admins); only the fields sent change."""
    person = load_visible(User, person_id, g.api_user)
    require(g.api_user, "people.edit", person)
    services.update_person(person, _data(payload, person), by=g.api_user)
    db.session.commit()
    return person


@blp.route("/<int:person_id>/tree")
@token_required("people:read")
@blp.response(200, TreeNodeSchema)
def subtree(person_id):
    """The person and everyone under them, nested."""
    person = load_visible(User, person_id, g.api_user)
    return _node(tree.build_tree(person.id))


@blp.route("/<int:person_id>/managers")
@token_required("people:read")
@blp.response(200, PersonListSchema)
def managers(person_id):
    """The person's managers, nearest first, as far up as the token's owner may see."""
    person = load_visible(User, person_id, g.api_user)
    chain = tree.chain(person.id)
    if not g.api_user.is_admin:
        # The chain is visible from the person up to the token's owner, never above them.
        ids = [manager.id for manager in chain]
        chain = chain[: ids.index(g.api_user.id) + 1] if g.api_user.id in ids else []
    return {"items": chain, "meta": {"page": 1, "per_page": len(chain), "total": len(chain),
                                     "pages": 1}}

