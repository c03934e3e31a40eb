"""Checking a PDF eoffice made against the audit log.

Each PDF carries the audit event it shows the record up to (the newest event of that file or
receipt when it was made): its hash and sequence number are printed in the footer and stored in
the PDF's metadata, so a printout can later be checked against the log (`eoffice audit verify
--pdf`)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.audit.models import AuditEvent

# PDF Info keys made by WeasyPrint from <meta name="eoffice-audit-seq|hash"> (lower-cased, only
# letters and digits kept)
META_SEQ = "/eofficeauditseq"
META_HASH = "/eofficeaudithash"


@dataclass(frozen=True)
class Stamp:
    """The audit event a PDF shows the record up to."""

    seq: int | None
    hash: str | None

    @classmethod
    def of(cls, event: AuditEvent | None) -> Stamp:
        return cls(event.seq, event.hash) if event is not None else cls(None, None)


def read_stamp(data: bytes) -> Stamp:
    """The audit event recorded in a PDF's metadata (None, None when it has none)."""
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(data)).metadata or {}
    seq, digest = info.get(META_SEQ), info.get(META_HASH)
    try:
        seq = int(str(seq)) if seq is not None else None
    except ValueError:
        seq = None
    return Stamp(seq, str(digest) if digest is not None else None)


@dataclass
class StampCheck:
    ok: bool
    message: str
    event: AuditEvent | None = None


def check_stamp(session: Session, stamp: Stamp) -> StampCheck:
    """Does the log hold that event with that hash, and does the chain up to it verify?"""
    if not stamp.hash or stamp.seq is None:
        return StampCheck(False, "the PDF records no audit event")
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == stamp.seq)).first()
    if event is None:
        return StampCheck(False, f"the log has no event {stamp.seq}")
    if event.hash != stamp.hash:
        return StampCheck(
            False,
            f"event {stamp.seq} in the log has hash {event.hash}, the PDF says {stamp.hash}",
            event,
        )
    result = audit.verify(session, upto=stamp.seq)
    if not result.ok:
        return StampCheck(False, f"the chain up to event {stamp.seq} is broken: {result.reason}")
    what = f"{event.object_type} {event.object_id}" if event.object_type else "the log"
    return StampCheck(
        True,
        f"matches: event {event.seq} ({event.action} on {what}, {event.at.isoformat()}) "
        f"has hash {event.hash}; the chain up to it verifies ({result.events} events)",
        event,
    )
