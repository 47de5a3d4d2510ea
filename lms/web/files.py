"""Stored files (lesson downloads, resource files): check uploads by their content, keep them
under the instance folder, serve them.

A file is accepted only when its bytes are one of the allowed kinds (the name's extension
is never trusted) and, when the name has an extension, it agrees with the content: a page
of HTML or a program renamed ``.pdf`` is refused. Files are stored once per content hash
under ``<instance>/uploads/<sha[:2]>/<sha256>``; each upload still gets its own
``StoredFile`` row, which keeps the name it was uploaded with.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from flask import Response, abort, current_app, send_file
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from lms.db import UTCDateTime, utcnow
from lms.errors import ValidationError
from lms.extensions import db
from lms.people.models import User

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An Office document is a ZIP archive: refuse archives that would expand to far more than
# any job aid needs (a "zip bomb"), judged by the sizes the archive itself declares.
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_ENTRIES = 2_000
CONTENT_TYPES_MAX = 1024 * 1024
ALLOWED = ("PDF, PNG or JPEG image, Word, Excel or PowerPoint document (.docx, .xlsx, "
           ".pptx), or plain text/CSV")
# Text that opens with a tag (HTML, SVG, XML) would run as a page if a browser ever sniffed
# it; plain text and CSV have no reason to start that way.
MARKUP = re.compile(rb"\s*<\s*[!?a-zA-Z]")
OOXML = {
    "word/document.xml": ("docx", "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document", "Word document"),
    "xl/workbook.xml": ("xlsx", "application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet", "Excel workbook"),
    "ppt/presentation.xml": ("pptx", "application/vnd.openxmlformats-officedocument."
                                     "presentationml.presentation", "PowerPoint presentation"),
}


class StoredFile(db.Model):
    """An uploaded file kept under ``instance/uploads``, named by its content hash."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Detected:
    """What a file's bytes turned out to be."""

    extensions: tuple[str, ...]  # the first is the one added to a name without extension
    content_type: str
    label: str


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, field="file")


def max_bytes() -> int:
    return int(current_app.config.get("COURSE_FILE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def _office(data: bytes) -> Detected:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise _refuse("This archive is damaged or not an Office document.") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES or (
                sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED):
            raise _refuse("This archive would expand to far more than an Office document "
                          "holds; it was refused.")
        names = {entry.filename for entry in entries}
        manifest = next((e for e in entries if e.filename == "[Content_Types].xml"), None)
        if manifest is None or manifest.file_size > CONTENT_TYPES_MAX:
            raise _refuse(f"Only these files are allowed: {ALLOWED}. A ZIP archive is not.")
        try:
            # Read no more than declared (plus one byte) so a lying header cannot expand.
            with archive.open(manifest) as handle:
                head = handle.read(CONTENT_TYPES_MAX + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
            raise _refuse("This archive is damaged or encrypted.") from error
    if b"<Types" not in head:
        raise _refuse("This archive is damaged or not an Office document.")
    for part, (extension, content_type, label) in OOXML.items():
        if part in names:
            return Detected((extension,), content_type, label)
    raise _refuse(f"Only these files are allowed: {ALLOWED}.")


def _text(data: bytes) -> Detected | None:
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if MARKUP.match(data.removeprefix(b"\xef\xbb\xbf")[:1024]):
        raise _refuse("This looks like a web page or markup, which cannot be shared as a "
                      f"lesson file. Allowed: {ALLOWED}.")
    return Detected(("txt", "csv"), "text/plain; charset=utf-8", "text file")


def detect(data: bytes) -> Detected:
    """Say what ``data`` is, from its bytes alone; refuse anything not allowed."""
    if data.startswith(b"%PDF-"):
        return Detected(("pdf",), "application/pdf", "PDF")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(("png",), "image/png", "PNG image")
    if data.startswith(b"\xff\xd8\xff"):
        return Detected(("jpg", "jpeg"), "image/jpeg", "JPEG image")
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    text = _text(data) if data else None
    if text is None:
        raise _refuse(f"This file's content is not an allowed type. Allowed: {ALLOWED}.")
    return text


def clean_name(filename: str) -> str:
    """Keep the last path part of an uploaded name, without control characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"').strip(" .")
    return name[-200:] or "file"


def checked_name(filename: str, detected: Detected) -> tuple[str, str]:
    """Return the name to keep and the content type, refusing a disguised file."""
    name = clean_name(filename)
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot and stem else ""
    if not extension:
        return f"{name}.{detected.extensions[0]}", detected.content_type
    if extension not in detected.extensions:
        raise _refuse(f"The name ends in .{extension} but the content is a {detected.label}. "
                      "Disguised files are refused; upload the file under its real type.")
    if extension == "csv":
        return name, "text/csv; charset=utf-8"
    return name, detected.content_type


def storage_root() -> Path:
    return Path(current_app.instance_path) / "uploads"


def stored_path(stored: StoredFile) -> Path:
    return storage_root() / stored.sha256[:2] / stored.sha256


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.3g} MiB"
    return f"{count / 1024:.3g} KiB" if count >= 1024 else f"{count} bytes"


def _write_once(sha256: str, data: bytes) -> None:
    target = storage_root() / sha256[:2] / sha256
    if target.exists():
        return  # the same bytes were uploaded before
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename: another process never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_bytes(data: bytes, filename: str, *, by: User) -> StoredFile:
    """Check ``data`` and keep it as a new ``StoredFile`` (flushed, not committed)."""
    limit = max_bytes()
    if len(data) > limit:
        raise _refuse(f"The file is larger than the limit of {_size(limit)}.")
    if not data:
        raise _refuse("The file is empty.")
    detected = detect(data)
    name, content_type = checked_name(filename, detected)
    sha256 = hashlib.sha256(data).hexdigest()
    _write_once(sha256, data)
    stored = StoredFile(sha256=sha256, original_name=name, content_type=content_type,
                        size=len(data), uploaded_by_id=by.id)
    db.session.add(stored)
    db.session.flush()
    return stored


def store_upload(upload: FileStorage, *, by: User) -> StoredFile:
    """Check and keep an uploaded file; read at most one byte past the limit."""
    data = upload.stream.read(max_bytes() + 1)
    return store_bytes(data, upload.filename or "", by=by)


def send_stored_file(stored: StoredFile) -> Response:
    """Serve ``stored`` as a download under its original name, never as a page."""
    path = stored_path(stored)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, conditional=True,
                         etag=stored.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Even if a browser rendered it, the document gets no scripts, forms or same origin.
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
