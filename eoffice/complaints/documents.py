"""The complainant's papers: the copy given at once (number, date, station, what was said, due
date, a QR of the verify link, the visit token) and the action report. Both are PDFs from the
locked-down renderer, bilingual like every eoffice PDF, and stamped with the audit event they
show the complaint up to."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from eoffice.audit.service import latest_event
from eoffice.audit.stamps import Stamp
from eoffice.complaints.models import Complaint
from eoffice.core.db import utcnow
from eoffice.core.qr import qr_svg
from eoffice.org.visits import visit_token_for
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html

CATEGORY_HI = {
    "theft": "चोरी",
    "fraud": "धोखाधड़ी",
    "cyber": "साइबर अपराध",
    "women_safety": "महिला सुरक्षा",
    "child_safety": "बाल सुरक्षा",
    "land": "भूमि विवाद",
    "dispute": "विवाद",
    "police_conduct": "पुलिस आचरण",
    "traffic": "यातायात",
    "other": "अन्य",
}


def complaint_html(session: Session, settings, complaint: Complaint, *, report: bool = False):
    stamp = Stamp.of(latest_event(session, "complaint", complaint.id))
    url = settings.verify_url(complaint.number)
    token = visit_token_for(settings.key, complaint.number)
    return render_html(
        "complaint.html",
        complaint=complaint,
        office=complaint.office,
        district=complaint.district,
        category_hi=CATEGORY_HI.get(complaint.category, complaint.category),
        verify_url=url,
        qr=Markup(qr_svg(url, scale=3, title=complaint.number)),  # noqa: S704 - segno's own SVG
        visit_token=token,
        feedback_url=settings.feedback_url(complaint.office.code, token),
        report=report,
        stamp=stamp,
        printed_at=utcnow(),
    )


def acknowledgement_pdf(session: Session, settings, complaint: Complaint) -> bytes:
    return html_to_pdf(complaint_html(session, settings, complaint), LockedFetcher())


def action_report_pdf(session: Session, settings, complaint: Complaint) -> bytes:
    return html_to_pdf(complaint_html(session, settings, complaint, report=True), LockedFetcher())


def pdf_name(complaint: Complaint, what: str) -> str:
    return f"{what}-{complaint.number.replace('/', '-')}.pdf"
