"""Files in the index: their documents, the text of their hits, the documents that follow a
file (its parts, receipts and attachments), and where a file's attachments sit."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.core.kinds import DocScope, HitText, SearchDoc
from eoffice.files.models import File
from eoffice.receipts.models import Receipt
from eoffice.storage.documents import of_owners

_COLUMNS = (
    File.id,
    File.number,
    File.subject,
    File.office_id,
    File.status,
    File.category,
    File.holder_desk_id,
    File.created_at,
)


def page(file_id: int, anchor: str | None = None):
    return ("files.show", {"file_id": file_id}, anchor)


# a weeded file leaves the index (its tombstone is in the record room)
_INDEXED = sa.select(*_COLUMNS).where(File.status != "weeded")


def count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(_INDEXED.subquery())) or 0


def documents(session: Session, ids: list[int] | None):
    for r in kinds.stream_rows(session, _INDEXED, File.id, ids):
        yield SearchDoc(
            obj_id=r.id,
            file_id=r.id,
            number=r.number,
            title=r.subject,
            office_id=r.office_id,
            status=r.status,
            category=r.category,
            holder=r.holder_desk_id,
            date=r.created_at,
        )


def texts(session: Session, ids: list[int]) -> dict[int, HitText]:
    rows = session.execute(sa.select(File.id, File.number, File.subject).where(File.id.in_(ids)))
    return {f.id: HitText(number=f.number, title=f.subject, page=page(f.id)) for f in rows}


def children(session: Session, file_id: int) -> list[tuple[str, int]]:
    """Documents that copy the file's status and category: its parts (notes, drafts), its
    attachments, the receipts put into it and their attachments."""
    refs = [
        (part.kind, i)
        for part in kinds.parts("file")
        if part.ids_of is not None
        for i in part.ids_of(session, file_id)
    ]
    refs += [("attachment", i) for i in of_owners(session, "file", [file_id])]
    receipts = list(session.scalars(sa.select(Receipt.id).where(Receipt.file_id == file_id)))
    refs += [("receipt", i) for i in receipts]
    refs += [("attachment", i) for i in of_owners(session, "receipt", receipts)]
    return refs


def scope(session: Session, ids: list[int]) -> dict[int, DocScope]:
    """Where the records of a file sit (its attachments, its notes and drafts)."""
    rows = session.execute(
        sa.select(File.id, File.number, File.office_id, File.status, File.category).where(
            File.id.in_(ids)
        )
    )
    return {
        r.id: DocScope(
            office_id=r.office_id,
            file_id=r.id,
            status=r.status,
            category=r.category,
            number=r.number,
            page=page(r.id),
        )
        for r in rows
    }
