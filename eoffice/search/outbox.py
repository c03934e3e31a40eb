"""Every change to an indexable row queues an outbox row in the same transaction.

One SQLAlchemy flush hook on every session does it, so no code path can forget: whatever adds,
changes or deletes a file, note, receipt, draft (or a version of it) or an attachment through the
ORM is queued when it is flushed, and the indexer picks it up after the commit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from eoffice.db import utcnow


def _refs_for(obj) -> tuple[str, int] | None:
    from eoffice.files.models import File
    from eoffice.notings.models import Draft, DraftVersion, Note
    from eoffice.receipts.models import Receipt
    from eoffice.storage.models import Attachment

    if isinstance(obj, File):
        return ("file", obj.id)
    if isinstance(obj, Note):
        return ("note", obj.id)
    if isinstance(obj, Receipt):
        return ("receipt", obj.id)
    if isinstance(obj, Draft):
        return ("draft", obj.id)
    if isinstance(obj, DraftVersion):
        return ("draft", obj.draft_id)
    if isinstance(obj, Attachment):
        return ("attachment", obj.id)
    return None


@event.listens_for(Session, "after_flush")
def queue_changes(session: Session, _flush_context) -> None:
    from eoffice.search.models import SearchOutbox

    refs: set[tuple[str, int]] = set()
    for obj in session.new:
        if (ref := _refs_for(obj)) is not None:
            refs.add(ref)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            if (ref := _refs_for(obj)) is not None:
                refs.add(ref)
    for obj in session.deleted:
        if (ref := _refs_for(obj)) is not None:
            refs.add(ref)
    refs = {r for r in refs if r[1] is not None}
    if not refs:
        return
    now = utcnow()
    # Core insert on the flush's own connection: same transaction, no second flush
    session.connection().execute(
        sa.insert(SearchOutbox.__table__),
        [{"kind": k, "obj_id": i, "queued_at": now} for k, i in sorted(refs)],
    )
