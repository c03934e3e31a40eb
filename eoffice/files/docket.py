"""The file docket as a PDF: the note sheet, the correspondence list and the movement register.
It records the audit event it shows the file up to (eoffice.audit.stamps). `docket_html` is
apart from the PDF so tests can read what was rendered."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit.service import latest_event
from eoffice.audit.stamps import Stamp
from eoffice.core.db import utcnow
from eoffice.files.models import File
from eoffice.files.service import file_detail
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import check_printable, html_to_pdf, render_html
from eoffice.receipts.models import Receipt


def docket_html(session: Session, file: File, *, now=None) -> tuple[str, Stamp]:
    """The docket as HTML: the note sheet, the correspondence list and the movement register."""
    detail = file_detail(session, file)
    check_printable(_text_size(detail), f"file {file.number}")
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


def _text_size(detail: dict) -> int:
    """The user text a docket would lay out: notes, correspondence titles, movement remarks."""
    size = sum(len(n.text or "") for n in detail.get("notes", ()))
    size += sum(len(c.title or "") for c in detail["correspondence"])
    return size + sum(len(m.remarks or "") for m in detail["movements"])


def docket_pdf(session: Session, file: File) -> bytes:
    html, _stamp = docket_html(session, file)
    return html_to_pdf(html, LockedFetcher())
