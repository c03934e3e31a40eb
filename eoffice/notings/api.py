"""JSON: notes on a file (the noting side) and drafts for approval."""

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.files.api import Versioned
from eoffice.notings import service as notings
from eoffice.notings.documents import draft_json, note_json
from eoffice.org.pages import api_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Version, iso, spec
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


class DeskOnly(BaseModel):
    desk: str | None = None


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
