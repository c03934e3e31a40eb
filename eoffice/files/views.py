"""File pages: the acting desk's lists, a new file, the file itself (noting and correspondence side
by side, as on paper), its movement, and drafts for approval.

Every action calls the same service function as the JSON API. A page only parses its form, calls
the service and shows the result; on a 409 or 422 it shows the file again, as it is now, with
what the user typed still in the form."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from eoffice.core.errors import Conflict, Invalid
from eoffice.files import service
from eoffice.files.docket import docket_pdf
from eoffice.files.forms import (
    DraftForm,
    FileForm,
    NoteForm,
    OfficerRemarksForm,
    PutReceiptForm,
    RemarksForm,
    RetentionForm,
    SendForm,
    priority_choices,
)
from eoffice.files.models import FileStatus, calendar_of
from eoffice.org.forms import choices
from eoffice.org.pages import channel_choices, desk_choices, web_desk
from eoffice.pdf.render import link_citations
from eoffice.receipts import service as receipts
from eoffice.storage.views import several_files, upload_many
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.downloads import pdf_name, pdf_response
from eoffice.web.errors import page_message
from eoffice.web.extensions import pdf_limits
from eoffice.web.pages import form_error, int_or_none, page_arg
from eoffice.web.session import get_session

bp = Blueprint("files", __name__)

PER_PAGE = 25


@bp.app_template_filter("cite_links")
def cite_links(text: str | None, files: Mapping[str, str] | None = None) -> Markup:
    """Escape the note first, then turn citations into links (C/5, #12, and the numbers of
    `files`: the linked files the reader may see, number -> page): user text is never trusted."""
    escaped = str(escape(text or ""))
    return Markup(link_citations(escaped, files))  # noqa: S704 - escaped just above


# --- lists -------------------------------------------------------------------------------------

BOXES = {
    "inbox": FileStatus.open.value,
    "parked": FileStatus.parked.value,
    "closed": FileStatus.closed.value,
}


def _sort_arg() -> str:
    sort = request.args.get("sort", "received")
    return sort if sort in service.SORTS else "received"


@bp.get("/files/inbox", defaults={"box": "inbox"}, endpoint="inbox")
@bp.get("/files/parked", defaults={"box": "parked"}, endpoint="parked")
@bp.get("/files/closed", defaults={"box": "closed"}, endpoint="closed")
@requires(LOGGED_IN)
def desk_list(box: str):
    desk = web_desk()
    sort = _sort_arg()
    result = None
    if desk is not None:
        result = service.desk_files(get_session(), desk, BOXES[box], sort, page_arg(), PER_PAGE)
    return render_template("files/list.html", box=box, desk=desk, result=result, sort=sort)


@bp.get("/files/sent")
@requires(LOGGED_IN)
def sent():
    desk = web_desk()
    result = None
    if desk is not None:
        result = service.sent_files(get_session(), desk, page_arg(), PER_PAGE)
    return render_template("files/sent.html", desk=desk, result=result)


@bp.get("/files/copies")
@requires(LOGGED_IN)
def copies():
    """Files marked to the desk for information, until read here (read-only)."""
    desk = web_desk()
    result = None
    if desk is not None:
        result = service.file_copies(get_session(), desk, page_arg(), PER_PAGE)
    return render_template("files/copies.html", desk=desk, result=result)


@bp.get("/files/")
@requires(LOGGED_IN)
def visible():
    """Every file the user may see (an auditor: the whole jurisdiction), newest change first."""
    result = service.visible_files(get_session(), current_user, page_arg(), PER_PAGE)
    return render_template("files/visible.html", result=result)


# --- a new file --------------------------------------------------------------------------------


@bp.route("/files/new", methods=["GET", "POST"])
@requires("file.create")
def new():
    session = get_session()
    desk = web_desk()
    form = FileForm()
    form.receipt_ids.choices = choices(
        (r.id, r.label()) for r in receipts.open_receipts(session, desk)
    )
    status = 200
    from_receipt = int_or_none(request.args.get("receipt"))
    if request.method == "GET" and from_receipt:
        # "open a new file from this receipt": tick it and take its subject
        receipt = receipts.get_receipt(session, current_user, from_receipt)
        form.receipt_ids.data = [receipt.id]
        form.subject.data = form.subject.data or receipt.subject
    if request.method == "POST":
        if form.validate_on_submit():
            values = {
                "subject": form.subject.data,
                "head": form.head.data,
                "category": form.category.data,
                "priority": form.priority.data,
                "retention_years": form.retention_years.data,
            }
            try:
                file = service.create_file(
                    session, current_user, desk, values, form.receipt_ids.data or []
                )
            except (Invalid, Conflict) as exc:
                session.rollback()
                if isinstance(exc, Conflict):
                    flash(page_message(exc, "file"), "error")
                else:
                    form_error(form, exc, "file")
                status = exc.status
            else:
                flash(_("File %(number)s opened.", number=file.number), "info")
                return redirect(url_for("files.show", file_id=file.id), 303)
        else:
            status = 422
    return render_template("files/new.html", form=form, desk=desk), status


# --- the file page -----------------------------------------------------------------------------


def _send_form(session, desk, formdata=True) -> SendForm:
    """The send form: shown, it offers the channel of submission first (or the desks a search
    found); sent, any active desk is a valid choice (the service checks the channel)."""
    form = SendForm(prefix="send") if formdata else SendForm(prefix="send", formdata=None)
    if formdata:
        form.to.choices = desk_choices(session, desk)
    else:
        form.to.choices = channel_choices(session, desk, request.args.get("desk_q"))
    form.copy_to.choices = form.to.choices[1:]
    form.priority.choices = priority_choices(blank=_l("(unchanged)"))
    return form


def _receipt_form(session, desk, formdata=True) -> PutReceiptForm:
    form = (
        PutReceiptForm(prefix="receipt")
        if formdata
        else PutReceiptForm(prefix="receipt", formdata=None)
    )
    form.receipt_id.choices = choices(
        (r.id, r.label()) for r in receipts.open_receipts(session, desk)
    )
    return form


def render_file(session, file, *, status: int = 200, failed: tuple[str, object] | None = None):
    """The file page. `failed` = (form name, the submitted form) keeps what the user typed."""
    desk = web_desk()
    detail = service.file_detail(session, file)
    version = str(file.version)
    acts = dict.fromkeys(file.allowed_actions(desk, current_user), True)

    def blank(cls, prefix, **data):
        return cls(prefix=prefix, formdata=None, data={"version": version, **data})

    forms = {
        "note": blank(NoteForm, "note"),
        "send": _send_form(session, desk, formdata=False),
        "pull_back": blank(RemarksForm, "pull"),
        "park": blank(RemarksForm, "park"),
        "unpark": blank(RemarksForm, "unpark"),
        "close": blank(OfficerRemarksForm, "close"),
        "reopen": blank(OfficerRemarksForm, "reopen"),
        "receipt": _receipt_form(session, desk, formdata=False),
        "draft": blank(DraftForm, "draft"),
        "retention": blank(RetentionForm, "retention", retention_years=file.retention_years),
    }
    forms["send"].version.data = forms["receipt"].version.data = version
    edit_forms = {
        n.number: blank(NoteForm, f"edit-{n.number}", text=n.text)
        for n in detail["notes"]
        if acts.get("note")
        and not n.final
        and n.author_id == current_user.id
        and n.desk_id == desk.id
    }
    failed_name = None
    if failed is not None:
        failed_name, form = failed
        form.version.data = version  # the page now shows this version: a resubmit may go ahead
        if failed_name.startswith("edit-"):
            edit_forms[int(failed_name[5:])] = form
        else:
            forms[failed_name] = form
    held_elsewhere = next(
        (
            d
            for d in current_user.current_desks()
            if d.id == file.holder_desk_id and (desk is None or d.id != desk.id)
        ),
        None,
    )
    calendar = calendar_of(file.holder.office)  # the holding desk's office's working days
    overdue = file.is_overdue(calendar.today(), calendar)
    return render_template(
        "files/show.html",
        file=file,
        desk=desk,
        overdue=overdue,
        acts=acts,
        forms=forms,
        edit_forms=edit_forms,
        failed=failed_name,
        held_elsewhere=held_elsewhere,
        **detail,
    ), status


@bp.get("/files/<int:file_id>")
@requires(LOGGED_IN)
def show(file_id: int):
    session = get_session()
    file = service.open_file(session, current_user, web_desk(), file_id)
    return render_file(session, file)


def refused(session, file_id: int, name: str, form, exc=None):
    """Show the file again after a refused action, keeping the submitted form."""
    file = service.get_file(session, current_user, file_id)  # 404 when not visible
    if isinstance(exc, Conflict):
        flash(page_message(exc, "file"), "error")
        return render_file(session, file, status=409, failed=(name, form))
    if isinstance(exc, Invalid):
        form_error(form, exc, "file")
    else:
        flash(_("Please correct the marked fields."), "error")
    return render_file(session, file, status=422, failed=(name, form))


def act(file_id: int, name: str, form, call, message: str, to=None):
    """Validate, call the service, and redirect (303) or show the file again (409/422)."""
    session = get_session()
    if not form.validate_on_submit():
        return refused(session, file_id, name, form)
    try:
        call(session, int_or_none(form.version.data))
    except (Conflict, Invalid) as exc:
        session.rollback()
        return refused(session, file_id, name, form, exc)
    flash(message, "info")
    return redirect(to or url_for("files.show", file_id=file_id), 303)


def _remarks(form) -> str | None:
    return (form.remarks.data or "").strip() or None


@bp.post("/files/<int:file_id>/send")
@requires(LOGGED_IN)
def send(file_id: int):
    form = _send_form(get_session(), web_desk())
    return act(
        file_id,
        "send",
        form,
        lambda s, v: service.send_file(
            s,
            current_user,
            web_desk(),
            file_id,
            form.to.data,
            _remarks(form),
            form.priority.data or None,
            form.due_on.data,
            v,
            copy_to=[c for c in form.copy_to.data if c != form.to.data],
            urgent=bool(form.urgent.data),
        ),
        _("File sent to %(desk)s.", desk=form.to.data),
    )


@bp.post("/files/<int:file_id>/pull-back")
@requires(LOGGED_IN)
def pull_back(file_id: int):
    form = RemarksForm(prefix="pull")
    return act(
        file_id,
        "pull_back",
        form,
        lambda s, v: service.pull_back(s, current_user, web_desk(), file_id, _remarks(form), v),
        _("File pulled back to your desk."),
    )


@bp.post("/files/<int:file_id>/park")
@requires(LOGGED_IN)
def park(file_id: int):
    form = RemarksForm(prefix="park")
    return act(
        file_id,
        "park",
        form,
        lambda s, v: service.park(s, current_user, web_desk(), file_id, _remarks(form), v),
        _("File parked."),
    )


@bp.post("/files/<int:file_id>/unpark")
@requires(LOGGED_IN)
def unpark(file_id: int):
    form = RemarksForm(prefix="unpark")
    return act(
        file_id,
        "unpark",
        form,
        lambda s, v: service.unpark(s, current_user, web_desk(), file_id, _remarks(form), v),
        _("File taken back into work."),
    )


@bp.post("/files/<int:file_id>/close")
@requires("file.close")
def close(file_id: int):
    form = OfficerRemarksForm(prefix="close")
    return act(
        file_id,
        "close",
        form,
        lambda s, v: service.close(s, current_user, web_desk(), file_id, _remarks(form), v),
        _("File closed."),
    )


@bp.post("/files/<int:file_id>/reopen")
@requires("file.close")
def reopen(file_id: int):
    form = OfficerRemarksForm(prefix="reopen")
    return act(
        file_id,
        "reopen",
        form,
        lambda s, v: service.reopen(s, current_user, web_desk(), file_id, _remarks(form), v),
        _("File reopened."),
    )


@bp.post("/files/<int:file_id>/receipts")
@requires(LOGGED_IN)
def put_receipt(file_id: int):
    form = _receipt_form(get_session(), web_desk())
    return act(
        file_id,
        "receipt",
        form,
        lambda s, v: service.put_receipt_in_file(
            s, current_user, web_desk(), file_id, form.receipt_id.data, v
        ),
        _("Receipt put into the file."),
    )


@bp.post("/files/<int:file_id>/attachments")
@requires(LOGGED_IN)
@several_files(back="files.show")
def upload(file_id: int):
    """Attach files from the file page (the holding desk, as through the API)."""
    file = service.get_file(get_session(), current_user, file_id, for_update=True)
    return upload_many(file, url_for("files.show", file_id=file_id))


@bp.get("/files/<int:file_id>/docket.pdf")
@requires(LOGGED_IN)
@pdf_limits
def docket(file_id: int):
    session = get_session()
    file = service.get_file(session, current_user, file_id)  # 404 when not visible
    return pdf_response(docket_pdf(session, file), pdf_name(file.number))
