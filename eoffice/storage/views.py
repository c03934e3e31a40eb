"""Attachments on the pages: download, preview, and the upload of several files at once that an
owner's page (a file, a receipt) offers through `upload_many` on a route of its own module.

Each uploaded file goes through `service.upload` on its own, exactly as a JSON upload does, in a
savepoint of the request's one transaction, so a refused one (too large, a type we do not take,
the store down) costs none of the others. The form works without JavaScript (one POST, a redirect
back with a message per file); static/attachments.js sends the files one by one instead, with a
progress bar, and shows the same messages."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedType,
)
from eoffice.org.pages import web_desk
from eoffice.storage import service
from eoffice.storage.sniff import JPEG, PDF, PNG
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.downloads import content_disposition
from eoffice.web.session import get_session, get_store

bp = Blueprint("attachments", __name__)

# Only these are ever shown inline; everything else is a download.
PREVIEWABLE = (PDF, JPEG, PNG)
# The preview answers inside a frame of our own page only, with no scripts or forms of
# its own: a PDF or picture that carries anything active stays inert (Chromium still shows PDFs).
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'self'"


def _refusal(code: str) -> str | None:
    """Why an upload was refused, for codes the service shares with other actions."""
    return {
        "not_holder": _("it is not on your desk"),
        "read_only": _("auditors read files and dak; they do not attach to them"),
        "file_closed": _("the file is closed"),
        "receipt_not_open": _("the receipt has already been put into a file or closed"),
        "no_desk": _("you hold no desk at present"),
        "desk_required": _("choose the desk you act for"),
        "stale_version": _("someone else changed the file at the same moment; try again"),
    }.get(code)


def upload_form_limit() -> int:
    """The most one form POST may carry: several files, each at most UPLOAD_LIMIT."""
    cfg = current_app.config
    return cfg.get("UPLOAD_FORM_LIMIT") or cfg["UPLOAD_LIMIT"] * 10 + 1024 * 1024


def several_files(back: str):
    """Mark an owner's upload route: one POST to it may carry several files; `back` is the
    endpoint of the owner's page (called with the route's own arguments)."""

    def deco(view):
        view.eoffice_several_files = back
        return view

    return deco


def _back_endpoint(endpoint) -> str | None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "eoffice_several_files", None)


def allow_several_files(endpoint, values):
    """url_value_preprocessor of the app. Runs before the CSRF check reads the form: one POST to
    an upload route may carry several files, from someone logged in (others keep the app's
    limit of one file)."""
    if request.method == "POST" and _back_endpoint(endpoint) and current_user.is_authenticated:
        request.max_content_length = upload_form_limit()


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _reason(exc: DomainError, empty: bool) -> str:
    if isinstance(exc, TooLarge):
        return _("it is larger than %(mb)s MB", mb=_megabytes(current_app.config["UPLOAD_LIMIT"]))
    if isinstance(exc, UnsupportedType):
        if empty:
            return _("the file is empty")
        return _(
            "this kind of file is not accepted: PDF, JPEG, PNG, TIFF, DOCX, ODT or plain text only"
        )
    if isinstance(exc, Unavailable):
        return _("the document store cannot be reached just now; please try again shortly")
    return _refusal(exc.code) or exc.message


def _store_each(owner) -> tuple[list[dict], int]:
    """Upload every chosen file on its own; returns a result per file and the HTTP status."""
    chosen = [f for f in request.files.getlist("files") if f and f.filename]
    if not chosen:
        return [], 422
    limit = current_app.config["UPLOAD_LIMIT"]
    session = get_session()
    results, status, stop = [], 201, None
    for upload in chosen:
        name = service.clean_name(upload.filename)
        if stop is not None:  # the store is down or the desk may not attach: no use trying on
            results.append({"name": name, "ok": False, "message": stop[0]})
            continue
        data = upload.read(limit + 1)
        try:
            with session.begin_nested():  # a refused file takes back only its own row
                att = service.upload(
                    session,
                    get_store(),
                    current_user,
                    web_desk(),
                    owner,
                    name=upload.filename,
                    data=data,
                    limit=limit,
                )
        except (TooLarge, UnsupportedType, Unavailable, Conflict, Forbidden, Invalid) as exc:
            reason = _reason(exc, empty=not data)
            results.append({"name": name, "ok": False, "message": reason, "code": exc.code})
            status = exc.status if status == 201 else status
            if isinstance(exc, (Unavailable, Conflict, Forbidden)):
                stop = (reason, exc.status)
        else:
            results.append({"name": att.name, "ok": True, "id": att.id})
    return results, status


def upload_many(owner, back: str):
    """The owner's page's upload form: every chosen file attached on its own; the owner comes
    row-locked from its module's loader, who may see it having been checked there."""
    results, status = _store_each(owner)
    return _answer(results, status, back, owner)


def _answer(results: list[dict], status: int, back: str, owner):
    if _wants_json():
        session = get_session()
        html = render_template(
            "storage/_list.html", attachments=service.attachments_of(session, owner)
        )
        for r in results:
            r["message"] = r.get("message") or _("%(name)s attached.", name=r["name"])
        return jsonify({"results": results, "html": html}), status
    if not results:
        flash(_("Choose one or more files to attach."), "error")
    done = [r["name"] for r in results if r["ok"]]
    if done:
        flash(_("Attached: %(names)s", names=", ".join(done)), "info")
    for r in results:
        if not r["ok"]:
            flash(
                _("%(name)s was not attached: %(reason)s", name=r["name"], reason=r["message"]),
                "error",
            )
    return redirect(back + "#attachments", 303)


def too_large(exc):
    """The whole POST was over the limit. On an upload route, say so on the page it came from
    and keep nothing (the answer); elsewhere None: the usual 413."""
    back_endpoint = _back_endpoint(request.endpoint)
    if back_endpoint is None:
        return None
    message = _(
        "The files were not attached: together they are larger than %(mb)s MB. "
        "Attach them a few at a time (each at most %(each)s MB).",
        mb=_megabytes(upload_form_limit()),
        each=_megabytes(current_app.config["UPLOAD_LIMIT"]),
    )
    if _wants_json():
        return jsonify({"error": {"code": "too_large", "message": message}}), 413
    flash(message, "error")
    return redirect(url_for(back_endpoint, **(request.view_args or {})) + "#attachments", 303)


@bp.get("/attachments/<int:attachment_id>")
@requires(LOGGED_IN)
def download(attachment_id: int):
    """The stored bytes as a download, for whoever may see the file or receipt."""
    att = service.get_attachment(get_session(), current_user, attachment_id)
    return Response(
        get_store().get(att.key),
        content_type=att.content_type,
        headers={"Content-Disposition": content_disposition(att.download_name)},
    )


@bp.get("/attachments/<int:attachment_id>/preview")
@requires(LOGGED_IN)
def preview(attachment_id: int):
    """A PDF or picture shown inline in the file page, as strictly checked as a download."""
    att = service.get_attachment(get_session(), current_user, attachment_id)
    if att.content_type not in PREVIEWABLE:
        raise NotFound("this kind of attachment has no preview; download it instead")
    disposition = content_disposition(att.download_name).replace("attachment;", "inline;", 1)
    return Response(
        get_store().get(att.key),
        content_type=att.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Security-Policy": PREVIEW_CSP,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "private, no-store",
        },
    )
