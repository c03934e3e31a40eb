"""Input the app refuses before any view sees it, with a clear answer instead of a 500:

- ids in paths are positive integers no larger than an id column holds (2^31 - 1 on
  PostgreSQL, whose `integer` the tables use): anything else is 404, as no such record exists;
- a JSON route takes a JSON body only (415 `unsupported_media_type`), nested at most 32 deep,
  with no lone surrogates or NUL characters in its strings (422);
- no text a page's form sends may hold a NUL character (422)."""

from __future__ import annotations

import json

from flask import current_app, request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from eoffice.core.errors import Invalid

MAX_ID = 2**31 - 1  # the largest id a table's `integer` primary key holds (PostgreSQL)
MAX_DEPTH = 32
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 up to what a database id can be (404 beyond)."""

    def __init__(self, map, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, **kwargs)


def takes_multipart(view):
    """Mark a JSON route that takes a multipart upload instead of a JSON body."""
    view.eoffice_multipart = True
    return view


def _marked(view, name: str) -> bool:
    while view is not None:
        if getattr(view, name, False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def _depth(raw: bytes) -> int:
    """How deeply the JSON text nests, read without parsing it (a parser would recurse)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _bad_text(value, path="") -> str | None:
    """The path of the first string that holds a lone surrogate or a NUL, if any."""
    if isinstance(value, str):
        if "\x00" in value:
            return path or "body"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "body"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text(key, path) or _bad_text(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _bad_text(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def check_request() -> None:
    """before_request hook, ahead of the permission check."""
    if request.endpoint is None:
        return
    for name, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise Invalid("the query holds a character that cannot be stored", field=name)
    if not request.path.startswith("/api/"):
        for name, value in request.form.items(multi=True):
            if "\x00" in value:
                raise Invalid("the form holds a character that cannot be stored", field=name)
        return
    if request.method not in WRITES:
        return
    view = current_app.view_functions.get(request.endpoint)
    if _marked(view, "eoffice_multipart"):
        return
    raw = request.get_data(cache=True)
    if not raw.strip():
        return  # no body: the route says what it needs
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON (Content-Type: application/json)")
    if _depth(raw) > MAX_DEPTH:
        raise Invalid(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return  # Flask answers malformed JSON with its own 400
    field = _bad_text(body)
    if field:
        raise Invalid("a string holds a NUL character or a lone surrogate", field=field)
