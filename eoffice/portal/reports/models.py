"""The portal's reports: lost articles and documents (with the found-articles register that
matches them), security requests (senior citizens, women, children) and events (CPCP) with the
concerns, suggestions and praise citizens send against them. Each lost report and security
request is also a receipt (dak) at the station it is routed to."""

from __future__ import annotations

import datetime as dt
import enum
import re

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.org.models import Desk, Office


class ArticleKind(enum.StrEnum):
    mobile = "mobile"
    document = "document"
    vehicle_document = "vehicle_document"
    bag = "bag"
    other = "other"


class LostStatus(enum.StrEnum):
    registered = "registered"
    matched = "matched"  # a found article with the same IMEI or document number


class RequestFor(enum.StrEnum):
    senior_citizen = "senior_citizen"
    woman = "woman"
    child = "child"


class RequestStatus(enum.StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"


class ReportKind(enum.StrEnum):
    concern = "concern"
    suggestion = "suggestion"
    praise = "praise"


def normal_imei(value: str | None) -> str | None:
    """An IMEI as compared: its digits only (spaces, dashes and slashes as people write them)."""
    digits = re.sub(r"\D", "", value or "")
    return digits or None


def normal_number(value: str | None) -> str | None:
    """A document number as compared: letters and digits only, upper case (DL-14 2011 0012345
    and dl1420110012345 are the same licence)."""
    text = "".join(ch for ch in (value or "") if ch.isalnum()).upper()
    return text or None


class LostReport(Base):
    __tablename__ = "lost_reports"
    __table_args__ = (sa.Index("ix_lost_reports_station_id", "station_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int]
    serial: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(10))  # portal | counter | open311
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text)
    imei: Mapped[str | None] = mapped_column(sa.String(40), index=True)  # normalised
    doc_number: Mapped[str | None] = mapped_column(sa.String(60), index=True)  # normalised
    identifiers_as_given: Mapped[str | None] = mapped_column(sa.Text)
    lost_on: Mapped[dt.date]
    lost_place: Mapped[str] = mapped_column(sa.Text)
    reporter_name: Mapped[str] = mapped_column(sa.String(200))
    reporter_mobile: Mapped[str] = mapped_column(sa.String(20))
    reporter_email: Mapped[str | None] = mapped_column(sa.String(200))
    reporter_address: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2), default="hi")
    status: Mapped[str] = mapped_column(sa.String(20), default=LostStatus.registered.value)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"))
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    district: Mapped[Office] = relationship(foreign_keys=[district_id])
    station: Mapped[Office | None] = relationship(foreign_keys=[station_id])

    @property
    def office(self) -> Office:
        """The station, or the district until it is routed to one."""
        return self.station or self.district


class FoundArticle(Base):
    """The found-articles register of an office (a thana's malkhana register of found property)."""

    __tablename__ = "found_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text)
    imei: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    doc_number: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    identifiers_as_given: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    office: Mapped[Office] = relationship()
    desk: Mapped[Desk] = relationship()


class SecurityRequest(Base):
    __tablename__ = "security_requests"
    __table_args__ = (sa.Index("ix_security_requests_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int]
    serial: Mapped[int]
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    for_whom: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    mobile: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.Text)
    need: Mapped[str] = mapped_column(sa.Text)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.open.value)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))  # the duty desk it reached
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Office] = relationship(foreign_keys=[district_id])
    station: Mapped[Office | None] = relationship(foreign_keys=[station_id])
    desk: Mapped[Desk] = relationship()

    @property
    def office(self) -> Office:
        return self.station or self.district

    def age_minutes(self, now: dt.datetime) -> int:
        return max(0, int((now - self.created_at).total_seconds() // 60))


class Event(Base):
    """A festival, procession or gathering an officer opens for citizens' reports (CPCP)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_hi: Mapped[str | None] = mapped_column(sa.String(200))
    starts: Mapped[dt.datetime]
    ends: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))

    office: Mapped[Office] = relationship()

    def display_title(self, locale: str) -> str:
        return self.title_hi if locale == "hi" and self.title_hi else self.title


class EventReport(Base):
    """A citizen's concern, suggestion or praise about an event: anonymous, nothing identifying
    kept (no address, no device, no name)."""

    __tablename__ = "event_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    place: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # a concern is also dak at the event's office (its duty desk)
    receipt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipts.id"))
