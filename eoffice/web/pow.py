"""The web side of the proof-of-work (eoffice.core.pow): the challenge endpoint, the hidden field
of the public forms, and the per-address limit of the anonymous forms, which counts by a keyed
hash of the address with a key that changes every day, so no table, log or file holds it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask import Blueprint, current_app, jsonify
from flask_limiter.util import get_remote_address

from eoffice.core import citizen, pow
from eoffice.web.access import public
from eoffice.web.api import spec
from eoffice.web.extensions import limiter

bp = Blueprint("pow_api", __name__, url_prefix="/api/v1")


def anonymous_key() -> str:
    """The counter of the anonymous forms: today's keyed hash of the address, never the address."""
    day = dt.datetime.now(dt.UTC).date().isoformat()
    key = citizen.day_key(current_app.config["CITIZEN_KEY"], day)
    return "anon:" + hmac.new(key, get_remote_address().encode(), hashlib.sha256).hexdigest()[:32]


def anonymous_limit(view):
    """Anonymous public routes (tips, their attachments and messages, the challenge itself):
    EOFFICE_PUBLIC_RATE_LIMIT per address, counted under `anonymous_key` (429 beyond)."""
    return limiter.shared_limit(
        lambda: current_app.config["PUBLIC_RATE_LIMIT"], scope="anonymous", key_func=anonymous_key
    )(view)


@bp.get("/public/challenge")
@spec.validate(tags=["public"])
@public
@anonymous_limit
def challenge():
    """A proof-of-work challenge (ALTCHA v1) for the anonymous forms: find the number whose
    SHA-256 with the salt is the challenge, and send the base64 payload as `altcha`."""
    return jsonify(pow.new_challenge(current_app.config))


def form_token() -> str:
    """The hidden field's value on a page served to a browser that may run no JavaScript."""
    return pow.form_token(current_app.config)
