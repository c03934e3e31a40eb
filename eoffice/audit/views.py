"""The audit log page: newest first, filterable, paginated."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from eoffice.audit import service
from eoffice.audit.models import AuditEvent
from eoffice.auth.permissions import requires
from eoffice.db import get_session

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@requires("audit.view")
def events():
    session = get_session()
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq.desc())
    action = request.args.get("action", "").strip()
    who = request.args.get("user", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if who:
        stmt = stmt.where(AuditEvent.username == who)
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    pager = {"page": page, "pages": max(1, -(-total // PAGE_SIZE)), "total": total}
    return render_template(
        "audit/events.html", events=rows, page_info=pager, action=action, who=who
    )


@bp.post("/verify")
@requires("audit.verify")
def verify():
    result = service.verify(get_session())
    return render_template("audit/verify.html", result=result)
