"""Receipts (dak): incoming correspondence, diarised with a number per office and year."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.auth.permissions import can
from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict
from eoffice.org.desks import check_destination, read_only
from eoffice.org.models import Desk, Office


class Mode(enum.StrEnum):
    post = "post"
    hand = "hand"
    email = "email"
    portal = "portal"
    fax = "fax"
    counter = "counter"  # a citizen at the station's counter (complaints)


class ReceiptStatus(enum.StrEnum):
    open = "open"  # on a desk, not yet in a file
    filed = "filed"  # put into a file's correspondence
    closed = "closed"  # disposed of without a file


class Security(enum.StrEnum):
    """Grading (DOMAIN.md "Security grading"): a graded receipt or file is seen only by the desks
    it was marked to and the auditors of its own office."""

    normal = "normal"
    confidential = "confidential"
    secret = "secret"  # noqa: S105 - a grade, not a password


class MarkKind(enum.StrEnum):
    diarised = "diarised"
    action = "action"  # marked to a desk to act on it: the receipt moves there
    copy = "copy"  # marked for information: read-only, the receipt stays where it is
    pulled_back = "pulled_back"


class Receipt(Base):
    __tablename__ = "receipts"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "number"),
        sa.Index("ix_receipts_office_received", "office_id", "received_on", "serial"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int]
    serial: Mapped[int]
    received_on: Mapped[dt.date]
    mode: Mapped[str] = mapped_column(sa.String(10))
    sender_name: Mapped[str] = mapped_column(sa.String(200))
    sender_designation: Mapped[str | None] = mapped_column(sa.String(200))
    sender_organisation: Mapped[str | None] = mapped_column(sa.String(200))
    sender_address: Mapped[str | None] = mapped_column(sa.Text)
    sender_mobile: Mapped[str | None] = mapped_column(sa.String(20))
    sender_email: Mapped[str | None] = mapped_column(sa.String(200))
    letter_number: Mapped[str | None] = mapped_column(sa.String(100))
    letter_date: Mapped[dt.date | None]
    subject: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str | None] = mapped_column(sa.String(60))
    language: Mapped[str | None] = mapped_column(sa.String(20))
    enclosures: Mapped[str | None] = mapped_column(sa.Text)
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default=ReceiptStatus.open.value)
    holder_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"), index=True)
    created_desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    # none for dak that came through the citizens' portal
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("files.id"), index=True)
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    security: Mapped[str] = mapped_column(
        sa.String(12), default=Security.normal.value, server_default="normal"
    )
    priority: Mapped[str] = mapped_column(sa.String(20), default="normal", server_default="normal")
    due_on: Mapped[dt.date | None]

    __mapper_args__ = {"version_id_col": version}

    office: Mapped[Office] = relationship()
    holder: Mapped[Desk | None] = relationship(foreign_keys=[holder_desk_id])
    created_desk: Mapped[Desk] = relationship(foreign_keys=[created_desk_id])

    @property
    def sender(self) -> dict:
        return {
            "name": self.sender_name,
            "designation": self.sender_designation,
            "organisation": self.sender_organisation,
            "address": self.sender_address,
            "mobile": self.sender_mobile,
            "email": self.sender_email,
        }

    def label(self) -> str:
        """Number and subject, short enough for a list of choices."""
        subject = self.subject if len(self.subject) <= 80 else self.subject[:79] + "…"
        return f"{self.number} — {subject}"

    def allowed_actions(self, desk: Desk | None, user) -> set[str]:
        """What `user`, acting from `desk`, may do with the receipt now: the page offers these
        forms, and each use case checks the same rules again when it runs."""
        if desk is None or user is None or read_only(user):
            return set()
        if self.status != ReceiptStatus.open or self.holder_desk_id != desk.id:
            return set()
        acts = {"send", "close", "attach"}
        if can(user, "file.create"):
            acts.add("open_file")
        return acts

    def ensure_movable_by(self, desk: Desk) -> None:
        if self.status != ReceiptStatus.open:
            raise Conflict(f"receipt {self.number} is {self.status}", code="receipt_not_open")
        if self.holder_desk_id != desk.id:
            raise Conflict(f"receipt {self.number} is not on your desk", code="not_holder")

    @property
    def graded(self) -> bool:
        return self.security != Security.normal

    def send(self, desk: Desk, to: Desk) -> None:
        self.ensure_movable_by(desk)
        check_destination(to, self.holder_desk_id, "receipt")
        self.holder_desk_id = to.id
        self.holder = to

    def put_in_file(self, desk: Desk, file) -> None:
        self.ensure_movable_by(desk)
        self.status = ReceiptStatus.filed.value
        self.file_id = file.id

    def close(self, desk: Desk) -> None:
        self.ensure_movable_by(desk)
        self.status = ReceiptStatus.closed.value


class ReceiptMovement(Base):
    """One line of a receipt's movement register: diarised, marked for action or for a copy,
    pulled back. Kept forever."""

    __tablename__ = "receipt_movements"
    __table_args__ = (
        sa.Index("ix_receipt_movements_to_kind", "to_desk_id", "kind", "opened_at"),
        sa.Index("ix_receipt_movements_from_desk", "from_desk_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    from_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))
    to_desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    priority: Mapped[str] = mapped_column(sa.String(20), default="normal")
    due_on: Mapped[dt.date | None]
    opened_at: Mapped[dt.datetime | None]
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    receipt: Mapped[Receipt] = relationship()
    from_desk: Mapped[Desk | None] = relationship(foreign_keys=[from_desk_id])
    to_desk: Mapped[Desk] = relationship(foreign_keys=[to_desk_id])
    by: Mapped[object] = relationship("User", foreign_keys=[by_user_id])


class ReceiptAccess(Base):
    """The desks a receipt was marked to (for action or a copy) or diarised at: they (and whoever
    holds them later) may see it."""

    __tablename__ = "receipt_access"

    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"), primary_key=True)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"), primary_key=True, index=True)
