"""The feedback poster of a station or office: A4, Hindi and English, its name and a large QR
of its feedback form (segno, as vectors: sharp at any print size)."""

from __future__ import annotations

import segno
from markupsafe import Markup

from eoffice.core.qr import qr_svg
from eoffice.org.models import Office
from eoffice.pdf.fetcher import LockedFetcher
from eoffice.pdf.render import html_to_pdf, render_html

# the QR's side on the page, in CSS pixels (1/96 inch): about 13 cm
QR_SIDE_PX = 490


def poster_html(office: Office, url: str) -> str:
    modules = segno.make(url, error="m", micro=False).symbol_size(scale=1)[0]
    scale = max(4, QR_SIDE_PX // modules)
    qr = Markup(qr_svg(url, scale=scale, title=url))  # noqa: S704 - segno's own SVG
    return render_html("feedback_poster.html", office=office, url=url, qr=qr)


def poster_pdf(office: Office, url: str) -> bytes:
    return html_to_pdf(poster_html(office, url), LockedFetcher())


def poster_name(office: Office) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in office.code)
    return f"feedback-poster-{safe}.pdf"
