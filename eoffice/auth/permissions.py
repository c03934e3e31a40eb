"""The one permission function, `can(user, action, obj)`.

Every route, HTML or JSON, declares the action it needs (eoffice.web.access); the request hook
(eoffice.auth.web.enforce) asks `can()` before the view runs, and loaders ask it again per
object. What an action means comes from the registry: `<kind>.view` is that kind's own rule for
one record; object-free actions ("file.create") name the roles that may do them."""

from __future__ import annotations

from sqlalchemy.orm import object_session

from eoffice.core import kinds
from eoffice.core.kinds import LOGGED_IN, PUBLIC


def can(user, action: str, obj=None) -> bool:
    """May `user` do `action` (on `obj`)? The single place where access is decided."""
    if action == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if action == LOGGED_IN:
        return True
    name, _, verb = action.rpartition(".")
    if verb == "view" and (kind := kinds.find(name)) is not None:
        return obj is not None and kind.can_view(object_session(obj), user, obj)
    if action == "desk.act":
        # acting at a desk needs a current charge of it
        return obj is not None and any(d.id == obj.id for d in user.current_desks())
    roles = kinds.roles_for(action)
    if roles is None:
        raise LookupError(f"unknown action {action!r}")
    return bool(roles & set(user.roles))
