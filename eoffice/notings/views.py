"""Pages of the noting side: add and edit notes, write a draft in the file, and the draft's own
page (revise, compare versions, approve, issue). A refused note shows the file page again, as it
is now, with what the user typed still in the form (files.views.render_file)."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.auth.permissions import can
from eoffice.core.errors import Conflict, Invalid
from eoffice.files.forms import DraftForm, NoteForm, ReviseDraftForm
from eoffice.files.models import FileStatus
from eoffice.files.views import act
from eoffice.notings import dispatch
from eoffice.notings import service as notings
from eoffice.notings.api import pdf_format_limits, register_download
from eoffice.notings.forms import ApproveForm, IssueForm
from eoffice.notings.models import DraftStatus
from eoffice.org.pages import web_desk
from eoffice.pdf.signing import office_key
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.errors import page_message
from eoffice.web.forms import refused
from eoffice.web.pages import form_error, int_or_none
from eoffice.web.session import get_session, get_store

bp = Blueprint("notings", __name__)


@bp.post("/files/<int:file_id>/notes")
@requires(LOGGED_IN)
def add_note(file_id: int):
    form = NoteForm(prefix="note")
    return act(
        file_id,
        "note",
        form,
        lambda s, v: notings.add_note(s, current_user, web_desk(), file_id, form.text.data, v),
        _("Note added."),
    )


@bp.post("/files/<int:file_id>/notes/<int:number>")
@requires(LOGGED_IN)
def edit_note(file_id: int, number: int):
    form = NoteForm(prefix=f"edit-{number}")
    return act(
        file_id,
        f"edit-{number}",
        form,
        lambda s, v: notings.edit_note(
            s, current_user, web_desk(), file_id, number, form.text.data, v
        ),
        _("Note %(number)s saved.", number=number),
    )


@bp.post("/files/<int:file_id>/drafts")
@requires(LOGGED_IN)
def create_draft(file_id: int):
    form = DraftForm(prefix="draft")
    created = {}

    def call(session, version):
        created["draft"] = notings.create_draft(
            session, current_user, web_desk(), file_id, form.title.data, form.body.data, version
        )

    response = act(file_id, "draft", form, call, _("Draft created."))
    if "draft" in created:
        return redirect(url_for("notings.draft", draft_id=created["draft"].id), 303)
    return response


# --- drafts for approval -----------------------------------------------------------------------


def _render_draft(
    session, draft, file, *, status: int = 200, revise=None, approve=None, issue=None
):
    desk = web_desk()
    on_desk = desk is not None and file.holder_desk_id == desk.id
    on_desk = on_desk and file.status != FileStatus.closed
    issued = draft.status == DraftStatus.issued
    if revise is None:
        revise = ReviseDraftForm(
            prefix="revise",
            formdata=None,
            data={"body": draft.versions[-1].body, "version": str(draft.version)},
        )
    else:
        revise.version.data = str(draft.version)
    if approve is None:
        approve = ApproveForm(prefix="approve", formdata=None, data={"version": str(draft.version)})
    else:
        approve.version.data = str(draft.version)
    shown = draft.versions[-1]
    wanted = int_or_none(request.args.get("v"))
    for v in draft.versions:
        if v.version == wanted:
            shown = v
    return render_template(
        "notings/draft.html",
        letter_id=notings.letter_attachment_id(session, draft) if issued else None,
        draft=draft,
        file=file,
        shown=shown,
        may_edit=on_desk and not issued,
        may_approve=on_desk
        and draft.status == DraftStatus.draft
        and can(current_user, "draft.approve"),
        may_issue=on_desk and draft.status == DraftStatus.approved,
        revise_form=revise,
        approve_form=approve,
        issue_form=issue if issue is not None else IssueForm(prefix="issue", formdata=None),
    ), status


@bp.get("/drafts/<int:draft_id>")
@requires(LOGGED_IN)
def draft(draft_id: int):
    session = get_session()
    draft, file = notings.get_draft(session, current_user, draft_id)
    return _render_draft(session, draft, file)


def _draftact(draft_id: int, form, call, message: str, revise=None, on_error=None):
    """Run `call` for a submitted form; a refusal shows the draft page again with the form as
    typed (`revise`: the revise form, whose field the error may name; `on_error(exc)`: puts a
    refusal next to a field of `form` and says whether it did)."""
    session = get_session()
    forms = {"revise": revise}
    if isinstance(form, ApproveForm):
        forms["approve"] = form
    elif isinstance(form, IssueForm):
        forms["issue"] = form
    if form.validate_on_submit():
        try:
            call(session, int_or_none(form.version.data) if hasattr(form, "version") else None)
        except (Conflict, Invalid) as exc:
            session.rollback()
            draft, file = notings.get_draft(session, current_user, draft_id)
            if isinstance(exc, Conflict):
                flash(page_message(exc, "draft"), "error")
            elif revise is not None:
                form_error(revise, exc, "draft")
            elif on_error is None or not on_error(exc):
                flash(page_message(exc, "draft"), "error")
            return _render_draft(session, draft, file, status=exc.status, **forms)
        flash(message, "info")
        return redirect(url_for("notings.draft", draft_id=draft_id), 303)
    draft, file = notings.get_draft(session, current_user, draft_id)
    flash(_("Please correct the marked fields."), "error")
    return _render_draft(session, draft, file, status=422, **forms)


@bp.post("/drafts/<int:draft_id>")
@requires(LOGGED_IN)
def revise_draft(draft_id: int):
    form = ReviseDraftForm(prefix="revise")
    return _draftact(
        draft_id,
        form,
        lambda s, v: notings.revise_draft(s, current_user, web_desk(), draft_id, form.body.data, v),
        _("Draft saved as a new version."),
        revise=form,
    )


def _confirmation_error(form):
    def put(exc) -> bool:
        if exc.field == "confirm":
            form_error(form, exc, "draft")
            return True
        return False

    return put


@bp.post("/drafts/<int:draft_id>/approve")
@requires("draft.approve")
def approve_draft(draft_id: int):
    form = ApproveForm(prefix="approve")

    def call(session, version):
        if not form.confirm.data:
            # what approving would refuse comes first (404, 403, 409), then the confirmation
            notings.check_approvable(session, current_user, web_desk(), draft_id)
            raise Invalid("tick the confirmation", field="confirm", code="confirm_approve")
        notings.approve_draft(session, current_user, web_desk(), draft_id, version)

    return _draftact(draft_id, form, call, _("Draft approved."), on_error=_confirmation_error(form))


@bp.post("/drafts/<int:draft_id>/issue")
@requires(LOGGED_IN)
def issue_draft(draft_id: int):
    form = IssueForm(prefix="issue")
    issued = {}
    # the rows filled in, in order: a refusal naming addressees[i] is put next to the i-th one
    filled = {
        name: [e.form for e in getattr(form, name) if e.form.value() is not None]
        for name in ("addressees", "copy_to")
    }

    def call(session, _version):
        if not form.confirm.data:
            notings.check_issuable(session, current_user, web_desk(), draft_id)
            raise Invalid("tick the confirmation", field="confirm", code="confirm_issue")
        issued["number"] = notings.issue_draft(
            session,
            current_user,
            web_desk(),
            draft_id,
            store=get_store(),
            signing_key=office_key(current_app.config),
            mode=form.mode.data,
            addressees=[row.value() for row in filled["addressees"]],
            copy_to=[row.value() for row in filled["copy_to"]],
        ).dispatch_number

    def on_error(exc) -> bool:
        if exc.field == "confirm":
            form_error(form, exc, "draft")
            return True
        where = re.fullmatch(r"(addressees|copy_to)\[(\d+)\]\.(\w+)", exc.field or "")
        if where:
            rows, i, key = filled[where.group(1)], int(where.group(2)), where.group(3)
            if i < len(rows) and hasattr(rows[i], key):
                field = getattr(rows[i], key)
                field.errors = list(field.errors) + [page_message(exc, "draft")]
                refused()
                return True
        if exc.field in ("addressees", "mode"):
            form_error(form, exc, "draft")
            return True
        return False

    response = _draftact(draft_id, form, call, _("Letter issued."), on_error=on_error)
    if "number" in issued:
        flash(_("Dispatch number: %(number)s", number=issued["number"]), "info")
    return response


@bp.get("/drafts/<int:draft_id>/compare")
@requires(LOGGED_IN)
def compare(draft_id: int):
    session = get_session()
    draft, file = notings.get_draft(session, current_user, draft_id)
    b = int_or_none(request.args.get("b")) or draft.version
    a = int_or_none(request.args.get("a")) or max(1, b - 1)
    lines = notings.diff_versions(draft, a, b)  # 404 for a version that does not exist
    return render_template("notings/compare.html", draft=draft, file=file, a=a, b=b, lines=lines)


# --- the dispatch register ---------------------------------------------------------------------


def _date(name: str, errors: dict) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Give the date as YYYY-MM-DD.")
        return None


@bp.get("/dispatch")
@requires(LOGGED_IN)
@pdf_format_limits
def dispatch_register():
    """The office's dispatch register, with its CSV and PDF (`format=csv|pdf`)."""
    session = get_session()
    offices = dispatch.register_offices(session, current_user)
    code = request.args.get("office") or (offices[0].code if offices else None)
    office = dispatch.register_office(session, current_user, code)  # 404 for another office
    errors: dict[str, str] = {}
    date_from, date_to = _date("from", errors), _date("to", errors)
    register, status = None, 200
    if errors:
        refused()
        status = 422
    else:
        try:
            register = dispatch.dispatch_register(session, current_user, office, date_from, date_to)
        except Invalid as exc:
            errors[exc.field or "from"] = page_message(exc, "dispatch")
            refused()
            status = 422
    fmt = request.args.get("format")
    if register is not None and fmt in ("csv", "pdf"):
        return register_download(register, fmt)
    return render_template(
        "notings/dispatch.html",
        offices=offices,
        office=office,
        register=register,
        date_from=date_from,
        date_to=date_to,
        errors=errors,
        addressee_line=dispatch.addressee_line,
    ), status
