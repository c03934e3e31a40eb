"""The complainant's own uploads (a photo, a document), checked by content like any upload."""

from __future__ import annotations

from flask import current_app, jsonify, request

from eoffice.core.errors import Conflict, Invalid
from eoffice.storage.api import attachment_json
from eoffice.storage.service import upload_from_citizen
from eoffice.web.session import get_session, get_store

# what one complaint may carry from its complainant
MAX_CITIZEN_FILES = 10


def citizen_upload(complaint):
    from eoffice.complaints.models import Status
    from eoffice.storage.service import attachments_of

    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the file as multipart/form-data in the field 'file'", field="file")
    session = get_session()
    if complaint.status == Status.closed:
        raise Conflict("the complaint is closed", code="closed")
    mine = [a for a in attachments_of(session, complaint) if a.uploaded_by_id is None]
    if len(mine) >= MAX_CITIZEN_FILES:
        raise Conflict(f"a complaint takes at most {MAX_CITIZEN_FILES} files", code="too_many")
    limit = current_app.config["UPLOAD_LIMIT"]
    from eoffice.org.desks import head_desk

    desk = complaint.level_desk or complaint.io_desk or head_desk(session, complaint.office)
    if desk is None:
        raise Conflict("no desk of the office can receive it now", code="no_desk")
    att = upload_from_citizen(
        session,
        get_store(),
        complaint,
        desk,
        name=upload.filename or "attachment",
        data=upload.read(limit + 1),
        limit=limit,
    )
    return jsonify(attachment_json(att)), 201
