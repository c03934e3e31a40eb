"""What a route needs, declared on it: `@requires("file.create")`, `@requires(LOGGED_IN)` or
`@public`. The one permission check (eoffice.auth.web.enforce) reads the declaration before the
view runs and asks `can()`; a route that declares nothing is refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app

from eoffice.core.kinds import LOGGED_IN, PUBLIC

__all__ = ["LOGGED_IN", "PUBLIC", "declared_action", "public", "requires"]


def requires(action: str) -> Callable:
    """Declare what a view needs; the permission check reads it before the view runs."""

    def deco(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.eoffice_action = action
        return wrapper

    return deco


def public(view: Callable) -> Callable:
    return requires(PUBLIC)(view)


def declared_action(endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    if endpoint in current_app.config.get("PUBLIC_ENDPOINTS", ()):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "eoffice_action", None)
