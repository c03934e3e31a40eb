"""The File aggregate: number, subject, holder, status, and its movement register.

The rules of CSMeOP live here as plain methods: only the holding desk may note, send, park or
close; a sent file can be pulled back only while unopened; closed files are read-only. A parked
file is only set aside: it stays on the holder's desk, who may still note on it, send it (it
arrives open) or close it, and takes it back into work with `unpark`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from bisect import bisect_right
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from eoffice.auth.permissions import can
from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict, Invalid
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
    # reviewed in the record room and destroyed (category C only): the row stays, with its
    # number and movement register; its content is gone (eoffice.files.records)
    weeded = "weeded"


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
DEFAULT_ZONE = "Asia/Kolkata"

# Category C files are kept this many years after they are closed, then reviewed (weeded or
# kept longer); A and B are permanent. A C file opened without a period gets the default.
RETENTION_YEARS = range(1, 11)
DEFAULT_RETENTION_YEARS = 3
PERMANENT = frozenset({"A", "B"})


def check_retention(category: str, years) -> int | None:
    """The retention period a file of `category` keeps: None (permanent) for A and B, where
    asking for one is refused; 1 to 10 years for C (the default when none is given)."""
    if category in PERMANENT:
        if years is not None:
            raise Invalid(
                f"category {category} files are permanent: they take no retention period",
                field="retention_years",
                code="permanent_record",
            )
        return None
    if years is None:
        return DEFAULT_RETENTION_YEARS
    if isinstance(years, bool) or not isinstance(years, int) or years not in RETENTION_YEARS:
        raise Invalid(
            "retention_years must be a whole number of years from 1 to 10",
            field="retention_years",
            code="bad_retention",
        )
    return years


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- working days: Sundays and the state's gazetted holidays are off --------------------------

INDIAN_STATES = frozenset(holiday_calendars.country_holidays("IN").subdivisions)


def holiday_state(state: str | None) -> str | None:
    """The `holidays` package's code for an office's state ("UP", "HR", ...); None (India's
    national holidays only) for no state or one the package does not know."""
    code = (state or "").strip().upper()
    return code if code in INDIAN_STATES else None


@functools.lru_cache(maxsize=1024)
def holidays_in(state: str | None, year: int) -> tuple[dt.date, ...]:
    """The gazetted (public) holidays of the state in `year` that fall on a working day (not a
    Sunday), sorted: computed once per (state, year)."""
    days = holiday_calendars.country_holidays("IN", subdiv=holiday_state(state), years=year)
    return tuple(sorted(d for d in days if d.weekday() != 6))


def _holidays_after_upto(state: str | None, start: dt.date, end: dt.date) -> int:
    count = 0
    for year in range(start.year, end.year + 1):
        days = holidays_in(holiday_state(state), year)
        count += bisect_right(days, end) - bisect_right(days, start)
    return count


def working_days_between(start: dt.date, end: dt.date, state: str | None = None) -> int:
    """Working days after start up to end: Monday to Saturday (police offices work Saturdays),
    less the gazetted holidays of the state (India's national ones when it has none)."""
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 6
    for i in range(1, rest + 1):
        if (start + dt.timedelta(days=i)).weekday() != 6:
            count += 1
    return count - _holidays_after_upto(state, start, end)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local_date(at: dt.datetime, zone_name: str | None = None) -> dt.date:
    """The day a stored (UTC) time falls on in the office's zone."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone(zone_name)).date()


def is_overdue(
    received_at: dt.datetime | None,
    due_on: dt.date | None,
    today: dt.date,
    state: str | None = None,
    zone_name: str | None = None,
) -> bool:
    if due_on is not None and today > due_on:
        return True
    if received_at is None:
        return False
    received_on = local_date(received_at, zone_name)
    if (today - received_on).days <= OVERDUE_WORKING_DAYS:
        return False  # fewer calendar days than the limit: no need to count
    return working_days_between(received_on, today, state) > OVERDUE_WORKING_DAYS


@dataclass(frozen=True)
class WorkCalendar:
    """The working calendar of an office: its state's holidays and its time zone."""

    state: str | None = None
    zone_name: str | None = None

    def today(self) -> dt.date:
        return dt.datetime.now(zone(self.zone_name)).date()

    def is_overdue(self, received_at, due_on, today: dt.date) -> bool:
        return is_overdue(received_at, due_on, today, self.state, self.zone_name)


def calendar_of(office: Office | None) -> WorkCalendar:
    if office is None:
        return WorkCalendar()
    return WorkCalendar(holiday_state(office.state), office.zone_name)


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
    # category C: kept this many years after closing, then due for review on `review_on` (set
    # when the file is closed, cleared when it is reopened); A and B: permanent, both null
    retention_years: Mapped[int | None]
    review_on: Mapped[dt.date | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    # a part file (number + "/Part-n"): its main file and n; a main file has neither
    part_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("files.id"), index=True)
    part_number: Mapped[int | None]
    # normal | confidential | secret: a graded file is seen only by the desks it was marked to
    # and the auditors of its own office
    security: Mapped[str] = mapped_column(sa.String(12), default="normal", server_default="normal")

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

    def is_overdue(self, today: dt.date, calendar: WorkCalendar | None = None) -> bool:
        """Due date passed, or more than 7 working days at the desk; parked files too (setting
        a file aside does not stop its clock). Closed files are never overdue. `calendar`: the
        holding desk's office's (its state's holidays, its zone)."""
        if self.status in (FileStatus.closed, FileStatus.weeded):
            return False
        calendar = calendar or WorkCalendar()
        return calendar.is_overdue(self.clock_from, self.due_on, today)

    @property
    def permanent(self) -> bool:
        return self.category in PERMANENT

    def set_retention(self, years: int | None) -> None:
        """A new retention period (category C, while the file is open)."""
        if self.status in (FileStatus.closed, FileStatus.weeded):
            raise Conflict(f"file {self.number} is closed", code="file_closed")
        self.retention_years = check_retention(self.category, years)

    def due_for_review(self, today: dt.date) -> bool:
        return (
            self.status == FileStatus.closed
            and not self.permanent
            and self.review_on is not None
            and self.review_on <= today
        )

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
        movement = self._move(MoveKind.closed.value, desk, desk, by, remarks)
        if not self.permanent:
            # kept `retention_years` from the day it is closed (in the office's zone)
            years = self.retention_years or DEFAULT_RETENTION_YEARS
            self.retention_years = years
            zone_name = self.office.zone_name if self.office is not None else None
            self.review_on = add_years(local_date(movement.at, zone_name), years)
        return movement

    def reopen(self, desk: Desk, by, remarks: str) -> Movement:
        if self.status != FileStatus.closed:
            raise Conflict(f"file {self.number} is not closed", code="not_closed")
        if self.holder_desk_id != desk.id:
            raise Conflict(f"file {self.number} is not on your desk", code="not_holder")
        self.status = FileStatus.open.value
        self.review_on = None  # its retention runs again from the next closing
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
    # receipt | issued | document | copy (a receipt filed in another file, copied into this one)
    kind: Mapped[str] = mapped_column(sa.String(10))
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipts.id"))
    draft_id: Mapped[int | None] = mapped_column(sa.ForeignKey("drafts.id"))
    # an issued letter: the PDF stored when it was issued; a document: the attachment itself
    attachment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))
    title: Mapped[str] = mapped_column(sa.Text)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def label(self) -> str:
        return f"C/{self.page}"


class FileLink(Base):
    """Two files linked for reference, kept as a row each way: (A, B) and (B, A)."""

    __tablename__ = "file_links"

    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), primary_key=True)
    linked_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), primary_key=True, index=True)
    by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FileCopy(Base):
    """A file marked to a desk for information: read-only, in that desk's copies until seen.
    The desk may see the file from then on (FileAccess)."""

    __tablename__ = "file_copies"
    __table_args__ = (sa.Index("ix_file_copies_desk_seen", "desk_id", "seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), index=True)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    from_desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    by_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    seen_at: Mapped[dt.datetime | None]

    file: Mapped[File] = relationship(foreign_keys=[file_id])
    desk: Mapped[Desk] = relationship(foreign_keys=[desk_id])
    from_desk: Mapped[Desk] = relationship(foreign_keys=[from_desk_id])
