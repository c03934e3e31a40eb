"""The tipster's pages: /c/tip (send a tip, with photos, audio or video) and /c/tip/me (read the
police's replies and add to the tip with the receipt, which travels only in form bodies, never in
a URL). Hindi first, no JavaScript needed; counted by a keyed hash of the address, never the
address itself."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request
from flask_babel import gettext as _

from eoffice.complaints.public import office_choices
from eoffice.core import pow
from eoffice.core.errors import DomainError, NotFound
from eoffice.portal.tips import service
from eoffice.portal.tips.forms import CATEGORY_PAIRS, FILE_HINT, MessageForm, ReceiptForm, TipForm
from eoffice.web.access import public
from eoffice.web.pages import form_error
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session, get_store

bp = Blueprint("tips_public", __name__)

# the service's field names, as the page's form names them
FIELDS = {
    "when": "when",
    "details": "details",
    "details.vehicle_number": "vehicle_number",
    "details.description": "details",
    "details.place": "details_place",
    "details.time": "details_time",
    "identity.name": "name",
    "identity.mobile": "mobile",
    "identity.email": "email",
    "file": "files",
    "altcha": None,  # not a field the tipster fills in: said at the top of the form
}


def _key() -> str:
    return current_app.config["CITIZEN_KEY"]


def _values(form: TipForm) -> dict:
    def text(field):
        value = field.data
        return (value.strip() or None) if isinstance(value, str) else value

    return {
        "district": form.district.data,
        "station": form.station.data or None,
        "category": form.category.data,
        "text": text(form.text),
        "place": text(form.place),
        "when": text(form.when),
        "details": {
            "vehicle_number": text(form.vehicle_number),
            "description": text(form.details),
            "place": text(form.details_place),
            "time": text(form.details_time),
        },
        "identity": {
            "name": text(form.name),
            "mobile": text(form.mobile),
            "email": text(form.email),
        },
    }


def _uploads(field) -> list:
    return [f for f in (field.data or []) if f is not None and getattr(f, "filename", None)]


def _attach_all(session, tip, field) -> None:
    limit = current_app.config["UPLOAD_LIMIT"]
    for upload in _uploads(field):
        try:
            service.tipster_attach(session, get_store(), tip, upload.read(limit + 1), limit)
        except DomainError as exc:
            exc.field = "files"
            raise


def _refuse(form, exc: DomainError) -> None:
    get_session().rollback()
    if exc.field in FIELDS:
        exc.field = FIELDS[exc.field]
    form_error(form, exc, "tip")


@bp.route("/c/tip", methods=["GET", "POST"])
@public
@anonymous_limit
def tip():
    """The tip form; on success, the receipt, shown this once."""
    session = get_session()
    form = TipForm()
    office_choices(session, form)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                pow.check(session, current_app.config, request.form.get("altcha"))
                done = service.submit(session, _key(), _values(form))
                _attach_all(session, done.tip, form.files)
            except DomainError as exc:
                status = exc.status
                _refuse(form, exc)
            else:
                return render_template(
                    "citizen/tip_sent.html",
                    receipt=service.format_receipt(done.receipt),
                    files=len(_uploads(form.files)),
                ), 201
    return render_template("citizen/tip.html", form=form, file_hint=FILE_HINT), status


def _conversation(tip, receipt: str, form: MessageForm | None = None, status: int = 200):
    from eoffice.storage.service import attachments_of

    form = form or MessageForm(formdata=None, receipt=receipt)
    form.receipt.data = receipt
    return render_template(
        "citizen/tip_me.html",
        tip=tip,
        form=form,
        files=[a for a in attachments_of(get_session(), tip) if a.uploaded_by_id is None],
        categories=dict(CATEGORY_PAIRS),
        file_hint=FILE_HINT,
    ), status


def _not_found(form: ReceiptForm):
    form.receipt.errors = [_("No tip has this receipt. Check the 16 digits and try again.")]
    return render_template("citizen/tip_open.html", form=form), 404


@bp.route("/c/tip/me", methods=["GET", "POST"])
@public
@anonymous_limit
def me():
    """The receipt in (a form body); the status, the conversation and a form to add more out.
    A wrong receipt and a missing one get the same answer."""
    form = ReceiptForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("citizen/tip_open.html", form=form), 422
        try:
            found = service.find_by_receipt(get_session(), _key(), form.receipt.data)
        except NotFound:
            return _not_found(form)
        return _conversation(found, form.receipt.data)
    return render_template("citizen/tip_open.html", form=form)


@bp.post("/c/tip/me/message")
@public
@anonymous_limit
def message():
    """Add a message, files or both to the tip (the receipt comes in the form body)."""
    session = get_session()
    form = MessageForm()
    receipt = form.receipt.data or ""
    try:
        found = service.find_by_receipt(session, _key(), receipt, for_update=True)
    except NotFound:
        return _not_found(ReceiptForm(formdata=None))
    if not form.validate_on_submit():
        return _conversation(found, receipt, form, 422)
    text = (form.text.data or "").strip()
    if not text and not _uploads(form.files):
        form.text.errors = [_("Write something or add a file.")]
        return _conversation(found, receipt, form, 422)
    try:
        if text:
            service.tipster_message(session, found, text)
        _attach_all(session, found, form.files)
    except DomainError as exc:
        _refuse(form, exc)
        found = service.find_by_receipt(session, _key(), receipt)
        return _conversation(found, receipt, form, exc.status)
    flash(_("Sent. The police will read it."), "info")
    return _conversation(found, receipt, MessageForm(formdata=None, receipt=receipt))
