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
    desks = desk_ids(user)
    if receipt.created_desk_id in desks or receipt.holder_desk_id in desks:
        return True
    if receipt.office_id in audited_office_ids(session, user):
        return True
    if receipt.file_id is not None:
        return can_view_file(session, user, session.get(File, receipt.file_id))
    return False
