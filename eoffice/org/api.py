"""JSON: the organisation, read-only (edits go through `eoffice org load` and the admin pages)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from sqlalchemy.orm import selectinload

from eoffice.org.models import Desk, DeskHolding, Office
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import spec
from eoffice.web.session import get_session

bp = Blueprint("org_api", __name__, url_prefix="/api/v1")


@bp.get("/offices")
@requires(LOGGED_IN)
@spec.validate(tags=["organisation"])
def offices():
    """Every office with its parent and sections."""
    rows = get_session().scalars(
        sa.select(Office)
        .options(selectinload(Office.sections), selectinload(Office.parent))
        .order_by(Office.code)
    )
    return jsonify(
        {
            "items": [
                {
                    "code": o.code,
                    "name": o.name,
                    "name_hi": o.name_hi,
                    "kind": o.kind,
                    "parent": o.parent.code if o.parent else None,
                    "sections": [
                        {"code": s.code, "name": s.name, "name_hi": s.name_hi} for s in o.sections
                    ],
                }
                for o in rows
            ]
        }
    )


@bp.get("/desks")
@requires(LOGGED_IN)
@spec.validate(tags=["organisation"])
def desks():
    """Active desks. `q`: those whose code, title or office (code or name, in Hindi or
    English) holds it, at most 50 (what a send form searches); without `q`, every one."""
    q = (request.args.get("q") or "").strip()
    if q:
        from eoffice.org.pages import find_desks

        rows = find_desks(get_session(), q)
    else:
        rows = get_session().scalars(
            sa.select(Desk)
            .where(Desk.active)
            .options(
                selectinload(Desk.office),
                selectinload(Desk.reports_to),
                selectinload(Desk.holdings).selectinload(DeskHolding.user),
            )
            .order_by(Desk.code)
        )
    return jsonify(
        {
            "items": [
                {
                    "code": d.code,
                    "title": d.title,
                    "title_hi": d.title_hi,
                    "office": d.office.code,
                    "reports_to": d.reports_to.code if d.reports_to else None,
                    "holders": [u.username for u in d.current_holders()],
                }
                for d in rows
            ]
        }
    )
