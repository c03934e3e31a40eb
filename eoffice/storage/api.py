"""JSON: attachments of files and receipts (multipart uploads, downloads)."""

import unicodedata
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask_login import current_user

from eoffice.api import acting_desk_for_request, iso, spec
from eoffice.auth.permissions import LOGGED_IN, requires
from eoffice.db import get_session
from eoffice.errors import Invalid
from eoffice.files.service import get_file
from eoffice.receipts.service import get_receipt
from eoffice.storage import get_store, service

bp = Blueprint("storage_api", __name__, url_prefix="/api/v1")


def attachment_json(att) -> dict:
    return {
        "id": att.id,
        "name": att.name,
        "size": att.size,
        "sha256": att.sha256,
        "content_type": att.content_type,
        "uploaded_by": att.uploaded_by.username,
        "created_at": iso(att.created_at),
        "url": f"/api/v1/attachments/{att.id}",
    }


def _store_upload(**target) -> tuple:
    """The multipart field `file`, checked and stored for the file or receipt given."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the file as multipart/form-data in the field 'file'", field="file")
    limit = current_app.config["UPLOAD_LIMIT"]
    att = service.upload(
        get_session(),
        get_store(),
        current_user,
        acting_desk_for_request(current_user),
        name=upload.filename,
        data=upload.read(limit + 1),
        limit=limit,
        **target,
    )
    return jsonify(attachment_json(att)), 201


@bp.post("/files/<int:file_id>/attachments")
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def upload_to_file(file_id: int):
    """Attach a document to a file (holding desk). Type decided by content; 413 / 415 refused."""
    return _store_upload(file=get_file(get_session(), current_user, file_id, for_update=True))


@bp.post("/receipts/<int:receipt_id>/attachments")
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def upload_to_receipt(receipt_id: int):
    """Attach the scan of a receipt (desk holding the receipt)."""
    return _store_upload(receipt=get_receipt(get_session(), current_user, receipt_id))


@bp.get("/attachments/<int:attachment_id>")
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def download(attachment_id: int):
    """The bytes, as a download; `?redirect=1` answers with a signed URL valid for 5 minutes."""
    att = service.get_attachment(get_session(), current_user, attachment_id)
    store = get_store()
    if request.args.get("redirect") == "1":
        return redirect(store.signed_url(att.key, minutes=5, filename=att.name), 302)
    return Response(
        store.get(att.key),
        content_type=att.content_type,
        headers={"Content-Disposition": content_disposition(att.name)},
    )


def content_disposition(name: str) -> str:
    """attachment, with an ASCII fallback and the real (Hindi) name in RFC 5987 form."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fallback = "".join(c for c in fallback if c.isalnum() or c in "._- ").strip()
    stem, dot, ext = fallback.rpartition(".")
    if not any(c.isalnum() for c in (stem if dot else fallback)):  # a name in Hindi only
        fallback = f"attachment.{ext}" if dot and ext.isalnum() else "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
