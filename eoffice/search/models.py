"""Rows the search keeps in the database: the outbox, and text taken out of attachments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.db import Base, utcnow


class SearchOutbox(Base):
    """A change the index has not seen yet. Written in the same transaction as the change."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    obj_id: Mapped[int]
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AttachmentText(Base):
    """Text extracted from an attachment, kept so that snippets come from the database."""

    __tablename__ = "attachment_texts"

    attachment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    extracted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
