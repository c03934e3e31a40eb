"""JSON: files, their movement, the inbox and sent lists (notes and drafts: notings.api)."""

import datetime as dt
from typing import Annotated, Literal

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.core import kinds
from eoffice.core.errors import Forbidden
from eoffice.files import links, service
from eoffice.files.docket import docket_pdf
from eoffice.org.desks import NONE
from eoffice.org.pages import api_desk
from eoffice.storage.api import attachment_json, store_upload
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Id, Version, iso, page_args, request_desk_code, spec
from eoffice.web.downloads import pdf_name, pdf_response
from eoffice.web.extensions import pdf_limits
from eoffice.web.input import takes_multipart
from eoffice.web.session import get_session

bp = Blueprint("files_api", __name__, url_prefix="/api/v1")

PriorityName = Literal["most_immediate", "immediate", "priority", "normal"]


class FileIn(BaseModel):
    subject: str = Field(min_length=1, max_length=5000)
    head: str = Field(min_length=1, max_length=40)
    category: Literal["A", "B", "C"]
    priority: PriorityName | None = None
    receipt_ids: list[Id] = Field(default_factory=list, max_length=200)
    # category C: kept this many years after closing (default 3); A and B: permanent, none
    retention_years: int | None = Field(default=None, strict=True, ge=1, le=10)
    # confidential or secret: seen only by the desks it is marked to and its office's auditors
    security: Literal["normal", "confidential", "secret"] = "normal"
    desk: str | None = None


class Versioned(BaseModel):
    version: Version | None = Field(
        default=None, description="the file version you saw; 409 if stale"
    )
    desk: str | None = None


class ReceiptRef(Versioned):
    receipt_id: Id


class SendIn(Versioned):
    to: str = Field(min_length=1, max_length=60)
    remarks: str | None = Field(default=None, max_length=5000)
    priority: PriorityName | None = None
    due_on: dt.date | None = None
    # read-only copies that appear in those desks' lists of copies
    copy_to: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    # a send that skips more than 4 levels of the channel of submission needs it, with remarks
    urgent: bool = False


class RemarksIn(Versioned):
    remarks: str | None = Field(default=None, max_length=5000)


class RemarksRequired(Versioned):
    """Closing and reopening are done with remarks, always."""

    remarks: str = Field(min_length=1, max_length=5000, pattern=r"\S")


def movement_json(m) -> dict:
    # a long file has hundreds: each attribute read once (an ORM attribute is a lookup)
    from_desk, due_on, opened_at = m.from_desk, m.due_on, m.opened_at
    return {
        "kind": m.kind,
        "from": from_desk.code if from_desk is not None else None,
        "to": m.to_desk.code,
        "by": m.by.username,
        "at": m.at.isoformat(),
        "remarks": m.remarks,
        "priority": m.priority,
        "due_on": due_on.isoformat() if due_on is not None else None,
        "opened_at": opened_at.isoformat() if opened_at is not None else None,
    }


def file_ref(f) -> dict:
    """Another file, as a file's parts and links name it."""
    return {"id": f.id, "number": f.number, "subject": f.subject}


def file_json(session, file) -> dict:
    detail = service.file_detail(session, file)
    rel = links.related(session, current_user, file)
    return {
        "id": file.id,
        "number": file.number,
        "subject": file.subject,
        "head": file.head,
        "category": file.category,
        "priority": file.priority,
        "status": file.status,
        "security": file.security,
        "holder": file.holder.code,
        "version": file.version,
        "retention_years": file.retention_years,
        "review_on": iso(file.review_on),
        "correspondence": [
            {
                "page": c.page,
                "label": c.label,
                "kind": c.kind,
                "id": {"receipt": c.receipt_id, "copy": c.receipt_id, "issued": c.draft_id}.get(
                    c.kind, c.attachment_id
                ),
                "title": c.title,
                # an issued letter: the PDF stored when it was issued
                "pdf": f"/api/v1/attachments/{c.attachment_id}" if c.attachment_id else None,
            }
            for c in detail["correspondence"]
        ],
        "movements": [movement_json(m) for m in detail["movements"]],
        "attachments": [attachment_json(a) for a in detail["attachments"]],
        # part files, the main file of a part, linked files: only those the caller may see
        "parts": [file_ref(f) for f in rel["parts"]],
        "part_of": file_ref(rel["part_of"]) if rel["part_of"] else None,
        "links": [file_ref(f) for f in rel["links"]],
        # its parts (notes, drafts), each as its own module writes it
        **{
            part.name: [part.to_json(p) for p in detail[part.name]]
            for part in kinds.parts("file")
            if part.to_json is not None
        },
    }


def _desk():
    return api_desk(current_user)


@bp.post("/files")
@spec.validate(json=FileIn, tags=["files"])
@requires(LOGGED_IN)
def create(json: FileIn):
    """Open a file; the creating desk holds it. Receipts named go to its correspondence."""
    session = get_session()
    file = service.create_file(
        session,
        current_user,
        _desk(),
        json.model_dump(exclude={"receipt_ids", "desk"}),
        json.receipt_ids,
    )
    return jsonify(file_json(session, file)), 201


@bp.get("/files/<int:file_id>")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
def show(file_id: int):
    """The whole file. Read by the holding desk, its last movement becomes opened."""
    session = get_session()
    holder_id = None
    if len(current_user.current_desks()) > 1 and not request_desk_code():
        # several desks and none named: read it as the desk that holds it, if one of them does
        holder_id = service.get_file(session, current_user, file_id).holder_desk_id
    desk = api_desk(current_user, holder_id=holder_id, unsure=NONE)
    file = service.open_file(session, current_user, desk, file_id)
    return jsonify(file_json(session, file))


@bp.post("/files/<int:file_id>/receipts")
@spec.validate(json=ReceiptRef, tags=["files"])
@requires(LOGGED_IN)
def add_receipt(file_id: int, json: ReceiptRef):
    """Put a receipt into the file's correspondence with the next page number."""
    session = get_session()
    file = service.put_receipt_in_file(
        session, current_user, _desk(), file_id, json.receipt_id, json.version
    )
    return jsonify(file_json(session, file))


@bp.post("/files/<int:file_id>/send")
@spec.validate(json=SendIn, tags=["files"])
@requires(LOGGED_IN)
def send(file_id: int, json: SendIn):
    """Send the file to another desk. 409 unless your desk holds it."""
    session = get_session()
    file = service.send_file(
        session,
        current_user,
        _desk(),
        file_id,
        json.to,
        json.remarks,
        json.priority,
        json.due_on,
        json.version,
        copy_to=json.copy_to,
        urgent=json.urgent,
    )
    return jsonify(file_json(session, file))


def _move_endpoint(name: str, use_case, doc: str, body=RemarksIn):
    def endpoint(file_id: int, json: body):
        session = get_session()
        file = use_case(session, current_user, _desk(), file_id, json.remarks, json.version)
        return jsonify(file_json(session, file))

    endpoint.__name__ = name.replace("-", "_")
    endpoint.__doc__ = doc
    endpoint.__annotations__ = {"file_id": int, "json": body}
    view = requires(LOGGED_IN)(endpoint)
    view = spec.validate(json=body, tags=["files"])(view)
    bp.add_url_rule(f"/files/<int:file_id>/{name}", view_func=view, methods=["POST"])


_move_endpoint(
    "pull-back", service.pull_back, "Take the file back while the receiver has not opened it."
)
_move_endpoint("park", service.park, "Set the file aside; it stays on your desk.")
_move_endpoint(
    "unpark", service.unpark, "Take a parked file back into work (holding desk); 409 otherwise."
)
_move_endpoint(
    "close",
    service.close,
    "Close the file (officer, holding desk, with remarks).",
    RemarksRequired,
)
_move_endpoint(
    "reopen", service.reopen, "Reopen a closed file (officer, with remarks).", RemarksRequired
)


def _list_desk():
    desk = _desk()
    if desk is None:
        raise Forbidden("you hold no desk", code="no_desk")
    return desk


@bp.get("/copies")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
def copies():
    """Files marked to the acting desk for information, not yet read there (newest first)."""
    page, per_page = page_args()
    result = service.file_copies(get_session(), _list_desk(), page, per_page)
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "items": [
                {
                    "id": c.file.id,
                    "number": c.file.number,
                    "subject": c.file.subject,
                    "from_desk": c.from_desk.code,
                    "remarks": c.remarks,
                    "at": iso(c.at),
                }
                for c in result.items
            ],
        }
    )


@bp.get("/inbox")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
def inbox():
    """Files on the acting desk, newest first, with unread and overdue marks."""
    page, per_page = page_args()
    status = request.args.get("status", "open")
    if status not in ("open", "parked", "closed"):
        status = "open"
    result = service.desk_files(
        get_session(), _list_desk(), status, request.args.get("sort", "received"), page, per_page
    )
    return jsonify(
        {
            "items": [
                {
                    "id": i["file"].id,
                    "number": i["file"].number,
                    "subject": i["file"].subject,
                    "from": i["from"],
                    "from_desk": i["from_desk"],
                    "from_person": i["from_person"],
                    "remarks": i["remarks"],
                    "received_at": iso(i["movement"].at),
                    "priority": i["file"].priority,
                    "due_on": iso(i["file"].due_on),
                    "opened": i["opened"],
                    "overdue": i["overdue"],
                    "status": i["file"].status,
                }
                for i in result.items
            ],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
        }
    )


@bp.get("/sent")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
def sent():
    """Files the acting desk has sent, newest first."""
    page, per_page = page_args()
    result = service.sent_files(get_session(), _list_desk(), page, per_page)
    return jsonify(
        {
            "items": [
                {
                    "id": i["file"].id,
                    "number": i["file"].number,
                    "subject": i["file"].subject,
                    "to": i["to"],
                    "sent_at": iso(i["movement"].at),
                    "priority": i["movement"].priority,
                    "due_on": iso(i["movement"].due_on),
                    "opened": i["movement"].opened_at is not None,
                    "pulled_back": i["pulled_back"],
                }
                for i in result.items
            ],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
        }
    )


@bp.post("/files/<int:file_id>/attachments")
@takes_multipart
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def upload(file_id: int):
    """Attach a document to a file (holding desk). Type decided by content; 413 / 415 refused."""
    return store_upload(service.get_file(get_session(), current_user, file_id, for_update=True))


@bp.get("/files/<int:file_id>/pdf")
@spec.validate(tags=["files"])
@requires(LOGGED_IN)
@pdf_limits
def docket(file_id: int):
    """The file docket (application/pdf): note sheet, correspondence list, movement register.
    404 for a file you may not see."""
    session = get_session()
    file = service.get_file(session, current_user, file_id)
    return pdf_response(docket_pdf(session, file), pdf_name(file.number))
