"""The PDFs an office prints: the file docket, an issued letter, a receipt acknowledgement.

Each PDF carries the audit event it shows the record up to (the newest event of that file or
receipt when it was made): its hash and sequence number are printed in the footer and stored in
the PDF's metadata, so a printout can later be checked against the log (`eoffice audit verify
--pdf`). Every `*_html` function is separate from its PDF so tests can read what was rendered.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.audit.models import AuditEvent
from eoffice.db import utcnow
from eoffice.errors import NotFound
from eoffice.files.models import File
from eoffice.notings.models import Draft
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html
from eoffice.receipts.models import Mode, Receipt
from eoffice.search.models import AttachmentText
from eoffice.storage.models import Attachment, object_key

PDF_TYPE = "application/pdf"
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


def latest_event(session: Session, obj_type: str, obj_id) -> AuditEvent | None:
    return session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == obj_type, AuditEvent.object_id == str(obj_id))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()


# --- the file docket ---------------------------------------------------------------------------


def docket_html(session: Session, file: File, *, now=None) -> tuple[str, Stamp]:
    """The docket as HTML: the note sheet, the correspondence list and the movement register."""
    from eoffice.files.service import file_detail

    detail = file_detail(session, file)
    receipt_ids = [c.receipt_id for c in detail["correspondence"] if c.receipt_id]
    receipts = {}
    if receipt_ids:
        receipts = {
            r.id: r for r in session.scalars(sa.select(Receipt).where(Receipt.id.in_(receipt_ids)))
        }
    drafts = {d.id: d for d in detail["drafts"]}
    stamp = Stamp.of(latest_event(session, "file", file.id))
    html = render_html(
        "docket.html",
        file=file,
        office=file.office,
        section=file.section,
        notes=detail["notes"],
        correspondence=detail["correspondence"],
        receipts=receipts,
        drafts=drafts,
        movements=detail["movements"],
        stamp=stamp,
        printed_at=now or utcnow(),
    )
    return html, stamp


def docket_pdf(session: Session, file: File) -> bytes:
    html, _stamp = docket_html(session, file)
    return html_to_pdf(html, LockedFetcher())


# --- an issued letter --------------------------------------------------------------------------


def letter_html(
    session: Session,
    file: File,
    draft: Draft,
    page: int,
    event: AuditEvent | None,
    *,
    signer=None,
    signer_desk=None,
) -> tuple[str, Stamp]:
    """The approved version on the office's bilingual letterhead, with its dispatch number."""
    stamp = Stamp.of(event)
    html = render_html(
        "letter.html",
        file=file,
        office=file.office,
        section=file.section,
        draft=draft,
        body=draft.approved_body(),
        page=page,
        issued_at=draft.issued_at,
        signer=signer,
        signer_desk=signer_desk,
        stamp=stamp,
    )
    return html, stamp


def store_letter(session: Session, store, user, desk, file: File, draft: Draft, page: int):
    """Render the issued letter, put it in the object store, then add its row (same transaction
    as the issue: the caller commits). Call it after the `draft.issued` event is recorded: that
    event is the one the letter shows. A store that is down raises Unavailable: nothing issued."""
    event = latest_event(session, "file", file.id)
    html, _stamp = letter_html(session, file, draft, page, event, signer=user, signer_desk=desk)
    data = html_to_pdf(html, LockedFetcher())
    digest = hashlib.sha256(data).hexdigest()
    key = object_key(digest)
    store.put(key, data, PDF_TYPE)  # the object first: a failure here leaves no row
    attachment = Attachment(
        file_id=file.id,
        name=f"{draft.dispatch_number.replace('/', '-')}.pdf",
        size=len(data),
        content_type=PDF_TYPE,
        sha256=digest,
        key=key,
        uploaded_by_id=user.id,
        desk_id=desk.id,
    )
    session.add(attachment)
    session.flush()
    # the index takes the letter's source text: text pulled out of WeasyPrint's PDFs garbles Hindi
    session.add(
        AttachmentText(
            attachment_id=attachment.id,
            text="\n".join((draft.title, draft.dispatch_number or "", draft.approved_body() or "")),
        )
    )
    session.flush()
    return attachment


# --- a receipt acknowledgement -----------------------------------------------------------------


def may_acknowledge(receipt: Receipt) -> bool:
    """Acknowledgements are handed to whoever brought the dak in person."""
    return receipt.mode == Mode.hand


def acknowledgeable_receipt(receipt: Receipt) -> Receipt:
    if not may_acknowledge(receipt):
        raise NotFound("acknowledgements are made for dak received by hand only")
    return receipt


def acknowledgement_html(session: Session, receipt: Receipt, *, now=None) -> tuple[str, Stamp]:
    stamp = Stamp.of(latest_event(session, "receipt", receipt.id))
    html = render_html(
        "acknowledgement.html",
        receipt=receipt,
        office=receipt.office,
        desk=receipt.created_desk,
        stamp=stamp,
        printed_at=now or utcnow(),
    )
    return html, stamp


def acknowledgement_pdf(session: Session, receipt: Receipt) -> bytes:
    html, _stamp = acknowledgement_html(session, receipt)
    return html_to_pdf(html, LockedFetcher())


# --- checking a printed PDF against the log ----------------------------------------------------


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
