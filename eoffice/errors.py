"""Domain exceptions and their one mapping to HTTP answers."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


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


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(code: str, message: str, field: str | None = None) -> dict:
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    return {"error": err}


def json_error(status: int, code: str, message: str, field: str | None = None):
    return jsonify(error_body(code, message, field)), status


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    429: "rate_limited",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        if is_api_request():
            return json_error(exc.status, exc.code, exc.message, exc.field)
        if isinstance(exc, Unauthorized):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _concurrent(exc):
        # two requests changed the same thing at once; the loser is told, nothing half-written
        from eoffice.db import get_session

        get_session().rollback()
        return _domain(
            Conflict(
                "someone else changed this at the same moment; reload and try again",
                code="stale_version",
            )
        )

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if is_api_request():
            return json_error(400, "csrf", exc.description)
        flash(_("Your form expired or was sent from elsewhere. Please try again."), "error")
        return render_template("error.html", status=400, message=exc.description), 400

    @app.errorhandler(429)
    def _rate_limited(exc):
        message = _("Too many attempts. Please wait a minute and try again.")
        if is_api_request():
            return json_error(429, "rate_limited", message)
        if request.endpoint == "auth.login":
            flash(message, "error")
            return redirect(url_for("auth.login")), 303
        return render_template("error.html", status=429, message=message), 429

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        if is_api_request():
            return json_error(status, _HTTP_CODES.get(status, "error"), exc.description or "")
        return render_template("error.html", status=status, message=exc.description), status
