"""Flask-Login wiring.

The browser cookie holds a random session key whose hash is a `user_sessions` row: logout deletes
the row, so a copied old cookie stops working, and so does every cookie of a disabled user.
The JSON API ignores cookies (no CSRF there) and takes only Bearer tokens.
"""

from __future__ import annotations

from functools import wraps

from flask import after_this_request, current_app, g, request
from flask_login import LoginManager
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from eoffice.auth import service
from eoffice.auth.ratelimit import SQLStorage
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
# The login form and POST /api/v1/token share them. Every attempt is counted before the password
# is checked (one atomic upsert per counter), so parallel guesses cannot slip past the limit; an
# attempt that did not fail is given back. Counted per address, and per username *at* an address:
# a stranger's guesses lock only their own address out of an account. Failures for a username
# from everywhere add up too, and past five times the limit an address that has already failed
# for it is refused; one that has not still gets through with the right password.

USER_FACTOR = 5


def _username() -> str:
    name = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    return (name if isinstance(name, str) else "").strip().lower()[:80]


def _storage():
    return SQLStorage(engine=current_app.extensions["eoffice.db"].engine)


def _windows():
    return [(item.amount, item.get_expiry()) for item in parse_many(_limit())]


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_limits(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        store, user, address = _storage(), _username(), request.remote_addr or "-"
        taken: list[tuple[str, int]] = []
        refused = False
        for amount, window in _windows():
            for key in (f"login:addr:{address}:{window}", f"login:pair:{user}:{address}:{window}"):
                count = store.incr(key, window)
                taken.append((key, window))
                refused |= count > amount
            failed_here = store.get(f"login:pair:{user}:{address}:{window}") > 1
            if failed_here and store.get(f"login:user:{user}:{window}") >= amount * USER_FACTOR:
                refused = True
        if refused:
            raise TooManyRequests()

        @after_this_request
        def account(response):
            # after the request's own commit: its write lock is let go by now
            if response.status_code == 401:
                for _amount, window in _windows():
                    store.incr(f"login:user:{user}:{window}", window)
            else:  # not a failed guess: the attempt is given back
                for key, window in taken:
                    store.incr(key, window, amount=-1)
                if response.status_code < 400:
                    for _amount, window in _windows():
                        store.clear(f"login:pair:{user}:{address}:{window}")
            return response

        return view(*args, **kwargs)

    return guarded
