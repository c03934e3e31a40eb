"""The permission check every request passes, before its view runs: deny by default, then ask
`can()` for the action the route declares."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from eoffice.auth.permissions import can
from eoffice.core.errors import Forbidden, Unauthorized
from eoffice.web.access import PUBLIC, declared_action


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
