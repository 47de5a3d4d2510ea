"""The one permission layer: who may see and do what.

``can(user, action, obj)`` answers every question. Rules are small named predicates; an
object is first *visible* (else it does not exist for that user: 404) and then the action
is *allowed* (else 403). Lists are scoped in SQL with ``visible(stmt, user)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, false

from lms.extensions import db
from lms.people import tree
from lms.people.models import User

Rule = Callable[[User, Any], bool]
RULES: dict[str, Rule] = {}
VISIBILITY: dict[type, Callable[[User, Any], bool]] = {}
SCOPES: dict[type, Callable[[Select, User], Select]] = {}


def rule(action: str):
    """Register the predicate that decides ``action``."""
    def register(fn: Rule) -> Rule:
        RULES[action] = fn
        return fn
    return register


def visibility(model: type):
    """Register who may see single objects of ``model``."""
    def register(fn):
        VISIBILITY[model] = fn
        return fn
    return register


def scope(model: type):
    """Register the SQL filter that limits lists of ``model`` to what a user may see."""
    def register(fn):
        SCOPES[model] = fn
        return fn
    return register


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_admin(user: User) -> bool:
    return _signed_in(user) and user.is_admin


def in_subtree(user: User, person: User) -> bool:
    """Say whether ``person`` is ``user`` or under them; cached for the request."""
    # Only a request is short enough to cache in: an app context (a CLI command, a job, a
    # test) lives on while the tree changes, and a stale answer there would leak or hide.
    cache = g.setdefault("_subtree_cache", {}) if has_request_context() else {}
    key = (user.id, person.id)
    if key not in cache:
        cache[key] = tree.is_in_subtree(user.id, person.id)
    return cache[key]


def can_see(user: User | None, obj: Any) -> bool:
    """Say whether ``obj`` exists for ``user`` at all."""
    if not _signed_in(user):
        return False
    check = VISIBILITY.get(type(obj))
    if check is None:
        raise LookupError(f"no visibility rule for {type(obj).__name__}")
    return bool(check(user, obj))


def can(user: User | None, action: str, obj: Any = None) -> bool:
    """Say whether ``user`` may perform ``action`` (on ``obj``)."""
    if not _signed_in(user):
        return False
    try:
        check = RULES[action]
    except KeyError:
        raise LookupError(f"unknown action {action!r}") from None
    if obj is not None and not can_see(user, obj):
        return False
    return bool(check(user, obj))


def require(user: User | None, action: str, obj: Any = None) -> None:
    """Abort with 404 if ``obj`` is out of sight, 403 if the action is not allowed."""
    if obj is not None and not can_see(user, obj):
        abort(404)
    if not can(user, action, obj):
        abort(403)


def visible(stmt: Select, user: User | None, model: type | None = None) -> Select:
    """Limit ``stmt`` to the rows of ``model`` (default: its first entity) ``user`` may see."""
    model = model or stmt.column_descriptions[0]["entity"]
    if not _signed_in(user):
        return stmt.where(false())
    return SCOPES[model](stmt, user)


def load_visible(model: type, object_id: Any, user: User | None = None) -> Any:
    """Load one object by primary key; 404 when missing or out of the user's sight."""
    user = current_user if user is None else user
    obj = db.session.get(model, object_id)
    if obj is None or not can_see(user, obj):
        abort(404)
    return obj


def permission_required(action: str, load: type | None = None, arg: str = "id"):
    """Load ``load`` from the view argument ``arg`` (404 if unseen), then check ``action``.

    The loaded object replaces the argument in the view's keyword arguments.
    """
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _signed_in(current_user):
                from lms.extensions import login_manager
                return login_manager.unauthorized()
            obj = None
            if load is not None:
                obj = load_visible(load, kwargs.pop(arg))
                kwargs[load.__name__.lower()] = obj
            require(current_user, action, obj)
            return view(*args, **kwargs)
        wrapper.permission = action
        return wrapper
    return decorator


# --- people ---------------------------------------------------------------------------------

@visibility(User)
def _person_visible(user: User, person: User) -> bool:
    return user.is_admin or in_subtree(user, person)


@scope(User)
def _people_scope(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(User.id.in_(tree.subtree_ids(user.id)))


@rule("people.view")
def _view_person(user: User, person: User) -> bool:
    return True  # visibility already decided


@rule("people.manage")
def _manage_people(user: User, _obj: Any) -> bool:
    return user.is_admin


@rule("people.edit")
def _edit_person(user: User, person: User) -> bool:
    return user.is_admin


@rule("people.deactivate")
def _deactivate_person(user: User, person: User | None) -> bool:
    # Without a person this answers "may deactivate people at all" (for menus).
    return user.is_admin and (person is None or person.id != user.id)


@rule("team.view")
def _view_team(user: User, person: User | None) -> bool:
    return True


@rule("audit.view")
def _view_audit(user: User, _obj: Any) -> bool:
    return user.is_admin


@rule("system.health")
def _system_health(user: User, _obj: Any) -> bool:
    return user.is_admin


@rule("reminders.manage")
def _manage_reminders(user: User, _obj: Any) -> bool:
    return user.is_admin


@rule("account.use")
def _use_account(user: User, _obj: Any) -> bool:
    return True


# --- account objects: API tokens and notifications belong to one person alone -----------------

def _owned(user: User, obj: Any) -> bool:
    return obj.user_id == user.id if hasattr(obj, "user_id") else obj.recipient_id == user.id


@rule("token.revoke")
def _revoke_token(user: User, token: Any) -> bool:
    return True


@rule("notification.read")
def _read_notification(user: User, notification: Any) -> bool:
    return True


def _register_owned_models() -> None:
    from lms.auth.models import ApiToken
    from lms.notify.models import Notification

    for model in (ApiToken, Notification):
        VISIBILITY[model] = _owned


def init_app(app) -> None:
    _register_owned_models()
    app.jinja_env.globals["can"] = lambda action, obj=None: can(current_user, action, obj)
