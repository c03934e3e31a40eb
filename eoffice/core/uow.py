"""One unit of work: services change the session and never commit; the request, the command or
the worker job around them commits once, or rolls back on any error.

Concurrent writers are told apart here, in one place: a stale version (the row changed under us)
or a broken unique constraint (two took the same number) becomes a 409 `stale_version`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eoffice.core.errors import Conflict, stale_version

CONCURRENT_WRITE = (StaleDataError, IntegrityError)


def conflict_from(exc: Exception) -> Conflict:
    """The answer to a write that lost a race (a StaleDataError or an IntegrityError)."""
    conflict = stale_version()
    conflict.__cause__ = exc
    return conflict


def flush(session: Session) -> None:
    """Write the pending changes now, so a use case learns of a lost race as a Conflict (and a
    page can show the form again) rather than at the commit. The caller rolls back."""
    try:
        session.flush()
    except CONCURRENT_WRITE as exc:
        raise conflict_from(exc) from exc


def commit(session: Session) -> None:
    """The end of a unit of work: commit, or roll back and raise Conflict for a lost race."""
    try:
        session.commit()
    except CONCURRENT_WRITE as exc:
        session.rollback()
        raise conflict_from(exc) from exc


@contextlib.contextmanager
def unit_of_work(database, *, write: bool = True) -> Iterator[Session]:
    """A session for a command or a worker job: committed when the block ends normally, rolled
    back when it raises. `write` takes the write lock at the start (SQLite)."""
    maker = database.write_sessionmaker if write else database.sessionmaker
    session = maker()
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
