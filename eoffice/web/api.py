"""The JSON API's shared parts: the OpenAPI generator (spectree + pydantic) and its error shape."""

from __future__ import annotations

import json
from typing import Annotated

from flask import Blueprint, g, jsonify, request
from pydantic import Field
from spectree import SpecTree

from eoffice.core.errors import Invalid
from eoffice.web.access import PUBLIC
from eoffice.web.errors import error_body

MAX_PAGE = 1_000_000
# what a database id (an `integer` primary key) or a version number can be: JSON bodies say
# so, and get 422 otherwise
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Version = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _before(req, resp, req_validation_error, instance, *args):
    if req_validation_error is None:
        return
    errors = req_validation_error.errors()
    first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
    field = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__") or None
    message = f"{field}: {first['msg']}" if field else first["msg"]
    resp.set_data(json.dumps(error_body("invalid", message, field), ensure_ascii=False))
    resp.mimetype = "application/json"


spec = SpecTree(
    "flask",
    title="eoffice API",
    version="v1",
    path="api/v1/docs",
    page_templates={},
    before=_before,
    validation_error_status=422,
    annotations=True,
    mode="strict",  # only the JSON routes, not the HTML pages
)


def request_desk_code() -> str | None:
    """The `desk` a write names, from the JSON body or the query string."""
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and isinstance(body.get("desk"), str):
        return body["desk"]
    return request.args.get("desk") or request.form.get("desk")


def api_token() -> str | None:
    return g.get("api_token")


bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document spectree generates from the routes and their pydantic models."""
    return jsonify(spec.spec)


openapi_document.eoffice_action = PUBLIC


def iso(value):
    return value.isoformat() if value is not None else None


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 25))
    except ValueError as exc:
        raise Invalid("page and per_page must be whole numbers", field="page") from exc
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 200:
        raise Invalid(
            f"page must be between 1 and {MAX_PAGE}, per_page between 1 and 200", field="page"
        )
    return page, per_page
