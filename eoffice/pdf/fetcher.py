"""The only way WeasyPrint may reach anything: our static files and objects we name.

WeasyPrint's own fetcher opens `file:`, `http(s):`, `ftp:` and `data:` URLs. A note that slipped
through as markup could then read /etc/passwd into a PDF or call out to another host. This one
knows two kinds of URL and refuses everything else:

- `eoffice:static/<path>`: a file under the app's static folder, read from disk (no network);
- `eoffice:object/<sha256>`: a stored object, fetched through the object store, and only when
  the render was given that hash (the objects of the file being printed).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

from eoffice.storage.models import object_key

STATIC_PREFIX = "eoffice:static/"
OBJECT_PREFIX = "eoffice:object/"
STATIC_TYPES = {".css", ".png", ".jpg", ".jpeg", ".svg", ".woff", ".woff2", ".ttf", ".otf"}
SHA256 = re.compile(r"[0-9a-f]{64}")
STATIC_ROOT = Path(__file__).resolve().parent.parent.parent / "static"


class Refused(ValueError):
    """A URL the PDF may not load."""


class LockedFetcher(URLFetcher):
    def __init__(self, static_root: Path = STATIC_ROOT, store=None, objects=()):
        super().__init__(timeout=5, allowed_protocols=("eoffice",), allow_redirects=False)
        self.static_root = Path(static_root).resolve()
        self.store = store
        self.objects = {o: ct for o, ct in dict(objects).items() if SHA256.fullmatch(o)}
        self.asked: list[str] = []  # every URL WeasyPrint asked for, refused or not
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        try:
            if url.startswith(STATIC_PREFIX):
                return self._static(url.removeprefix(STATIC_PREFIX))
            if url.startswith(OBJECT_PREFIX):
                return self._object(url.removeprefix(OBJECT_PREFIX))
            raise Refused(f"refused: {url[:200]}")
        except Refused:
            self.refused.append(url)
            raise

    def _static(self, rel: str) -> URLFetcherResponse:
        rel = rel.split("?", 1)[0].split("#", 1)[0]
        path = (self.static_root / rel).resolve()
        if (
            not path.is_relative_to(self.static_root)
            or path.suffix.lower() not in STATIC_TYPES
            or not path.is_file()
        ):
            raise Refused(f"no such static file: {rel[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type == "text/css":
            content_type += "; charset=utf-8"  # the page-number rule is in Hindi
        headers = {"Content-Type": content_type}
        return URLFetcherResponse(STATIC_PREFIX + rel, path.read_bytes(), headers)

    def _object(self, digest: str) -> URLFetcherResponse:
        if self.store is None or digest not in self.objects:
            raise Refused(f"object not part of this document: {digest[:80]}")
        data = self.store.get(object_key(digest))
        headers = {"Content-Type": self.objects[digest]}
        return URLFetcherResponse(OBJECT_PREFIX + digest, data, headers)
