"""Who may see a file: the desks it has passed through (whoever holds them now) and auditors
whose desks' offices contain the file's office; to everyone else it does not exist. Queries are
by id, so lists stay cheap."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eoffice.files.models import File, FileAccess
from eoffice.org.service import audited_office_ids, desk_ids


def _own_audited(user) -> set[int]:
    """An auditor's own offices: graded files are shown to the auditors of their office only."""
    if not user.has_role("auditor"):
        return set()
    return {d.office_id for d in user.current_desks()}


def visible_files_clause(session: Session, user):
    """A WHERE clause on File for "files this user may see". A graded (confidential or secret)
    file: only the desks it was marked to and the auditors of its own office."""
    desks = desk_ids(user)
    offices = audited_office_ids(session, user)
    via_desk = File.id.in_(sa.select(FileAccess.file_id).where(FileAccess.desk_id.in_(desks)))
    clauses = [via_desk]
    if offices:
        clauses.append(sa.and_(File.security == "normal", File.office_id.in_(offices)))
        own = _own_audited(user)
        if own:
            clauses.append(File.office_id.in_(own))
    return sa.or_(*clauses)


def can_view_file(session: Session, user, file: File) -> bool:
    audited = audited_office_ids(session, user) if file.security == "normal" else _own_audited(user)
    if file.office_id in audited:
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
    """The desk may see the file from now on: one INSERT that does nothing when it already may
    (not a SELECT first, then the INSERT)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(FileAccess).values(file_id=file.id, desk_id=desk_id).on_conflict_do_nothing()
    )
