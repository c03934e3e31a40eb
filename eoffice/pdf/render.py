"""HTML to PDF in one place: the templates under templates/pdf/, escaping and sanitising of user
text, and WeasyPrint with the locked-down fetcher.

The templates are rendered by a Jinja environment of their own (autoescape on), not Flask's: a
PDF is made inside a request, by `eoffice demo`, and by the bench alike. Labels are printed in
Hindi and English side by side, so the PDF does not depend on the reader's language setting.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import nh3
from markupsafe import Markup, escape

from eoffice.core.errors import TooLarge, Unavailable
from eoffice.pdf.fetcher import LockedFetcher

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "pdf"
IST = ZoneInfo("Asia/Kolkata")
BASE_URL = "eoffice:static/"

# "see C/5" in a note points at entry 5 of the correspondence list, "#12" at note 12 of the same
# file (not the "#39" of an escaped quote, "&#39;"); a linked file's number at that file
CITATIONS = r"\bC/(?P<page>[0-9]{1,6})\b|(?<![\w&#/])#(?P<note>[0-9]{1,6})\b"
CITATION = re.compile(CITATIONS)
# the only markup that may reach a PDF from user text: what `paragraphs` itself produces
ALLOWED_TAGS = {"p", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class"}}


def sanitise(html: str) -> Markup:
    """Markup built from user text, cleaned with nh3: no scripts, styles, images or URLs out."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(),  # relative links only (#c5)
        link_rel=None,
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 just above


@lru_cache(maxsize=256)
def _citations(numbers: tuple[str, ...]) -> re.Pattern:
    """The citation pattern with these (escaped) file numbers, longest first, as whole words."""
    if not numbers:
        return CITATION
    alternatives = "|".join(re.escape(n) for n in numbers)
    return re.compile(rf"(?<![\w/-])(?P<file>{alternatives})(?![\w/-])|{CITATIONS}")


def link_citations(html: str, files: Mapping[str, str] | None = None) -> str:
    """Citations in escaped user text made links: C/5 to the correspondence entry (#c5), #12 to
    the note (#n12), and the numbers of `files` (number -> address: the linked files the reader
    may see) to those files. One pass, so no link is made inside another."""
    files = {str(escape(number)): str(escape(href)) for number, href in (files or {}).items()}
    pattern = _citations(tuple(sorted(files, key=lambda n: (-len(n), n))))

    def link(m: re.Match) -> str:
        groups = m.groupdict()
        if groups.get("file"):
            return f'<a href="{files[groups["file"]]}" class="cite cite-file">{groups["file"]}</a>'
        if groups["page"]:
            return f'<a href="#c{groups["page"]}" class="cite">C/{groups["page"]}</a>'
        return f'<a href="#n{groups["note"]}" class="cite cite-note">#{groups["note"]}</a>'

    return pattern.sub(link, html)


def paragraphs(
    text: str | None, cite: bool = False, files: Mapping[str, str] | None = None
) -> Markup:
    """Plain user text as paragraphs: escaped first, line breaks kept, and if asked citations
    linked (C/5, #12, and the numbers of `files`: see link_citations)."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    out = []
    for block in blocks:
        if not block:
            continue
        html = str(escape(block))
        if cite:
            html = link_citations(html, files)
        out.append("<p>" + html.replace("\n", "<br>") + "</p>")
    return sanitise("".join(out))


def ist(value, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A time as people in the office read it: Indian Standard Time."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(IST).strftime(fmt) + (" IST" if "%H" in fmt else "")
    return value.strftime(fmt.split(" ")[0])


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["ist"] = ist
    return env


def render_html(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


# Rendering is slow (seconds for a long docket) and holds a web server thread: only this many
# at once in a process, and a request that finds them all busy waits a little, then is told
# to try again (503), so the other pages keep their threads.
RENDER_SLOTS = 2
RENDER_WAIT = 2.0  # seconds
render_slots = threading.BoundedSemaphore(RENDER_SLOTS)
# the user text one PDF may carry: past this a docket takes tens of seconds to lay out
MAX_PRINT_CHARS = 300_000


class RenderBusy(Unavailable):
    code = "pdf_busy"


def check_printable(chars: int, what: str = "this document") -> None:
    if chars > MAX_PRINT_CHARS:
        raise TooLarge(
            f"{what} holds {chars:,} characters of text, more than the {MAX_PRINT_CHARS:,} "
            "one PDF may carry",
            code="too_long_to_print",
        )


def html_to_pdf(html: str, fetcher: LockedFetcher | None = None) -> bytes:
    """WeasyPrint, with nothing reachable but what the fetcher allows, in one of the render
    slots (RenderBusy when none frees up in time)."""
    from weasyprint import HTML

    fetcher = fetcher or LockedFetcher()
    if not render_slots.acquire(timeout=RENDER_WAIT):
        raise RenderBusy("PDFs are being made for others just now; try again in a moment")
    try:
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
            custom_metadata=True  # the eoffice-audit-* <meta> tags become PDF Info entries
        )
    finally:
        render_slots.release()
