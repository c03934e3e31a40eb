"""Station feedback (Bilaspur "Anubhav"): a visitor's ratings of a station, the grade each
station holds now (to see it fall), and the alerts the SP gets.

A response keeps only what the visitor typed or chose, and whether a visit token verified it:
no address, device, browser or token is stored with it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow
from eoffice.org.models import Office

DIMENSIONS = ("behaviour", "responsiveness", "cleanliness")
GRADES = ("A", "B", "C", "D")


class AlertKind(enum.StrEnum):
    bribe = "bribe"  # a visitor says money was asked
    grade_drop = "grade_drop"  # the station's grade fell two steps or more


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        # grades: a station's responses in a period; the live stamp: the newest id
        sa.Index("ix_feedback_office_id_created_at", "office_id", "created_at"),
        sa.CheckConstraint("behaviour BETWEEN 1 AND 5", name="behaviour_range"),
        sa.CheckConstraint("responsiveness BETWEEN 1 AND 5", name="responsiveness_range"),
        sa.CheckConstraint("cleanliness BETWEEN 1 AND 5", name="cleanliness_range"),
        sa.CheckConstraint("recommend BETWEEN 0 AND 10", name="recommend_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    behaviour: Mapped[int] = mapped_column(sa.SmallInteger)
    responsiveness: Mapped[int] = mapped_column(sa.SmallInteger)
    cleanliness: Mapped[int] = mapped_column(sa.SmallInteger)
    recommend: Mapped[int] = mapped_column(sa.SmallInteger)
    # None: the visitor would rather not say
    bribe_asked: Mapped[bool | None]
    text: Mapped[str | None] = mapped_column(sa.Text)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    mobile: Mapped[str | None] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(2), default="hi")
    # a visit token of this office, used here for the first time
    verified: Mapped[bool] = mapped_column(default=False)

    office: Mapped[Office] = relationship()

    def rating(self, dimension: str) -> int:
        return getattr(self, dimension)


class StationGrade(Base):
    """The grade a station holds over the last days (FEEDBACK_WINDOW_DAYS), kept as responses
    arrive, and the best grade it held since its last drop alert: a fall of two steps from it
    alerts the SP once."""

    __tablename__ = "feedback_station_grades"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    grade: Mapped[str | None] = mapped_column(sa.String(1))
    best: Mapped[str | None] = mapped_column(sa.String(1))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FeedbackAlert(Base):
    """A notice on the SP's desk (the head desk of the station's district), also mailed."""

    __tablename__ = "feedback_alerts"
    __table_args__ = (sa.Index("ix_feedback_alerts_desk_id_created_at", "desk_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    grade_from: Mapped[str | None] = mapped_column(sa.String(1))
    grade_to: Mapped[str | None] = mapped_column(sa.String(1))
    feedback_id: Mapped[int | None] = mapped_column(sa.ForeignKey("feedback.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    office: Mapped[Office] = relationship()
