"""Who may see a receipt: the desks it was diarised at or marked to (for action or a copy; a desk
that forwarded it still sees it), the desk holding it, auditors of its office (and offices above
it), and whoever may see the file it was put into (asked through the registry: files sit above).

A graded receipt (confidential or secret) is seen only by the desks it was marked to and the
auditors of its own office: not by auditors above, and not through a file."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.core import kinds
from eoffice.org.service import audited_office_ids, desk_ids
from eoffice.receipts.models import Receipt, ReceiptAccess, Security


def own_audited_offices(user) -> set[int]:
    """The offices of an auditor's own desks (graded records are shown to these only)."""
    if not user.has_role("auditor"):
        return set()
    return {d.office_id for d in user.current_desks()}


def can_view_receipt(session: Session, user, receipt: Receipt) -> bool:
    return receipt.id in visible_receipts(session, user, [receipt])


def visible_receipt_ids(session: Session, user, ids: Collection[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    receipts = session.scalars(sa.select(Receipt).where(Receipt.id.in_(ids))).all()
    return visible_receipts(session, user, receipts)


def visible_receipts(session: Session, user, receipts) -> set[int]:
    """Which of these receipts the user may see (two or three queries, whatever the count)."""
    receipts = list(receipts)
    if not receipts:
        return set()
    desks = desk_ids(user)
    offices = audited_office_ids(session, user)
    own = own_audited_offices(user)
    reached: set[int] = set()
    if desks:
        reached = set(
            session.scalars(
                sa.select(ReceiptAccess.receipt_id).where(
                    ReceiptAccess.receipt_id.in_([r.id for r in receipts]),
                    ReceiptAccess.desk_id.in_(desks),
                )
            )
        )
    seen = set()
    for r in receipts:
        graded = r.security != Security.normal
        mine = r.id in reached or r.created_desk_id in desks or r.holder_desk_id in desks
        if mine or r.office_id in (own if graded else offices):
            seen.add(r.id)
    in_files = {
        r.file_id
        for r in receipts
        if r.id not in seen and r.file_id is not None and r.security == Security.normal
    }
    if in_files:
        visible = kinds.get("file").visible_ids(session, user, in_files)
        seen |= {r.id for r in receipts if r.file_id in visible and r.security == Security.normal}
    # a copy of the receipt put into another file: whoever may see that file sees the receipt
    copied = kinds.hook("receipt.copied_into")
    rest = [r.id for r in receipts if r.id not in seen and r.security == Security.normal]
    if copied is not None and rest:
        into = copied(session, rest)
        if into:
            shown = kinds.get("file").visible_ids(session, user, set().union(*into.values()))
            seen |= {rid for rid, fids in into.items() if fids & shown}
    return seen


def visible_clause(session: Session, user):
    """The same rule as a WHERE clause on Receipt (for lists and registers)."""
    desks = desk_ids(user)
    offices = audited_office_ids(session, user)
    own = own_audited_offices(user)
    reached = Receipt.id.in_(
        sa.select(ReceiptAccess.receipt_id).where(ReceiptAccess.desk_id.in_(desks))
    )
    normal = Receipt.security == Security.normal.value
    clauses = [reached, Receipt.holder_desk_id.in_(desks), Receipt.created_desk_id.in_(desks)]
    if offices:
        clauses.append(sa.and_(normal, Receipt.office_id.in_(offices)))
    if own:
        clauses.append(Receipt.office_id.in_(own))
    return sa.or_(*clauses)
