"""Who may see a file: the desks it has passed through (whoever holds them now) and auditors
whose desks' offices contain the file's office; to everyone else it does not exist. Queries are
by id, so lists stay cheap."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.files.models import File, FileAccess
from eoffice.org.service import audited_office_ids, desk_ids


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


def visible_file_ids(session: Session, user, ids: Collection[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(File.id).where(File.id.in_(ids), visible_files_clause(session, user))
        )
    )


def grant(session: Session, file: File, desk_id: int) -> None:
    exists = session.get(FileAccess, (file.id, desk_id))
    if exists is None:
        session.add(FileAccess(file_id=file.id, desk_id=desk_id))
