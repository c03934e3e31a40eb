"""The papers of the portal's reports: the lost report's acknowledgement (number, station, the
article, a QR of the verify link, the warning that a false report is an offence, the station's
visit token) and an event's QR poster. Bilingual, from the locked-down renderer."""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy.orm import Session

from eoffice.audit.service import latest_event
from eoffice.audit.stamps import Stamp
from eoffice.core.db import utcnow
from eoffice.core.qr import qr_svg
from eoffice.org.visits import visit_token_for
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html
from eoffice.portal.reports.models import Event, LostReport

ARTICLE_HI = {
    "mobile": "मोबाइल फ़ोन",
    "document": "दस्तावेज़",
    "vehicle_document": "वाहन दस्तावेज़",
    "bag": "बैग",
    "other": "अन्य",
}


def lost_html(session: Session, settings, report: LostReport) -> str:
    url = settings.verify_url(report.number)
    return render_html(
        "lost_report.html",
        report=report,
        office=report.office,
        district=report.district,
        kind_hi=ARTICLE_HI.get(report.kind, report.kind),
        verify_url=url,
        qr=Markup(qr_svg(url, scale=3, title=report.number)),  # noqa: S704 - segno's own SVG
        visit_token=visit_token_for(settings.key, report.number),
        stamp=Stamp.of(latest_event(session, "lost_report", report.id)),
        printed_at=utcnow(),
    )


def lost_pdf(session: Session, settings, report: LostReport) -> bytes:
    return html_to_pdf(lost_html(session, settings, report), LockedFetcher())


def lost_pdf_name(report: LostReport) -> str:
    return f"lost-report-{report.number.replace('/', '-')}.pdf"


def event_url(settings, event: Event) -> str:
    return f"{settings.public_url}/c/event/{event.id}"


def poster_html(session: Session, settings, event: Event) -> str:
    url = event_url(settings, event)
    return render_html(
        "event_poster.html",
        event=event,
        office=event.office,
        url=url,
        qr=Markup(qr_svg(url, scale=8, title=event.title)),  # noqa: S704 - segno's own SVG
        stamp=Stamp.of(latest_event(session, "event", event.id)),
    )


def poster_pdf(session: Session, settings, event: Event) -> bytes:
    return html_to_pdf(poster_html(session, settings, event), LockedFetcher())
