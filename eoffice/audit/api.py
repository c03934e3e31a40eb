from __future__ import annotations

from flask import Blueprint, jsonify

from eoffice.audit import service
from eoffice.web.access import requires
from eoffice.web.api import spec
from eoffice.web.session import get_session

bp = Blueprint("audit_api", __name__, url_prefix="/api/v1")


@bp.get("/audit/verify")
@requires("audit.verify")
@spec.validate(tags=["audit"])
def verify():
    """Recompute the hash chain of the audit log and name the first bad event."""
    return jsonify(service.verify(get_session()).as_dict())
