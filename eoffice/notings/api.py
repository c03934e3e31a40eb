"""JSON: notes on a file (the noting side), drafts for approval, issuing them (addressees,
mode, the signed letter), a stored PDF's signature and the office's dispatch register."""

import datetime as dt
from typing import Literal

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from eoffice.files.api import Versioned
from eoffice.notings import dispatch
from eoffice.notings import service as notings
from eoffice.notings.documents import draft_json, note_json
from eoffice.org.pages import api_desk
from eoffice.pdf.signing import check_signature, office_key
from eoffice.storage.service import get_attachment
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Version, iso, spec
from eoffice.web.downloads import content_disposition, pdf_response
from eoffice.web.extensions import limiter
from eoffice.web.session import get_session, get_store

bp = Blueprint("notings_api", __name__, url_prefix="/api/v1")


class NoteIn(Versioned):
    text: str = Field(min_length=1, max_length=100_000)


class DraftIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=100_000)
    version: Version | None = Field(
        default=None, description="the file version you saw; 409 if stale"
    )
    desk: str | None = None


class DraftEdit(BaseModel):
    body: str = Field(min_length=1, max_length=100_000)
    version: Version | None = Field(default=None, description="the draft version you edited")
    desk: str | None = None


class ApproveIn(BaseModel):
    version: Version | None = None
    desk: str | None = None


class AddresseeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    designation: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=2000)
    email: EmailStr | None = Field(default=None, description="by mode email, the letter goes here")


class IssueIn(BaseModel):
    addressees: list[AddresseeIn] = Field(default_factory=list, max_length=dispatch.MAX_ADDRESSEES)
    copy_to: list[AddresseeIn] = Field(default_factory=list, max_length=dispatch.MAX_ADDRESSEES)
    mode: Literal["email", "post", "hand"] = Field(
        default="post", description="email: the signed letter is mailed to every e-mail given"
    )
    desk: str | None = None


class DispatchArgs(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    office: str | None = Field(default=None, max_length=40, description="office code")
    date_from: dt.date | None = Field(default=None, alias="from", description="default: 1st")
    date_to: dt.date | None = Field(default=None, alias="to", description="default: today")
    format: Literal["json", "csv", "pdf"] = "json"
    desk: str | None = Field(default=None, description="without office: that desk's office")


def _desk():
    return api_desk(current_user)


@bp.post("/files/<int:file_id>/notes")
@spec.validate(json=NoteIn, tags=["files"])
@requires(LOGGED_IN)
def add_note(file_id: int, json: NoteIn):
    """Add the next paragraph to the noting side (holding desk only)."""
    note = notings.add_note(get_session(), current_user, _desk(), file_id, json.text, json.version)
    return jsonify(note_json(note)), 201


@bp.put("/files/<int:file_id>/notes/<int:number>")
@spec.validate(json=NoteIn, tags=["files"])
@requires(LOGGED_IN)
def edit_note(file_id: int, number: int, json: NoteIn):
    """Edit your note while the file is still on your desk; 409 once it is final."""
    note = notings.edit_note(
        get_session(), current_user, _desk(), file_id, number, json.text, json.version
    )
    return jsonify(note_json(note))


# --- drafts ------------------------------------------------------------------------------------


@bp.post("/files/<int:file_id>/drafts")
@spec.validate(json=DraftIn, tags=["drafts"])
@requires(LOGGED_IN)
def create_draft(file_id: int, json: DraftIn):
    """Start a draft letter in the file (version 1)."""
    draft = notings.create_draft(
        get_session(), current_user, _desk(), file_id, json.title, json.body, json.version
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
@spec.validate(json=IssueIn, tags=["drafts"])
@requires(LOGGED_IN)
def issue_draft(draft_id: int, json: IssueIn):
    """Issue the approved version: dispatch number, the letter on the letterhead, naming and
    signed (PAdES) for the officer who approved it, stored as a PDF (`pdf`: its download URL),
    and it joins the correspondence. `mode` email mails the signed letter to every addressee and
    copy with an e-mail (422 `no_email` when none has one). An empty body issues by post to no
    one named. 503 (nothing issued) when the object store is down."""
    session = get_session()
    draft = notings.issue_draft(
        session,
        current_user,
        _desk(),
        draft_id,
        store=get_store(),
        signing_key=office_key(current_app.config),
        mode=json.mode,
        addressees=[a.model_dump() for a in json.addressees],
        copy_to=[a.model_dump() for a in json.copy_to],
    )
    letter_id = notings.letter_attachment_id(session, draft)
    return jsonify(
        {
            "id": draft.id,
            "status": draft.status,
            "dispatch_number": draft.dispatch_number,
            "mode": draft.mode,
            "addressees": draft.addressees,
            "copy_to": draft.copy_to,
            "pdf": f"/api/v1/attachments/{letter_id}" if letter_id else None,
            "signature": f"/api/v1/attachments/{letter_id}/signature" if letter_id else None,
        }
    )


@bp.get("/attachments/<int:attachment_id>/signature")
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def attachment_signature(attachment_id: int):
    """The PDF's signature checked with pyHanko's validator against the office's certificate:
    `valid` (the bytes are as signed, the whole file is covered, by the office's key), `signer`
    (the officer it is signed for), `signed_at`. An attachment with no signature (or not a PDF)
    answers `{valid: false, signed: false, signer: null, signed_at: null}`. 404 for an
    attachment you may not see."""
    att = get_attachment(get_session(), current_user, attachment_id)
    data = get_store().get(att.key)
    result = check_signature(data, office_key(current_app.config))
    return jsonify(
        {
            "valid": result.valid,
            "signed": result.signed,
            "signer": result.signer,
            "signed_at": iso(result.signed_at),
            "reason": result.reason,
            "certificate": result.certificate,
            "problem": result.problem,
        }
    )


def register_row_json(row: dispatch.DispatchRow) -> dict:
    return {
        "dispatch_number": row.dispatch_number,
        "date": row.date.isoformat(),
        "issued_at": iso(row.issued_at),
        "subject": row.subject,
        "addressees": row.addressees,
        "copy_to": row.copy_to,
        "mode": row.mode,
        "file_id": row.file_id,
        "file_number": row.file_number,
        "draft_id": row.draft_id,
        "approved_by": row.approved_by,
        "approved_desk": row.approved_desk,
        "pdf": f"/api/v1/attachments/{row.letter_id}" if row.letter_id else None,
    }


def register_download(register: dispatch.Register, fmt: str) -> Response:
    """The register as CSV or PDF (shared by the API and the page)."""
    stem = f"dispatch-{register.office.code}-{register.date_from}-{register.date_to}"
    if fmt == "pdf":
        return pdf_response(dispatch.register_pdf(register), f"{stem}.pdf")
    return Response(
        dispatch.register_csv(register),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(f"{stem}.csv")},
    )


def _pdf_user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def pdf_format_limits(view):
    """A PDF costs seconds of the server's time: the PDF budget (EOFFICE_PDF_RATE_LIMIT, shared
    with the other PDFs) counts only `format=pdf`."""
    return limiter.limit(
        lambda: current_app.config["PDF_RATE_LIMIT"],
        key_func=_pdf_user_key,
        scope="pdf",
        exempt_when=lambda: request.args.get("format") != "pdf",
    )(view)


@bp.get("/dispatch")
@spec.validate(query=DispatchArgs, tags=["drafts"])
@requires(LOGGED_IN)
@pdf_format_limits
def dispatch_register():
    """The office's dispatch register: the letters it issued from `from` to `to` (dates in the
    office's time; by default this month so far), in dispatch order. For the desks of that
    office and auditors over it; 404 for anyone else. `format=csv` (UTF-8 with a byte-order
    mark) or `pdf` for a download."""
    args = DispatchArgs.model_validate(request.args.to_dict())
    session = get_session()
    code = args.office
    if not code and request.args.get("desk"):  # the office of the desk the caller names
        code = _desk().office.code
    office = dispatch.register_office(session, current_user, code)
    register = dispatch.dispatch_register(
        session, current_user, office, args.date_from, args.date_to
    )
    if args.format != "json":
        return register_download(register, args.format)
    return jsonify(
        {
            "office": office.code,
            "from": register.date_from.isoformat(),
            "to": register.date_to.isoformat(),
            "total": len(register.rows),
            "items": [register_row_json(r) for r in register.rows],
        }
    )
