"""The one mapping of domain errors (eoffice.core.errors) to HTTP answers: JSON for the API,
a page in the user's language for the browser."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from eoffice.core import kinds, uow
from eoffice.core.errors import DomainError, Hidden, Invalid, Unauthorized
from eoffice.web.session import get_db, rollback

# What a page says for a service error, by its code. The services' English messages stay what the
# JSON API answers (stable for its clients); the pages show these, in the user's language.
# "<context>.<code>" words it for one kind of object; a code not listed keeps the service's text.
PAGE_MESSAGES = {
    "not_found": _l("Not found: it does not exist, or you may not see it."),
    "forbidden": _l("You may not do this."),
    "already_holds": _l("That user already holds this desk."),
    "bad_query": _l("The search could not be understood: check the brackets and quotes."),
    "no_desk": _l("You hold no desk at present."),
    "desk_required": _l("You hold more than one desk: choose the desk you act for."),
    "not_your_desk": _l("You do not hold that desk."),
    "stale_version": _l("Someone else changed this at the same moment. Reload and try again."),
    "file.stale_version": _l(
        "This file was changed since this page was loaded (by someone else, or by you in "
        "another tab). The page now shows the file as it is; what you typed is kept in the "
        "form below: check it and submit again."
    ),
    "draft.stale_version": _l(
        "Someone else changed this draft while you were editing it. The page now shows the "
        "newest version; your text is kept in the form below: check it and save again."
    ),
    "not_holder": _l("This file is not on your desk, so you cannot act on it."),
    "receipt.not_holder": _l("This receipt is not on your desk any more."),
    "file_closed": _l("This file is closed; it cannot be changed."),
    "already_opened": _l(
        "The receiving desk has already opened the file, so it can no longer be pulled back."
    ),
    "not_sender": _l("This file was not last sent from your desk."),
    "already_parked": _l("This file is already parked."),
    "not_parked": _l("This file is not parked."),
    "not_closed": _l("This file is not closed."),
    "note_final": _l("This note is final: the file has left the desk. Add a new note instead."),
    "receipt_not_open": _l("This receipt has already been put into a file or closed."),
    "file.receipt_not_open": _l("That receipt has already been put into a file or closed."),
    "draft_issued": _l("This draft has been issued; it cannot change."),
    "not_approved": _l("Only an approved draft can be issued."),
    "no_such_version": _l("The draft has no such version."),
    "unknown_desk": _l("There is no desk with that code."),
    "desk_inactive": _l("That desk is no longer in use; choose another."),
    "same_desk": _l("It is already on that desk; choose another."),
    "file.same_desk": _l("The file is already on that desk; choose another."),
    "receipt.same_desk": _l("The receipt is already on that desk; choose another."),
    "due_in_past": _l("The due date is in the past."),
    "pdf_busy": _l("PDFs are being made for others just now. Please try again in a moment."),
    "too_long_to_print": _l("This file is too long to print as one PDF."),
    "read_only": _l("Auditors read files and dak; they cannot change them."),
    "audit_desk": _l("That is an inspection desk: work is not sent to auditors. Choose another."),
    "org_admin_only": _l("Only an administrator may change the organisation."),
    "object_missing": _l(
        "The stored copy of this attachment is missing. Please tell the administrator."
    ),
    # approving and issuing letters, the dispatch register (eoffice.notings.dispatch)
    "confirm_approve": _l("Tick the confirmation to approve the draft."),
    "confirm_issue": _l("Tick the confirmation to issue the letter."),
    "no_email": _l("To send by e-mail, give an e-mail address for an addressee or a copy."),
    "bad_email": _l("That is not an e-mail address."),
    "bad_mode": _l("Choose how the letter is sent: post, e-mail or by hand."),
    "no_name": _l("Give the addressee's name."),
    "bad_range": _l("The first date is after the last."),
    "office_required": _l("Choose the office."),
    # part files, links, copies of filed receipts (eoffice.files.links)
    "part_of_part": _l("This is a part file: open a part of its main file instead."),
    "self_link": _l("A file cannot be linked to itself."),
    "unknown_file": _l("There is no file with that number that you may see."),
    "unknown_receipt": _l("There is no receipt with that number that you may see."),
    "receipt_not_filed": _l(
        "That receipt is not in a file yet: put it into this file instead of copying it."
    ),
    "already_in_file": _l("That receipt is already in this file."),
    "receipt_graded": _l("That receipt is graded: it cannot be copied into another file."),
    # the record room (eoffice.files.records)
    "permanent_record": _l("Files of category A and B are permanent: they are never weeded."),
    "records.not_closed": _l("Only a closed file can be weeded."),
    "not_due_for_review": _l("This file is not due for review yet."),
    "already_weeded": _l("This file has already been weeded."),
    "file_weeded": _l("This file was weeded: only its record in the record room remains."),
    "record_room_only": _l("Only officers and auditors open the record room."),
    "officer_only": _l("Only an officer may approve weeding a file."),
    "not_your_office": _l("Your desk is not of this file's office or one above it."),
    "bad_retention": _l("The retention period is a whole number of years from 1 to 10."),
    # the portal's reports (eoffice.portal.reports)
    "unknown_office": _l("There is no such office here: choose one from the list."),
    "bad_mobile": _l("Enter a 10-digit mobile number."),
    "too_early": _l("The date is too early: give a date from 1970 on."),
    "in_future": _l("The date is in the future."),
    "event_over": _l("This event is over: it takes no more reports."),
    "already_acknowledged": _l("This request has already been acknowledged."),
    "already_resolved": _l("This request has already been resolved."),
    # confidential tips (eoffice.portal.tips)
    "receipt_banned": _l("The police have barred this receipt: it can send nothing more."),
    "tip.closed": _l(
        "The police have closed this tip. To tell them something new, send a new tip."
    ),
    "tip.too_many": _l("A tip takes at most 10 files."),
    "tip.unsupported_type": _l(
        "This file is not accepted: send photos as JPEG or PNG, audio as M4A, MP3, WAV or AMR, "
        "video as MP4, 3GP or MOV."
    ),
    "tip.too_large": _l("The file is too large."),
    "metadata_track": _l(
        "This video carries a track that may hold the place it was recorded; it cannot be "
        "cleaned. Send it from the phone's gallery as an ordinary video."
    ),
    "tip.too_long": _l("The text is too long."),
    "tip.bad_mobile": _l("Enter a 10-digit mobile number."),
    "tip.bad_email": _l("That is not an e-mail address."),
    "tip.unknown_office": _l("Choose the district and a police station in it."),
    "no_details": _l(
        "These details are for a suspicious person or vehicle, illegal trade or an event; the "
        "vehicle number for a vehicle."
    ),
    "already_abuse": _l("This tip is already marked as abuse."),
    "already_banned": _l("This receipt is already barred."),
    "altcha_required": _l("The form could not be checked. Please send it again."),
    "altcha_invalid": _l("The form could not be checked. Please send it again."),
    "altcha_too_fast": _l("Please wait a few seconds, then send the form again."),
}


def page_message(exc: DomainError, context: str | None = None) -> str:
    """The text a page shows for `exc`, translated; the service's message when none is set."""
    message = PAGE_MESSAGES.get(f"{context}.{exc.code}") if context else None
    if message is None:
        message = PAGE_MESSAGES.get(exc.code)
    return str(message) if message is not None else exc.message


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_body(code: str, message: str, field: str | None = None) -> dict:
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    return {"error": err}


def json_error(status: int, code: str, message: str, field: str | None = None):
    return jsonify(error_body(code, message, field)), status


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _log_refusal(exc: Hidden) -> None:
    """A refused attempt on a real record goes to the audit log (the audit module records it)."""
    from flask_login import current_user

    recorder = kinds.hook("access.refused")
    if recorder is None or not current_user.is_authenticated:
        return
    # who asked, read before the rollback expires the user's row
    who = SimpleNamespace(id=current_user.id, username=current_user.username)
    rollback()  # the request's own work is undone first (and its lock let go)
    recorder(
        get_db(),
        who,
        exc.obj_type,
        exc.obj_id,
        {"method": request.method, "path": request.path[:300]},
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        if isinstance(exc, Hidden):
            _log_refusal(exc)
        if is_api_request():
            return json_error(exc.status, exc.code, exc.message, exc.field)
        if isinstance(exc, Unauthorized):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template(
            "error.html", status=exc.status, message=page_message(exc)
        ), exc.status

    @app.errorhandler(DataError)
    def _data(exc):
        # a value the database cannot hold (a number out of its column's range, text it cannot
        # store) that no check caught before: the caller's input, answered as such
        rollback()
        return _domain(Invalid("a value is out of the range the database can store"))

    for exc_class in uow.CONCURRENT_WRITE:

        @app.errorhandler(exc_class)
        def _concurrent(exc):
            # a lost race that surfaced outside a use case: the same 409 as everywhere
            rollback()
            return _domain(uow.conflict_from(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if is_api_request():
            return json_error(400, "csrf", exc.description)
        flash(_("Your form expired or was sent from elsewhere. Please try again."), "error")
        return render_template("error.html", status=400, message=exc.description), 400

    @app.errorhandler(429)
    def _rate_limited(exc):
        if is_api_request():  # the API speaks English, whatever the caller's language
            return json_error(429, "rate_limited", "too many attempts; wait a minute and retry")
        message = _("Too many attempts. Please wait a minute and try again.")
        if request.endpoint == "auth.login":
            flash(message, "error")
            return redirect(url_for("auth.login")), 303
        return render_template("error.html", status=429, message=message), 429

    app.register_error_handler(HTTPException, http_error)


def http_error(exc: HTTPException):
    """An HTTP error raised by Flask or Werkzeug (404, 405, 413, ...), as JSON or a page."""
    status = exc.code or 500
    if is_api_request():
        return json_error(status, _HTTP_CODES.get(status, "error"), exc.description or "")
    message = PAGE_MESSAGES.get(_HTTP_CODES.get(status, ""), exc.description)
    return render_template("error.html", status=status, message=message), status
