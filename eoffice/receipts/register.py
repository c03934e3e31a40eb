"""The dak register of an office as JSON rows, CSV (UTF-8 with a BOM, so spreadsheet programs
read the Hindi) and PDF (the locked-down renderer, bilingual labels)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Response, request

from eoffice.core.errors import Invalid, TooLarge
from eoffice.web.api import iso
from eoffice.web.downloads import content_disposition, pdf_response

PDF_ROWS = 3000  # a printed register past this is a book: take a shorter range or the CSV
COLUMNS = (
    ("number", "आवती संख्या / Number"),
    ("received_on", "प्राप्ति / Received"),
    ("mode", "माध्यम / Mode"),
    ("sender", "प्रेषक / Sender"),
    ("letter", "पत्र संख्या / Letter no."),
    ("subject", "विषय / Subject"),
    ("now", "वर्तमान स्थिति / Where now"),
)


def date_arg(name: str) -> dt.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD)", field=name) from None
    if day.year < 1900:
        raise Invalid(f"{name} is before 1900", field=name, code="too_early")
    return day


def where_now(r) -> str:
    if r.status == "filed":
        return f"file {r.file_id}" if r.file_id else "filed"
    if r.status == "closed":
        return "closed"
    return r.holder_code or "—"


def row_json(r) -> dict:
    return {
        "id": r.id,
        "number": r.number,
        "received_on": iso(r.received_on),
        "mode": r.mode,
        "sender": r.sender_name,
        "sender_organisation": r.sender_organisation,
        "letter_number": r.letter_number,
        "subject": r.subject,
        "status": r.status,
        "holder": r.holder_code,
        "file_id": r.file_id,
        "security": r.security,
    }


def register_cells(rows):
    """The register's cells, row by row, from plain rows in the order of service.register's
    columns (by position: a district's year is tens of thousands of rows). The CSV and the PDF
    print these."""
    for (
        _id,
        number,
        received_on,
        mode,
        name,
        org,
        letter,
        subject,
        status,
        file_id,
        _s,
        holder,
    ) in rows:
        if status == "filed":
            now = f"file {file_id}" if file_id else "filed"
        elif status == "closed":
            now = "closed"
        else:
            now = holder or "—"
        yield [
            number,
            received_on.isoformat(),
            mode,
            f"{name}, {org}" if org else name,
            letter or "",
            subject,
            now,
        ]


def _name(office, start, end, ext: str) -> str:
    return f"dak-register-{office.code}-{start.isoformat()}-{end.isoformat()}.{ext}"


def csv_response(office, start, end, rows) -> Response:
    """The whole register as CSV (UTF-8 with a BOM: spreadsheet programs then read Hindi)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([label for _k, label in COLUMNS])
    writer.writerows(register_cells(rows))
    return Response(
        out.getvalue().encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(_name(office, start, end, "csv"))},
    )


def printable(session, stmt) -> list:
    """The rows of a printed register: refused (413) past PDF_ROWS, before any is laid out."""
    rows = session.execute(stmt.limit(PDF_ROWS + 1)).all()
    if len(rows) > PDF_ROWS:
        raise TooLarge(
            f"more than the {PDF_ROWS} receipts one printed register takes; "
            "choose a shorter range, or download the CSV",
            code="too_long_to_print",
        )
    return rows


def pdf_bytes(session, office, start, end, rows) -> bytes:
    from eoffice.pdf.fetcher import LockedFetcher
    from eoffice.pdf.render import html_to_pdf, render_html

    if len(rows) > PDF_ROWS:
        raise TooLarge(
            f"{len(rows)} receipts are more than the {PDF_ROWS} one printed register takes; "
            "choose a shorter range, or download the CSV",
            code="too_long_to_print",
        )
    html = render_html(
        "register.html",
        office=office,
        start=start,
        end=end,
        columns=COLUMNS,
        rows=list(register_cells(rows)),
        stamp=_no_stamp(),
    )
    return html_to_pdf(html, LockedFetcher())


def _no_stamp():
    from eoffice.audit.stamps import Stamp

    return Stamp.of(None)


def pdf_response_for(session, office, start, end, rows) -> Response:
    return pdf_response(
        pdf_bytes(session, office, start, end, rows), _name(office, start, end, "pdf")
    )
