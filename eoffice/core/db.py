"""Database plumbing: the declarative Base, engines, session factories and UTC timestamps.

The session of a web request lives in eoffice.web.session; the unit of work in eoffice.core.uow."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def office_today(zone_name: str | None = None) -> dt.date:
    """Today as the office counts it (its zone, `Asia/Kolkata` unless named), not as the
    server's clock does: a server on UTC is still on yesterday until 05:30 IST."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(zone_name or "Asia/Kolkata")).date()


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always handed back timezone-aware (SQLite forgets zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use eoffice.db.utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def _private_sqlite_file(url: str) -> None:
    """The database file (and its WAL and shared-memory files) readable by its owner only."""
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        return
    db = Path(path)
    db.parent.mkdir(parents=True, exist_ok=True)
    if not db.exists():
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if part.exists():
            os.chmod(part, 0o600)


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # pysqlite must not open transactions itself: we say BEGIN IMMEDIATE.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            _private_sqlite_file(url)  # the WAL and shared-memory files exist from here on
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            # 64 MiB of page cache (the default is 2 MB): the lists and the file page read
            # rows scattered over a district's movements and notes
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # Sessions that will write take the write lock at the start (BEGIN IMMEDIATE): a
            # deferred transaction that reads and later writes fails at once when another writer
            # committed in between, instead of waiting its turn. Readers stay deferred, so they
            # never block writers in WAL mode.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Engine and session factory bound to one app."""

    def __init__(self, url: str, audit_key: str | None = None):
        from eoffice.core import kinds

        # every mapped class of every module, and their kinds, before the first session
        kinds.load_modules()
        if audit_key is None:  # the instance's own (see config.AUDIT_KEY)
            from eoffice.core.config import load_config

            audit_key = load_config()["AUDIT_KEY"]
        self.url = url
        self.engine = make_engine(url)
        # every session knows the key the audit log is sealed with (audit.service)
        info = {"audit_key": audit_key}
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info=info)
        # for requests and commands that change things (see _sqlite_begin)
        self.write_sessionmaker = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"),
            expire_on_commit=False,
            info=info,
        )

    @classmethod
    def from_config(cls, cfg: dict) -> Database:
        return cls(cfg["DATABASE_URL"], audit_key=cfg["AUDIT_KEY"])

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def begin_writing(session: Session) -> None:
    """A reading session is about to write: on SQLite, end its read snapshot and take the write
    lock now (BEGIN IMMEDIATE), so it waits its turn instead of failing as busy. Objects loaded
    before are expired; load them again. Elsewhere, row locks do this job."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.connection().get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        return
    session.rollback()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
