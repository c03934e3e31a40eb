"""The append-only, hash-chained event log.

Each event carries the hash of the one before. `seq` is handed out under a lock on the single
`audit_head` row inside the writing transaction, so the chain has no gaps (a rolled-back
transaction rolls its number back too) and no forks (two writers wait for each other).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eoffice.core.db import Base

GENESIS = "0" * 64


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS)
    # HMAC of (seq, last_hash) with the instance's audit key: the end of the log is sealed too
    mac: Mapped[str | None] = mapped_column(sa.String(64))


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime]
    user_id: Mapped[int | None] = mapped_column(index=True)
    username: Mapped[str | None] = mapped_column(sa.String(80))
    desk_code: Mapped[str | None] = mapped_column(sa.String(60))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(80))
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    digest: Mapped[str] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # HMAC of the hash with the instance's audit key (kept outside the database): a chain
    # rewritten by someone who can write the database, but has not the key, no longer verifies
    mac: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    def compute_hash(self) -> str:
        return sha256(
            canonical(
                [
                    self.seq,
                    self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                    self.user_id,
                    self.username,
                    self.desk_code,
                    self.action,
                    self.object_type,
                    self.object_id,
                    self.digest,
                    self.prev_hash,
                ]
            )
        )

    def payload(self) -> dict:
        return json.loads(self.data or "{}")


def seal(key: str | None, *parts) -> str | None:
    """The keyed MAC of these parts (None without a key)."""
    if not key:
        return None
    return hmac.new(key.encode(), canonical(list(parts)), hashlib.sha256).hexdigest()
