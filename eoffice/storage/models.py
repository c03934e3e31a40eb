"""Attachments: scanned dak, enclosures, uploads and issued letters, stored in the object store
by content hash. Any kind that says so in the registry owns attachments (`owner_kind`, `owner_id`:
"file" 12, "receipt" 40, ...)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.storage.sniff import name_for


def object_key(sha256: str) -> str:
    """Derived from the content: a retry or a duplicate upload lands on the same object."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (sa.Index("ix_attachments_owner", "owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(255))  # shown to people, never used as a path
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    key: Mapped[str] = mapped_column(sa.String(120))
    # none: the citizen whose record it is (a complaint's complainant)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the text of a scan (an image, a PDF without text) is read by OCR in a job (storage.ocr):
    # "pending", then "done" or "failed" (why, in ocr_error); none for what needs no OCR
    ocr: Mapped[str | None] = mapped_column(sa.String(10))
    ocr_error: Mapped[str | None] = mapped_column(sa.Text)

    uploaded_by: Mapped[object] = relationship("User")

    @property
    def download_name(self) -> str:
        """The name a download is saved under: its extension always matches what the bytes
        are (rows stored before that rule included)."""
        return name_for(self.name, self.content_type)


class AttachmentText(Base):
    """Text taken out of an attachment (or, for a letter we made, its source text): the index
    matches on it and snippets quote it, from the database."""

    __tablename__ = "attachment_texts"

    attachment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    extracted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
