"""Desks as the record modules meet them: which desk a user acts from, the desk a record is sent
to, and whether it may go there. One rule for the pages and the API alike."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.auth.models import User
from eoffice.core.errors import Forbidden, Invalid
from eoffice.org.models import Desk, DeskHolding

REFUSE, FIRST, NONE = "refuse", "first", "none"


def holdings_loader():
    """How a login loads its user's desks along with it (the hook `user.desks_loader`, asked
    by eoffice.auth.service): every request asks `current_desks()` and the acting desk's
    office next, so they come in the login's own statement, not in three more."""
    return joinedload(User.holdings).joinedload(DeskHolding.desk).joinedload(Desk.office)


def acting_desk(user, code: str | None = None, *, holder_id=None, unsure: str = REFUSE):
    """The desk `user` acts from:

    1. the desk named (`code`), which they must hold (422 `not_your_desk`);
    2. else their only desk;
    3. else, of several, the one that holds the record acted on (`holder_id`);
    4. else, `unsure` decides: refuse (422 `desk_required`: say which), the first of their
       desks (the pages, until the desk switcher says otherwise), or none (reading only).

    A user who holds no desk acts from none."""
    desks = user.current_desks()
    if code:
        for desk in desks:
            if desk.code == code:
                return desk
        raise Invalid(f"you do not hold desk {code}", field="desk", code="not_your_desk")
    if len(desks) <= 1:
        return desks[0] if desks else None
    if holder_id is not None:
        for desk in desks:
            if desk.id == holder_id:
                return desk
    if unsure == FIRST:
        return desks[0]
    if unsure == NONE:
        return None
    raise Invalid(
        "you hold several desks: say which one in 'desk'", field="desk", code="desk_required"
    )


def read_only(user) -> bool:
    """Auditors and inspecting officers read; they never write (a user who is also a clerk or an
    officer writes as that)."""
    roles = set(user.roles)
    return "auditor" in roles and not roles & {"clerk", "officer"}


def require_desk(desk: Desk | None, user) -> Desk:
    """The desk a write is made from: one the user holds, and a user who may write."""
    if desk is None:
        raise Forbidden("you hold no desk", code="no_desk")
    if read_only(user):
        raise Forbidden("auditors only read: they cannot change files or dak", code="read_only")
    return desk


def is_audit_desk(desk: Desk) -> bool:
    """A desk held only by auditors (an inspection cell): work is never sent there."""
    holders = desk.current_holders()
    return bool(holders) and all(read_only(u) for u in holders)


# with its holders, whom `check_destination` asks next (is it an inspection desk?): one
# statement, built once
_DESK_BY_CODE = (
    sa.select(Desk)
    .where(Desk.code == sa.bindparam("code"))
    .options(joinedload(Desk.holdings).joinedload(DeskHolding.user))
)


def find_desk(session: Session, code: str | None, field: str = "to") -> Desk:
    """The desk a file or a receipt is sent to, by its code (422 when there is none).

    Whether it may go there (in use, not already there) is `check_destination`. A desk that
    nobody holds at present is a fine destination: work sits on desks, not people, and its
    inbox waits for whoever takes charge."""
    code = (code or "").strip()
    if not code:
        raise Invalid(f"{field} is required", field=field)
    desk = session.scalars(_DESK_BY_CODE, {"code": code}).unique().one_or_none()
    if desk is None:
        raise Invalid(f"unknown desk '{code}'", field=field, code="unknown_desk")
    return desk


def check_destination(to: Desk, holder_desk_id: int | None, what: str) -> None:
    """A file or a receipt goes only to another desk that is in use (422 otherwise)."""
    if to.id == holder_desk_id:
        raise Invalid(f"the {what} is already on that desk", field="to", code="same_desk")
    if not to.active:
        raise Invalid(f"desk {to.code} is not in use", field="to", code="desk_inactive")
    if is_audit_desk(to):
        raise Invalid(
            f"desk {to.code} is an inspection desk: auditors read, work is not sent to them",
            field="to",
            code="audit_desk",
        )


def head_desk(session: Session, office) -> Desk | None:
    """The office's head desk: its active desk whose `reports_to` lies outside the office (the
    SHO of a thana, the SP of a district). What escalates to the office reaches it; it stands in
    for a missing duty or routing desk. Of several, the one created first."""
    from sqlalchemy.orm import selectinload

    from eoffice.org.models import DeskHolding

    desks = session.scalars(
        sa.select(Desk)
        .where(Desk.office_id == office.id, Desk.active)
        .options(
            selectinload(Desk.holdings).selectinload(DeskHolding.user),
            selectinload(Desk.reports_to),
        )
        .order_by(Desk.id)
    ).all()
    desks = [d for d in desks if not is_audit_desk(d)]  # work never goes to an inspection cell
    for desk in desks:
        if desk.reports_to is None or desk.reports_to.office_id != office.id:
            return desk
    return desks[0] if desks else None


def routing_desk(session: Session, office) -> Desk | None:
    """Where citizens' items for the office go when no station was chosen."""
    return office.routing_desk or head_desk(session, office)


def duty_desk(session: Session, office) -> Desk | None:
    return office.duty_desk or head_desk(session, office)


# a send may skip this many levels of the channel of submission; more needs `urgent` and remarks
MAX_SKIPPED_LEVELS = 4


def levels_up(desk: Desk, to: Desk, limit: int = 64) -> int | None:
    """How many steps up the channel of submission (`reports_to`) `to` stands from `desk`;
    None when `to` is not above it (a send down or across)."""
    node, steps, seen = desk.reports_to, 1, {desk.id}
    while node is not None and steps <= limit and node.id not in seen:
        if node.id == to.id:
            return steps
        seen.add(node.id)
        node, steps = node.reports_to, steps + 1
    return None


def check_channel(desk: Desk, to: Desk, urgent: bool, remarks: str | None) -> None:
    """A send up the channel that skips more than MAX_SKIPPED_LEVELS levels needs `urgent` and
    remarks giving the reason (422 `too_many_levels`)."""
    steps = levels_up(desk, to)
    if steps is None or steps - 1 <= MAX_SKIPPED_LEVELS:
        return
    if urgent and (remarks or "").strip():
        return
    raise Invalid(
        f"{to.code} is {steps - 1} levels above the next one in the channel of submission "
        f"(at most {MAX_SKIPPED_LEVELS} may be skipped); send it urgent, with remarks saying why",
        field="to",
        code="too_many_levels",
    )
