"""The File aggregate: number, subject, holder, status, and its movement register.

The rules of CSMeOP live here as plain methods: only the holding desk may note, send, park or
close; a sent file can be pulled back only while unopened; closed files are read-only. A parked
file is only set aside: it stays on the holder's desk, who may still note on it, send it (it
arrives open) or close it, and takes it back into work with `unpark`.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from eoffice.auth.permissions import can
from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict
from eoffice.org.desks import check_destination, read_only
from eoffice.org.models import Desk, Office, Section


class Priority(enum.StrEnum):
    most_immediate = "most_immediate"
    immediate = "immediate"
    priority = "priority"
    normal = "normal"


PRIORITY_RANK = {p.value: i for i, p in enumerate(Priority)}


class Category(enum.StrEnum):
    A = "A"  # permanent, digitised
    B = "B"  # permanent
    C = "C"  # reviewed after its retention period (at most 10 years)


class FileStatus(enum.StrEnum):
    open = "open"
    parked = "parked"
    closed = "closed"


class MoveKind(enum.StrEnum):
    created = "created"
    sent = "sent"
    pulled_back = "pulled_back"
    parked = "parked"
    unparked = "unparked"
    closed = "closed"
    reopened = "reopened"


OVERDUE_WORKING_DAYS = 7
DEFAULT_SCHEME = "{head}/{serial}/{year}-{section}"


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days (Monday to Saturday; police offices work Saturdays) after start up to end."""
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 6
    for i in range(1, rest + 1):
        if (start + dt.timedelta(days=i)).weekday() != 6:
            count += 1
    return count


def is_overdue(received_at: dt.datetime | None, due_on: dt.date | None, today: dt.date) -> bool:
    if due_on is not None and today > due_on:
        return True
    if received_at is None:
        return False
    return working_days_between(received_at.date(), today) > OVERDUE_WORKING_DAYS


class File(Base):
    __tablename__ = "files"
    __table_args__ = (
        sa.UniqueConstraint("office_id", "number"),
        # the desk lists: count by (holder, status), one page newest first without a sort
        sa.Index(
            "ix_files_holder_desk_id_status_last_movement_id",
            "holder_desk_id",
            "status",
            "last_movement_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sections.id"))
    number: Mapped[str] = mapped_column(sa.String(100))
    head: Mapped[str] = mapped_column(sa.String(40))
    serial: Mapped[int]
    year: Mapped[int]
    subject: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(1))
    priority: Mapped[str] = mapped_column(sa.String(20), default=Priority.normal.value)
    status: Mapped[str] = mapped_column(sa.String(10), default=FileStatus.open.value, index=True)
    holder_desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    last_movement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("movements.id", use_alter=True)
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the holding desk's clock: since when the file has been with it, and by when it is due.
    # Set when the file arrives (opened or sent there); parking, unparking and reopening do
    # not restart it, and a pull-back gives the sender back the clock it had.
    clock_from: Mapped[dt.datetime | None]
    due_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    office: Mapped[Office] = relationship()
    section: Mapped[Section | None] = relationship()
    holder: Mapped[Desk] = relationship(foreign_keys=[holder_desk_id])
    last_movement: Mapped[Movement | None] = relationship(
        foreign_keys=[last_movement_id], post_update=True
    )
    movements: WriteOnlyMapped[Movement] = relationship(
        foreign_keys="Movement.file_id", back_populates="file", order_by="Movement.id"
    )

    # --- rules ---------------------------------------------------------------------------------
    def check_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise Conflict(
                f"file {self.number} was changed by someone else (version {self.version}, "
                f"you had {expected}); reload it",
                code="stale_version",
            )

    def ensure_holder(self, desk: Desk) -> None:
        if self.status == FileStatus.closed:
            raise Conflict(f"file {self.number} is closed", code="file_closed")
        if desk is None or self.holder_desk_id != desk.id:
            raise Conflict(f"file {self.number} is not on your desk", code="not_holder")

    def mark_changed(self) -> None:
        """Something in the file changed (a note, a draft, an attachment): record when. The
        UPDATE this causes also bumps the version, so two writers of one file collide."""
        self.updated_at = utcnow()

    def allowed_actions(self, desk: Desk | None, user) -> set[str]:
        """What `user`, acting from `desk`, may do with the file now: the page offers these
        forms, and each use case checks the same rules again when it runs."""
        if desk is None or user is None or read_only(user):
            return set()
        closed = self.status == FileStatus.closed
        acts = set()
        if self.holder_desk_id == desk.id:
            if not closed:
                acts |= {"note", "send", "draft", "attach", "receipt"}
            if self.status == FileStatus.open:
                acts.add("park")
            if self.status == FileStatus.parked:
                acts.add("unpark")
            if can(user, "file.close"):
                acts.add("reopen" if closed else "close")
        if not closed and self.sent_unopened_from(desk):
            acts.add("pull_back")
        return acts

    def sent_unopened_from(self, desk: Desk) -> bool:
        """Was the file last sent from `desk`, and not opened yet by the receiver?"""
        last = self.last_movement
        return (
            last is not None
            and last.kind == MoveKind.sent
            and last.from_desk_id == desk.id
            and last.opened_at is None
        )

    def is_overdue(self, today: dt.date) -> bool:
        """Due date passed, or more than 7 working days at the desk; parked files too (setting
        a file aside does not stop its clock). Closed files are never overdue."""
        if self.status == FileStatus.closed:
            return False
        return is_overdue(self.clock_from, self.due_on, today)

    def _move(self, kind, from_desk, to_desk, by, remarks=None, priority=None, due_on=None):
        movement = Movement(
            file=self,
            kind=kind,
            from_desk_id=from_desk.id if from_desk else None,
            to_desk_id=to_desk.id,
            by_user_id=by.id,
            remarks=remarks,
            priority=priority or self.priority,
            due_on=due_on,
            at=utcnow(),
        )
        self.last_movement = movement
        self.mark_changed()
        return movement

    def start(self, desk: Desk, by) -> Movement:
        movement = self._move(MoveKind.created.value, None, desk, by)
        self.clock_from, self.due_on = movement.at, None
        return movement

    def send(self, desk: Desk, to: Desk, by, remarks=None, priority=None, due_on=None):
        self.ensure_holder(desk)
        check_destination(to, self.holder_desk_id, "file")
        if priority is not None:
            self.priority = priority
        self.holder_desk_id = to.id
        self.holder = to
        self.status = FileStatus.open.value
        movement = self._move(MoveKind.sent.value, desk, to, by, remarks, priority, due_on)
        # the sender's clock is kept on the movement, for a pull-back to give it back
        movement.sender_clock_from, movement.sender_due_on = self.clock_from, self.due_on
        self.clock_from, self.due_on = movement.at, due_on
        return movement

    def pull_back(self, desk: Desk, by) -> Movement:
        last = self.last_movement
        if (
            self.status == FileStatus.closed
            or last is None
            or last.kind != MoveKind.sent
            or last.from_desk_id != desk.id
        ):
            raise Conflict(
                f"file {self.number} was not last sent from your desk", code="not_sender"
            )
        if last.opened_at is not None:
            raise Conflict(
                f"file {self.number} was already opened by the receiver", code="already_opened"
            )
        previous_holder = self.holder
        self.holder_desk_id = desk.id
        self.holder = desk
        self.clock_from, self.due_on = last.sender_clock_from or last.at, last.sender_due_on
        return self._move(MoveKind.pulled_back.value, previous_holder, desk, by)

    def park(self, desk: Desk, by, remarks=None) -> Movement:
        self.ensure_holder(desk)
        if self.status == FileStatus.parked:
            raise Conflict(f"file {self.number} is already parked", code="already_parked")
        self.status = FileStatus.parked.value
        return self._move(MoveKind.parked.value, desk, desk, by, remarks)

    def unpark(self, desk: Desk, by, remarks=None) -> Movement:
        """Take a parked file back into work: it returns to the desk's inbox."""
        self.ensure_holder(desk)
        if self.status != FileStatus.parked:
            raise Conflict(f"file {self.number} is not parked", code="not_parked")
        self.status = FileStatus.open.value
        return self._move(MoveKind.unparked.value, desk, desk, by, remarks)

    def close(self, desk: Desk, by, remarks: str) -> Movement:
        self.ensure_holder(desk)
        self.status = FileStatus.closed.value
        return self._move(MoveKind.closed.value, desk, desk, by, remarks)

    def reopen(self, desk: Desk, by, remarks: str) -> Movement:
        if self.status != FileStatus.closed:
            raise Conflict(f"file {self.number} is not closed", code="not_closed")
        if self.holder_desk_id != desk.id:
            raise Conflict(f"file {self.number} is not on your desk", code="not_holder")
        self.status = FileStatus.open.value
        return self._move(MoveKind.reopened.value, desk, desk, by, remarks)

    def unopened_for(self, desk: Desk) -> bool:
        """Was the file sent to `desk` and not opened there yet?"""
        last = self.last_movement
        return (
            last is not None
            and last.kind == MoveKind.sent
            and last.to_desk_id == desk.id
            and last.opened_at is None
        )

    def mark_opened(self, desk: Desk, by) -> bool:
        """The receiving desk has opened the file: it can no longer be pulled back."""
        if not self.unopened_for(desk):
            return False
        last = self.last_movement
        last.opened_at = utcnow()
        last.opened_by_id = by.id
        return True


class Movement(Base):
    """One line of the movement register: kept forever."""

    __tablename__ = "movements"
    __table_args__ = (
        sa.Index("ix_movements_from_desk_at", "from_desk_id", "at"),
        sa.Index("ix_movements_file_id_id", "file_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    from_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))
    to_desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"), index=True)
    by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[dt.datetime]
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    priority: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[dt.date | None]
    opened_at: Mapped[dt.datetime | None]
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # a send: the clock the sender's desk had on the file (a pull-back restores it)
    sender_clock_from: Mapped[dt.datetime | None]
    sender_due_on: Mapped[dt.date | None]

    file: Mapped[File] = relationship(foreign_keys=[file_id], back_populates="movements")
    from_desk: Mapped[Desk | None] = relationship(foreign_keys=[from_desk_id])
    to_desk: Mapped[Desk] = relationship(foreign_keys=[to_desk_id])
    by: Mapped[object] = relationship("User", foreign_keys=[by_user_id])


class FileAccess(Base):
    """The desks a file has passed through: they (and whoever holds them later) may see it."""

    __tablename__ = "file_access"

    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), primary_key=True)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"), primary_key=True, index=True)


class Correspondence(Base):
    """The correspondence side: receipts and issued letters, paged C/1, C/2, ..."""

    __tablename__ = "correspondence"
    __table_args__ = (sa.UniqueConstraint("file_id", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"))
    page: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(10))  # receipt | issued | document
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipts.id"))
    draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("drafts.id"))
    # an issued letter: the PDF stored when it was issued; a document: the attachment itself
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    title: Mapped[str] = mapped_column(sa.Text)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return f"C/{self.page}"
