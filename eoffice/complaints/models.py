"""Complaints (Haryana CMS, done right): a number and a copy at once, a 15-day clock, a ladder of
levels up to the ADGP, an action report and an appeal. Each complaint is also a receipt (dak) at
the station it is routed to, and its enquiry is an e-file."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.org.models import Desk, Office


class Category(enum.StrEnum):
    theft = "theft"
    fraud = "fraud"
    cyber = "cyber"
    women_safety = "women_safety"
    child_safety = "child_safety"
    land = "land"
    dispute = "dispute"
    police_conduct = "police_conduct"
    traffic = "traffic"
    other = "other"


class Status(enum.StrEnum):
    registered = "registered"
    assigned = "assigned"
    under_enquiry = "under_enquiry"
    action_reported = "action_reported"
    appealed = "appealed"
    closed = "closed"


# the clock runs while a complaint waits for action; an action report stops it
OPEN = (Status.registered, Status.assigned, Status.under_enquiry, Status.appealed)
PENDING = (*OPEN, Status.action_reported)  # not yet closed


class Level(enum.StrEnum):
    """The ladder, bottom to top (DOMAIN.md, "Complaint ladder")."""

    io = "io"
    sho = "sho"
    circle = "circle"
    district = "district"
    range = "range"
    zone = "zone"


LADDER = list(Level)
# the level an office of each kind stands for
LEVEL_OF_OFFICE = {
    "thana": Level.sho,
    "circle": Level.circle,
    "district": Level.district,
    "range": Level.range,
    "zone": Level.zone,
    "hq": Level.zone,
}


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        # the sweep: open complaints past their due date
        sa.Index("ix_complaints_status_due_on", "status", "due_on"),
        sa.Index("ix_complaints_station_status", "station_id", "status"),
        # pendency: what stands at each level's office, not closed
        sa.Index("ix_complaints_level_office_status", "level_office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int]
    serial: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(10))  # portal | counter
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    # the station it is routed to (none yet: with the district's routing desk)
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))
    category: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text)
    incident_at: Mapped[dt.datetime | None]
    incident_place: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2), default="hi")
    complainant_name: Mapped[str] = mapped_column(sa.String(200))
    complainant_mobile: Mapped[str] = mapped_column(sa.String(20))
    complainant_email: Mapped[str | None] = mapped_column(sa.String(200))
    complainant_address: Mapped[str | None] = mapped_column(sa.Text)
    # the tracking key, as a keyed slow hash (eoffice.core.citizen)
    key_hash: Mapped[str] = mapped_column(sa.String(200))

    status: Mapped[str] = mapped_column(sa.String(20), default=Status.registered.value)
    level: Mapped[str] = mapped_column(sa.String(10), default=Level.sho.value)
    # where on the ladder it stands: the office of that level and the desk whose inbox shows it
    level_office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    level_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"), index=True)
    io_desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"))
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("files.id"))

    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the clock: from registration, or from the appeal; due on a date in the office's zone
    clock_from: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_on: Mapped[dt.date]
    # steps climbed since the clock last started (the sweep compares it with what is due)
    escalations: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[dt.datetime | None]
    appeals: Mapped[int] = mapped_column(default=0)

    action_report: Mapped[str | None] = mapped_column(sa.Text)
    action_report_at: Mapped[dt.datetime | None]
    satisfied: Mapped[bool | None]
    feedback_comment: Mapped[str | None] = mapped_column(sa.Text)
    feedback_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    close_remarks: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Office] = relationship(foreign_keys=[district_id])
    station: Mapped[Office | None] = relationship(foreign_keys=[station_id])
    level_office: Mapped[Office] = relationship(foreign_keys=[level_office_id])
    level_desk: Mapped[Desk | None] = relationship(foreign_keys=[level_desk_id])
    io_desk: Mapped[Desk | None] = relationship(foreign_keys=[io_desk_id])
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id"
    )

    @property
    def office(self) -> Office:
        """The office whose complaint it is: the station, or the district until routed."""
        return self.station or self.district

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def overdue(self, today: dt.date) -> bool:
        return self.is_open and today > self.due_on

    def days_left(self, today: dt.date) -> int | None:
        return (self.due_on - today).days if self.is_open else None


class ComplaintEvent(Base):
    """One line of the complaint's history. `text` is what the complainant may read; who did
    it is kept for the staff's view only."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    level: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str | None] = mapped_column(sa.Text)
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    desk: Mapped[Desk | None] = relationship()
    by: Mapped[object] = relationship("User")
