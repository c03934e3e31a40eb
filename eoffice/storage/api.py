"""JSON: attachments (downloads; the upload that each owner's module offers on its own route)."""

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask_login import current_user

from eoffice.core.errors import Invalid
from eoffice.org.pages import api_desk
from eoffice.storage import service
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import iso, spec
from eoffice.web.downloads import content_disposition
from eoffice.web.session import get_session, get_store

bp = Blueprint("storage_api", __name__, url_prefix="/api/v1")


def attachment_json(att) -> dict:
    return {
        "id": att.id,
        "name": att.name,
        "size": att.size,
        "sha256": att.sha256,
        "content_type": att.content_type,
        "uploaded_by": att.uploaded_by.username if att.uploaded_by else None,
        "created_at": iso(att.created_at),
        "url": f"/api/v1/attachments/{att.id}",
        "ocr": att.ocr,  # a scan's text: pending, done or failed; null when it needs no OCR
    }


def store_upload(owner):
    """The multipart field `file`, checked and stored for `owner` (a file, a receipt, ...: its
    module's route loads it row-locked and checks who may see it)."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the file as multipart/form-data in the field 'file'", field="file")
    limit = current_app.config["UPLOAD_LIMIT"]
    att = service.upload(
        get_session(),
        get_store(),
        current_user,
        api_desk(current_user),
        owner,
        name=upload.filename,
        data=upload.read(limit + 1),
        limit=limit,
    )
    return jsonify(attachment_json(att)), 201


@bp.get("/attachments/<int:attachment_id>")
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def download(attachment_id: int):
    """The bytes, as a download. `?redirect=1` answers 302 with a link valid for 5 minutes,
    signed for the store's public address (EOFFICE_S3_PUBLIC_URL), or, with none configured,
    to this download itself. `?format=json` answers the attachment's JSON instead (name, size,
    type, who uploaded it, and `ocr`: pending, done or failed for a scan being read). The
    bytes carry `X-OCR` too."""
    att = service.get_attachment(get_session(), current_user, attachment_id)
    if request.args.get("format") == "json":
        return jsonify(attachment_json(att))
    store = get_store()
    if request.args.get("redirect") == "1":
        # a link signed for the store's public address; without one, the app's own download
        signed = store.signed_url(att.key, minutes=5, filename=att.download_name)
        return redirect(signed or f"/api/v1/attachments/{att.id}", 302)
    return Response(
        store.get(att.key),
        content_type=att.content_type,
        headers={
            "Content-Disposition": content_disposition(att.download_name),
            **({"X-OCR": att.ocr} if getattr(att, "ocr", None) else {}),
        },
    )
