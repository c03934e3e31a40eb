"""The audit log page: newest first, filterable, paginated."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user

from eoffice.audit import service
from eoffice.audit.models import AuditEvent
from eoffice.core import kinds
from eoffice.core.pagination import paginate
from eoffice.web.access import requires
from eoffice.web.pages import page_arg
from eoffice.web.session import get_session

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@requires("audit.view")
def events():
    session = get_session()
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq.desc())
    # an auditor reads the events of their jurisdiction (the org module says which those are)
    scope = kinds.hook("audit.scope")
    clause = scope(session, current_user) if scope is not None else sa.false()
    if clause is not None:
        stmt = stmt.where(clause)
    action = request.args.get("action", "").strip()
    who = request.args.get("user", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if who:
        stmt = stmt.where(AuditEvent.username == who)
    page = paginate(session, stmt, page_arg(), PAGE_SIZE)
    return render_template(
        "audit/events.html", events=page.items, page_info=page, action=action, who=who
    )


@bp.post("/verify")
@requires("audit.verify")
def verify():
    result = service.verify(get_session())
    return render_template("audit/verify.html", result=result)
