"""Flask-Login wiring.

The browser cookie holds a random session key whose hash is a `user_sessions` row: logout deletes
the row, so a copied old cookie stops working, and so does every cookie of a disabled user.
The JSON API ignores cookies (no CSRF there) and takes only Bearer tokens.
"""

from __future__ import annotations

from flask import g, request
from flask_login import LoginManager

from eoffice.auth import service
from eoffice.db import get_session

login_manager = LoginManager()
login_manager.session_protection = "basic"


def _is_api() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_from_cookie(key: str):
    if _is_api():
        return None
    user = service.load_session_user(get_session(), key)
    if user is not None:
        g.session_key = key
        user.session_key = key
    return user


@login_manager.request_loader
def _load_from_bearer(req):
    if not _is_api():
        return None
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = service.load_token_user(get_session(), header[7:].strip())
    if user is not None:
        g.api_token = header[7:].strip()
    return user
