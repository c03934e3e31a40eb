"""Helpers every module's pages share: the page number, whole numbers from forms, and a refused
action shown next to the field it names, in the page's language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, request

from eoffice.core.errors import DomainError
from eoffice.web.errors import page_message
from eoffice.web.forms import refused

MAX_PAGE = 1_000_000
MAX_ID = 2**31 - 1  # the largest id an `integer` primary key holds (PostgreSQL)


def page_arg() -> int:
    """?page=N from the query string; anything unusable means the first page."""
    try:
        return min(max(1, int(request.args.get("page", 1))), MAX_PAGE)
    except ValueError:
        return 1


def int_or_none(value) -> int | None:
    """A whole number a database id can be (1 up to 2^31 - 1), else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def form_error(form, exc: DomainError, context: str | None = None) -> None:
    """The service's refusal next to the field it names, in the page's language; a refusal that
    names no field of the form is flashed at the top."""
    message = page_message(exc, context)
    refused()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [message]
    else:
        flash(message, "error")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect a user to another host after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
