"""Use cases of dak: diarise, send to a desk, close; putting into a file is in files.service.
None commits: the request, command or job around it does."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.core import uow
from eoffice.core.db import utcnow
from eoffice.core.errors import Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.org.desks import find_desk, require_desk
from eoffice.org.models import Desk
from eoffice.receipts.models import Mode, Receipt, ReceiptStatus

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
)


def diarise(session: Session, user, desk: Desk | None, values: dict) -> Receipt:
    """Give incoming dak its number (per office and year) and put it on the diarising desk."""
    desk = require_desk(desk, user)
    if not can(user, "receipt.create"):
        raise Forbidden("only clerks and officers diarise dak")
    if values.get("mode") not in set(Mode):
        raise Invalid(f"mode must be one of {', '.join(Mode)}", field="mode")
    received_on = values.get("received_on") or dt.date.today()
    if received_on > dt.date.today() + dt.timedelta(days=1):
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


def send_receipt(session: Session, user, desk, receipt_id: int, to_code: str, remarks=None):
    receipt = get_receipt(session, user, receipt_id, for_update=True)
    desk = require_desk(desk, user)
    to = find_desk(session, to_code)
    receipt.send(desk, to)
    audit.record(
        session,
        "receipt.sent",
        user=user,
        desk=desk,
        obj_type="receipt",
        obj_id=receipt.id,
        data={"to": to.code, "remarks": remarks},
    )
    uow.flush(session)
    return receipt


def close_receipt(session: Session, user, desk, receipt_id: int, remarks=None):
    receipt = get_receipt(session, user, receipt_id, for_update=True)
    desk = require_desk(desk, user)
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
