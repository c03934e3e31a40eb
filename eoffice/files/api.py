"""JSON: files, notes, movement, the inbox and sent lists, drafts for approval."""

import datetime as dt
from typing import Literal

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.api import acting_desk_for_request, iso, page_args, spec
from eoffice.auth.permissions import LOGGED_IN, requires
from eoffice.db import get_session
from eoffice.errors import Forbidden
from eoffice.files import service
from eoffice.notings import service as notings
from eoffice.storage import get_store
from eoffice.storage.api import attachment_json

bp = Blueprint("files_api", __name__, url_prefix="/api/v1")

PriorityName = Literal["most_immediate", "immediate", "priority", "normal"]


class FileIn(BaseModel):
    subject: str = Field(min_length=1, max_length=5000)
    head: str = Field(min_length=1, max_length=40)
    category: Literal["A", "B", "C"]
    priority: PriorityName | None = None
    receipt_ids: list[int] = Field(default_factory=list)
    desk: str | None = None


class Versioned(BaseModel):
    version: int | None = Field(default=None, description="the file version you saw; 409 if stale")
    desk: str | None = None


class NoteIn(Versioned):
    text: str = Field(min_length=1, max_length=100_000)


class ReceiptRef(Versioned):
    receipt_id: int


class SendIn(Versioned):
    to: str = Field(min_length=1, max_length=60)
    remarks: str | None = Field(default=None, max_length=5000)
    priority: PriorityName | None = None
    due_on: dt.date | None = None


class RemarksIn(Versioned):
    remarks: str | None = Field(default=None, max_length=5000)


class DraftIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=100_000)
    desk: str | None = None


class DraftEdit(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)
    version: int | None = Field(default=None, description="the draft version you edited")
    desk: str | None = None


class ApproveIn(BaseModel):
    version: int | None = None
    desk: str | None = None


class DeskOnly(BaseModel):
    desk: str | None = None


def note_json(n) -> dict:
    return {
        "number": n.number,
        "text": n.text,
        "author": n.author.username,
        "author_name": n.author.name,
        "desk": n.desk.code,
        "created_at": iso(n.created_at),
        "edited_at": iso(n.edited_at),
        "final": n.final,
    }


def draft_json(d) -> dict:
    out = {
        "id": d.id,
        "file_id": d.file_id,
        "title": d.title,
        "version": d.version,
        "status": d.status,
    }
    if d.approved_version is not None:
        out["approved_version"] = d.approved_version
    if d.dispatch_number:
        out["dispatch_number"] = d.dispatch_number
    return out


def movement_json(m) -> dict:
    return {
        "kind": m.kind,
        "from": m.from_desk.code if m.from_desk else None,
        "to": m.to_desk.code,
        "by": m.by.username,
        "at": iso(m.at),
        "remarks": m.remarks,
        "priority": m.priority,
        "due_on": iso(m.due_on),
        "opened_at": iso(m.opened_at),
    }


def file_json(session, file) -> dict:
    detail = service.file_detail(session, file)
    return {
        "id": file.id,
        "number": file.number,
        "subject": file.subject,
        "head": file.head,
        "category": file.category,
        "priority": file.priority,
        "status": file.status,
        "holder": file.holder.code,
        "version": file.version,
        "notes": [note_json(n) for n in detail["notes"]],
        "correspondence": [
            {
                "page": c.page,
                "label": c.label,
                "kind": c.kind,
                "id": c.receipt_id if c.kind == "receipt" else c.draft_id,
                "title": c.title,
                # an issued letter: the PDF stored when it was issued
                "pdf": f"/api/v1/attachments/{c.attachment_id}" if c.attachment_id else None,
            }
            for c in detail["correspondence"]
        ],
        "drafts": [draft_json(d) for d in detail["drafts"]],
        "movements": [movement_json(m) for m in detail["movements"]],
        "attachments": [attachment_json(a) for a in detail["attachments"]],
    }


def _desk():
    return acting_desk_for_request(current_user)


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
    desks = current_user.current_desks()
    desk = None
    if request.args.get("desk") or len(desks) == 1:
        desk = _desk()
    else:
        file = service.get_file(session, current_user, file_id)
        desk = next((d for d in desks if d.id == file.holder_desk_id), None)
    file = service.open_file(session, current_user, desk, file_id)
    return jsonify(file_json(session, file))


@bp.post("/files/<int:file_id>/notes")
@spec.validate(json=NoteIn, tags=["files"])
@requires(LOGGED_IN)
def add_note(file_id: int, json: NoteIn):
    """Add the next paragraph to the noting side (holding desk only)."""
    note = service.add_note(get_session(), current_user, _desk(), file_id, json.text, json.version)
    return jsonify(note_json(note)), 201


@bp.put("/files/<int:file_id>/notes/<int:number>")
@spec.validate(json=NoteIn, tags=["files"])
@requires(LOGGED_IN)
def edit_note(file_id: int, number: int, json: NoteIn):
    """Edit your note while the file is still on your desk; 409 once it is final."""
    note = service.edit_note(
        get_session(), current_user, _desk(), file_id, number, json.text, json.version
    )
    return jsonify(note_json(note))


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
    )
    return jsonify(file_json(session, file))


def _move_endpoint(name: str, use_case, doc: str):
    def endpoint(file_id: int, json: RemarksIn):
        session = get_session()
        file = use_case(session, current_user, _desk(), file_id, json.remarks, json.version)
        return jsonify(file_json(session, file))

    endpoint.__name__ = name.replace("-", "_")
    endpoint.__doc__ = doc
    endpoint.__annotations__ = {"file_id": int, "json": RemarksIn}
    view = requires(LOGGED_IN)(endpoint)
    view = spec.validate(json=RemarksIn, tags=["files"])(view)
    bp.add_url_rule(f"/files/<int:file_id>/{name}", view_func=view, methods=["POST"])


_move_endpoint(
    "pull-back", service.pull_back, "Take the file back while the receiver has not opened it."
)
_move_endpoint("park", service.park, "Set the file aside; it stays on your desk.")
_move_endpoint(
    "unpark", service.unpark, "Take a parked file back into work (holding desk); 409 otherwise."
)
_move_endpoint("close", service.close, "Close the file (officer, holding desk, with remarks).")
_move_endpoint("reopen", service.reopen, "Reopen a closed file (officer, with remarks).")


def _list_desk():
    desk = _desk()
    if desk is None:
        raise Forbidden("you hold no desk", code="no_desk")
    return desk


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
                    "received_at": iso(i["movement"].at),
                    "priority": i["file"].priority,
                    "due_on": iso(i["movement"].due_on),
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
                }
                for i in result.items
            ],
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
        }
    )


# --- drafts ------------------------------------------------------------------------------------


@bp.post("/files/<int:file_id>/drafts")
@spec.validate(json=DraftIn, tags=["drafts"])
@requires(LOGGED_IN)
def create_draft(file_id: int, json: DraftIn):
    """Start a draft letter in the file (version 1)."""
    draft = notings.create_draft(
        get_session(), current_user, _desk(), file_id, json.title, json.body
    )
    return jsonify(draft_json(draft)), 201


@bp.put("/drafts/<int:draft_id>")
@spec.validate(json=DraftEdit, tags=["drafts"])
@requires(LOGGED_IN)
def revise_draft(draft_id: int, json: DraftEdit):
    """Every edit is a new version; all are kept."""
    draft = notings.revise_draft(
        get_session(), current_user, _desk(), draft_id, json.body, json.version
    )
    return jsonify(draft_json(draft))


@bp.get("/drafts/<int:draft_id>/versions")
@spec.validate(tags=["drafts"])
@requires(LOGGED_IN)
def draft_versions(draft_id: int):
    """Every version of the draft, oldest first."""
    draft, _file = notings.get_draft(get_session(), current_user, draft_id)
    return jsonify(
        [
            {
                "version": v.version,
                "body": v.body,
                "author": v.author.username,
                "created_at": iso(v.created_at),
            }
            for v in draft.versions
        ]
    )


@bp.post("/drafts/<int:draft_id>/approve")
@spec.validate(json=ApproveIn, tags=["drafts"])
@requires(LOGGED_IN)
def approve_draft(draft_id: int, json: ApproveIn):
    """An officer at the holding desk approves a version (the newest by default)."""
    draft = notings.approve_draft(get_session(), current_user, _desk(), draft_id, json.version)
    return jsonify({"id": draft.id, "status": draft.status, "version": draft.approved_version})


@bp.post("/drafts/<int:draft_id>/issue")
@spec.validate(json=DeskOnly, tags=["drafts"])
@requires(LOGGED_IN)
def issue_draft(draft_id: int, json: DeskOnly):
    """Issue the approved version: dispatch number, the letter on the letterhead stored as a PDF
    (`pdf`: its download URL), and it joins the correspondence. 503 (nothing issued) when the
    object store is down."""
    session = get_session()
    draft = notings.issue_draft(session, current_user, _desk(), draft_id, store=get_store())
    letter_id = notings.letter_attachment_id(session, draft)
    return jsonify(
        {
            "id": draft.id,
            "status": draft.status,
            "dispatch_number": draft.dispatch_number,
            "pdf": f"/api/v1/attachments/{letter_id}" if letter_id else None,
        }
    )
