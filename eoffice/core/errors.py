"""Domain errors. Services and model rules raise these; the web layer (eoffice.web.errors) maps
each to an HTTP answer by its `status` and `code`, the command line to a message and exit code."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Invalid(DomainError):
    status = 422
    code = "invalid"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Hidden(NotFound):
    """A record that exists but the user may not see: answered exactly as a missing one, and
    logged as a refused attempt."""

    def __init__(self, message: str, obj_type: str, obj_id, **kwargs):
        super().__init__(message, **kwargs)
        self.obj_type = obj_type
        self.obj_id = obj_id


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


class ObjectMissing(Unavailable):
    """A row points at an object the store does not have (`eoffice storage check` lists them)."""

    code = "object_missing"


def stale_version(what: str = "this") -> Conflict:
    """Two writers changed the same thing at once: the loser is told, nothing half-written."""
    return Conflict(
        f"someone else changed {what} at the same moment; reload it and try again",
        code="stale_version",
    )
