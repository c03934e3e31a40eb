"""From the registry's documents (eoffice.core.kinds.SearchDoc) to Whoosh's. Each kind builds
its own from the database, with one query that serves the indexer (a handful of ids) and a
rebuild (everything, streamed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.core.kinds import SearchDoc
from eoffice.search.schema import CATEGORY_CODES, PAIRS

# days are the office's (a search "from 2 December" means India's 2 December)
OFFICE_ZONE = ZoneInfo("Asia/Kolkata")


def office_day(value) -> dt.date | None:
    """The day a record's date falls on in the office's zone (a plain date is its own day)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(OFFICE_ZONE).date()
    return value


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of the office's day, as the naive UTC of the `at` columns."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=OFFICE_ZONE)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def _at(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


# The `at` column counts microseconds from the first instant of year 1, so every date a record
# may carry (1969 included) is a positive number; 0 stands for "no date".
EPOCH = dt.datetime(1, 1, 1)


def micros(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def from_micros(value: int) -> dt.datetime | None:
    return (EPOCH + dt.timedelta(microseconds=value)).replace(tzinfo=dt.UTC) if value else None


def day_key(value: dt.date) -> str:
    """The day as an exact term (20261123): ranges of these are ranges of days."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def whoosh_doc(kind: kinds.Kind, d: SearchDoc) -> dict:
    doc = {
        "doc_id": f"{kind.name}:{d.obj_id}",
        "kind": kind.name,
        "obj_id": d.obj_id,
        "file_id": d.file_id,
        "receipt_id": d.receipt_id,
        "c_office": d.office_id or 0,
        "c_file": d.file_id or 0,
        "c_desk1": d.desks[0] or 0,
        "c_desk2": d.desks[1] or 0,
        "c_kind": kind.search.code,
        "c_status": kinds.status_codes().get(d.status or "", 0),
        "c_category": CATEGORY_CODES.get(d.category or "", 0),
        "c_holder": d.holder or 0,
    }
    date = _at(d.date)
    # 0 for a record with no date: the columns exist in every segment (a date sort needs them);
    # such records sort last and fall outside every date range
    doc["c_day"] = int(day_key(office_day(d.date))) if date is not None else 0
    doc["at"] = micros(date) if date is not None else 0
    for key, value in (("number", d.number), ("title", d.title), ("body", d.body)):
        if value:
            doc[key] = value
            if key in PAIRS:  # its word pairs, for phrases (the same text, analysed once)
                doc[PAIRS[key]] = value
    return doc


def documents(session: Session, kind_name: str, ids: Iterable[int]) -> dict[int, dict]:
    """Documents for these ids; an id with no row (deleted) is absent from the answer."""
    kind = kinds.get(kind_name)
    return {d.obj_id: whoosh_doc(kind, d) for d in kind.search.documents(session, list(ids))}


def all_documents(session: Session, kind_name: str) -> Iterator[dict]:
    kind = kinds.get(kind_name)
    docs = kind.search.documents(session, None)
    try:
        for d in docs:
            yield whoosh_doc(kind, d)
    finally:
        close = getattr(docs, "close", None)
        if close is not None:
            close()  # a server-side cursor on PostgreSQL, when the caller stops early


def count(session: Session, kind_name: str) -> int:
    spec = kinds.get(kind_name).search
    return spec.count(session) if spec.count is not None else 0


def children(session: Session, kind_name: str, obj_id: int) -> list[tuple[str, int]]:
    """Documents that copy filter fields from this one and must follow its changes."""
    spec = kinds.get(kind_name).search
    return spec.children(session, obj_id) if spec.children is not None else []
