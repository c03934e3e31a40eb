"""Text out of attachments for the index: PDF (its text layer), DOCX, ODT and plain text.

Scans (pictures, PDFs without text) get their text from OCR in a job (eoffice.storage.ocr),
which replaces what this found; until then they are found by their name. Extraction is
bounded (pages, characters, zip member size) so a hostile upload cannot stall the indexer."""

from __future__ import annotations

import io
import logging
import zipfile
from xml.etree import ElementTree

from eoffice.storage import sniff

log = logging.getLogger(__name__)

MAX_CHARS = 1_000_000
MAX_PDF_PAGES = 300
MAX_XML_BYTES = 20 * 1024 * 1024


def extract_text(data: bytes, content_type: str) -> str:
    try:
        if content_type == sniff.PDF:
            text = _pdf(data)
        elif content_type == sniff.DOCX:
            text = _xml_text(data, "word/document.xml", paragraph="p")
        elif content_type == sniff.ODT:
            text = _xml_text(data, "content.xml", paragraph="p")
        elif content_type.startswith("text/plain"):
            text = data.decode("utf-8", errors="replace")
        else:
            return ""
    except Exception as exc:  # a damaged document is indexed by its name only
        log.warning("no text from a %s attachment: %s", content_type, exc)
        return ""
    return text[:MAX_CHARS]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = []
    for page in reader.pages[:MAX_PDF_PAGES]:
        parts.append(page.extract_text() or "")
        if sum(map(len, parts)) > MAX_CHARS:
            break
    return "\n".join(parts)


def _xml_text(data: bytes, member: str, paragraph: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
        if info.file_size > MAX_XML_BYTES:
            raise ValueError(f"{member} is too large")
        xml = zf.read(member)
    # expat does not fetch external entities and limits entity expansion
    root = ElementTree.fromstring(xml)  # noqa: S314
    lines, current = [], []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == paragraph and current:
            lines.append("".join(current))
            current = []
        if el.text and tag in ("t", "p", "span", "h", "a"):
            current.append(el.text)
        if el.tail and tag in ("span", "a", "s", "tab"):
            current.append(el.tail)
    if current:
        lines.append("".join(current))
    return "\n".join(lines)
