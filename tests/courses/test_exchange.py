"""Course export and import: one self-contained JSON document, lossless, all or nothing."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json

import pytest
from sqlalchemy import func, select

from courses import exchange
from courses.models import (
    Course,
    CourseStatus,
    CourseVersion,
    Enrollment,
    Lesson,
    LessonKind,
    LessonProgress,
    PrerequisiteKind,
)
from courses.services import authoring, enrolment, player
from lms.audit.models import AuditEntry
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import Level
from lms.web.files import StoredFile
from tests import factories

pytestmark = pytest.mark.usefixtures("ctx")

PDF = b"%PDF-1.4\n% a one-page job aid\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
KINDS_MESSAGE = "Must be one of: text, video, file, live, assessment."


@pytest.fixture
def coaching(org):
    return factories.course(title="Coaching the Coach", audience=("manager",), by=org.admin)


@pytest.fixture
def basics(org):
    return factories.course(title="Selling Basics", by=org.admin)


@pytest.fixture
def discovery(org, coaching, basics):
    """A published course with every lesson kind, tags, two modules and two prerequisites."""
    admin = org.admin
    course = authoring.create_course(authoring.CourseData(
        title="Discovery Calls", slug="discovery-calls", summary="Ask before you pitch.",
        audience=(Level.REP, Level.MANAGER), tags=("discovery", "calls"),
        estimated_minutes=45, self_enrol=False), by=admin)
    first = authoring.add_module(course, "Before the call", by=admin)
    authoring.add_lesson(first, authoring.LessonData(
        title="Why ask first", body_markdown="# Ask\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        estimated_minutes=7), by=admin)
    authoring.add_lesson(first, authoring.LessonData(
        title="A call, recorded", kind=LessonKind.VIDEO, is_required=False,
        video_url="https://videos.example.test/discovery.mp4", body_markdown="Watch it."),
        by=admin)
    second = authoring.add_module(course, "On the call", by=admin)
    stored = _store(PDF, "question-bank.pdf", by=admin)
    authoring.add_lesson(second, authoring.LessonData(
        title="Question bank", kind=LessonKind.FILE, file_id=stored.id), by=admin)
    authoring.add_prerequisite(course, PrerequisiteKind.MANAGER_COMPLETION, coaching, by=admin)
    authoring.add_prerequisite(course, PrerequisiteKind.OWN_COMPLETION, basics, by=admin)
    authoring.publish(course, by=admin)
    return course


def _store(data: bytes, name: str, *, by) -> StoredFile:
    from lms.web import files

    return files.store_bytes(data, name, by=by)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, CourseVersion, Lesson, StoredFile, AuditEntry)}


def _paths(rejected: exchange.ImportRejected) -> dict[str, str]:
    return {problem.path: problem.message for problem in rejected.problems}


# --- export ------------------------------------------------------------------------------------

def test_export_is_one_self_contained_document(discovery, coaching, basics):
    document = exchange.export_course(discovery)

    json.dumps(document)  # plain JSON values only
    assert document["format"] == "cadence.course" and document["format_version"] == 1
    assert document["slug"] == "discovery-calls"
    assert document["details"] == {
        "title": "Discovery Calls", "summary": "Ask before you pitch.",
        "audience": ["rep", "manager"], "tags": ["discovery", "calls"],
        "estimated_minutes": 45, "self_enrol": False}
    modules = document["modules"]
    assert [m["title"] for m in modules] == ["Before the call", "On the call"]
    assert [lesson["kind"] for lesson in modules[0]["lessons"]] == ["text", "video"]
    video = modules[0]["lessons"][1]
    assert video["video_url"] == "https://videos.example.test/discovery.mp4"
    assert video["is_required"] is False
    file = modules[1]["lessons"][0]["file"]
    assert file["name"] == "question-bank.pdf" and file["content_type"] == "application/pdf"
    assert base64.b64decode(file["data"]) == PDF
    assert modules[0]["lessons"][0]["file"] is None
    lesson_keys = [lesson.key for lesson in discovery.current_version.lessons]
    assert [lesson["key"] for m in modules for lesson in m["lessons"]] == lesson_keys
    assert document["prerequisites"] == [
        {"kind": "manager_completion", "course": coaching.slug},
        {"kind": "own_completion", "course": basics.slug}]


def test_export_follows_the_draft_an_author_works_on(org, discovery):
    draft = authoring.draft_for_editing(discovery, by=org.admin)
    authoring.rename_module(draft.modules[0], "Prepare", by=org.admin)

    assert exchange.export_course(discovery)["modules"][0]["title"] == "Prepare"


# --- round trips -------------------------------------------------------------------------------

def test_round_trip_into_a_new_course_is_lossless(org, discovery):
    document = exchange.export_course(discovery)
    document["slug"] = "discovery-calls-copy"

    copied = exchange.import_course(json.dumps(document).encode(), by=org.admin)

    assert copied.id != discovery.id and copied.slug == "discovery-calls-copy"
    assert copied.status == CourseStatus.DRAFT and copied.current_version is None
    assert exchange.export_course(copied) == document
    stored = copied.draft_version.lessons[2].file
    assert stored.id != discovery.current_version.lessons[2].file_id  # its own file row
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "course.import"))
    assert entry.object_id == copied.id and entry.actor_id == org.admin.id


def test_slug_given_at_import_makes_a_copy(org, discovery):
    document = exchange.export_course(discovery)

    copied = exchange.import_course(document, by=org.admin, slug="discovery-two")

    assert copied.slug == "discovery-two"
    assert exchange.export_course(copied) == {**document, "slug": "discovery-two"}


def test_replace_imports_a_new_draft_version_and_progress_carries_over(org, discovery):
    enrolled = enrolment.enrol(org.rep_a1a, discovery, by=org.admin)
    first = discovery.current_version.lessons[0]
    # Recorded directly: the course stays locked for the rep, which is not the point here.
    db.session.add(LessonProgress(enrollment_id=enrolled.id, lesson_key=first.key))
    document = exchange.export_course(discovery)
    document["details"]["title"] = "Discovery Calls, revised"
    document["modules"][0]["lessons"].pop(1)  # the video goes
    document["prerequisites"].pop(0)

    replaced = exchange.import_course(document, by=org.admin, replace=True)

    assert replaced.id == discovery.id
    assert discovery.current_version.number == 1  # learners still follow version 1
    assert discovery.draft_version.number == 2
    assert exchange.export_course(discovery) == document
    authoring.publish(discovery, by=org.admin)
    progress = player.progress_of(enrolled, discovery.current_version)
    assert first.key in progress.done and progress.required_done == 1


def test_replace_round_trip_of_an_unchanged_document_is_equal(org, discovery):
    document = exchange.export_course(discovery)

    exchange.import_course(document, by=org.admin, replace=True)

    assert exchange.export_course(discovery) == document
    assert len(discovery.prerequisites) == 2


# --- refusals: every problem with its path, nothing created ------------------------------------

def _mutations():
    """(name, change to a valid document, {path: part of the message})."""
    def kind(doc):
        doc["modules"][1]["lessons"][0]["kind"] = "podcast"

    def unknown_prerequisite(doc):
        doc["prerequisites"][1]["course"] = "no-such-course"

    def duplicate_lesson_key(doc):
        doc["modules"][1]["lessons"][0]["key"] = doc["modules"][0]["lessons"][0]["key"]

    def duplicate_module_key(doc):
        doc["modules"][1]["key"] = doc["modules"][0]["key"]

    def bad_base64(doc):
        doc["modules"][1]["lessons"][0]["file"]["data"] = "%%% not base64 %%%"

    def markup_as_pdf(doc):
        doc["modules"][1]["lessons"][0]["file"]["data"] = base64.b64encode(
            b"<html><script>alert(1)</script></html>").decode()

    def disguised_name(doc):
        doc["modules"][1]["lessons"][0]["file"]["data"] = base64.b64encode(PNG).decode()
        doc["modules"][1]["lessons"][0]["file"]["content_type"] = "image/png"

    def wrong_content_type(doc):
        doc["modules"][1]["lessons"][0]["file"]["content_type"] = "text/plain"

    def unknown_field(doc):
        doc["modules"][0]["lessons"][0]["colour"] = "red"

    def missing_title(doc):
        del doc["details"]["title"]

    def bad_level(doc):
        doc["details"]["audience"] = ["rep", "intern"]

    def newer_format(doc):
        doc["format_version"] = 2

    def file_on_text_lesson(doc):
        doc["modules"][0]["lessons"][0]["file"] = doc["modules"][1]["lessons"][0]["file"]

    def file_lesson_without_file(doc):
        doc["modules"][1]["lessons"][0]["file"] = None

    return [
        ("kind", kind, {"modules[1].lessons[0].kind": KINDS_MESSAGE}),
        ("unknown prerequisite", unknown_prerequisite,
         {"prerequisites[1].course": "No course has the address “no-such-course”."}),
        ("duplicate lesson key", duplicate_lesson_key,
         {"modules[1].lessons[0].key": "modules[0].lessons[0] uses it already"}),
        ("duplicate module key", duplicate_module_key,
         {"modules[1].key": "modules[0] uses it already"}),
        ("bad base64", bad_base64, {"modules[1].lessons[0].file.data": "Not valid base64."}),
        ("markup", markup_as_pdf, {"modules[1].lessons[0].file.data": "web page"}),
        ("disguised", disguised_name, {"modules[1].lessons[0].file.name": "Disguised"}),
        ("content type", wrong_content_type,
         {"modules[1].lessons[0].file.content_type": "application/pdf"}),
        ("unknown field", unknown_field, {"modules[0].lessons[0].colour": "Unknown field."}),
        ("missing title", missing_title, {"details.title": "Missing data"}),
        ("bad level", bad_level, {"details.audience[1]": "Must be one of"}),
        ("format version", newer_format, {"format_version": "Only version 1"}),
        ("file on text", file_on_text_lesson,
         {"modules[0].lessons[0].file": "Only a file lesson carries a file."}),
        ("file missing", file_lesson_without_file,
         {"modules[1].lessons[0].file": "A file lesson needs its file."}),
    ]


@pytest.mark.parametrize(("change", "expected"), [(m[1], m[2]) for m in _mutations()],
                         ids=[m[0] for m in _mutations()])
def test_bad_document_is_refused_with_the_path_and_creates_nothing(org, discovery, change,
                                                                   expected):
    document = exchange.export_course(discovery)
    document["slug"] = "imported"
    change(document)
    before = _counts()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(json.dumps(document), by=org.admin)

    found = _paths(rejected.value)
    assert set(found) == set(expected), found
    for path, fragment in expected.items():
        assert fragment in found[path]
    assert _counts() == before


def test_every_problem_is_listed_at_once(org, discovery):
    document = exchange.export_course(discovery)
    document["slug"] = "imported"
    document["modules"][0]["lessons"][0]["kind"] = "quiz"
    document["modules"][1]["lessons"][0]["file"]["data"] = "***"
    document["prerequisites"][0]["course"] = "gone"
    document["details"]["estimated_minutes"] = "lots"

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin)

    assert [str(problem) for problem in rejected.value.problems] == [
        "details.estimated_minutes: Not a valid integer.",
        f"modules[0].lessons[0].kind: {KINDS_MESSAGE}",
        "modules[1].lessons[0].file.data: Not valid base64.",
        "prerequisites[0].course: No course has the address “gone”.",
    ]


def test_service_refusals_are_listed_for_each_lesson_with_their_paths(org, discovery):
    document = exchange.export_course(discovery)
    document["slug"] = "imported"
    document["modules"][0]["lessons"][1]["video_url"] = "javascript:alert(1)"
    document["modules"][0]["lessons"][0]["title"] = "   "
    extra = copy.deepcopy(document["modules"][0]["lessons"][1])
    extra.update(key="extra", estimated_minutes=5000)
    document["modules"][1]["lessons"].append(extra)
    before = _counts()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin)

    assert _paths(rejected.value) == {
        "modules[0].lessons[0].title": "A lesson needs a title.",
        "modules[0].lessons[1].video_url": "Give the address of a video file, starting with "
                                           "https:// or /.",
        "modules[1].lessons[1].estimated_minutes": "Estimate between 1 and 1,000 minutes.",
    }
    assert _counts() == before


def test_refused_import_leaves_no_file_in_storage(org, discovery):
    from lms.web import files

    fresh = PDF + b"% never stored before\n"
    document = exchange.export_course(discovery)
    document["slug"] = "imported"
    document["modules"][1]["lessons"][0]["file"]["data"] = base64.b64encode(fresh).decode()
    document["modules"][1]["lessons"].append({**document["modules"][0]["lessons"][1],
                                              "key": "late", "video_url": "ftp://nope"})
    target = files.storage_root() / hashlib.sha256(fresh).hexdigest()[:2]

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin)

    assert list(_paths(rejected.value)) == ["modules[1].lessons[1].video_url"]
    assert not (target / hashlib.sha256(fresh).hexdigest()).exists()
    document["modules"][1]["lessons"].pop()
    imported = exchange.import_course(document, by=org.admin)
    assert files.stored_path(imported.draft_version.lessons[2].file).read_bytes() == fresh


def test_existing_slug_needs_replace(org, discovery):
    document = exchange.export_course(discovery)
    before = _counts()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin)

    assert list(_paths(rejected.value)) == ["slug"]
    assert "Tick “replace”" in _paths(rejected.value)["slug"]
    assert _counts() == before


def test_circular_prerequisite_is_refused_with_its_path(org, coaching, discovery):
    document = exchange.export_course(coaching)
    document["prerequisites"] = [{"kind": "own_completion", "course": discovery.slug}]
    before = _counts()

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin, replace=True)

    assert "circle" in _paths(rejected.value)["prerequisites[0].course"]
    assert _counts() == before
    assert coaching.draft_version is None and coaching.prerequisites == []


def test_course_cannot_require_itself(org, discovery):
    document = exchange.export_course(discovery)
    document["prerequisites"].append({"kind": "own_completion", "course": "discovery-calls"})

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin, replace=True)

    assert _paths(rejected.value) == {
        "prerequisites[2].course": "A course cannot require itself."}


def test_archived_course_cannot_be_replaced(org, discovery):
    authoring.set_archived(discovery, True, by=org.admin)
    document = exchange.export_course(discovery)

    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(document, by=org.admin, replace=True)

    assert _paths(rejected.value) == {"slug": "Restore the course before editing it."}
    assert discovery.draft_version is None


@pytest.mark.parametrize(("raw", "message"), [
    (b"{not json", "Not valid JSON"),
    (b"[1, 2]", "The document must be a JSON object."),
    (b"{\"slug\": \"\xc3\x28\"}", "not UTF-8"),
])
def test_unreadable_document_is_refused(org, raw, message):
    with pytest.raises(exchange.ImportRejected) as rejected:
        exchange.import_course(raw, by=org.admin)

    assert list(_paths(rejected.value)) == ["document"]
    assert message in _paths(rejected.value)["document"]


def test_export_with_a_lost_file_says_so(org, discovery):
    from lms.web import files

    files.stored_path(discovery.current_version.lessons[2].file).rename(
        files.storage_root() / "moved-away")
    try:
        with pytest.raises(ValidationError, match="missing from storage"):
            exchange.export_course(discovery)
    finally:
        (files.storage_root() / "moved-away").rename(
            files.stored_path(discovery.current_version.lessons[2].file))


# --- the HTML pages ----------------------------------------------------------------------------

def _upload(document, **fields) -> dict:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return {"file": (io.BytesIO(raw), "course.json"), **fields}


def test_admin_downloads_the_export(client, login, org, discovery):
    login(org.admin)

    response = client.get(f"/courses/manage/{discovery.id}/export.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment; filename=discovery-calls.course.json" in (
        response.headers["Content-Disposition"])
    assert response.get_json() == exchange.export_course(discovery)


def test_import_page_lists_each_problem_with_its_path(client, login, org, discovery):
    document = exchange.export_course(discovery)
    document["slug"] = "imported"
    document["modules"][1]["lessons"][0]["kind"] = "podcast"
    document["prerequisites"][0]["course"] = "gone"
    login(org.admin)
    before = _counts()

    response = client.post("/courses/manage/import", data=_upload(document),
                           content_type="multipart/form-data")

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported: 2 problems to fix" in html
    assert f"<code>modules[1].lessons[0].kind</code>: {KINDS_MESSAGE}" in html
    assert "<code>prerequisites[0].course</code>: No course has the address “gone”." in html
    assert _counts() == before


def test_import_page_creates_a_draft_and_opens_the_editor(client, login, org, discovery):
    document = exchange.export_course(discovery)
    login(org.admin)

    response = client.post("/courses/manage/import",
                           data=_upload(document, slug="discovery-again"),
                           content_type="multipart/form-data")

    copied = db.session.scalar(select(Course).where(Course.slug == "discovery-again"))
    assert response.status_code == 302
    assert response.location.endswith(f"/courses/manage/{copied.id}")
    assert copied.status == CourseStatus.DRAFT
    assert exchange.export_course(copied) == {**document, "slug": "discovery-again"}


def test_import_page_replaces_only_when_ticked(client, login, org, discovery):
    document = exchange.export_course(discovery)
    document["details"]["title"] = "Discovery, second edition"
    login(org.admin)

    refused = client.post("/courses/manage/import", data=_upload(document),
                          content_type="multipart/form-data")
    replaced = client.post("/courses/manage/import", data=_upload(document, replace="y"),
                           content_type="multipart/form-data")

    assert refused.status_code == 422 and "<code>slug</code>" in refused.get_data(as_text=True)
    assert replaced.status_code == 302
    db.session.refresh(discovery)
    assert discovery.draft_version.title == "Discovery, second edition"
    assert discovery.current_version.title == "Discovery Calls"
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_import_page_refuses_a_file_that_is_not_json(client, login, org):
    login(org.admin)

    response = client.post("/courses/manage/import",
                           data={"file": (io.BytesIO(b"a,b"), "people.csv")},
                           content_type="multipart/form-data")

    assert response.status_code == 422
    assert "Upload the .json file" in response.get_data(as_text=True)


def test_member_cannot_export_or_import(client, login, org, discovery):
    login(org.leader_a)

    assert client.get(f"/courses/manage/{discovery.id}/export.json").status_code == 403
    assert client.get("/courses/manage/import").status_code == 403
    assert client.post("/courses/manage/import", data=_upload(b"{}"),
                       content_type="multipart/form-data").status_code == 403
