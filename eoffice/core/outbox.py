"""Every change to an indexed record queues an outbox row in the same transaction.

One SQLAlchemy flush hook on every session does it, so no code path can forget: whatever adds,
changes or deletes a record of a searchable kind (or a row that kind lists among its triggers,
such as a draft's version) through the ORM is queued when it is flushed, and the indexer picks it
up after the commit. The kinds come from the registry (eoffice.core.kinds)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core import kinds
from eoffice.core.db import Base, utcnow


class SearchOutbox(Base):
    """A change the index has not seen yet. Written in the same transaction as the change."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    obj_id: Mapped[int]
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SearchDeadLetter(Base):
    """A document the index could not take (the indexer's error kept with it): set aside so one
    bad record never stalls the others. `eoffice search status` lists them; a change to the
    record queues it again, and a rebuild tries every one again."""

    __tablename__ = "search_dead_letters"
    __table_args__ = (sa.UniqueConstraint("kind", "obj_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    obj_id: Mapped[int] = mapped_column(sa.BigInteger)
    error: Mapped[str] = mapped_column(sa.Text)
    failed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@event.listens_for(Session, "after_flush")
def queue_changes(session: Session, _flush_context) -> None:
    refs: set[tuple[str, int]] = set()
    for obj in session.new:
        refs.update(kinds.search_refs(obj))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            refs.update(kinds.search_refs(obj))
    for obj in session.deleted:
        refs.update(kinds.search_refs(obj))
    if not refs:
        return
    # a search backend that writes its index in this same transaction (eoffice.search.pg)
    # takes the records instead: no outbox row, no lag
    write_now = session.info.get("search_refs_handler")
    if write_now is not None:
        write_now(session, refs)
        return
    now = utcnow()
    # Core insert on the flush's own connection: same transaction, no second flush
    session.connection().execute(
        sa.insert(SearchOutbox.__table__),
        [{"kind": k, "obj_id": i, "queued_at": now} for k, i in sorted(refs)],
    )
