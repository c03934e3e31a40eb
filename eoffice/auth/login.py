"""Flask-Login wiring.

The browser cookie holds a random session key whose hash is a `user_sessions` row: logout deletes
the row, so a copied old cookie stops working, and so does every cookie of a disabled user.
The JSON API ignores cookies (no CSRF there) and takes only Bearer tokens.
"""

from __future__ import annotations

from flask import g, request
from flask_login import LoginManager

from eoffice.auth import service
from eoffice.web.session import get_session

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


# --- limits on password guessing --------------------------------------------------------------
# The login form and POST /api/v1/token share them, per address and per username; only failed
# attempts (401) count.


def _limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def _username_key() -> str:
    name = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return "user:" + (name if isinstance(name, str) else "").strip().lower()[:80]


def _failed(response) -> bool:
    return response.status_code == 401


def login_limits(view):
    from eoffice.web.extensions import limiter

    by_address = limiter.shared_limit(
        _limit, scope="login-address", deduct_when=_failed, methods=["POST"]
    )
    by_user = limiter.shared_limit(
        _limit, scope="login-user", key_func=_username_key, deduct_when=_failed, methods=["POST"]
    )
    return by_address(by_user(view))
