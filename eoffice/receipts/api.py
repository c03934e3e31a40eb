"""JSON: receipts (dak)."""

import datetime as dt
from typing import Annotated, Literal

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, EmailStr, Field
from sqlalchemy.orm import object_session

from eoffice.core.pagination import paginate
from eoffice.org.pages import api_desk
from eoffice.receipts import service
from eoffice.receipts.acknowledgement import acknowledgeable_receipt, acknowledgement_pdf
from eoffice.storage.api import attachment_json, store_upload
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Version, iso, page_args, request_desk_code, spec
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
    mode: Literal["post", "hand", "email", "portal", "fax", "counter"]
    received_on: dt.date
    letter_number: str | None = Field(default=None, max_length=100)
    letter_date: dt.date | None = None
    category: str | None = Field(default=None, max_length=60)
    language: str | None = Field(default=None, max_length=20)
    enclosures: str | None = Field(default=None, max_length=2000)
    remarks: str | None = Field(default=None, max_length=5000)
    security: Literal["normal", "confidential", "secret"] = "normal"
    desk: str | None = None


DeskCode = Annotated[str, Field(min_length=1, max_length=60)]


class ReceiptMove(BaseModel):
    # one desk, or several: the first for action, the others for copies
    to: DeskCode | list[DeskCode] = Field(max_length=20)
    remarks: str | None = Field(default=None, max_length=5000)
    priority: Literal["normal", "priority", "immediate", "most_immediate"] | None = None
    due_on: dt.date | None = None
    urgent: bool = False
    version: Version | None = None
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
        "security": r.security,
        "priority": r.priority,
        "due_on": iso(r.due_on),
        "version": r.version,
        "holder": r.holder.code if r.holder else None,
        "file_id": r.file_id,
        "movements": [
            {
                "from": m.from_desk.code if m.from_desk else None,
                "to": m.to_desk.code,
                "kind": m.kind,
                "by": m.by.username if m.by else None,
                "at": iso(m.at),
                "remarks": m.remarks,
                "opened_at": iso(m.opened_at),
            }
            for m in service.movements(object_session(r), r)
        ],
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
    """A receipt, if you may see it. Read by the desk it was marked to, its marking becomes
    opened (a copy then leaves that desk's list of copies)."""
    session = get_session()
    holder_id = None
    if len(current_user.current_desks()) > 1 and not request_desk_code():
        holder_id = service.get_receipt(session, current_user, receipt_id).holder_desk_id
    desk = api_desk(current_user, holder_id=holder_id, unsure="none")
    return jsonify(receipt_json(service.open_receipt(session, current_user, desk, receipt_id)))


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
        priority=json.priority,
        due_on=json.due_on,
        urgent=json.urgent,
        version=json.version,
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


@bp.post("/receipts/<int:receipt_id>/pull-back")
@spec.validate(json=Remarks, tags=["receipts"])
@requires(LOGGED_IN)
def pull_back(receipt_id: int, json: Remarks):
    """Take back a receipt you marked to a desk, while that desk has not opened it (409
    `already_opened` after)."""
    receipt = service.pull_back(
        get_session(), current_user, api_desk(current_user), receipt_id, json.remarks
    )
    return jsonify(receipt_json(receipt))


@bp.get("/receipts")
@spec.validate(tags=["receipts"])
@requires(LOGGED_IN)
def dak_list():
    """The acting desk's dak, newest first: `box=inbox` (open on the desk), `sent` (marked to
    others for action), `copies` (copies not yet seen)."""
    page, per_page = page_args()
    desk = api_desk(current_user)
    if desk is None:
        from eoffice.core.errors import Forbidden

        raise Forbidden("you hold no desk", code="no_desk")
    box = request.args.get("box", "inbox")
    result = service.dak_list(get_session(), desk, box, page, per_page)
    return jsonify(
        {
            "box": box,
            "total": result.total,
            "page": result.page,
            "items": [
                {
                    "id": r.id,
                    "number": r.number,
                    "subject": r.subject,
                    "sender": r.sender_name,
                    "status": r.status,
                    "holder": r.holder.code if r.holder else None,
                    "priority": (m.priority if m is not None else r.priority),
                    "due_on": iso(m.due_on if m is not None else r.due_on),
                    "from": m.from_desk.code if m is not None and m.from_desk else None,
                    "to": m.to_desk.code if m is not None else None,
                    "at": iso(m.at if m is not None else r.created_at),
                    "remarks": m.remarks if m is not None else None,
                    "unread": bool(m is not None and m.opened_at is None and m.kind != "diarised"),
                    "opened_at": iso(m.opened_at) if m is not None else None,
                    "security": r.security,
                }
                for r, m in result.items
            ],
        }
    )


@bp.get("/receipts/register")
@spec.validate(tags=["receipts"])
@requires(LOGGED_IN)
def register():
    """The office's dak register: `office`, `from`, `to` (dates; default this month), and
    `format=json|csv|pdf`."""
    from eoffice.receipts import register as reg

    session = get_session()
    office, start, end, stmt = service.register(
        session,
        current_user,
        request.args.get("office") or None,
        reg.date_arg("from"),
        reg.date_arg("to"),
    )
    fmt = request.args.get("format", "json")
    if fmt == "csv":
        return reg.csv_response(office, start, end, session.connection().execute(stmt).all())
    if fmt == "pdf":
        return reg.pdf_response_for(session, office, start, end, reg.printable(session, stmt))
    if fmt != "json":
        from eoffice.core.errors import Invalid

        raise Invalid("format must be json, csv or pdf", field="format")
    page, per_page = page_args()
    result = paginate(session, stmt, page, per_page, rows=True)
    return jsonify(
        {
            "office": office.code,
            "from": iso(start),
            "to": iso(end),
            "total": result.total,
            "page": result.page,
            "items": [reg.row_json(r) for r in result.items],
        }
    )
