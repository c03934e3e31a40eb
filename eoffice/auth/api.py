"""JSON: tokens and the caller's own profile."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, Field

from eoffice.auth import service
from eoffice.auth.login import login_limits
from eoffice.core.errors import Invalid, Unauthorized
from eoffice.web.access import LOGGED_IN, public, requires
from eoffice.web.api import api_token, iso, spec
from eoffice.web.session import finish, get_session

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)
    label: str | None = Field(default=None, max_length=100)


class UserOut(BaseModel):
    username: str
    name: str
    roles: list[str]
    desks: list[str]


def user_json(user) -> dict:
    return {
        "username": user.username,
        "name": user.name,
        "roles": user.roles,
        "desks": [d.code for d in user.current_desks()],
    }


@bp.post("/token")
@public
@login_limits
@spec.validate(json=TokenRequest, tags=["auth"])
def create_token(json: TokenRequest):
    """Exchange a username and password for a Bearer token."""
    db = get_session()
    try:
        user = service.authenticate(db, json.username.strip(), json.password, request.remote_addr)
    except Unauthorized:
        finish()  # the refused attempt stays in the audit log
        raise
    token = service.issue_token(db, user, json.label, days=current_app.config["TOKEN_DAYS"])
    return jsonify({"token": token, "user": user_json(user)}), 200


@bp.delete("/token")
@requires(LOGGED_IN)
@spec.validate(tags=["auth"])
def revoke_token():
    """Revoke the Bearer token this request carries."""
    from flask_login import current_user

    token = api_token()
    if not token:
        raise Invalid("no Bearer token in this request")
    service.revoke_token(get_session(), current_user, token)
    return "", 204


@bp.get("/me")
@requires(LOGGED_IN)
@spec.validate(tags=["auth"])
def me():
    """Who the token belongs to, with roles and current desks."""
    from flask_login import current_user

    return jsonify(user_json(current_user))


def token_json(t) -> dict:
    return {
        "id": t.id,
        "label": t.label,
        "created_at": iso(t.created_at),
        "expires_at": iso(t.expires_at),
        "last_used_at": iso(t.last_used_at),
    }


@bp.get("/tokens")
@requires(LOGGED_IN)
@spec.validate(tags=["auth"])
def tokens():
    """Your API tokens still in force (never the tokens themselves), to revoke any of them."""
    from flask_login import current_user

    return jsonify(
        {"items": [token_json(t) for t in service.tokens_of(get_session(), current_user)]}
    )


@bp.delete("/tokens/<int:token_id>")
@requires(LOGGED_IN)
@spec.validate(tags=["auth"])
def revoke(token_id: int):
    """Revoke one of your tokens by its id."""
    from flask_login import current_user

    service.revoke_token_id(get_session(), current_user, token_id)
    return "", 204
