"""Desks on the pages: the desk the browser acts from (the desk switcher's choice) and the list
of desks a record may be sent to."""

from __future__ import annotations

import sqlalchemy as sa
from flask import session as browser
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from eoffice.org.desks import FIRST, acting_desk, is_audit_desk
from eoffice.org.forms import choices
from eoffice.org.models import Desk, DeskHolding
from eoffice.web.api import request_desk_code


def web_desk():
    """The desk the logged-in user acts from in the browser: the one chosen with the switcher
    while they still hold it, else their first desk."""
    if not current_user.is_authenticated:
        return None
    chosen = browser.get("desk")
    held = {d.code for d in current_user.current_desks()}
    return acting_desk(current_user, chosen if chosen in held else None, unsure=FIRST)


def desk_choices(session: Session, exclude: Desk | None) -> list:
    """Active desks a file or receipt can be sent to: every desk but the acting one and the
    inspection desks."""
    locale = str(get_locale())
    desks = session.scalars(
        sa.select(Desk)
        .where(Desk.active)
        .options(
            selectinload(Desk.office), selectinload(Desk.holdings).selectinload(DeskHolding.user)
        )
        .order_by(Desk.code)
    )
    return choices(
        [("", "—")]
        + [
            (d.code, f"{d.code} — {d.display_title(locale)} ({d.office.display_name(locale)})")
            for d in desks
            if (exclude is None or d.id != exclude.id) and not is_audit_desk(d)
        ]
    )


def api_desk(user, *, holder_id=None, unsure: str = "refuse"):
    """The desk a JSON call acts from: `desk` in the body or query (needed with several desks;
    see `acting_desk` for the whole rule)."""
    return acting_desk(user, request_desk_code(), holder_id=holder_id, unsure=unsure)
