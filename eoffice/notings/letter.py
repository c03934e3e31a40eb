"""An issued letter as a PDF on the office's bilingual letterhead, signed (PAdES) for the officer
who approved it with the office's key, and stored in the object store with its source text. It
records the audit event of its issue (eoffice.audit.stamps); the signature is an incremental
update, so that record reads the same in the signed file."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eoffice.audit.models import AuditEvent
from eoffice.audit.service import latest_event
from eoffice.audit.stamps import Stamp
from eoffice.files.models import File
from eoffice.notings.models import Draft
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html
from eoffice.pdf.signing import SigningKey, sign_pdf
from eoffice.storage.service import store_generated

PDF_TYPE = "application/pdf"


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
        addressees=list(draft.addressees or []),
        copy_to=list(draft.copy_to or []),
        mode=draft.mode,
        stamp=stamp,
    )
    return html, stamp


def store_letter(
    session: Session,
    store,
    user,
    desk,
    file: File,
    draft: Draft,
    page: int,
    *,
    signing_key: SigningKey,
):
    """Render the issued letter, sign it, put it in the object store, then add its row (same
    transaction as the issue: the caller commits). Call it after the `draft.issued` event is
    recorded: that event is the one the letter shows. A store that is down raises Unavailable:
    nothing issued."""
    event = latest_event(session, "file", file.id)
    # named and signed for the officer who approved it, at the desk they approved from
    signer = draft.approved_by or user
    signer_desk = draft.approved_desk or desk
    html, _stamp = letter_html(
        session, file, draft, page, event, signer=signer, signer_desk=signer_desk
    )
    data = sign_pdf(
        html_to_pdf(html, LockedFetcher()),
        signing_key,
        name=signer.name,
        reason=signature_reason(draft, signer_desk),
        location=file.office.name,
    )
    # the index takes the letter's source text: text pulled out of WeasyPrint's PDFs garbles Hindi
    return store_generated(
        session,
        store,
        user,
        desk,
        file,
        name=f"{draft.dispatch_number.replace('/', '-')}.pdf",
        data=data,
        content_type=PDF_TYPE,
        text="\n".join((draft.title, draft.dispatch_number or "", draft.approved_body() or "")),
        event={"letter": draft.dispatch_number},
    )


def signature_reason(draft: Draft, desk) -> str:
    """What the signature says it is for: the letter, approved at that desk."""
    if desk is None:
        return f"Letter {draft.dispatch_number}"
    return f"Letter {draft.dispatch_number}, approved at the desk {desk.title} ({desk.code})"
