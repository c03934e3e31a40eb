"""Who may see a receipt: the desks it was diarised at or lies on, auditors of its office, and
whoever may see the file it was put into (asked through the registry: files sit above)."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.org.service import audited_office_ids, desk_ids
from eoffice.receipts.models import Receipt


def can_view_receipt(session: Session, user, receipt: Receipt) -> bool:
    return receipt.id in visible_receipts(session, user, [receipt])


def visible_receipt_ids(session: Session, user, ids: Collection[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    receipts = session.scalars(sa.select(Receipt).where(Receipt.id.in_(ids))).all()
    return visible_receipts(session, user, receipts)


def visible_receipts(session: Session, user, receipts) -> set[int]:
    """Which of these receipts the user may see: those on or from their desks, those in offices
    they audit, and those in files they may see (one query for the files, whatever the count)."""
    desks = desk_ids(user)
    offices = audited_office_ids(session, user)
    seen = {
        r.id
        for r in receipts
        if r.created_desk_id in desks or r.holder_desk_id in desks or r.office_id in offices
    }
    in_files = {r.file_id for r in receipts if r.id not in seen and r.file_id is not None}
    if in_files:
        visible = kinds.get("file").visible_ids(session, user, in_files)
        seen |= {r.id for r in receipts if r.file_id in visible}
    return seen
