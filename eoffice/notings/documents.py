"""Notes and drafts in the index and on their file: the documents, the text of their hits, who
may see them (whoever may see the file, asked through the registry) and the file's parts."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.core import kinds
from eoffice.core.kinds import HitText, SearchDoc
from eoffice.files.models import File
from eoffice.notings.models import Draft, DraftVersion, Note


def _page(file_id: int, anchor: str | None = None):
    return ("files.show", {"file_id": file_id}, anchor)


def _in_visible_files(model):
    def visible_ids(session: Session, user, ids: Collection[int]) -> set[int]:
        rows = session.execute(sa.select(model.id, model.file_id).where(model.id.in_(list(ids))))
        rows = list(rows)
        files = kinds.get("file").visible_ids(session, user, {r.file_id for r in rows})
        return {r.id for r in rows if r.file_id in files}

    def can_view(session: Session, user, obj) -> bool:
        file = session.get(File, obj.file_id)
        return file is not None and kinds.get("file").can_view(session, user, file)

    return can_view, visible_ids


note_can_view, note_visible_ids = _in_visible_files(Note)
draft_can_view, draft_visible_ids = _in_visible_files(Draft)


# --- notes -------------------------------------------------------------------------------------


def note_documents(session: Session, ids: list[int] | None):
    stmt = sa.select(
        Note.id,
        Note.file_id,
        Note.text,
        Note.created_at,
        File.office_id,
        File.status,
        File.category,
    ).join(File, File.id == Note.file_id)
    for r in kinds.stream_rows(session, stmt, Note.id, ids):
        yield SearchDoc(
            obj_id=r.id,
            file_id=r.file_id,
            body=r.text,
            office_id=r.office_id,
            status=r.status,
            category=r.category,
            date=r.created_at,
        )


def note_texts(session: Session, ids: list[int]) -> dict[int, HitText]:
    rows = session.execute(
        sa.select(Note.id, Note.number, Note.text, Note.file_id, File.number, File.subject)
        .join(File, File.id == Note.file_id)
        .where(Note.id.in_(ids))
    )
    return {
        n.id: HitText(
            number=n[4],
            title=n.subject,
            body=n.text,
            page=_page(n.file_id, f"note-{n.number}"),
            extra={"note_number": n.number},
        )
        for n in rows
    }


def notes_of(session: Session, file) -> list[Note]:
    return list(
        session.scalars(
            sa.select(Note)
            .where(Note.file_id == file.id)
            .order_by(Note.number)
            .options(joinedload(Note.author), joinedload(Note.desk))
        )
    )


def make_notes_final(session: Session, file) -> None:
    """The notes written at a desk are final once the file leaves it."""
    session.execute(
        sa.update(Note).where(Note.file_id == file.id, Note.final.is_(False)).values(final=True)
    )


def note_ids(session: Session, file_id: int) -> list[int]:
    return list(session.scalars(sa.select(Note.id).where(Note.file_id == file_id)))


# --- drafts ------------------------------------------------------------------------------------


def _latest_body():
    return (
        sa.select(DraftVersion.body)
        .where(DraftVersion.draft_id == Draft.id, DraftVersion.version == Draft.version)
        .scalar_subquery()
    )


def draft_documents(session: Session, ids: list[int] | None):
    stmt = sa.select(
        Draft.id,
        Draft.file_id,
        Draft.title,
        Draft.dispatch_number,
        Draft.created_at,
        _latest_body().label("body"),
        File.office_id,
        File.status,
        File.category,
    ).join(File, File.id == Draft.file_id)
    for r in kinds.stream_rows(session, stmt, Draft.id, ids):
        yield SearchDoc(
            obj_id=r.id,
            file_id=r.file_id,
            number=r.dispatch_number,
            title=r.title,
            body=r.body,
            office_id=r.office_id,
            status=r.status,
            category=r.category,
            date=r.created_at,
        )


def draft_texts(session: Session, ids: list[int]) -> dict[int, HitText]:
    rows = session.execute(
        sa.select(
            Draft.id,
            Draft.file_id,
            Draft.title,
            Draft.dispatch_number,
            _latest_body().label("body"),
            File.number,
        )
        .join(File, File.id == Draft.file_id)
        .where(Draft.id.in_(ids))
    )
    return {
        d.id: HitText(
            number=d.dispatch_number or d.number,
            title=d.title,
            body=d.body,
            page=_page(d.file_id),
        )
        for d in rows
    }


def drafts_of(session: Session, file) -> list[Draft]:
    return list(
        session.scalars(sa.select(Draft).where(Draft.file_id == file.id).order_by(Draft.id))
    )


def draft_ids(session: Session, file_id: int) -> list[int]:
    return list(session.scalars(sa.select(Draft.id).where(Draft.file_id == file_id)))


def note_json(n) -> dict:
    return {
        "number": n.number,
        "text": n.text,
        "author": n.author.username,
        "author_name": n.author.name,
        "desk": n.desk.code,
        "created_at": _iso(n.created_at),
        "edited_at": _iso(n.edited_at),
        "final": n.final,
    }


def draft_json(d) -> dict:
    out = {
        "id": d.id,
        "file_id": d.file_id,
        "title": d.title,
        "version": d.version,
        "status": d.status,
    }
    if d.approved_version is not None:
        out["approved_version"] = d.approved_version
    if d.dispatch_number:
        out["dispatch_number"] = d.dispatch_number
    return out


def _iso(value):
    return value.isoformat() if value is not None else None
