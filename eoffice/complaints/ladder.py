"""The ladder a complaint climbs: IO → SHO → CO → SP → IG → ADGP, read off the office tree.

A station's ladder is its own IO and SHO, then each office above it in turn (circle, district,
range, zone); a level the tree lacks (a thana straight under the SP) is skipped. Each level is
an office and its head desk, whose inbox shows what reached it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from eoffice.complaints.models import LADDER, LEVEL_OF_OFFICE, Complaint, Level
from eoffice.org.desks import head_desk
from eoffice.org.models import Desk, Office


@dataclass
class Rung:
    level: Level
    office: Office
    desk: Desk | None


def rungs(session: Session, complaint: Complaint, heads: dict | None = None) -> list[Rung]:
    """The complaint's ladder, bottom to top. `heads` memoises the head desk of each office
    (a sweep asks for the same offices again and again)."""
    out: list[Rung] = []
    base = complaint.office
    if complaint.io_desk is not None:
        out.append(Rung(Level.io, base, complaint.io_desk))
    for office in [base, *base.ancestors()]:
        level = LEVEL_OF_OFFICE.get(office.kind)
        if level is None or (out and LADDER.index(level) <= LADDER.index(out[-1].level)):
            continue
        if heads is None:
            desk = head_desk(session, office)
        else:
            if office.id not in heads:
                heads[office.id] = head_desk(session, office)
            desk = heads[office.id]
        if desk is not None:  # an office with no desk to receive it is not a rung
            out.append(Rung(level, office, desk))
    return out


def next_rung(session: Session, complaint: Complaint, heads: dict | None = None) -> Rung | None:
    """The rung above where the complaint stands now; None at the top."""
    here = LADDER.index(Level(complaint.level))
    for rung in rungs(session, complaint, heads):
        if LADDER.index(rung.level) > here:
            return rung
    return None


def zone_of(office: Office) -> ZoneInfo:
    return ZoneInfo(office.zone_name)


def local_date(office: Office, at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone_of(office)).date()


def start_of_day(office: Office, day: dt.date) -> dt.datetime:
    """Midnight of `day` in the office's zone, in UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone_of(office))
    return local.astimezone(dt.UTC)


def steps_due(due_on: dt.date, today: dt.date, every_days: int) -> int:
    """How many levels an open complaint should have climbed by `today`: one the day after it
    fell due, and one more every `every_days` days after that."""
    late = (today - due_on).days
    if late <= 0:
        return 0
    return 1 + (late - 1) // max(every_days, 1)
