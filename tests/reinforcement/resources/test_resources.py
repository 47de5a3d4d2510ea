"""Resources: versions, Markdown or files, assignment, read receipts, who has not read, pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from courses.live import programs
from courses.models import Enrollment, EnrollmentStatus
from lms import authz
from lms.audit.models import AuditEntry
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level
from lms.web.files import StoredFile
from reinforcement.resources import services as resources
from reinforcement.resources.models import Resource, ResourceAcknowledgement, ResourceVersion
from tests import factories
from tests.reinforcement.plans.factories import resource, upload

pytestmark = pytest.mark.usefixtures("ctx")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def new_version(item, body="# Coaching guide\n\nAsk, listen, then ask again.",
                note="Added a step", by=None, **fields):
    return resources.add_version(item, resources.VersionData(
        body_markdown=body, change_note=note, **fields), by=by)


# --- creating and versions ---------------------------------------------------------------------

def test_a_markdown_resource_is_sanitised_and_its_first_version_is_current(org):
    made = resource(org.admin, body="Call <script>alert(1)</script> [x](javascript:alert(1))",
                    kind="job_aid", audience=["rep", "manager"])

    version = made.current_version
    assert (version.number, made.kind, made.audience) == (1, "job_aid", ",rep,manager,")
    assert "<script" not in version.body_html and "javascript:" not in version.body_html
    assert version.created_by_id == org.admin.id
    assert count(AuditEntry, AuditEntry.action == "resource.create") == 1


def test_an_uploaded_file_is_kept_as_the_version(org):
    made = resource(org.admin, file=upload())

    assert made.current_version.file.original_name == "job-aid.pdf"
    assert made.current_version.file.content_type == "application/pdf"
    assert made.current_version.body_markdown == ""


@pytest.mark.parametrize(("body", "file", "field", "words"), [
    ("", None, "body_markdown", "Write the text or upload a file"),
    ("Text", upload(), "file", "not both"),
    ("", upload(b"<html><script>x</script></html>", "guide.pdf"), "file", "markup"),
    ("", upload(b"MZ\x90\x00\x03binary", "guide.pdf"), "file", "not an allowed type"),
])
def test_an_empty_double_or_disguised_content_is_refused_and_nothing_written(
        org, body, file, field, words):
    with pytest.raises(ValidationError) as refused:
        resources.create_resource(resources.ResourceData(title="Guide"), resources.VersionData(
            body_markdown=body, upload=file), by=org.admin)

    assert refused.value.field == field and words in refused.value.message
    assert (count(Resource), count(ResourceVersion), count(StoredFile)) == (0, 0, 0)


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": " "}, "title"), ({"kind": "poster"}, "kind"), ({"audience": ["ceo"]}, "audience"),
    ({"program_id": 999_999}, "program"), ({"course_id": 999_999}, "course"),
])
def test_bad_resource_details_are_refused(org, fields, field):
    data = {"title": "Guide", **fields}

    with pytest.raises(ValidationError) as refused:
        resources.create_resource(resources.ResourceData(**data), resources.VersionData(
            body_markdown="Text"), by=org.admin)
    assert refused.value.field == field
    assert count(Resource) == 0


def test_a_new_version_becomes_current_and_needs_a_change_note(org):
    made = resource(org.admin)
    with pytest.raises(ValidationError) as refused:
        new_version(made, note="", by=org.admin)
    assert refused.value.field == "change_note"
    with pytest.raises(ValidationError, match="same as the current"):
        new_version(made, body="# Coaching guide\n\nAsk, then listen.", by=org.admin)

    second = new_version(made, by=org.admin)
    third = resources.add_version(made, resources.VersionData(
        upload=upload(), change_note="As a printable PDF"), by=org.admin)

    assert (second.number, third.number) == (2, 3)
    assert made.current_version == third and third.file is not None
    assert [v.number for v, _author in resources.versions_of(made)] == [3, 2, 1]
    assert resources.versions_of(made)[0][1] == "Ada Admin"
    assert count(AuditEntry, AuditEntry.action == "resource.version") == 2


def test_details_change_without_a_new_version(org):
    made = resource(org.admin)
    resources.update_resource(made, resources.ResourceData(title="Coaching playbook",
                                                           audience=["manager"]), by=org.admin)

    assert made.title == "Coaching playbook" and made.current_version.number == 1
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "resource.update")).one()
    assert entry.changes["audience"] == [",", ",manager,"]


def test_an_archived_resource_cannot_change_until_restored(org):
    made = resource(org.admin)
    resources.set_archived(made, True, by=org.admin)

    with pytest.raises(ValidationError, match="archived"):
        new_version(made, by=org.admin)
    with pytest.raises(ValidationError, match="already archived"):
        resources.set_archived(made, True, by=org.admin)
    resources.set_archived(made, False, by=org.admin)
    assert new_version(made, by=org.admin).number == 2


# --- read receipts -----------------------------------------------------------------------------

def test_reading_is_acknowledged_per_version(org):
    made = resource(org.admin, audience=["rep"])
    first = resources.acknowledge(made, org.rep_a1a)
    again = resources.acknowledge(made, org.rep_a1a)

    assert again.id == first.id and count(ResourceAcknowledgement) == 1
    assert resources.read_status([made], org.rep_a1a) == {made.id: "read"}

    new_version(made, by=org.admin)
    assert resources.read_status([made], org.rep_a1a) == {made.id: "outdated"}
    assert resources.acknowledgement(made, org.rep_a1a) is None
    assert resources.last_read(made, org.rep_a1a).number == 1
    resources.acknowledge(made, org.rep_a1a)
    assert resources.read_status([made], org.rep_a1a) == {made.id: "read"}
    assert resources.read_status([made], org.rep_a1b) == {made.id: "unread"}
    assert count(AuditEntry, AuditEntry.action == "resource.acknowledge") == 2


def test_an_archived_resource_cannot_be_acknowledged(org):
    made = resource(org.admin)
    resources.set_archived(made, True, by=org.admin)

    with pytest.raises(ValidationError, match="no current version"):
        resources.acknowledge(made, org.rep_a1a)
    assert count(ResourceAcknowledgement) == 0


# --- assignment --------------------------------------------------------------------------------

@pytest.fixture
def program_with_reps(org):
    program = programs.create_program(programs.ProgramData(
        name="Rollout", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30)), by=org.admin)
    rep_course = factories.course(by=org.admin)
    programs.default_waves(program, [factories.course(audience=("manager",), by=org.admin)],
                           [rep_course], by=org.admin)
    for person, status in ((org.rep_a1a, EnrollmentStatus.ACTIVE),
                           (org.rep_b1a, EnrollmentStatus.WITHDRAWN)):
        db.session.add(Enrollment(course=rep_course, user=person, status=status))
    db.session.flush()
    return program


def _assigned(made, *people):
    return {p.id for p in people if resources.assigned_ids([made], p)}


def test_assignment_by_level_by_program_or_by_both(org, program_with_reps):
    everyone = (org.rep_a1a, org.rep_a1b, org.rep_b1a, org.manager_a1, org.leader_a)
    by_level = resource(org.admin, title="Reps' aid", audience=["rep"])
    by_program = resource(org.admin, title="Rollout guide", program_id=program_with_reps.id)
    managers_in = resource(org.admin, title="Managers' guide", audience=["manager"],
                           program_id=program_with_reps.id)
    unassigned = resource(org.admin, title="Library page")

    assert _assigned(by_level, *everyone) == {org.rep_a1a.id, org.rep_a1b.id, org.rep_b1a.id}
    assert _assigned(by_program, *everyone) == {org.rep_a1a.id}  # rep_b1a withdrew
    assert _assigned(managers_in, *everyone) == set()  # no manager enrolled in the program
    assert _assigned(unassigned, *everyone) == set()


def test_the_library_filters_by_kind_level_program_and_mine(org, program_with_reps):
    aid = resource(org.admin, title="Call aid", kind="job_aid", audience=["rep"])
    guide = resource(org.admin, title="Rollout guide", kind="guide",
                     program_id=program_with_reps.id)
    playbook = resource(org.admin, title="Manager playbook", audience=["manager"])
    gone = resource(org.admin, title="Old playbook", audience=["rep"])
    resources.set_archived(gone, True, by=org.admin)

    def titles(viewer, **chosen):
        stmt = resources.library(viewer, resources.LibraryFilter(**chosen))
        return [r.title for r in db.session.scalars(stmt)]

    assert titles(org.rep_b1a) == ["Call aid", "Manager playbook", "Rollout guide"]
    assert titles(org.rep_b1a, kind="job_aid") == ["Call aid"]
    assert titles(org.rep_b1a, level="manager") == ["Manager playbook"]
    assert titles(org.rep_b1a, program_id=program_with_reps.id) == ["Rollout guide"]
    assert titles(org.rep_a1a, mine=True) == ["Call aid", "Rollout guide"]
    assert titles(org.manager_a1, mine=True) == ["Manager playbook"]
    assert titles(org.rep_b1a, archived=True) == []  # an archived resource is admins' only
    assert titles(org.admin, archived=True) == ["Old playbook"]
    assert {aid.id, guide.id, playbook.id} == {r.id for r in db.session.scalars(
        resources.library(org.admin, resources.LibraryFilter()))}


# --- who has not read --------------------------------------------------------------------------

def test_a_manager_sees_who_under_them_has_not_read_the_current_version(org):
    made = resource(org.admin, title="Call aid", audience=["rep"])
    resources.acknowledge(made, org.rep_a1a)

    [row] = resources.unread_report(org.manager_a1)
    assert (row.resource.id, row.assigned, row.read) == (made.id, 2, 1)
    assert [p.name for p in row.not_read] == ["Ron Rep"]

    new_version(made, by=org.admin)
    [row] = resources.unread_report(org.leader_a)
    assert (row.assigned, row.read) == (3, 0)
    assert [p.name for p in row.not_read] == ["Rita Rep", "Ron Rep", "Rosa Rep"]
    [row] = resources.unread_report(org.admin)
    assert row.assigned == 4
    assert resources.unread_report(org.rep_a1a) == []  # nobody under a rep


def test_the_unread_report_costs_the_same_queries_for_more_people_and_resources(
        org, count_queries):
    resource(org.admin, title="Call aid", audience=["rep"])
    db.session.flush()
    with count_queries() as few:
        resources.unread_report(org.leader_a)
    for n in range(5):
        resource(org.admin, title=f"Aid {n}", audience=["rep", "manager"])
    for _ in range(8):
        factories.person(manager=org.manager_a2)
    factories.person(level=Level.MANAGER, manager=org.leader_a)
    db.session.flush()

    with count_queries() as many:
        rows = resources.unread_report(org.leader_a)

    assert len(rows) == 6 and rows[0].assigned == 3 + 8 + 3
    assert many.count == few.count == 3


# --- rules -------------------------------------------------------------------------------------

ACTORS = ("rep", "manager", "leader", "executive", "admin", "signed out")
Y, N = True, False


def _actors(org):
    return {"rep": org.rep_a1a, "manager": org.manager_a1, "leader": org.leader_a,
            "executive": org.exec, "admin": org.admin, "signed out": AnonymousUserMixin()}


@pytest.mark.parametrize(("action", "archived", "expected"), [
    ("resource.view", False, (Y, Y, Y, Y, Y, N)),
    ("resource.view", True, (N, N, N, N, Y, N)),
    ("resource.manage", False, (N, N, N, N, Y, N)),
    ("resource.team", False, (N, Y, Y, Y, Y, N)),
])
def test_resource_rules(org, action, archived, expected):
    made = resource(org.admin)
    made.is_archived = archived
    actors = _actors(org)

    actual = {who: authz.can(actors[who], action, made) for who in ACTORS}
    assert actual == dict(zip(ACTORS, expected, strict=True))


# --- pages -------------------------------------------------------------------------------------

@pytest.fixture
def web(client, login, org):
    return client, login


def _html(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def test_a_rep_reads_and_acknowledges_an_assigned_resource(web, org):
    client, login = web
    made = resource(org.admin, title="Call aid", audience=["rep"])
    login(org.rep_a1a)

    listing = _html(client.get("/reinforcement/resources?mine=1"))
    assert "Call aid" in listing and "Not read yet" in listing
    page = _html(client.get(f"/reinforcement/resources/{made.id}"))
    assert "<h1" in page and "Ask, then listen." in page and "I have read" in page
    assert f"/reinforcement/resources/{made.id}/edit" not in page  # not an admin

    response = client.post(f"/reinforcement/resources/{made.id}/acknowledge")
    assert response.status_code == 302
    assert "You confirmed reading this version" in _html(client.get(response.location))
    assert "Read" in _html(client.get("/reinforcement/resources?mine=1"))


def test_an_admin_publishes_a_new_version_from_the_edit_page(web, org):
    client, login = web
    made = resource(org.admin, title="Call aid", audience=["rep"])
    resources.acknowledge(made, org.rep_a1a)
    db.session.commit()
    login(org.admin)
    form = {"title": "Call aid", "kind": "playbook", "summary": "", "audience": ["rep"],
            "program": "0", "course": "0", "body_markdown": "New steps", "change_note": ""}

    refused = _html(client.post(f"/reinforcement/resources/{made.id}/edit", data=form), 422)
    assert "Say what changed" in refused
    response = client.post(f"/reinforcement/resources/{made.id}/edit",
                           data={**form, "change_note": "Shorter steps"})

    assert response.status_code == 302
    assert made.current_version.number == 2
    client.post("/logout")
    login(org.rep_a1a)
    page = _html(client.get(f"/reinforcement/resources/{made.id}"))
    assert "You read version 1; this one changed: Shorter steps" in page


def test_an_admin_uploads_a_file_resource_and_people_download_it(web, org):
    client, login = web
    login(org.admin)
    response = client.post("/reinforcement/resources/new", data={
        "title": "Call sheet", "kind": "job_aid", "audience": ["rep"], "program": "0",
        "course": "0", "body_markdown": "", "file": upload()},
        content_type="multipart/form-data")
    assert response.status_code == 302
    made = db.session.scalars(select(Resource).where(Resource.title == "Call sheet")).one()

    client.post("/logout")
    login(org.rep_b1a)
    download = client.get(f"/reinforcement/resources/{made.id}/versions/1/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Security-Policy"] == "sandbox"


def test_an_archived_resource_is_out_of_sight_for_people(web, org):
    client, login = web
    made = resource(org.admin, title="Old aid")
    resources.set_archived(made, True, by=org.admin)
    db.session.commit()
    login(org.rep_a1a)

    assert client.get(f"/reinforcement/resources/{made.id}").status_code == 404
    assert client.post(f"/reinforcement/resources/{made.id}/acknowledge").status_code == 404
    assert "Old aid" not in _html(client.get("/reinforcement/resources?archived=1"))


def test_the_course_page_links_its_resources_in_one_click(web, org):
    client, login = web
    course = factories.course(title="Discovery calls", by=org.admin)
    made = resource(org.admin, title="Discovery call aid", course_id=course.id)
    db.session.commit()
    login(org.rep_a1a)

    page = _html(client.get(f"/courses/{course.slug}"))
    assert re.search(rf'href="/reinforcement/resources/{made.id}">Discovery call aid</a>', page)


def test_who_has_not_read_page_for_managers_only(web, org):
    client, login = web
    made = resource(org.admin, title="Call aid", audience=["rep"])
    resources.acknowledge(made, org.rep_a1a)
    db.session.commit()

    login(org.rep_a1a)
    assert client.get("/reinforcement/resources/unread").status_code == 403
    assert "Who has not read" not in _html(client.get("/reinforcement/resources"))
    client.post("/logout")
    login(org.manager_a1)
    page = _html(client.get(f"/reinforcement/resources/unread?resource={made.id}"))
    assert "Ron Rep" in page and "Rita Rep" not in page and "Raj Rep" not in page


def test_uploading_a_file_over_a_text_resource_replaces_the_text(web, org):
    client, login = web
    made = resource(org.admin, title="Call aid")
    db.session.commit()
    login(org.admin)

    response = client.post(f"/reinforcement/resources/{made.id}/edit", data={
        "title": "Call aid", "kind": "playbook", "program": "0", "course": "0",
        "body_markdown": made.current_version.body_markdown, "file": upload(),
        "change_note": "Printable"}, content_type="multipart/form-data")

    assert response.status_code == 302
    version = made.current_version
    assert (version.number, version.body_markdown) == (2, "")
    assert version.file.original_name == "job-aid.pdf"


def test_the_library_page_costs_the_same_queries_for_more_resources(web, org, count_queries):
    client, login = web
    resource(org.admin, title="Aid 0", audience=["rep"])
    db.session.commit()
    login(org.rep_a1a)
    _html(client.get("/reinforcement/resources"))  # warm: sends anything queued
    with count_queries() as one:
        _html(client.get("/reinforcement/resources"))
    for n in range(1, 12):
        made = resource(org.admin, title=f"Aid {n}", audience=["rep"], kind="job_aid")
        if n % 2:
            resources.acknowledge(made, org.rep_a1a)
    db.session.commit()

    with count_queries() as twelve:
        page = _html(client.get("/reinforcement/resources"))

    assert page.count("Not read yet") == 6 and "Aid 11" in page
    assert twelve.count == one.count
