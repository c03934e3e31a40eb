"""PDFs with WeasyPrint: the file docket, issued letters and receipt acknowledgements.

`render` turns templates/pdf/ into HTML and HTML into PDF with a locked-down URL fetcher
(`fetcher`); `service` builds each document and reads back the audit event a PDF records.
"""

from __future__ import annotations

from flask import Response


def pdf_response(data: bytes, name: str) -> Response:
    """A PDF as a download (the app's CSP would stop a browser's inline PDF viewer)."""
    from eoffice.storage.api import content_disposition

    return Response(
        data,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition(name)},
    )


def pdf_name(number: str) -> str:
    """A file or receipt number (11/3/2026-Estt) as a download name."""
    return number.replace("/", "-") + ".pdf"
