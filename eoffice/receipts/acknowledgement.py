"""The acknowledgement handed to whoever brings dak in person. Like every PDF eoffice makes, it
records the audit event it shows the record up to (eoffice.audit.stamps)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eoffice.audit.service import latest_event
from eoffice.audit.stamps import Stamp
from eoffice.core.db import utcnow
from eoffice.core.errors import NotFound
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html
from eoffice.receipts.models import Mode, Receipt


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
