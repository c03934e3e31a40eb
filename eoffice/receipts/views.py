"""Dak pages: the acting desk's open receipts, diarising, a receipt, sending and closing it.

The pages parse forms and call receipts.service, exactly as the JSON API does."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core import kinds
from eoffice.core.db import office_today
from eoffice.core.errors import Conflict, Invalid
from eoffice.core.pagination import Page, paginate
from eoffice.org.desks import read_only
from eoffice.org.pages import channel_choices, desk_choices, web_desk
from eoffice.receipts import service
from eoffice.receipts.acknowledgement import acknowledgeable_receipt, acknowledgement_pdf
from eoffice.receipts.forms import ReceiptCloseForm, ReceiptForm, ReceiptSendForm
from eoffice.receipts.models import Receipt
from eoffice.storage.service import attachments_of
from eoffice.storage.views import several_files, upload_many
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.downloads import pdf_name, pdf_response
from eoffice.web.errors import page_message
from eoffice.web.extensions import pdf_limits
from eoffice.web.pages import form_error, page_arg
from eoffice.web.session import get_session

bp = Blueprint("receipts", __name__, url_prefix="/receipts")

PER_PAGE = 25

# --- pages ------------------------------------------------------------------------------------


@bp.get("/")
@requires(LOGGED_IN)
def index():
    """The desk's dak: `box=inbox` (open on the desk; unread, priority and due marked), `sent`
    (marked to others for action, with a pull-back while unopened), `copies` (not yet seen)."""
    session = get_session()
    desk = web_desk()
    box = request.args.get("box", "inbox")
    if box not in service.BOXES:
        box = "inbox"
    page = Page([], 0, 1, PER_PAGE)
    if desk is not None:
        page = service.dak_list(session, desk, box, page_arg(), PER_PAGE)
    return render_template(
        "receipts/list.html",
        desk=desk,
        rows=page.items,
        page_info=page,
        box=box,
        today=office_today(),
    )


@bp.get("/register")
@requires(LOGGED_IN)
def register():
    """The office's dak register for a date range, with CSV and PDF downloads."""
    from eoffice.receipts import register as reg

    session = get_session()
    args = {k: request.args.get(k) for k in ("office", "from", "to") if request.args.get(k)}
    office, start, end, stmt = service.register(
        session, current_user, args.get("office"), reg.date_arg("from"), reg.date_arg("to")
    )
    fmt = request.args.get("format")
    if fmt == "csv":
        return reg.csv_response(office, start, end, session.connection().execute(stmt).all())
    if fmt == "pdf":
        return reg.pdf_response_for(session, office, start, end, reg.printable(session, stmt))
    page_info = paginate(session, stmt, page_arg(), 100, rows=True)
    return render_template(
        "receipts/register.html",
        office=office,
        start=start,
        end=end,
        rows=page_info.items,
        page_info=page_info,
        args=args,
        where_now=reg.where_now,
    )


def _values(form: ReceiptForm) -> dict:
    values = {}
    for name in service.FIELDS:
        value = form[name].data
        if isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    return values


@bp.route("/new", methods=["GET", "POST"])
@requires("receipt.create")
def new():
    session = get_session()
    desk = web_desk()
    form = ReceiptForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                receipt = service.diarise(session, current_user, desk, _values(form))
            except Invalid as exc:
                session.rollback()
                form_error(form, exc)
            else:
                flash(_("Diarised as %(number)s.", number=receipt.number), "info")
                return redirect(url_for("receipts.show", receipt_id=receipt.id), 303)
        status = 422
    return render_template("receipts/new.html", form=form, desk=desk), status


def _render(
    session, receipt: Receipt, send=None, close=None, status: int = 200, failed=None, pull=None
):
    """The receipt page; `failed` names the refused form, shown again with what was typed."""
    desk = web_desk()
    acts = receipt.allowed_actions(desk, current_user)
    movable = "send" in acts
    if send is None:
        send = ReceiptSendForm(prefix="send", formdata=None)
    offered = channel_choices(session, desk, request.args.get("desk_q"))
    if failed == "send":  # keep what was chosen, whatever list it came from
        offered = desk_choices(session, desk)
    send.to.choices = offered
    send.copy_to.choices = offered[1:]
    last = service.last_action(session, receipt)
    may_pull_back = (
        desk is not None
        and last is not None
        and last.kind == "action"
        and last.from_desk_id == desk.id
        and last.opened_at is None
        and receipt.status == "open"
        and not read_only(current_user)
    )
    close = close or ReceiptCloseForm(prefix="close", formdata=None)
    # the file it went into: files are the module above, reached through the registry
    file = session.get(kinds.get("file").model, receipt.file_id) if receipt.file_id else None

    return render_template(
        "receipts/show.html",
        receipt=receipt,
        file=file,
        desk=desk,
        movable=movable,
        may_open_file="open_file" in acts,
        send_form=send,
        close_form=close,
        pull_form=pull or ReceiptCloseForm(prefix="pull", formdata=None),
        may_pull_back=may_pull_back,
        movements=service.movements(session, receipt),
        desk_q=request.args.get("desk_q", ""),
        failed=failed,
        attachments=attachments_of(session, receipt),
    ), status


@bp.get("/<int:receipt_id>")
@requires(LOGGED_IN)
def show(receipt_id: int):
    session = get_session()
    return _render(session, service.open_receipt(session, current_user, web_desk(), receipt_id))


def _failed(session, receipt_id: int, exc, **forms):
    receipt = service.get_receipt(session, current_user, receipt_id)  # 404 when not visible
    status = 422
    if isinstance(exc, Conflict):
        status = 409
        flash(page_message(exc, "receipt"), "error")
    elif isinstance(exc, Invalid):
        form_error(next(iter(forms.values())), exc, "receipt")
    return _render(session, receipt, status=status, failed=next(iter(forms)), **forms)


@bp.post("/<int:receipt_id>/send")
@requires(LOGGED_IN)
def send(receipt_id: int):
    session = get_session()
    form = ReceiptSendForm(prefix="send")
    form.to.choices = desk_choices(session, web_desk())
    form.copy_to.choices = form.to.choices[1:]
    if not form.validate_on_submit():
        return _failed(session, receipt_id, None, send=form)
    try:
        receipt = service.send_receipt(
            session,
            current_user,
            web_desk(),
            receipt_id,
            [form.to.data, *[c for c in form.copy_to.data if c != form.to.data]],
            (form.remarks.data or "").strip() or None,
            priority=form.priority.data or None,
            due_on=form.due_on.data,
            urgent=bool(form.urgent.data),
        )
    except (Conflict, Invalid) as exc:
        session.rollback()
        return _failed(session, receipt_id, exc, send=form)
    flash(
        _("Receipt %(number)s sent to %(desk)s.", number=receipt.number, desk=form.to.data), "info"
    )
    # it has left this desk (and may no longer be visible here): back to the desk's dak
    return redirect(url_for("receipts.index"), 303)


@bp.post("/<int:receipt_id>/pull-back")
@requires(LOGGED_IN)
def pull_back(receipt_id: int):
    session = get_session()
    form = ReceiptCloseForm(prefix="pull")
    if not form.validate_on_submit():
        return _failed(session, receipt_id, None, pull=form)
    try:
        receipt = service.pull_back(
            session, current_user, web_desk(), receipt_id, (form.remarks.data or "").strip() or None
        )
    except (Conflict, Invalid) as exc:
        session.rollback()
        return _failed(session, receipt_id, exc, pull=form)
    flash(_("Receipt %(number)s is back on your desk.", number=receipt.number), "info")
    return redirect(url_for("receipts.show", receipt_id=receipt_id), 303)


@bp.post("/<int:receipt_id>/close")
@requires(LOGGED_IN)
def close(receipt_id: int):
    session = get_session()
    form = ReceiptCloseForm(prefix="close")
    if not form.validate_on_submit():
        return _failed(session, receipt_id, None, close=form)
    try:
        receipt = service.close_receipt(
            session,
            current_user,
            web_desk(),
            receipt_id,
            (form.remarks.data or "").strip() or None,
        )
    except (Conflict, Invalid) as exc:
        session.rollback()
        return _failed(session, receipt_id, exc, close=form)
    flash(_("Receipt %(number)s closed.", number=receipt.number), "info")
    return redirect(url_for("receipts.show", receipt_id=receipt_id), 303)


@bp.post("/<int:receipt_id>/attachments")
@requires(LOGGED_IN)
@several_files(back="receipts.show")
def upload(receipt_id: int):
    """Attach scans from the receipt page (the desk holding the receipt)."""
    receipt = service.get_receipt(get_session(), current_user, receipt_id, for_update=True)
    return upload_many(receipt, url_for("receipts.show", receipt_id=receipt_id))


@bp.get("/<int:receipt_id>/acknowledgement.pdf")
@requires(LOGGED_IN)
@pdf_limits
def acknowledgement(receipt_id: int):
    session = get_session()
    receipt = acknowledgeable_receipt(service.get_receipt(session, current_user, receipt_id))
    return pdf_response(acknowledgement_pdf(session, receipt), pdf_name(receipt.number))
