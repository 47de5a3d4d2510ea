"""The permission layer: ``can`` over actions x relationships, and every route over them.

The organisation is ``tests.factories.Org``: exec > leader_a > manager_a1 > rep_a1a, and so on.
Most relationships are seen from leader_a: themselves, a direct report (manager_a1), a deeper
report (rep_a1a), their own manager (exec), a peer (leader_b), another branch (manager_b1,
rep_b1a). Then an admin, and someone signed out.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from lms import authz
from lms.auth.models import ApiToken, PasswordReset
from lms.auth.services import SCOPES, create_api_token, digest
from lms.db import utcnow
from lms.extensions import db
from lms.notify.models import Notification
from lms.notify.services import notify
from lms.people.models import User
from tests import factories
from tests.api_support import token_headers
from tests.authz_matrix import (
    LOGIN,
    Case,
    Route,
    collect_routes,
    form,
    json_body,
    on_person,
    owned,
    plain,
    sign_in,
)
from tests.factories import PASSWORD

Y, N = True, False
NEW_PASSWORD = "quiet lantern orchard 4721"  # noqa: S105  (test only)

# --- can() over actions x relationships ------------------------------------------------------

PERSON_COLUMNS = ("self", "direct report", "deeper report", "own manager", "peer",
                  "other branch manager", "other branch rep", "admin", "admin on self",
                  "deactivated actor", "signed out")
# Whom leader_a looks at in each column (the admin, deactivated and signed-out columns
# have their own actor, see _person_case).
PERSON_TARGET = {"self": "leader_a", "direct report": "manager_a1",
                 "deeper report": "rep_a1a", "own manager": "exec", "peer": "leader_b",
                 "other branch manager": "manager_b1", "other branch rep": "rep_b1a",
                 "admin": "rep_b1a", "admin on self": "admin",
                 "deactivated actor": "manager_a1", "signed out": "rep_a1a"}

PERSON_RULES = {
    #                    self dir deep mgr peer oth-m oth-r admin adm-self inactive anon
    "people.view":       (Y,  Y,  Y,   N,  N,   N,    N,    Y,    Y,       N,       N),
    "team.view":         (Y,  Y,  Y,   N,  N,   N,    N,    Y,    Y,       N,       N),
    "people.edit":       (N,  N,  N,   N,  N,   N,    N,    Y,    Y,       N,       N),
    "people.deactivate": (N,  N,  N,   N,  N,   N,    N,    Y,    N,       N,       N),
}

OWNED_COLUMNS = ("own", "direct report's", "deeper report's", "own manager's", "peer's",
                 "other branch's", "admin on another's", "signed out")
OWNER = {"own": "leader_a", "direct report's": "manager_a1", "deeper report's": "rep_a1a",
         "own manager's": "exec", "peer's": "leader_b", "other branch's": "rep_b1a",
         "admin on another's": "leader_a", "signed out": "leader_a"}

# Tokens and notifications are their owner's alone: not even an admin acts on another's.
OWNED_RULES = {
    "token.revoke":      (Y, N, N, N, N, N, N, N),
    "notification.read": (Y, N, N, N, N, N, N, N),
}

GLOBAL_COLUMNS = ("rep", "manager", "leader", "executive", "admin", "deactivated",
                  "signed out")
GLOBAL_RULES = {
    "people.manage": (N, N, N, N, Y, N, N),
    "audit.view":    (N, N, N, N, Y, N, N),
    "reminders.manage": (N, N, N, N, Y, N, N),
    "system.health": (N, N, N, N, Y, N, N),
    "account.use":   (Y, Y, Y, Y, Y, N, N),
}


def _person_case(org, column: str):
    actor = {"admin": org.admin, "admin on self": org.admin,
             "signed out": AnonymousUserMixin()}.get(column, org.leader_a)
    if column == "deactivated actor":
        org.leader_a.is_active = False
    return actor, getattr(org, PERSON_TARGET[column])


def _owned_object(owner: User, model: type, column: str):
    if model is ApiToken:
        return ApiToken(user=owner, name="t", prefix="cad_t",
                        token_hash=digest(f"{owner.email} {column}"), scopes="people:read",
                        expires_at=utcnow() + timedelta(days=1))
    return Notification(recipient=owner, kind="test", subject="Hello")


# Rules about a package's own objects are checked in that package's tests
# (tests/courses/test_permissions.py).
PACKAGE_RULES = ("course.", "enrollment.", "attendance.", "session.", "program.",
                 "communication.", "certificate.", "bank.", "assessment.", "attempt.",
                 "rubric.", "observation.", "survey.", "checkin.", "action.",
                 "goal.", "metric.", "actual.", "gap.", "plan.", "resource.",
                 "review.", "adherence.", "council.")


def test_every_rule_is_in_the_matrix():
    core = {action for action in authz.RULES if not action.startswith(PACKAGE_RULES)}
    assert set(PERSON_RULES) | set(OWNED_RULES) | set(GLOBAL_RULES) == core


@pytest.mark.parametrize("action", PERSON_RULES)
def test_person_rule_follows_the_tree(org, action):
    actual = {}
    for column in PERSON_COLUMNS:
        actor, target = _person_case(org, column)
        actual[column] = authz.can(actor, action, target)
        org.leader_a.is_active = True
    assert actual == dict(zip(PERSON_COLUMNS, PERSON_RULES[action], strict=True))


@pytest.mark.parametrize(("action", "model"), [("token.revoke", ApiToken),
                                                ("notification.read", Notification)])
def test_owned_object_rule_answers_only_the_owner(org, action, model):
    actual = {}
    for column in OWNED_COLUMNS:
        actor = {"admin on another's": org.admin,
                 "signed out": AnonymousUserMixin()}.get(column, org.leader_a)
        obj = _owned_object(getattr(org, OWNER[column]), model, column)
        db.session.add(obj)
        db.session.flush()
        actual[column] = authz.can(actor, action, obj)
    assert actual == dict(zip(OWNED_COLUMNS, OWNED_RULES[action], strict=True))


@pytest.mark.parametrize("action", GLOBAL_RULES)
def test_rule_without_an_object_depends_on_the_actor(org, action):
    inactive = factories.admin(is_active=False)
    actors = {"rep": org.rep_a1a, "manager": org.manager_a1, "leader": org.leader_a,
              "executive": org.exec, "admin": org.admin, "deactivated": inactive,
              "signed out": AnonymousUserMixin()}
    actual = {column: authz.can(actors[column], action) for column in GLOBAL_COLUMNS}
    assert actual == dict(zip(GLOBAL_COLUMNS, GLOBAL_RULES[action], strict=True))


def test_nobody_at_all_may_do_anything(org):
    assert not any(authz.can(None, action, org.rep_a1a if action in PERSON_RULES else None)
                   for action in authz.RULES)


def test_unknown_action_is_an_error_not_a_no(org):
    with pytest.raises(LookupError):
        authz.can(org.admin, "people.launch_rockets", org.rep_a1a)


def test_can_see_follows_the_tree(org):
    seen = {column: authz.can_see(*_person_case(org, column)) for column in PERSON_COLUMNS
            if column != "deactivated actor"}
    expected = dict(zip(PERSON_COLUMNS, PERSON_RULES["people.view"], strict=True))
    expected.pop("deactivated actor")
    assert seen == expected


def test_rep_sees_only_themselves(org):
    rep = org.rep_a1a
    assert authz.can_see(rep, rep)
    assert not authz.can_see(rep, org.rep_a1b)  # peer
    assert not authz.can_see(rep, org.manager_a1)  # own manager


def test_visibility_follows_a_move_in_the_same_app_context(org):
    assert not authz.can(org.leader_a, "people.view", org.rep_b1a)
    org.rep_b1a.manager = org.manager_a1
    db.session.flush()
    assert authz.can(org.leader_a, "people.view", org.rep_b1a)


def test_require_answers_404_out_of_sight_and_403_when_forbidden(org):
    with pytest.raises(NotFound):
        authz.require(org.leader_a, "people.edit", org.rep_b1a)
    with pytest.raises(Forbidden):
        authz.require(org.leader_a, "people.edit", org.manager_a1)
    authz.require(org.admin, "people.edit", org.rep_b1a)  # no exception


# --- visible(): the SQL scope for lists ------------------------------------------------------

SCOPED = {
    "exec": {"exec", "leader_a", "leader_b", "manager_a1", "manager_a2", "manager_b1",
             "rep_a1a", "rep_a1b", "rep_a2a", "rep_b1a"},
    "leader_a": {"leader_a", "manager_a1", "manager_a2", "rep_a1a", "rep_a1b", "rep_a2a"},
    "leader_b": {"leader_b", "manager_b1", "rep_b1a"},
    "manager_a1": {"manager_a1", "rep_a1a", "rep_a1b"},
    "rep_a1a": {"rep_a1a"},
}


def _visible_ids(user) -> set[int]:
    return {person.id for person in db.session.scalars(authz.visible(select(User), user))}


@pytest.mark.parametrize("actor", SCOPED)
def test_visible_scopes_people_to_the_subtree(org, actor):
    expected = {getattr(org, name).id for name in SCOPED[actor]}
    assert _visible_ids(getattr(org, actor)) == expected


def test_visible_gives_admins_everyone(org):
    assert _visible_ids(org.admin) == set(db.session.scalars(select(User.id)))


def test_visible_keeps_deactivated_reports_in_the_team(org):
    org.rep_a1b.is_active = False
    db.session.flush()
    assert org.rep_a1b.id in _visible_ids(org.manager_a1)


@pytest.mark.parametrize("who", ["anonymous", "none", "deactivated"])
def test_visible_is_empty_for_someone_not_signed_in(org, who):
    org.leader_a.is_active = False
    actor = {"anonymous": AnonymousUserMixin(), "none": None,
             "deactivated": org.leader_a}[who]
    assert _visible_ids(actor) == set()


# --- every route x every relationship ---------------------------------------------------------

EXCLUDED = {"static", "bootstrap.static"}
# Object routes: the actor is leader_a, except for the admin and signed-out columns.
TARGET = {"self": "leader_a", "direct report": "manager_a1", "deeper report": "rep_a1a",
          "own manager": "exec", "peer": "leader_b", "other branch": "rep_b1a",
          "admin": "manager_b1", "signed out": "rep_a1a"}
# Routes without an object: only the actor matters.
PLAIN_TARGET = {"member": "leader_a", "admin": "admin", "signed out": "rep_a1a"}


def person_id(case: Case):
    return {"id": case.target.id}, {}


def api_person_id(case: Case):
    return {"person_id": case.target.id}, {}


def person_form(case: Case) -> dict:
    person = case.target
    return {"email": person.email, "name": f"{person.name} Jr", "job_title": "",
            "level": person.level, "time_zone": "UTC",
            "manager_email": person.manager.email if person.manager else ""}


def new_person_form(case: Case) -> dict:
    return {"email": "new.hire@example.test", "name": "New Hire", "level": "rep",
            "manager_email": case.org.manager_b1.email, "time_zone": "UTC"}


def csv_upload(case: Case):
    text = ("email,name,title,level,manager_email,roles\n"
            f"csv.hire@example.test,Csv Hire,Seller,rep,{case.org.manager_b1.email},\n")
    return {}, {"data": {"file": (io.BytesIO(text.encode()), "org.csv")},
                "content_type": "multipart/form-data"}


def reset_link(case: Case):
    secret = f"reset-{case.target.id}"
    db.session.add(PasswordReset(user=case.target, token_hash=digest(secret),
                                 expires_at=utcnow() + timedelta(minutes=30)))
    db.session.flush()
    return {"token": secret}, {}


def reset_form(case: Case):
    return reset_link(case)[0], {"data": {"password": NEW_PASSWORD}}


def target_token(case: Case):
    token, _ = create_api_token(case.target, password=PASSWORD, name="matrix",
                                scopes=["people:read"], days=1)
    db.session.flush()
    return {"id": token.id}, {}


def target_notification(case: Case):
    notification = notify(case.target, kind="matrix", subject="Matrix", link="/", email=False)
    db.session.flush()
    return {"id": notification.id}, {}


LMS_ROUTES: dict[tuple[str, str], Route] = {
    ("home.index", "GET"): plain(200, 200, LOGIN),
    ("home.team", "GET"): plain(200, 200, LOGIN),
    ("home.team_of", "GET"): on_person(200, 200, person_id),
    ("people.index", "GET"): plain(403, 200, LOGIN),
    ("people.create", "GET"): plain(403, 200, LOGIN),
    ("people.create", "POST"): plain(403, 302, LOGIN, form(new_person_form)),
    ("people.import_csv", "GET"): plain(403, 200, LOGIN),
    ("people.import_csv", "POST"): plain(403, 302, LOGIN, csv_upload),
    ("people.export_csv", "GET"): plain(403, 200, LOGIN),
    ("people.detail", "GET"): on_person(200, 200, person_id),
    ("people.edit", "GET"): on_person(403, 200, person_id),
    ("people.edit", "POST"): on_person(403, 302, form(person_form, person_id)),
    ("people.deactivate", "POST"): on_person(403, 302, person_id),
    ("people.reactivate", "POST"): on_person(403, 302, person_id),
    ("people.reassign", "GET"): on_person(403, 200, person_id),
    ("people.reassign", "POST"): on_person(
        403, 302, form(lambda case: {"manager_email": case.org.manager_a1.email}, person_id)),
    ("audit.index", "GET"): plain(403, 200, LOGIN),
    ("auth.login", "GET"): plain(302, 302, 200),
    ("auth.login", "POST"): plain(302, 302, 302, form(
        lambda case: {"email": case.target.email, "password": PASSWORD})),
    ("auth.logout", "POST"): plain(302, 302, LOGIN),
    ("auth.forgot_password", "GET"): plain(200, 200, 200),
    ("auth.forgot_password", "POST"): plain(302, 302, 302, form(
        lambda case: {"email": case.target.email})),
    ("auth.reset_password", "GET"): plain(200, 200, 200, reset_link),
    ("auth.reset_password", "POST"): plain(302, 302, 302, reset_form),
    ("auth.account", "GET"): plain(200, 200, LOGIN),
    ("auth.account", "POST"): plain(302, 302, LOGIN, form(
        {"name": "Renamed Person", "time_zone": "Europe/Berlin"})),
    ("auth.change_email", "POST"): plain(302, 302, LOGIN, form(
        lambda case: {"email": f"moved{case.target.id}@example.com",
                      "current_password": PASSWORD})),
    ("auth.change_password", "POST"): plain(302, 302, LOGIN, form(
        {"current_password": PASSWORD, "password": NEW_PASSWORD})),
    ("auth.tokens", "GET"): plain(200, 200, LOGIN),
    ("auth.tokens", "POST"): plain(200, 200, LOGIN, form(
        {"name": "CRM sync", "scopes": "people:read", "days": "30",
         "current_password": PASSWORD})),
    ("auth.revoke_token", "POST"): owned(302, target_token),
    ("notify.index", "GET"): plain(200, 200, LOGIN),
    ("notify.open", "POST"): owned(302, target_notification),
    ("notify.read_all", "POST"): plain(302, 302, LOGIN),
    ("api-docs.openapi_json", "GET"): plain(200, 200, 200),
    ("people_api.me", "GET"): plain(200, 200, 401),
    ("people_api.index", "GET"): plain(200, 200, 401),
    ("people_api.create", "POST"): plain(403, 201, 401, json_body(
        lambda case: {"email": "api.hire@example.test", "name": "Api Hire",
                      "manager_id": case.org.manager_b1.id})),
    ("people_api.detail", "GET"): on_person(200, 200, api_person_id, api=True),
    ("people_api.update", "PATCH"): on_person(
        403, 200, json_body({"job_title": "Matrix"}, api_person_id), api=True),
    ("people_api.subtree", "GET"): on_person(200, 200, api_person_id, api=True),
    ("people_api.managers", "GET"): on_person(200, 200, api_person_id, api=True),
}


MATRIX: dict[tuple[str, str], Route] = {**LMS_ROUTES, **collect_routes()}


def _registered(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint not in EXCLUDED
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_registered_route_has_a_matrix_entry(app):
    registered = _registered(app)
    missing = sorted(registered - set(MATRIX))
    assert not missing, f"add these routes to MATRIX in {__name__}: {missing}"
    assert not sorted(set(MATRIX) - registered), "MATRIX lists routes that no longer exist"


def _url(app, endpoint: str, method: str, values: dict) -> str:
    return app.url_map.bind("cadence.test").build(endpoint, values, method=method)


def _outcome(response) -> int | str:
    if response.status_code == 302:
        location = urlsplit(response.location)
        if location.path == "/login" and "next=" in location.query:
            return LOGIN
    return response.status_code


def _actor(org, relationship: str) -> User | None:
    if relationship == "signed out":
        return None
    return org.admin if relationship == "admin" else org.leader_a


@pytest.fixture
def tokens():
    """``tokens(person)``: headers of a token with every scope, one per actor and test."""
    minted: dict[int, dict] = {}

    def of(person: User) -> dict:
        if person.id not in minted:
            minted[person.id] = token_headers(person, sorted(SCOPES))
        return minted[person.id]
    return of


def _call(app, org, tokens, key: tuple[str, str], relationship: str) -> int | str:
    endpoint, method = key
    targets = PLAIN_TARGET if "member" in MATRIX[key].expect else TARGET
    case = Case(org, _actor(org, relationship), getattr(org, targets[relationship]))
    values, kwargs = MATRIX[key].build(case)
    db.session.commit()  # what the case needs is stored: a view that rolls back keeps it
    url = _url(app, endpoint, method, values)
    client, headers = app.test_client(), {}
    if case.actor is not None and url.startswith("/api/"):
        headers = tokens(case.actor)
    elif case.actor is not None:
        sign_in(client, case.actor)
    return _outcome(client.open(url, method=method, headers=headers, **kwargs))


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda key: f"{key[1]} {key[0]}")
def test_route_answers_each_relationship(app, org, tokens, key):
    actual = {relationship: _call(app, org, tokens, key, relationship)
              for relationship in MATRIX[key].expect}
    assert actual == MATRIX[key].expect


# --- CSRF: every HTML form post needs the token; the API never does ----------------------------

def _is_api(endpoint: str) -> bool:
    return endpoint.split(".")[0].endswith("_api") or endpoint.startswith("api-docs.")


# Mail clients POST one-click unsubscribes without any page of ours (RFC 8058): the signed
# token in the address is what proves the request, and it can only ever stop mail.
CSRF_EXEMPT = {("notify.unsubscribe", "POST")}
HTML_POSTS = sorted(key for key in MATRIX
                    if key[1] != "GET" and not _is_api(key[0]) and key not in CSRF_EXEMPT)
API_WRITES = sorted(key for key in MATRIX if key[1] != "GET" and _is_api(key[0]))


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _sign_in_with_csrf(client, person: User) -> None:
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": person.email, "password": PASSWORD,
                                            "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("key", HTML_POSTS, ids=lambda key: key[0])
def test_html_post_without_csrf_token_is_refused(app, org, csrf_enabled, key):
    client = app.test_client()
    _sign_in_with_csrf(client, org.admin)
    # The admin acting on themselves: the request is valid in every other way.
    values, kwargs = MATRIX[key].build(Case(org, org.admin, org.admin))
    response = client.open(_url(app, *key, values), method=key[1], **kwargs)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_html_post_with_csrf_token_is_accepted(app, org, csrf_enabled):
    client = app.test_client()
    _sign_in_with_csrf(client, org.admin)
    page = client.get(f"/people/{org.rep_b1a.id}").get_data(as_text=True)
    response = client.post(f"/people/{org.rep_b1a.id}/deactivate",
                           data={"csrf_token": _csrf_token(page)})
    assert response.status_code == 302
    assert org.rep_b1a.is_active is False


@pytest.mark.parametrize("key", API_WRITES, ids=lambda key: key[0])
def test_api_writes_need_no_csrf_token(app, org, tokens, csrf_enabled, key):
    assert _call(app, org, tokens, key, "admin") == MATRIX[key].expect["admin"]


# --- the forbidden button is hidden too --------------------------------------------------------

def test_non_admin_sees_no_people_link_and_no_edit_or_deactivate(client, login, org):
    login(org.leader_a)
    report = org.manager_a1
    assert 'href="/people/"' not in client.get("/").get_data(as_text=True)
    page = client.get(f"/people/{report.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and report.name in html
    assert f"/people/{report.id}/edit" not in html
    assert f"/people/{report.id}/deactivate" not in html
    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{report.id}/edit").status_code == 403
    assert client.post(f"/people/{report.id}/deactivate").status_code == 403


def test_admin_sees_people_link_and_edit_and_deactivate(client, login, org):
    login(org.admin)
    report = org.manager_a1
    assert 'href="/people/"' in client.get("/").get_data(as_text=True)
    html = client.get(f"/people/{report.id}").get_data(as_text=True)
    assert f"/people/{report.id}/edit" in html
    assert f"/people/{report.id}/deactivate" in html


def test_admin_gets_no_deactivate_button_for_themselves(client, login, org):
    login(org.admin)
    html = client.get(f"/people/{org.admin.id}").get_data(as_text=True)
    assert f"/people/{org.admin.id}/edit" in html
    assert f"/people/{org.admin.id}/deactivate" not in html
