"""Answers that are files: a download name any browser takes, and PDFs as downloads."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response


def content_disposition(name: str) -> str:
    """attachment, with an ASCII fallback and the real (Hindi) name in RFC 5987 form."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = "".join(c for c in fallback if c.isalnum() or c in "._- ").strip()
    stem, dot, ext = fallback.rpartition(".")
    if not any(c.isalnum() for c in (stem if dot else fallback)):  # a name in Hindi only
        fallback = f"attachment.{ext}" if dot and ext.isalnum() else "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def pdf_response(data: bytes, name: str) -> Response:
    """A PDF as a download (the app's CSP would stop a browser's inline PDF viewer)."""
    return Response(
        data,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition(name)},
    )


def pdf_name(number: str) -> str:
    """A file or receipt number (11/3/2026-Estt) as a download name."""
    return number.replace("/", "-") + ".pdf"
