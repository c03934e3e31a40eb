"""The request's database session and its unit of work, and the app's components.

A request gets one session on first use. The app commits it once, when the view has returned
(`finish`), and rolls it back when the view raised; services never commit."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from sqlalchemy.orm import Session

from eoffice.core import uow


def get_db():
    return current_app.extensions["eoffice.db"]


def get_session() -> Session:
    """The session of the current request (or app context), created on first use.

    Requests that may change something get a session that takes the write lock at once."""
    if "db_session" not in g:
        db = get_db()
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        g.db_session = (db.sessionmaker if reading else db.write_sessionmaker)()
    return g.db_session


def finish() -> None:
    """The view returned: commit what it did (a lost race raises Conflict: a 409)."""
    session = g.get("db_session")
    if session is not None:
        uow.commit(session)


def rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def get_store():
    """The object store (built on first use, so an app can start before its S3 server)."""
    return current_app.extensions["eoffice.store"]()


def get_search():
    """The search engine the app was made with (eoffice.search.engine)."""
    return current_app.extensions["eoffice.search"]
