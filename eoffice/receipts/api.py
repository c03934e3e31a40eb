"""JSON: receipts (dak)."""

import datetime as dt
from typing import Literal

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.orm import object_session

from eoffice.org.pages import api_desk
from eoffice.receipts import service
from eoffice.receipts.acknowledgement import acknowledgeable_receipt, acknowledgement_pdf
from eoffice.storage.api import attachment_json, store_upload
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import iso, spec
from eoffice.web.downloads import pdf_name, pdf_response
from eoffice.web.extensions import pdf_limits
from eoffice.web.input import takes_multipart
from eoffice.web.session import get_session

bp = Blueprint("receipts_api", __name__, url_prefix="/api/v1")


class Sender(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    designation: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=2000)
    mobile: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{6,20}$")
    email: EmailStr | None = None


class ReceiptIn(BaseModel):
    subject: str = Field(min_length=1, max_length=5000)
    sender: Sender
    mode: Literal["post", "hand", "email", "portal", "fax"]
    received_on: dt.date
    letter_number: str | None = Field(default=None, max_length=100)
    letter_date: dt.date | None = None
    category: str | None = Field(default=None, max_length=60)
    language: str | None = Field(default=None, max_length=20)
    enclosures: str | None = Field(default=None, max_length=2000)
    remarks: str | None = Field(default=None, max_length=5000)
    desk: str | None = None


class ReceiptMove(BaseModel):
    to: str = Field(min_length=1)
    remarks: str | None = Field(default=None, max_length=5000)
    desk: str | None = None


class Remarks(BaseModel):
    remarks: str | None = Field(default=None, max_length=5000)
    desk: str | None = None


def receipt_json(r) -> dict:
    return {
        "id": r.id,
        "number": r.number,
        "subject": r.subject,
        "sender": r.sender,
        "mode": r.mode,
        "received_on": iso(r.received_on),
        "letter_number": r.letter_number,
        "letter_date": iso(r.letter_date),
        "category": r.category,
        "language": r.language,
        "enclosures": r.enclosures,
        "remarks": r.remarks,
        "status": r.status,
        "holder": r.holder.code if r.holder else None,
        "file_id": r.file_id,
        "attachments": [attachment_json(a) for a in attachments_of(object_session(r), r)],
    }


@bp.post("/receipts")
@spec.validate(json=ReceiptIn, tags=["receipts"])
@requires(LOGGED_IN)
def diarise(json: ReceiptIn):
    """Diarise incoming dak: it gets its number and lands on the acting desk."""
    values = json.model_dump(exclude={"sender", "desk"})
    for key, value in json.sender.model_dump().items():
        values[f"sender_{key}"] = value
    session = get_session()
    receipt = service.diarise(session, current_user, api_desk(current_user), values)
    return jsonify(receipt_json(receipt)), 201


@bp.get("/receipts/<int:receipt_id>")
@spec.validate(tags=["receipts"])
@requires(LOGGED_IN)
def show(receipt_id: int):
    """A receipt, if you may see it."""
    return jsonify(receipt_json(service.get_receipt(get_session(), current_user, receipt_id)))


@bp.post("/receipts/<int:receipt_id>/send")
@spec.validate(json=ReceiptMove, tags=["receipts"])
@requires(LOGGED_IN)
def send(receipt_id: int, json: ReceiptMove):
    """Send a receipt to another desk."""
    receipt = service.send_receipt(
        get_session(),
        current_user,
        api_desk(current_user),
        receipt_id,
        json.to,
        json.remarks,
    )
    return jsonify(receipt_json(receipt))


@bp.post("/receipts/<int:receipt_id>/close")
@spec.validate(json=Remarks, tags=["receipts"])
@requires(LOGGED_IN)
def close(receipt_id: int, json: Remarks):
    """Close a receipt that needs no file."""
    receipt = service.close_receipt(
        get_session(),
        current_user,
        api_desk(current_user),
        receipt_id,
        json.remarks,
    )
    return jsonify(receipt_json(receipt))


@bp.post("/receipts/<int:receipt_id>/attachments")
@takes_multipart
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def upload(receipt_id: int):
    """Attach the scan of a receipt (desk holding the receipt)."""
    return store_upload(
        service.get_receipt(get_session(), current_user, receipt_id, for_update=True)
    )


@bp.get("/receipts/<int:receipt_id>/acknowledgement.pdf")
@spec.validate(tags=["receipts"])
@requires(LOGGED_IN)
@pdf_limits
def acknowledgement(receipt_id: int):
    """The acknowledgement (application/pdf) handed over for dak received by hand; 404 for dak
    that came another way or that you may not see."""
    session = get_session()
    receipt = acknowledgeable_receipt(service.get_receipt(session, current_user, receipt_id))
    return pdf_response(acknowledgement_pdf(session, receipt), pdf_name(receipt.number))
