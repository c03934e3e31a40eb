"""Extensions created once and bound in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
# Only the routes that ask for a limit get one; counters live in the database (auth/ratelimit.py,
# whose storage scheme the app registers before binding the limiter).
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="eoffice+sql://")


def _user_key() -> str:
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "address:" + get_remote_address()


def pdf_limits(view):
    """Making a PDF costs seconds of a server's time: so many per user a minute (429 beyond)."""
    from flask import current_app

    return limiter.limit(
        lambda: current_app.config["PDF_RATE_LIMIT"], key_func=_user_key, scope="pdf"
    )(view)


def public_limits(view):
    """Public routes (no account): so many requests per client address (EOFFICE_PUBLIC_RATE_LIMIT,
    429 beyond), one counter for every public route."""
    from flask import current_app

    return limiter.shared_limit(lambda: current_app.config["PUBLIC_RATE_LIMIT"], scope="public")(
        view
    )
