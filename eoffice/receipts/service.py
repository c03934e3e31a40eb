"""Use cases of dak: diarise, send to a desk, close; putting into a file is in files.service."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.db import utcnow
from eoffice.errors import Forbidden, Invalid, NotFound
from eoffice.numbering import next_serial
from eoffice.org.models import Desk
from eoffice.receipts.models import Mode, Receipt

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


def require_desk(desk: Desk | None) -> Desk:
    if desk is None:
        raise Forbidden("you hold no desk", code="no_desk")
    return desk


def find_desk(session: Session, code: str | None, field: str = "to") -> Desk:
    """The desk a file or a receipt is sent to, by its code (422 when there is none).

    Whether it may go there (in use, not already there) is the file's or receipt's own rule.
    A desk that nobody holds at present is a fine destination: work sits on desks, not people,
    and its inbox waits for whoever takes charge."""
    code = (code or "").strip()
    if not code:
        raise Invalid(f"{field} is required", field=field)
    desk = session.scalars(sa.select(Desk).where(Desk.code == code)).one_or_none()
    if desk is None:
        raise Invalid(f"unknown desk '{code}'", field=field, code="unknown_desk")
    return desk


def diarise(session: Session, user, desk: Desk | None, values: dict) -> Receipt:
    """Give incoming dak its number (per office and year) and put it on the diarising desk."""
    desk = require_desk(desk)
    if not can(user, "receipt.create"):
        raise Forbidden("only clerks and officers diarise dak")
    if values.get("mode") not in set(Mode):
        raise Invalid(f"mode must be one of {', '.join(Mode)}", field="mode")
    received_on = values.get("received_on") or dt.date.today()
    if received_on > dt.date.today() + dt.timedelta(days=1):
        raise Invalid("received_on is in the future", field="received_on")
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
    session.commit()
    return receipt


def get_receipt(session: Session, user, receipt_id: int) -> Receipt:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not can(user, "receipt.view", receipt):
        raise NotFound("no such receipt")
    return receipt


def send_receipt(session: Session, user, desk, receipt_id: int, to_code: str, remarks=None):
    receipt = get_receipt(session, user, receipt_id)
    desk = require_desk(desk)
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
    session.commit()
    return receipt


def close_receipt(session: Session, user, desk, receipt_id: int, remarks=None):
    receipt = get_receipt(session, user, receipt_id)
    desk = require_desk(desk)
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
    session.commit()
    return receipt
