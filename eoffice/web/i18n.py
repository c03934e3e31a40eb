"""Language choice: this session's, the user's saved choice, the last one made on this device,
then the browser's header."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, request, session
from flask_login import current_user

DEVICE_COOKIE = "eoffice_lang"  # the last language chosen on this device, kept past logout


def select_locale() -> str:
    langs = current_app.config["LANGUAGES"]
    if session.get("lang") in langs:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    if request.cookies.get(DEVICE_COOKIE) in langs:
        return request.cookies[DEVICE_COOKIE]
    if request.path.startswith(("/c/", "/verify/")):
        return "hi"  # the citizens' pages speak Hindi first; English is one tap away
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_on_device(response, lang: str | None):
    """The login page of this device opens in `lang` next time, after a logout too."""
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            DEVICE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def format_indian_number(value) -> str:
    """12,34,567: Indian digit grouping."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    sign, s = ("-" if n < 0 else ""), str(abs(n))
    if len(s) <= 3:
        return sign + s
    head, tail = s[:-3], s[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join(groups + [tail])


def local_time(value, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A stored (UTC) time as the office reads it, in its time zone (EOFFICE_TIME_ZONE)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(office_zone()).strftime(fmt)


def office_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIME_ZONE") or "Asia/Kolkata")


def zone_label() -> str:
    """The zone's short name as the footer says it once (IST)."""
    return dt.datetime.now(office_zone()).tzname() or str(office_zone())
