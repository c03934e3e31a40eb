"""Use cases of dak: diarise, send to a desk, close; putting into a file is in files.service.
None commits: the request, command or job around it does."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.core import uow
from eoffice.core.db import office_today, utcnow
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.core.pagination import Page, paginate
from eoffice.org.desks import check_channel, check_destination, find_desk, read_only, require_desk
from eoffice.org.models import Desk, Office
from eoffice.receipts.models import (
    MarkKind,
    Mode,
    Receipt,
    ReceiptAccess,
    ReceiptMovement,
    ReceiptStatus,
    Security,
)

PRIORITIES = ("normal", "priority", "immediate", "most_immediate")

# dak older than this is history, not diarising (old papers are attached to a file instead)
EARLIEST = dt.date(1900, 1, 1)

FIELDS = (
    "subject",
    "received_on",
    "mode",
    "sender_name",
    "sender_designation",
    "sender_organisation",
    "sender_address",
    "sender_mobile",
    "sender_email",
    "letter_number",
    "letter_date",
    "category",
    "language",
    "enclosures",
    "remarks",
    "security",
)


def diarise(session: Session, user, desk: Desk | None, values: dict) -> Receipt:
    """Give incoming dak its number (per office and year) and put it on the diarising desk."""
    desk = require_desk(desk, user)
    if not can(user, "receipt.create"):
        raise Forbidden("only clerks and officers diarise dak")
    if values.get("mode") not in set(Mode):
        raise Invalid(f"mode must be one of {', '.join(Mode)}", field="mode")
    values = {**values, "security": values.get("security") or Security.normal.value}
    if values["security"] not in set(Security):
        raise Invalid(f"security must be one of {', '.join(Security)}", field="security")
    received_on = values.get("received_on") or office_today()
    if received_on > office_today() + dt.timedelta(days=1):
        raise Invalid("received_on is in the future", field="received_on")
    for field in ("received_on", "letter_date"):
        when = received_on if field == "received_on" else values.get(field)
        if when is not None and when < EARLIEST:
            raise Invalid(f"{field} is before {EARLIEST.year}", field=field, code="too_early")
    if values.get("letter_date") and values["letter_date"] > received_on:
        raise Invalid("letter_date is after received_on", field="letter_date")
    year = received_on.year
    serial = next_serial(session, desk.office_id, "receipt", year)
    receipt = Receipt(
        office_id=desk.office_id,
        year=year,
        serial=serial,
        number=f"R/{year}/{serial:06d}",
        created_desk_id=desk.id,
        holder_desk_id=desk.id,
        created_by_id=user.id,
        **{k: values.get(k) for k in FIELDS if k != "received_on"},
        received_on=received_on,
    )
    session.add(receipt)
    session.flush()
    arrive(session, receipt, desk, MarkKind.diarised, by=user)
    audit.record(
        session,
        "receipt.diarised",
        user=user,
        desk=desk,
        obj_type="receipt",
        obj_id=receipt.id,
        data={"number": receipt.number, "subject": receipt.subject},
    )
    uow.flush(session)
    return receipt


def get_receipt(session: Session, user, receipt_id: int, *, for_update: bool = False) -> Receipt:
    """The receipt if the user may see it; otherwise it does not exist (404). Writers lock its
    row (PostgreSQL) and then see the version the winner of a race left."""
    stmt = sa.select(Receipt).where(Receipt.id == receipt_id)
    if for_update:
        stmt = stmt.with_for_update(of=Receipt).execution_options(populate_existing=True)
    receipt = session.scalars(stmt).one_or_none()
    if receipt is None:
        raise NotFound("no such receipt")
    if not can(user, "receipt.view", receipt):
        raise Hidden("no such receipt", "receipt", receipt.id)
    return receipt


def arrive(
    session: Session,
    receipt: Receipt,
    to: Desk,
    kind,
    *,
    by=None,
    from_desk=None,
    remarks=None,
    priority=None,
    due_on=None,
    opened=False,
) -> ReceiptMovement:
    """A line of the movement register, and the desk it reached may see the receipt from now on
    (for good: a desk that forwarded dak still sees it)."""
    movement = ReceiptMovement(
        receipt_id=receipt.id,
        kind=MarkKind(kind).value,
        from_desk_id=from_desk.id if from_desk is not None else None,
        to_desk_id=to.id,
        by_user_id=getattr(by, "id", None),
        remarks=remarks,
        priority=priority or receipt.priority or "normal",
        due_on=due_on,
        at=utcnow(),
        opened_at=utcnow() if opened else None,
        opened_by_id=getattr(by, "id", None) if opened else None,
    )
    session.add(movement)
    if session.get(ReceiptAccess, (receipt.id, to.id)) is None:
        session.add(ReceiptAccess(receipt_id=receipt.id, desk_id=to.id))
    return movement


def _codes(to) -> list[str]:
    if isinstance(to, str):
        return [to]
    if not isinstance(to, list | tuple) or not to:
        raise Invalid("to is required: a desk code, or a list of them", field="to")
    return list(to)


def send_receipt(
    session: Session,
    user,
    desk,
    receipt_id: int,
    to,
    remarks=None,
    *,
    priority=None,
    due_on=None,
    urgent: bool = False,
    version=None,
):
    """Mark the receipt to desks in one step: the first for action (the receipt moves there),
    the others for information (read-only copies in their lists)."""
    receipt = get_receipt(session, user, receipt_id, for_update=True)
    desk = require_desk(desk, user)
    if version is not None and version != receipt.version:
        raise Conflict(
            f"receipt {receipt.number} was changed by someone else; reload it", code="stale_version"
        )
    codes = _codes(to)
    if len(set(codes)) != len(codes):
        raise Invalid("a desk is named twice", field="to")
    if priority is not None and priority not in PRIORITIES:
        raise Invalid(f"priority must be one of {', '.join(PRIORITIES)}", field="priority")
    if due_on is not None and due_on < office_today():
        raise Invalid("due_on is in the past", field="due_on", code="due_in_past")
    action, *copies = [find_desk(session, c) for c in codes]
    check_channel(desk, action, urgent, remarks)
    for copy in copies:
        check_destination(copy, desk.id, "receipt")
    receipt.send(desk, action)
    if priority is not None:
        receipt.priority = priority
    receipt.due_on = due_on
    arrive(
        session,
        receipt,
        action,
        MarkKind.action,
        by=user,
        from_desk=desk,
        remarks=remarks,
        priority=priority,
        due_on=due_on,
    )
    for copy in copies:
        arrive(
            session,
            receipt,
            copy,
            MarkKind.copy,
            by=user,
            from_desk=desk,
            remarks=remarks,
            priority=priority,
        )
    audit.record(
        session,
        "receipt.sent",
        user=user,
        desk=desk,
        obj_type="receipt",
        obj_id=receipt.id,
        data={
            "to": action.code,
            "copies": [c.code for c in copies],
            "remarks": remarks,
            "priority": receipt.priority,
            "due_on": due_on.isoformat() if due_on else None,
            "urgent": bool(urgent),
        },
    )
    uow.flush(session)
    return receipt


def last_action(session: Session, receipt: Receipt) -> ReceiptMovement | None:
    return session.scalars(
        sa.select(ReceiptMovement)
        .where(
            ReceiptMovement.receipt_id == receipt.id,
            ReceiptMovement.kind.in_([MarkKind.action.value, MarkKind.pulled_back.value]),
        )
        .order_by(ReceiptMovement.id.desc())
        .limit(1)
    ).one_or_none()


def pull_back(session: Session, user, desk, receipt_id: int, remarks=None) -> Receipt:
    """The sender takes the receipt back while the desk it was marked to has not opened it."""
    receipt = get_receipt(session, user, receipt_id, for_update=True)
    desk = require_desk(desk, user)
    last = last_action(session, receipt)
    if (
        receipt.status != ReceiptStatus.open
        or last is None
        or last.kind != MarkKind.action
        or last.from_desk_id != desk.id
    ):
        raise Conflict(f"receipt {receipt.number} was not sent from your desk", code="not_sender")
    if last.opened_at is not None:
        raise Conflict(f"receipt {receipt.number} was already opened", code="already_opened")
    receipt.holder_desk_id, receipt.holder = desk.id, desk
    arrive(
        session,
        receipt,
        desk,
        MarkKind.pulled_back,
        by=user,
        from_desk=last.to_desk,
        remarks=remarks,
        opened=True,
    )
    audit.record(
        session,
        "receipt.pulled_back",
        user=user,
        desk=desk,
        obj_type="receipt",
        obj_id=receipt.id,
        data={"from": last.to_desk.code},
    )
    uow.flush(session)
    return receipt


def open_receipt(session: Session, user, desk: Desk | None, receipt_id: int) -> Receipt:
    """Read a receipt; the acting desk's unopened marking (for action or a copy) becomes opened.
    A copy leaves the desk's list of copies once seen."""
    receipt = get_receipt(session, user, receipt_id)
    if desk is None or read_only(user):
        return receipt
    unopened = session.scalars(
        sa.select(ReceiptMovement).where(
            ReceiptMovement.receipt_id == receipt.id,
            ReceiptMovement.to_desk_id == desk.id,
            ReceiptMovement.kind.in_([MarkKind.action.value, MarkKind.copy.value]),
            ReceiptMovement.opened_at.is_(None),
        )
    ).all()
    mine = [m for m in unopened if m.kind == MarkKind.copy or receipt.holder_desk_id == desk.id]
    if not mine:
        return receipt
    now = utcnow()
    for movement in mine:
        movement.opened_at, movement.opened_by_id = now, user.id
    audit.record(
        session, "receipt.opened", user=user, desk=desk, obj_type="receipt", obj_id=receipt.id
    )
    uow.flush(session)
    return receipt


def movements(session: Session, receipt: Receipt) -> list[ReceiptMovement]:
    return list(
        session.scalars(
            sa.select(ReceiptMovement)
            .where(ReceiptMovement.receipt_id == receipt.id)
            .order_by(ReceiptMovement.id)
        )
    )


BOXES = ("inbox", "sent", "copies")


def dak_list(session: Session, desk: Desk, box: str, page: int = 1, per_page: int = 25) -> Page:
    """The desk's dak, newest first: `inbox` (open on the desk, with its unread marking),
    `sent` (what it marked to others for action), `copies` (copies not yet seen). Rows are
    (receipt, movement)."""
    if box not in BOXES:
        raise Invalid(f"box must be one of {', '.join(BOXES)}", field="box")
    m = ReceiptMovement
    if box == "inbox":
        latest = (
            sa.select(sa.func.max(m.id))
            .where(m.receipt_id == Receipt.id, m.kind != MarkKind.copy.value)
            .correlate(Receipt)
            .scalar_subquery()
        )
        stmt = (
            sa.select(Receipt, m)
            .outerjoin(m, m.id == latest)
            .where(Receipt.holder_desk_id == desk.id, Receipt.status == ReceiptStatus.open.value)
            .order_by(Receipt.id.desc())
        )
    elif box == "sent":
        stmt = (
            sa.select(Receipt, m)
            .join(m, m.receipt_id == Receipt.id)
            .where(m.from_desk_id == desk.id, m.kind == MarkKind.action.value)
            .order_by(m.id.desc())
        )
    else:
        stmt = (
            sa.select(Receipt, m)
            .join(m, m.receipt_id == Receipt.id)
            .where(m.to_desk_id == desk.id, m.kind == MarkKind.copy.value, m.opened_at.is_(None))
            .order_by(m.id.desc())
        )
    return paginate(session, stmt, page, per_page, rows=True)


def register(
    session: Session,
    user,
    office_code: str | None,
    start: dt.date | None,
    end: dt.date | None,
):
    """The office's dak register: receipts diarised there in the date range (received_on), with
    mode, sender, subject and where each is now; graded receipts only for those who may see
    them. Returns (office, start, end, statement): a Core select of plain rows, oldest first,
    for the caller to page, stream to CSV or print."""
    from eoffice.org.service import offices_within
    from eoffice.receipts.access import visible_clause

    desks = user.current_desks()
    if office_code:
        office = session.scalars(sa.select(Office).where(Office.code == office_code)).one_or_none()
    else:
        office = desks[0].office if desks else None
    mine = offices_within(session, {d.office_id for d in desks})
    if office is None or office.id not in mine:
        raise NotFound(f"no office {str(office_code)[:40]} in your jurisdiction")
    start = start or office_today().replace(day=1)
    end = end or office_today()
    if end < start:
        raise Invalid("to is before from", field="to")
    if (end - start).days > 366:
        raise Invalid("a register covers at most a year at a time", field="to")
    holder = sa.orm.aliased(Desk)
    stmt = (
        sa.select(
            Receipt.id,
            Receipt.number,
            Receipt.received_on,
            Receipt.mode,
            Receipt.sender_name,
            Receipt.sender_organisation,
            Receipt.letter_number,
            Receipt.subject,
            Receipt.status,
            Receipt.file_id,
            Receipt.security,
            holder.code.label("holder_code"),
        )
        .outerjoin(holder, holder.id == Receipt.holder_desk_id)
        .where(
            Receipt.office_id == office.id,
            Receipt.received_on >= start,
            Receipt.received_on <= end,
            sa.or_(Receipt.security == Security.normal.value, visible_clause(session, user)),
        )
        .order_by(Receipt.received_on, Receipt.serial)
    )
    return office, start, end, stmt


def close_receipt(session: Session, user, desk, receipt_id: int, remarks=None):
    receipt = get_receipt(session, user, receipt_id, for_update=True)
    desk = require_desk(desk, user)
    if receipt.category == "complaint":
        raise Conflict(
            f"receipt {receipt.number} is a citizen's complaint: it is closed with the complaint",
            code="complaint_receipt",
        )
    receipt.close(desk)
    audit.record(
        session,
        "receipt.closed",
        user=user,
        desk=desk,
        obj_type="receipt",
        obj_id=receipt.id,
        data={"remarks": remarks, "at": utcnow().isoformat()},
    )
    uow.flush(session)
    return receipt


def open_receipts_stmt(desk: Desk):
    return (
        sa.select(Receipt)
        .where(Receipt.holder_desk_id == desk.id, Receipt.status == ReceiptStatus.open.value)
        .order_by(Receipt.id.desc())
    )


def open_receipts(session: Session, desk: Desk | None, limit: int = 200) -> list[Receipt]:
    """Receipts lying open on the desk, newest first (for "put into a file" choices)."""
    if desk is None:
        return []
    return list(session.scalars(open_receipts_stmt(desk).limit(limit)))
