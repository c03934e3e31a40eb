"""From database rows to index documents, for each kind. One query per kind serves both the
indexer (a handful of ids) and a rebuild (everything, streamed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.files.models import File
from eoffice.notings.models import Draft, DraftVersion, Note
from eoffice.receipts.models import Receipt
from eoffice.search.models import AttachmentText
from eoffice.search.schema import CATEGORY_CODES, KIND_CODES, STATUS_CODES
from eoffice.storage.models import Attachment


def _at(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


def _join(*parts) -> str:
    return "\n".join(p for p in parts if p)


def day_key(value: dt.date) -> str:
    """The day as an exact term (20261123): ranges of these are ranges of days."""
    return value.strftime("%Y%m%d")


def _doc(
    kind: str,
    obj_id: int,
    *,
    date,
    office_id: int,
    file_id: int | None = None,
    receipt_id: int | None = None,
    desks: tuple[int | None, int | None] = (None, None),
    status: str | None = None,
    category: str | None = None,
    holder: int | None = None,
    number: str | None = None,
    title: str | None = None,
    body: str | None = None,
) -> dict:
    doc = {
        "doc_id": f"{kind}:{obj_id}",
        "kind": kind,
        "obj_id": obj_id,
        "file_id": file_id,
        "receipt_id": receipt_id,
        "c_office": office_id or 0,
        "c_file": file_id or 0,
        "c_desk1": desks[0] or 0,
        "c_desk2": desks[1] or 0,
        "c_kind": KIND_CODES[kind],
        "c_status": STATUS_CODES.get(status or "", 0),
        "c_category": CATEGORY_CODES.get(category or "", 0),
        "c_holder": holder or 0,
    }
    if date is not None:
        doc["c_day"] = int(day_key(date))
        doc["at"] = int(date.replace(tzinfo=dt.UTC).timestamp() * 1_000_000)
    for key, value in (("number", number), ("title", title), ("body", body)):
        if value:
            doc[key] = value
    return doc


def _receipt_desks(created_desk_id, holder_desk_id) -> tuple[int | None, int | None]:
    return (created_desk_id, holder_desk_id)


# --- one statement per kind -------------------------------------------------------------------


def _files_stmt():
    return sa.select(
        File.id,
        File.number,
        File.subject,
        File.office_id,
        File.status,
        File.category,
        File.holder_desk_id,
        File.created_at,
    )


def _file_doc(r) -> dict:
    return _doc(
        "file",
        r.id,
        file_id=r.id,
        number=r.number,
        title=r.subject,
        office_id=r.office_id,
        status=r.status,
        category=r.category,
        holder=r.holder_desk_id,
        date=_at(r.created_at),
    )


def _notes_stmt():
    return sa.select(
        Note.id,
        Note.file_id,
        Note.text,
        Note.created_at,
        File.office_id,
        File.status,
        File.category,
    ).join(File, File.id == Note.file_id)


def _note_doc(r) -> dict:
    return _doc(
        "note",
        r.id,
        file_id=r.file_id,
        body=r.text,
        office_id=r.office_id,
        status=r.status,
        category=r.category,
        date=_at(r.created_at),
    )


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


def _receipts_stmt():
    return sa.select(
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


def _receipt_doc(r) -> dict:
    return _doc(
        "receipt",
        r.id,
        receipt_id=r.id,  # stored as a number
        file_id=r.file_id,
        desks=_receipt_desks(r.created_desk_id, r.holder_desk_id),
        number=_join(r.number, r.letter_number),
        title=r.subject,
        body=receipt_body(r),
        office_id=r.office_id,
        status=r.status,
        holder=r.holder_desk_id,
        date=_at(r.received_on),
    )


def _drafts_stmt():
    latest = (
        sa.select(DraftVersion.body)
        .where(DraftVersion.draft_id == Draft.id, DraftVersion.version == Draft.version)
        .scalar_subquery()
    )
    return sa.select(
        Draft.id,
        Draft.file_id,
        Draft.title,
        Draft.dispatch_number,
        Draft.created_at,
        latest.label("body"),
        File.office_id,
        File.status,
        File.category,
    ).join(File, File.id == Draft.file_id)


def _draft_doc(r) -> dict:
    return _doc(
        "draft",
        r.id,
        file_id=r.file_id,
        number=r.dispatch_number,
        title=r.title,
        body=r.body,
        office_id=r.office_id,
        status=r.status,
        category=r.category,
        date=_at(r.created_at),
    )


def _attachments_stmt():
    owner_file = sa.func.coalesce(Attachment.file_id, Receipt.file_id)
    return (
        sa.select(
            Attachment.id,
            Attachment.name,
            Attachment.receipt_id,
            Attachment.created_at,
            owner_file.label("owner_file_id"),
            sa.func.coalesce(File.office_id, Receipt.office_id).label("office_id"),
            sa.func.coalesce(File.status, Receipt.status).label("status"),
            File.category,
            Receipt.created_desk_id,
            Receipt.holder_desk_id,
            AttachmentText.text,
        )
        .outerjoin(Receipt, Receipt.id == Attachment.receipt_id)
        .outerjoin(File, File.id == owner_file)
        .outerjoin(AttachmentText, AttachmentText.attachment_id == Attachment.id)
    )


def _name_words(name: str) -> str:
    """निरीक्षण.txt is found as निरीक्षण: the analyzer keeps dotted words (12.03.2026) whole."""
    stem, dot, ext = name.rpartition(".")
    return f"{name} {stem} {ext}" if dot and stem else name


def _attachment_doc(r) -> dict:
    return _doc(
        "attachment",
        r.id,
        file_id=r.owner_file_id,
        receipt_id=r.receipt_id,
        desks=_receipt_desks(r.created_desk_id, r.holder_desk_id) if r.receipt_id else (None, None),
        title=_name_words(r.name),
        body=r.text,
        office_id=r.office_id,
        status=r.status,
        category=r.category,
        date=_at(r.created_at),
    )


KINDS = {
    "file": (File, _files_stmt, _file_doc),
    "note": (Note, _notes_stmt, _note_doc),
    "receipt": (Receipt, _receipts_stmt, _receipt_doc),
    "draft": (Draft, _drafts_stmt, _draft_doc),
    "attachment": (Attachment, _attachments_stmt, _attachment_doc),
}


def documents(session: Session, kind: str, ids: Iterable[int]) -> dict[int, dict]:
    """Documents for these ids; an id with no row (deleted) is absent from the answer."""
    model, stmt, build = KINDS[kind]
    ids = list(ids)
    out: dict[int, dict] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for row in session.execute(stmt().where(model.id.in_(part))):
            out[row.id] = build(row)
    return out


def all_documents(session: Session, kind: str, batch: int = 2000) -> Iterator[dict]:
    model, stmt, build = KINDS[kind]
    result = session.execute(stmt().order_by(model.id).execution_options(yield_per=batch))
    try:
        for row in result:
            yield build(row)
    finally:
        result.close()  # a server-side cursor on PostgreSQL, when the caller stops early


def count(session: Session, kind: str) -> int:
    model = KINDS[kind][0]
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def children(session: Session, kind: str, obj_id: int) -> list[tuple[str, int]]:
    """Documents that copy filter fields from this one and must follow its changes."""
    refs: list[tuple[str, int]] = []
    if kind == "file":
        for child, model in (("note", Note), ("draft", Draft), ("attachment", Attachment)):
            refs += [
                (child, i)
                for i in session.scalars(sa.select(model.id).where(model.file_id == obj_id))
            ]
        receipts = list(session.scalars(sa.select(Receipt.id).where(Receipt.file_id == obj_id)))
        refs += [("receipt", i) for i in receipts]
        if receipts:
            refs += [
                ("attachment", i)
                for i in session.scalars(
                    sa.select(Attachment.id).where(Attachment.receipt_id.in_(receipts))
                )
            ]
    elif kind == "receipt":
        refs += [
            ("attachment", i)
            for i in session.scalars(
                sa.select(Attachment.id).where(Attachment.receipt_id == obj_id)
            )
        ]
    return refs
