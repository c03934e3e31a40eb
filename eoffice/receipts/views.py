"""Dak pages: the acting desk's open receipts, diarising, a receipt, sending and closing it.

The pages parse forms and call receipts.service, exactly as the JSON API does."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from eoffice.auth.permissions import LOGGED_IN, can, requires
from eoffice.auth.views import web_desk
from eoffice.db import get_session
from eoffice.errors import Conflict, Invalid, page_message
from eoffice.files.models import File
from eoffice.org.forms import choices
from eoffice.org.models import Desk
from eoffice.pagination import Page, page_arg, paginate
from eoffice.receipts import service
from eoffice.receipts.forms import ReceiptCloseForm, ReceiptForm, ReceiptSendForm
from eoffice.receipts.models import Receipt, ReceiptStatus

bp = Blueprint("receipts", __name__, url_prefix="/receipts")

PER_PAGE = 25

# --- helpers shared with the file pages ---------------------------------------------------------


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def desk_choices(session: Session, exclude: Desk | None) -> list:
    """Active desks a file or receipt can be sent to: every desk but the acting one."""
    locale = str(get_locale())
    desks = session.scalars(
        sa.select(Desk).where(Desk.active).options(selectinload(Desk.office)).order_by(Desk.code)
    )
    return choices(
        [("", "—")]
        + [
            (d.code, f"{d.code} — {d.display_title(locale)} ({d.office.display_name(locale)})")
            for d in desks
            if exclude is None or d.id != exclude.id
        ]
    )


def open_receipts_stmt(desk: Desk):
    return (
        sa.select(Receipt)
        .where(Receipt.holder_desk_id == desk.id, Receipt.status == ReceiptStatus.open.value)
        .order_by(Receipt.id.desc())
    )


def open_receipts(session: Session, desk: Desk | None, limit: int = 200) -> list[Receipt]:
    """Receipts lying open on the desk, newest first (for "put into a file" choices)."""
    if desk is None:
        return []
    return list(session.scalars(open_receipts_stmt(desk).limit(limit)))


def receipt_label(r: Receipt) -> str:
    subject = r.subject if len(r.subject) <= 80 else r.subject[:79] + "…"
    return f"{r.number} — {subject}"


def form_error(form, exc: Invalid, context: str | None = None) -> None:
    """The service's refusal next to the field it names, in the page's language."""
    message = page_message(exc, context)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [message]
    else:
        flash(message, "error")


def conflict_message(exc: Conflict, context: str | None = None) -> str:
    return page_message(exc, context)


# --- pages ------------------------------------------------------------------------------------


@bp.get("/")
@requires(LOGGED_IN)
def index():
    session = get_session()
    desk = web_desk()
    page = Page([], 0, 1, PER_PAGE)
    if desk is not None:
        page = paginate(session, open_receipts_stmt(desk), page_arg(), PER_PAGE)
    return render_template("receipts/list.html", desk=desk, receipts=page.items, page_info=page)


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


def _render(session, receipt: Receipt, send=None, close=None, status: int = 200, failed=None):
    """The receipt page; `failed` names the refused form, shown again with what was typed."""
    desk = web_desk()
    movable = (
        desk is not None
        and receipt.status == ReceiptStatus.open
        and receipt.holder_desk_id == desk.id
    )
    if send is None:
        send = ReceiptSendForm(prefix="send", formdata=None)
    send.to.choices = desk_choices(session, desk)
    close = close or ReceiptCloseForm(prefix="close", formdata=None)
    file = session.get(File, receipt.file_id) if receipt.file_id else None
    from eoffice.storage.service import attachments_of

    return render_template(
        "receipts/show.html",
        receipt=receipt,
        file=file,
        desk=desk,
        movable=movable,
        may_open_file=movable and can(current_user, "file.create"),
        send_form=send,
        close_form=close,
        failed=failed,
        attachments=attachments_of(session, receipt_id=receipt.id),
    ), status


@bp.get("/<int:receipt_id>")
@requires(LOGGED_IN)
def show(receipt_id: int):
    session = get_session()
    return _render(session, service.get_receipt(session, current_user, receipt_id))


def _failed(session, receipt_id: int, exc, **forms):
    receipt = service.get_receipt(session, current_user, receipt_id)  # 404 when not visible
    status = 422
    if isinstance(exc, Conflict):
        status = 409
        flash(conflict_message(exc, "receipt"), "error")
    elif isinstance(exc, Invalid):
        form_error(next(iter(forms.values())), exc, "receipt")
    return _render(session, receipt, status=status, failed=next(iter(forms)), **forms)


@bp.post("/<int:receipt_id>/send")
@requires(LOGGED_IN)
def send(receipt_id: int):
    session = get_session()
    form = ReceiptSendForm(prefix="send")
    form.to.choices = desk_choices(session, web_desk())
    if not form.validate_on_submit():
        return _failed(session, receipt_id, None, send=form)
    try:
        receipt = service.send_receipt(
            session,
            current_user,
            web_desk(),
            receipt_id,
            form.to.data,
            (form.remarks.data or "").strip() or None,
        )
    except (Conflict, Invalid) as exc:
        session.rollback()
        return _failed(session, receipt_id, exc, send=form)
    flash(
        _("Receipt %(number)s sent to %(desk)s.", number=receipt.number, desk=form.to.data), "info"
    )
    # it has left this desk (and may no longer be visible here): back to the desk's dak
    return redirect(url_for("receipts.index"), 303)


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
