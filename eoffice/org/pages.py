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


CHANNEL_LIMIT = 50


def _label(d: Desk, locale: str) -> str:
    return f"{d.code} — {d.display_title(locale)} ({d.office.display_name(locale)})"


def find_desks(session: Session, q: str, exclude: Desk | None = None, limit: int = CHANNEL_LIMIT):
    """Active desks whose code, title or office (code or name, Hindi or English) holds `q`."""
    from eoffice.org.models import Office

    like = f"%{q.strip()[:60]}%"
    return [
        d
        for d in session.scalars(
            sa.select(Desk)
            .join(Office, Office.id == Desk.office_id)
            .where(
                Desk.active,
                sa.or_(
                    Desk.code.ilike(like),
                    Desk.title.ilike(like),
                    Desk.title_hi.ilike(like),
                    Office.code.ilike(like),
                    Office.name.ilike(like),
                    Office.name_hi.ilike(like),
                ),
            )
            .options(
                selectinload(Desk.office),
                selectinload(Desk.holdings).selectinload(DeskHolding.user),
            )
            .order_by(Desk.code)
            .limit(limit + 1)
        )
        if (exclude is None or d.id != exclude.id) and not is_audit_desk(d)
    ][:limit]


def channel_desks(session: Session, desk: Desk | None) -> list[Desk]:
    """The desks a send form offers first: up the channel of submission (`reports_to`, then the
    levels above it), the desks reporting to this one, then the others of the same office."""
    if desk is None:
        return []
    out: list[Desk] = []
    node, seen = desk.reports_to, {desk.id}
    while node is not None and node.id not in seen and len(out) < 6:
        out.append(node)
        seen.add(node.id)
        node = node.reports_to
    near = session.scalars(
        sa.select(Desk)
        .where(
            Desk.active,
            sa.or_(Desk.reports_to_id == desk.id, Desk.office_id == desk.office_id),
        )
        .options(
            selectinload(Desk.office), selectinload(Desk.holdings).selectinload(DeskHolding.user)
        )
        .order_by(Desk.code)
        .limit(CHANNEL_LIMIT)
    ).all()
    for d in sorted(near, key=lambda d: (d.reports_to_id != desk.id, d.code)):
        if d.id not in seen:
            out.append(d)
            seen.add(d.id)
    return [d for d in out if d.active and not is_audit_desk(d)]


def channel_choices(session: Session, desk: Desk | None, q: str | None = None) -> list:
    """Choices of a send form: the channel of submission first, or the desks a search found;
    never a flat list of every desk."""
    locale = str(get_locale())
    desks = find_desks(session, q, desk) if q and q.strip() else channel_desks(session, desk)
    return choices([("", "—")] + [(d.code, _label(d, locale)) for d in desks])


def api_desk(user, *, holder_id=None, unsure: str = "refuse"):
    """The desk a JSON call acts from: `desk` in the body or query (needed with several desks;
    see `acting_desk` for the whole rule)."""
    return acting_desk(user, request_desk_code(), holder_id=holder_id, unsure=unsure)
