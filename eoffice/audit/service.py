"""Recording and verifying audit events."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit.models import GENESIS, AuditEvent, AuditHead, canonical, seal, sha256
from eoffice.core.db import utcnow


def record(
    session: Session,
    action: str,
    *,
    user=None,
    desk=None,
    obj_type: str | None = None,
    obj_id=None,
    data: dict | None = None,
    username: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction; it commits or rolls back with the change."""
    head = session.scalars(
        sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, last_hash=GENESIS)
        session.add(head)
    data = data or {}
    event = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None) or username,
        desk_code=getattr(desk, "code", None),
        action=action,
        object_type=obj_type,
        object_id=None if obj_id is None else str(obj_id),
        data=json.dumps(data, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=head.last_hash,
    )
    event.digest = sha256(canonical(json.loads(event.data)))
    event.hash = event.compute_hash()
    key = session.info.get("audit_key")
    event.mac = seal(key, event.hash)
    head.seq = event.seq
    head.last_hash = event.hash
    head.mac = seal(key, head.seq, head.last_hash)
    session.add(event)
    session.flush()
    return event


@dataclass
class VerifyResult:
    ok: bool
    events: int
    first_bad: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict:
        out = {"ok": self.ok, "events": self.events}
        if self.first_bad is not None:
            out["first_bad"] = self.first_bad
        if self.reason:
            out["reason"] = self.reason
        return out


def verify(
    session: Session,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
    upto: int | None = None,
) -> VerifyResult:
    """Recompute the whole chain (or its start, up to seq `upto`); name the first bad event.
    Each event's seal, and the head's, are checked with the session's audit key."""
    key = session.info.get("audit_key")
    prev_hash, expected_seq, count, last_id = GENESIS, 1, 0, None
    last_seq = 0
    while True:
        stmt = sa.select(AuditEvent).where(AuditEvent.seq > last_seq)
        if upto is not None:
            stmt = stmt.where(AuditEvent.seq <= upto)
        rows = session.scalars(stmt.order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for ev in rows:
            count += 1
            reason = None
            if ev.seq != expected_seq:
                reason = f"event(s) before seq {ev.seq} are missing (expected {expected_seq})"
            elif ev.prev_hash != prev_hash:
                reason = "does not link to the event before it"
            elif sha256(canonical(ev.payload())) != ev.digest:
                reason = "its data does not match its digest"
            elif ev.compute_hash() != ev.hash:
                reason = "its fields do not match its hash"
            elif key and not _same(ev.mac, seal(key, ev.hash)):
                reason = "its seal does not match (the log was written without the audit key)"
            if reason:
                return VerifyResult(False, count, ev.id, f"event {ev.id} (seq {ev.seq}): {reason}")
            prev_hash, expected_seq, last_id = ev.hash, ev.seq + 1, ev.id
        last_seq = rows[-1].seq
        if progress:
            progress(len(rows))
    if upto is not None:
        if expected_seq - 1 != upto:
            return VerifyResult(False, count, last_id, f"the log has no event with seq {upto}")
        return VerifyResult(True, count)
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != prev_hash:
        return VerifyResult(
            False,
            count,
            last_id,
            f"the log ends at seq {expected_seq - 1} but {head_seq} events were written: "
            "events after it were deleted or the head was altered",
        )
    if key and head_seq and not _same(head.mac, seal(key, head.seq, head.last_hash)):
        return VerifyResult(
            False, count, last_id, "the head of the log is not sealed with the audit key"
        )
    return VerifyResult(True, count)


def latest_event(session: Session, obj_type: str, obj_id) -> AuditEvent | None:
    """The newest event about one object (the one a PDF of it shows the record up to)."""
    return session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == obj_type, AuditEvent.object_id == str(obj_id))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)


def record_refusal(database, user, obj_type: str, obj_id, data: dict) -> None:
    """Someone asked for a record they may not see: logged in a unit of work of its own (the
    request's is rolled back), so the refusal stays whatever happens to the request."""
    with database.write_sessionmaker() as session:
        record(
            session,
            "access.refused",
            user=user,
            obj_type=obj_type,
            obj_id=obj_id,
            data=data,
        )
        session.commit()
