"""Who may see a file or a receipt. Used by `can()`; queries are by id so lists stay cheap.

A file is visible to the desks it has passed through (whoever holds them now) and to auditors
whose desks' offices contain the file's office; to everyone else it does not exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.files.models import File, FileAccess
from eoffice.org.service import offices_within


def desk_ids(user) -> set[int]:
    return {d.id for d in user.current_desks()}


def audited_office_ids(session: Session, user) -> set[int]:
    if not user.has_role("auditor"):
        return set()
    return offices_within(session, {d.office_id for d in user.current_desks()})


def visible_files_clause(session: Session, user):
    """A WHERE clause on File for "files this user may see"."""
    desks = desk_ids(user)
    offices = audited_office_ids(session, user)
    via_desk = File.id.in_(sa.select(FileAccess.file_id).where(FileAccess.desk_id.in_(desks)))
    if offices:
        return sa.or_(via_desk, File.office_id.in_(offices))
    return via_desk


def can_view_file(session: Session, user, file: File) -> bool:
    if file.office_id in audited_office_ids(session, user):
        return True
    desks = desk_ids(user)
    if not desks:
        return False
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(FileAccess)
            .where(FileAccess.file_id == file.id, FileAccess.desk_id.in_(desks))
        )
        > 0
    )


def grant(session: Session, file: File, desk_id: int) -> None:
    exists = session.get(FileAccess, (file.id, desk_id))
    if exists is None:
        session.add(FileAccess(file_id=file.id, desk_id=desk_id))


def can_view_receipt(session: Session, user, receipt) -> bool:
    return receipt.id in visible_receipt_ids(session, user, [receipt])


def visible_receipt_ids(session: Session, user, receipts) -> set[int]:
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
        visible = set(
            session.scalars(
                sa.select(File.id).where(File.id.in_(in_files), visible_files_clause(session, user))
            )
        )
        seen |= {r.id for r in receipts if r.file_id in visible}
    return seen
