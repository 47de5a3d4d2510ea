"""The remembered answers of API writes sent with an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import UTCDateTime, utcnow
from lms.extensions import db


class IdempotencyKey(db.Model):
    """One key of one token: claimed while its request runs, then the answer it got.

    The unique (token, key) pair is what lets only one of two simultaneous requests run.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, URL and body
    status_code: Mapped[int | None] = mapped_column(Integer)  # None: still running
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    headers: Mapped[str | None] = mapped_column(Text)  # JSON object of the replayed headers
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
