"""Tips: what a citizen saw (a crime, a suspicious person or vehicle, illegal trade, a worry about
an event), sent with or without their name, and the conversation with the police that follows.

Nothing here says where a tip came from: no address, user agent or device of the sender is a
column of any table. The sender's receipt is kept only as a keyed slow hash."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.org.models import Desk, Office


class Category(enum.StrEnum):
    crime = "crime"
    suspicious_person = "suspicious_person"
    suspicious_vehicle = "suspicious_vehicle"
    illegal_trade = "illegal_trade"
    event = "event"
    traffic = "traffic"
    harassment = "harassment"
    other = "other"


# the categories that carry details of their own (what the person, vehicle, trade or event is)
WITH_DETAILS = (
    Category.suspicious_person,
    Category.suspicious_vehicle,
    Category.illegal_trade,
    Category.event,
)


class Status(enum.StrEnum):
    received = "received"  # no reply from the police yet
    answered = "answered"  # the police have written
    closed = "closed"


class Sender(enum.StrEnum):
    police = "police"
    you = "you"  # the tipster (the word the tipster's own view uses)


class Tip(Base):
    __tablename__ = "tips"
    __table_args__ = (
        sa.Index("ix_tips_district_status", "district_id", "status"),
        sa.Index("ix_tips_station", "station_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the staff's reference ("KNJ/T/2026/000012"); the tipster never needs it
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int]
    serial: Mapped[int]
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    # none: "not sure", the district's routing desk has it
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))
    category: Mapped[str] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.Text)
    # as the tipster typed them: never geocoded, never taken from a device
    place: Mapped[str | None] = mapped_column(sa.Text)
    when_text: Mapped[str | None] = mapped_column(sa.String(200))
    # the category's own details (suspicious person or vehicle, illegal trade, event)
    vehicle_number: Mapped[str | None] = mapped_column(sa.String(20))
    details: Mapped[str | None] = mapped_column(sa.Text)
    details_place: Mapped[str | None] = mapped_column(sa.Text)
    details_time: Mapped[str | None] = mapped_column(sa.String(200))
    # given only if the tipster chose to; all three empty: an anonymous tip
    identity_name: Mapped[str | None] = mapped_column(sa.String(200))
    identity_mobile: Mapped[str | None] = mapped_column(sa.String(20))
    identity_email: Mapped[str | None] = mapped_column(sa.String(200))
    # the 16-digit receipt as a keyed slow hash with a salt of the instance (eoffice.core.citizen
    # .lookup_hash): found by it, never stored or logged as typed
    receipt_hash: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # the dak: a confidential receipt at the station's head desk or the district's routing desk
    dak_receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("receipts.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default=Status.received.value)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]
    close_remarks: Mapped[str | None] = mapped_column(sa.Text)
    # moderation: a tip marked as abuse (false, abusive, spam), and a receipt barred from writing
    abuse: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    abuse_at: Mapped[dt.datetime | None]
    abuse_remarks: Mapped[str | None] = mapped_column(sa.Text)
    banned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    banned_at: Mapped[dt.datetime | None]
    ban_remarks: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Office] = relationship(foreign_keys=[district_id])
    station: Mapped[Office | None] = relationship(foreign_keys=[station_id])
    desk: Mapped[Desk] = relationship(foreign_keys=[desk_id])
    messages: Mapped[list[TipMessage]] = relationship(
        back_populates="tip", order_by="TipMessage.id"
    )

    @property
    def office(self) -> Office:
        return self.station or self.district

    @property
    def anonymous(self) -> bool:
        return not (self.identity_name or self.identity_mobile or self.identity_email)

    @property
    def is_closed(self) -> bool:
        return self.status == Status.closed


class TipMessage(Base):
    """One message of a tip's conversation after the tip itself (which the views show first)."""

    __tablename__ = "tip_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(sa.ForeignKey("tips.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sender: Mapped[str] = mapped_column(sa.String(10))
    text: Mapped[str] = mapped_column(sa.Text)
    # who wrote for the police (their staff see it; the tipster reads "police")
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))

    tip: Mapped[Tip] = relationship(back_populates="messages")
    desk: Mapped[Desk | None] = relationship()
    by: Mapped[object] = relationship("User")
