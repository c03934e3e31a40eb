"""Offices, sections, desks (posts) and who holds which desk when.

Work sits on a desk, not a person: a desk keeps its inbox when its holder changes.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow


class OfficeKind(enum.StrEnum):
    thana = "thana"
    circle = "circle"
    district = "district"
    range = "range"
    zone = "zone"
    hq = "hq"


class OrgError(ValueError):
    """A rule of the organisation was broken; the message says which."""


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_hi: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default=OfficeKind.district.value)
    # file numbering scheme; fields {head} {serial} {year} {section} {office}
    file_scheme: Mapped[str | None] = mapped_column(sa.String(100))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    # citizens' items sent to a district without a station go to its routing desk; a station's
    # security requests to its duty desk (each falls back to the office's head desk)
    routing_desk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("desks.id", use_alter=True, name="fk_offices_routing_desk_id")
    )
    duty_desk_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("desks.id", use_alter=True, name="fk_offices_duty_desk_id")
    )
    state: Mapped[str | None] = mapped_column(sa.String(10))  # for holidays: UP, HR, ...
    time_zone: Mapped[str | None] = mapped_column(sa.String(60))  # default Asia/Kolkata

    parent: Mapped[Office | None] = relationship(remote_side=[id], back_populates="children")
    routing_desk: Mapped[Desk | None] = relationship(
        foreign_keys=[routing_desk_id], post_update=True
    )
    duty_desk: Mapped[Desk | None] = relationship(foreign_keys=[duty_desk_id], post_update=True)
    children: Mapped[list[Office]] = relationship(back_populates="parent")
    sections: Mapped[list[Section]] = relationship(back_populates="office", order_by="Section.code")

    def set_parent(self, parent: Office | None) -> None:
        """Refuse cycles: an office cannot sit below itself."""
        node = parent
        while node is not None:
            if node is self:
                raise OrgError(f"office {self.code}: parent {parent.code} would make a cycle")
            node = node.parent
        self.parent = parent

    def ancestors(self) -> list[Office]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def display_name(self, locale: str) -> str:
        return self.name_hi if locale == "hi" and self.name_hi else self.name

    @property
    def zone_name(self) -> str:
        return self.time_zone or "Asia/Kolkata"


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (sa.UniqueConstraint("office_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_hi: Mapped[str | None] = mapped_column(sa.String(200))

    office: Mapped[Office] = relationship(back_populates="sections")

    def display_name(self, locale: str) -> str:
        return self.name_hi if locale == "hi" and self.name_hi else self.name


class Desk(Base):
    __tablename__ = "desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_hi: Mapped[str | None] = mapped_column(sa.String(200))
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sections.id"))
    reports_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("desks.id"))
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office] = relationship(foreign_keys=[office_id])
    section: Mapped[Section | None] = relationship()
    reports_to: Mapped[Desk | None] = relationship(remote_side=[id])
    holdings: Mapped[list[DeskHolding]] = relationship(
        back_populates="desk", order_by="DeskHolding.since"
    )

    def set_reports_to(self, other: Desk | None) -> None:
        """The channel of submission must not loop back on itself."""
        node = other
        while node is not None:
            if node is self:
                raise OrgError(f"desk {self.code}: reports_to {other.code} would make a loop")
            node = node.reports_to
        self.reports_to = other

    def current_holders(self) -> list:
        return [h.user for h in self.holdings if h.until is None]

    def display_title(self, locale: str) -> str:
        return self.title_hi if locale == "hi" and self.title_hi else self.title


class DeskHolding(Base):
    """A user holds a desk from `since` until `until` (open while still held)."""

    __tablename__ = "desk_holdings"

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    since: Mapped[dt.datetime] = mapped_column(default=utcnow)
    until: Mapped[dt.datetime | None]
    # regular posting, or additional charge while the holder is on leave / transferred
    kind: Mapped[str] = mapped_column(sa.String(20), default="regular")
    remarks: Mapped[str | None] = mapped_column(sa.Text)

    desk: Mapped[Desk] = relationship(back_populates="holdings")
    user: Mapped[object] = relationship("User", back_populates="holdings")

    @property
    def current(self) -> bool:
        return self.until is None

    def end(self, at: dt.datetime) -> None:
        if self.until is not None:
            raise OrgError("this charge has already ended")
        self.until = at
