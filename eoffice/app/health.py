"""GET /healthz: 200 once the database, object store and index are reachable."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from eoffice.core.errors import Unavailable
from eoffice.web.access import public
from eoffice.web.session import get_session, get_store

bp = Blueprint("health", __name__)


def check_components() -> dict[str, bool]:
    status = {}
    try:
        get_session().execute(sa.select(1))
        status["database"] = True
    except sa.exc.SQLAlchemyError:
        status["database"] = False
    try:
        status["object_store"] = get_store().ping()
    except Unavailable:
        status["object_store"] = False
    index_dir = current_app.config["INDEX_DIR"]
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        status["index"] = os.access(index_dir, os.R_OK | os.W_OK)
    except OSError:
        status["index"] = False
    return status


@bp.get("/healthz")
@public
def healthz():
    status = check_components()
    ok = all(status.values())
    return jsonify({"ok": ok, "components": status}), 200 if ok else 503
