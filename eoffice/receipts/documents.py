"""Receipts in the index: their documents, the text of their hits, and where their attachments
sit. The file a receipt went into is read by its columns only (files are the module above)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.core.kinds import DocScope, HitText, SearchDoc
from eoffice.receipts.models import Receipt
from eoffice.storage.documents import of_owners

_FILES = sa.table(
    "files",
    sa.column("id"),
    sa.column("number"),
    sa.column("status"),
    sa.column("category"),
)


def _join(*parts) -> str:
    return "\n".join(p for p in parts if p)


def receipt_body(r) -> str:
    """The receipt's text besides its subject: indexed, and quoted in snippets."""
    return _join(
        r.sender_name,
        r.sender_designation,
        r.sender_organisation,
        r.sender_address,
        r.enclosures,
        r.remarks,
    )


def _page(receipt_id: int, file_id: int | None):
    # a receipt in a file is read in the file, on its correspondence side
    if file_id:
        return ("files.show", {"file_id": file_id}, None)
    return ("receipts.show", {"receipt_id": receipt_id}, None)


_COLUMNS = (
    Receipt.id,
    Receipt.number,
    Receipt.subject,
    Receipt.sender_name,
    Receipt.sender_designation,
    Receipt.sender_organisation,
    Receipt.sender_address,
    Receipt.letter_number,
    Receipt.enclosures,
    Receipt.remarks,
    Receipt.office_id,
    Receipt.status,
    Receipt.holder_desk_id,
    Receipt.created_desk_id,
    Receipt.file_id,
    Receipt.received_on,
)


def documents(session: Session, ids: list[int] | None):
    for r in kinds.stream_rows(session, sa.select(*_COLUMNS), Receipt.id, ids):
        yield SearchDoc(
            obj_id=r.id,
            receipt_id=r.id,
            file_id=r.file_id,
            desks=(r.created_desk_id, r.holder_desk_id),
            number=_join(r.number, r.letter_number),
            title=r.subject,
            body=receipt_body(r),
            office_id=r.office_id,
            status=r.status,
            holder=r.holder_desk_id,
            date=r.received_on,
        )


def texts(session: Session, ids: list[int]) -> dict[int, HitText]:
    return {
        r.id: HitText(
            number=r.number, title=r.subject, body=receipt_body(r), page=_page(r.id, r.file_id)
        )
        for r in session.scalars(sa.select(Receipt).where(Receipt.id.in_(ids)))
    }


def children(session: Session, receipt_id: int) -> list[tuple[str, int]]:
    return [("attachment", i) for i in of_owners(session, "receipt", [receipt_id])]


def attachment_scope(session: Session, ids: list[int]) -> dict[int, DocScope]:
    """A receipt's attachments sit where the receipt does; once it is in a file, they take the
    file's status, category and number."""
    rows = session.execute(
        sa.select(
            Receipt.id,
            Receipt.number,
            Receipt.office_id,
            Receipt.file_id,
            Receipt.status,
            Receipt.created_desk_id,
            Receipt.holder_desk_id,
            _FILES.c.number.label("file_number"),
            _FILES.c.status.label("file_status"),
            _FILES.c.category,
        )
        .outerjoin(_FILES, _FILES.c.id == Receipt.file_id)
        .where(Receipt.id.in_(ids))
    )
    return {
        r.id: DocScope(
            office_id=r.office_id,
            file_id=r.file_id,
            receipt_id=r.id,
            desks=(r.created_desk_id, r.holder_desk_id),
            status=r.file_status or r.status,
            category=r.category,
            number=r.file_number or r.number,
            page=_page(r.id, r.file_id),
        )
        for r in rows
    }
