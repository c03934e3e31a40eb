"""QR codes (segno), as inline SVG: the same code on a page and in a PDF, with no image file and
nothing fetched."""

from __future__ import annotations

import segno


def qr_svg(text: str, *, scale: int = 4, title: str | None = None) -> str:
    """An <svg> element drawing `text` as a QR code (error correction M, quiet zone kept)."""
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(scale=scale, dark="#000", light="#fff")
    if title:
        from markupsafe import escape

        svg = svg.replace(">", f' role="img" aria-label="{escape(title)}">', 1)
    return svg
