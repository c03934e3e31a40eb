"""Decide a file's type from its bytes, never from its name or the type the browser declared.

An allowlist of exact signatures: PDF, JPEG, PNG, TIFF, DOCX and ODT (zip packages whose
manifest says so) and plain UTF-8 text that is not markup. Anything else is refused.
"""

from __future__ import annotations

import io
import zipfile

PDF, JPEG, PNG, TIFF = "application/pdf", "image/jpeg", "image/png", "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain; charset=utf-8"
_MARKUP = (b"<html", b"<!doctype", b"<svg", b"<?xml", b"<script", b"<body", b"<head", b"<iframe")


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
                return DOCX
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # markup after any amount of leading space is still markup (a browser skips the space)
    head = text.lstrip("\ufeff \t\r\n\f\v\u00a0").lstrip()[:2048].lower().encode()
    if any(marker in head for marker in _MARKUP):
        return False
    # control characters other than tab/newline/carriage return/form feed mean binary
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text[:65536])


def sniff(data: bytes) -> str | None:
    """The content type of `data` if it is one we accept, else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data and _is_plain_text(data):
        return TEXT
    return None


# The extensions a stored file may carry, by the type its bytes showed: a download is saved
# under its name, so "report.hta" that is really text is offered as "report.txt".
EXTENSIONS = {
    PDF: ("pdf",),
    JPEG: ("jpg", "jpeg"),
    PNG: ("png",),
    TIFF: ("tif", "tiff"),
    DOCX: ("docx",),
    ODT: ("odt",),
    TEXT: ("txt", "text", "csv"),
}


def name_for(name: str, content_type: str) -> str:
    """`name` with an extension that matches `content_type` (replacing one that does not)."""
    allowed = EXTENSIONS.get(content_type)
    if not allowed:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext.lower() in allowed:
        return name
    return f"{stem if dot and stem else name}.{allowed[0]}"
