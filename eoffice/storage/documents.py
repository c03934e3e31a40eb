"""Attachments in the index and in access checks: each follows its owner (a file, a receipt, or
any kind that owns attachments), asked through the registry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.core.kinds import DocScope, HitText, SearchDoc
from eoffice.storage.models import Attachment, AttachmentText


def _stmt():
    return sa.select(
        Attachment.id,
        Attachment.owner_kind,
        Attachment.owner_id,
        Attachment.name,
        Attachment.created_at,
        AttachmentText.text,
    ).outerjoin(AttachmentText, AttachmentText.attachment_id == Attachment.id)


def name_words(name: str) -> str:
    """निरीक्षण.txt is found as निरीक्षण: the analyzer keeps dotted words (12.03.2026) whole."""
    stem, dot, ext = name.rpartition(".")
    return f"{name} {stem} {ext}" if dot and stem else name


def _scopes(session: Session, rows) -> dict[tuple[str, int], DocScope]:
    by_kind: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        by_kind[r.owner_kind].add(r.owner_id)
    out: dict[tuple[str, int], DocScope] = {}
    for name, ids in by_kind.items():
        kind = kinds.find(name)
        if kind is None or kind.attachments is None:
            continue
        for owner_id, scope in kind.attachments.scope(session, sorted(ids)).items():
            out[(name, owner_id)] = scope
    return out


def documents(session: Session, ids: list[int] | None):
    batch: list = []
    for row in kinds.stream_rows(session, _stmt(), Attachment.id, ids):
        batch.append(row)
        if len(batch) == 500:
            yield from _build(session, batch)
            batch = []
    if batch:
        yield from _build(session, batch)


def _build(session: Session, rows):
    scopes = _scopes(session, rows)
    for r in rows:
        scope = scopes.get((r.owner_kind, r.owner_id))
        if scope is None:  # the owner is gone: nothing to find
            continue
        yield SearchDoc(
            obj_id=r.id,
            office_id=scope.office_id,
            file_id=scope.file_id,
            receipt_id=scope.receipt_id,
            desks=scope.desks,
            status=scope.status,
            category=scope.category,
            title=name_words(r.name),
            body=r.text,
            date=r.created_at,
        )


def texts(session: Session, ids: list[int]) -> dict[int, HitText]:
    rows = list(session.execute(_stmt().where(Attachment.id.in_(ids))))
    scopes = _scopes(session, rows)
    out = {}
    for r in rows:
        scope = scopes.get((r.owner_kind, r.owner_id))
        if scope is not None:
            out[r.id] = HitText(number=scope.number, title=r.name, body=r.text, page=scope.page)
    return out


def visible_ids(session: Session, user, ids: Collection[int]) -> set[int]:
    """Attachments whose owner the user may see: one check per owner kind."""
    rows = session.execute(
        sa.select(Attachment.id, Attachment.owner_kind, Attachment.owner_id).where(
            Attachment.id.in_(list(ids))
        )
    ).all()
    by_kind: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        by_kind[r.owner_kind].add(r.owner_id)
    seen = {
        (name, owner_id)
        for name, owner_ids in by_kind.items()
        if (kind := kinds.find(name)) is not None
        for owner_id in kind.visible_ids(session, user, owner_ids)
    }
    return {r.id for r in rows if (r.owner_kind, r.owner_id) in seen}


def can_view(session: Session, user, attachment: Attachment) -> bool:
    return attachment.id in visible_ids(session, user, [attachment.id])


def of_owners(session: Session, kind_name: str, owner_ids: Collection[int]) -> list[int]:
    """Ids of the attachments of these records (an owner's children in the index)."""
    owner_ids = list(owner_ids)
    if not owner_ids:
        return []
    return list(
        session.scalars(
            sa.select(Attachment.id).where(
                Attachment.owner_kind == kind_name, Attachment.owner_id.in_(owner_ids)
            )
        )
    )
