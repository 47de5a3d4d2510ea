"""Lesson files: types checked by content, disguises and zip bombs refused, storage, serving."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from PIL import Image  # WeasyPrint depends on Pillow, so it is always installed
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from lms.config import _from_environment
from lms.errors import ValidationError
from lms.web import files
from lms.web.files import StoredFile
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 b'openxmlformats.org/package/2006/content-types"></Types>')


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (31, 78, 121)).save(buffer, fmt)
    return buffer.getvalue()


def office(main_part: str, *, extra: dict[str, bytes] | None = None,
           content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(main_part, b"<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def declare_size(archive: bytes, name: str, size: int) -> bytes:
    """Rewrite the central directory so ``name`` claims ``size`` uncompressed bytes."""
    data = bytearray(archive)
    start = data.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46:start + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, start + 24, size)
            return bytes(data)
        start = data.find(b"PK\x01\x02", start + 4)
    raise AssertionError(f"{name} not in the archive")


@pytest.fixture
def admin(session, ctx):
    return factories.admin()


def stored_count(session) -> int:
    return session.scalar(select(func.count()).select_from(StoredFile))


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (PDF, "guide.pdf", "application/pdf"),
    (image("PNG"), "chart.png", "image/png"),
    (image("JPEG"), "photo.JPG", "image/jpeg"),
    (image("JPEG"), "photo.jpeg", "image/jpeg"),
    (office("word/document.xml"), "playbook.docx", DOCX),
    (office("xl/workbook.xml"), "targets.xlsx", XLSX),
    (office("ppt/presentation.xml"), "deck.pptx", PPTX),
    ("Notes for the 1:1 — agenda first.\n".encode(), "notes.txt", "text/plain; charset=utf-8"),
    (b"name,target\nRita,12\n", "targets.csv", "text/csv; charset=utf-8"),
], ids=["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx", "txt", "csv"])
def test_allowed_files_are_stored_with_the_type_their_content_shows(
        admin, session, data, name, content_type):
    stored = files.store_bytes(data, name, by=admin)
    assert (stored.original_name, stored.content_type, stored.size) == (
        name, content_type, len(data))
    assert files.stored_path(stored).read_bytes() == data
    assert files.stored_path(stored).parent.name == stored.sha256[:2]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64), "guide.pdf",
     "not an allowed type"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "guide.pdf", "web page"),
    (b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "chart.txt", "web page"),
    (image("PNG"), "guide.pdf", "ends in .pdf but the content is a PNG image"),
    (PDF, "guide.docx", "ends in .docx but the content is a PDF"),
    (b"plain words", "guide.pdf", "ends in .pdf but the content is a text file"),
    (office("word/document.xml"), "targets.xlsx", "content is a Word document"),
    (office("word/document.xml", content_types=False), "playbook.docx", "ZIP archive"),
    (office("content.xml"), "slides.docx", "Only these files are allowed"),
    (b"PK\x03\x04 not really a zip", "playbook.docx", "damaged"),
    (b"caf\xe9 au lait", "notes.txt", "not an allowed type"),  # Latin-1, not UTF-8
    (b"name\x00,target\n", "targets.csv", "not an allowed type"),
], ids=["exe-as-pdf", "html-as-pdf", "svg-as-txt", "png-as-pdf", "pdf-as-docx", "text-as-pdf",
        "docx-as-xlsx", "zip-without-content-types", "unknown-ooxml", "broken-zip",
        "not-utf8", "nul-byte"])
def test_disguised_or_unknown_files_are_refused_and_nothing_is_stored(
        admin, session, data, name, message):
    before = stored_count(session)
    with pytest.raises(ValidationError) as refused:
        files.store_bytes(data, name, by=admin)
    assert message in refused.value.message
    assert refused.value.field == "file"
    assert stored_count(session) == before


def test_zip_declaring_a_huge_uncompressed_size_is_refused(admin, session):
    bomb = declare_size(office("word/document.xml"), "word/document.xml", 3_000_000_000)
    with pytest.raises(ValidationError, match="expand to far more"):
        files.store_bytes(bomb, "playbook.docx", by=admin)


def test_zip_with_too_many_entries_is_refused(admin, monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_ENTRIES", 5)
    crowded = office("word/document.xml", extra={f"word/media/{n}.xml": b"x" for n in range(5)})
    with pytest.raises(ValidationError, match="expand to far more"):
        files.store_bytes(crowded, "playbook.docx", by=admin)


def test_file_over_the_configured_limit_is_refused(app, admin, session, monkeypatch):
    monkeypatch.setitem(app.config, "COURSE_FILE_MAX_BYTES", len(PDF) - 1)
    with pytest.raises(ValidationError, match="larger than the limit"):
        files.store_bytes(PDF, "guide.pdf", by=admin)
    monkeypatch.setitem(app.config, "COURSE_FILE_MAX_BYTES", len(PDF))
    assert files.store_bytes(PDF, "guide.pdf", by=admin).size == len(PDF)


def test_upload_reads_no_more_than_one_byte_past_the_limit(app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "COURSE_FILE_MAX_BYTES", 100)
    stream = io.BytesIO(PDF + bytes(10_000))
    with pytest.raises(ValidationError, match="larger than the limit"):
        files.store_upload(FileStorage(stream, filename="guide.pdf"), by=admin)
    assert stream.tell() == 101


def test_limit_defaults_to_ten_mebibytes_and_reads_from_the_environment(app, monkeypatch):
    assert app.config["COURSE_FILE_MAX_BYTES"] == 10 * 1024 * 1024
    monkeypatch.setenv("CADENCE_COURSE_FILE_MAX_BYTES", "2048")
    assert _from_environment()["COURSE_FILE_MAX_BYTES"] == 2048


def test_empty_file_is_refused(admin):
    with pytest.raises(ValidationError, match="empty"):
        files.store_bytes(b"", "notes.txt", by=admin)


def test_same_content_is_kept_once_on_disk_but_each_upload_keeps_its_name(admin):
    first = files.store_bytes(PDF, "guide.pdf", by=admin)
    path = files.stored_path(first)
    written = path.stat().st_mtime_ns
    second = files.store_bytes(PDF, "copy of guide.pdf", by=admin)
    assert first.id != second.id and first.sha256 == second.sha256
    assert files.stored_path(second) == path and path.stat().st_mtime_ns == written
    assert second.original_name == "copy of guide.pdf"


@pytest.mark.parametrize(("uploaded", "kept"), [
    ("../../etc/guide.pdf", "guide.pdf"),
    ("C:\\Users\\dana\\guide.pdf", "guide.pdf"),
    ("guide", "guide.pdf"),
    ('we"ird\r\nname.pdf', "weirdname.pdf"),
])
def test_uploaded_names_lose_paths_and_gain_an_extension_when_missing(admin, uploaded, kept):
    assert files.store_bytes(PDF, uploaded, by=admin).original_name == kept


def test_stored_file_is_served_as_a_sandboxed_attachment(admin, app):
    stored = files.store_bytes(PDF, "Coaching guide.pdf", by=admin)
    with app.test_request_context():
        response = files.send_stored_file(stored)
        response.direct_passthrough = False
        body = response.get_data()
    assert body == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Coaching guide.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


def test_serving_a_file_missing_from_disk_is_404(admin, app):
    stored = files.store_bytes(b"gone soon", "gone.txt", by=admin)
    files.stored_path(stored).unlink()
    with app.test_request_context(), pytest.raises(NotFound):
        files.send_stored_file(stored)
