"""Attachments: scanned dak, enclosures and uploads, stored in the object store by content hash."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.db import Base, utcnow


def object_key(sha256: str) -> str:
    """Derived from the content: a retry or a duplicate upload lands on the same object."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("files.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipts.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))  # shown to people, never used as a path
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    key: Mapped[str] = mapped_column(sa.String(120))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[object] = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(
            "(file_id IS NULL) <> (receipt_id IS NULL)", name="belongs_to_file_or_receipt"
        ),
    )
