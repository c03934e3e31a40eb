"""The one permission function. Every route, HTML or JSON, declares the action it needs and the
request hook in `enforce` asks `can()` before the view runs; loaders ask it again per object."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, request
from flask_login import current_user

from eoffice.errors import Forbidden, Unauthorized

PUBLIC = "public"
LOGGED_IN = "logged_in"

# action -> roles that may do it (object-free actions)
ROLE_ACTIONS: dict[str, set[str]] = {
    "file.create": {"clerk", "officer"},
    "receipt.create": {"clerk", "officer"},
    "file.close": {"officer"},
    "draft.approve": {"officer"},
    "org.view": {"admin", "auditor"},
    "org.edit": {"admin"},
    "audit.verify": {"admin", "auditor"},
    "audit.view": {"admin", "auditor"},
}


def can(user, action: str, obj=None) -> bool:
    """May `user` do `action` (on `obj`)? The single place where access is decided."""
    if action == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action == LOGGED_IN:
        return True
    if action in ("file.view", "receipt.view"):
        from sqlalchemy.orm import object_session

        from eoffice.files import access

        check = access.can_view_file if action == "file.view" else access.can_view_receipt
        return obj is not None and check(object_session(obj), user, obj)
    if action == "desk.act":
        # acting at a desk needs a current charge of it
        return obj is not None and any(d.id == obj.id for d in user.current_desks())
    roles = ROLE_ACTIONS.get(action)
    if roles is None:
        raise LookupError(f"unknown action {action!r}")
    return bool(roles & set(user.roles))


def requires(action: str) -> Callable:
    """Declare what a view needs; `enforce` checks it before the view runs."""

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


def enforce() -> None:
    """before_request hook: deny by default, then ask can()."""
    if request.endpoint is None:  # 404 / 405 are answered by the router
        return
    action = declared_action(request.endpoint)
    if action is None:
        raise Forbidden(f"route {request.endpoint} declares no permission")
    if action == PUBLIC:
        return
    if not current_user.is_authenticated:
        raise Unauthorized("login required")
    if not can(current_user, action):
        raise Forbidden("you may not do this")
