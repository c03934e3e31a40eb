"""JSON: part files, links between files, copies of filed receipts (eoffice.files.links)."""

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from eoffice.files import links
from eoffice.files.api import Versioned, file_json
from eoffice.org.pages import api_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Id, spec
from eoffice.web.session import get_session

bp = Blueprint("files_links_api", __name__, url_prefix="/api/v1")


class PartIn(Versioned):
    subject: str | None = Field(
        default=None, max_length=5000, description="the part's subject; the main file's if none"
    )


class LinkIn(Versioned):
    file_id: Id


@bp.post("/files/<int:file_id>/parts")
@spec.validate(json=PartIn, tags=["files"])
@requires("file.create")
def open_part(file_id: int, json: PartIn):
    """Open the next part file (number + "/Part-n") on the desk holding the main file; it has
    notes of its own and is linked to the main file. 409 `file_closed` for a closed file."""
    session = get_session()
    part = links.open_part(
        session, current_user, api_desk(current_user), file_id, json.subject, json.version
    )
    return jsonify(file_json(session, part)), 201


@bp.post("/files/<int:file_id>/links")
@spec.validate(json=LinkIn, tags=["files"])
@requires(LOGGED_IN)
def link(file_id: int, json: LinkIn):
    """Link the file (holding desk) with another file you may see, both ways: 201 when linked
    now, 200 when they already were; 422 `self_link`; 404 for a file you may not see."""
    session = get_session()
    file, made = links.link_files(
        session, current_user, api_desk(current_user), file_id, json.file_id, json.version
    )
    return jsonify(file_json(session, file)), 201 if made else 200


@bp.post("/files/<int:file_id>/receipts/<int:receipt_id>/copy")
@spec.validate(json=Versioned, tags=["files"])
@requires(LOGGED_IN)
def copy_receipt(file_id: int, receipt_id: int, json: Versioned):
    """Copy a receipt filed in another file into this one (holding desk): the next page C/n
    of its correspondence side, kind `copy`; the receipt stays in its file. 409
    `receipt_not_filed` (put it in instead), `already_in_file`."""
    session = get_session()
    file, _entry = links.copy_receipt(
        session, current_user, api_desk(current_user), file_id, receipt_id, json.version
    )
    return jsonify(file_json(session, file)), 201
