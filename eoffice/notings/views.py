"""Pages of the noting side: add and edit notes, write a draft in the file, and the draft's own
page (revise, compare versions, approve, issue). A refused note shows the file page again, as it
is now, with what the user typed still in the form (files.views.render_file)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.auth.forms import PlainForm
from eoffice.auth.permissions import can
from eoffice.core.errors import Conflict, Invalid
from eoffice.files.forms import DraftForm, NoteForm, ReviseDraftForm, VersionedForm
from eoffice.files.models import FileStatus
from eoffice.files.views import act
from eoffice.notings import service as notings
from eoffice.notings.models import DraftStatus
from eoffice.org.pages import web_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.errors import page_message
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


def _render_draft(session, draft, file, *, status: int = 200, revise=None):
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
        approve_form=VersionedForm(
            prefix="approve", formdata=None, data={"version": str(draft.version)}
        ),
        issue_form=PlainForm(prefix="issue", formdata=None),
    ), status


@bp.get("/drafts/<int:draft_id>")
@requires(LOGGED_IN)
def draft(draft_id: int):
    session = get_session()
    draft, file = notings.get_draft(session, current_user, draft_id)
    return _render_draft(session, draft, file)


def _draftact(draft_id: int, form, call, message: str, revise=None):
    session = get_session()
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
            else:
                flash(page_message(exc, "draft"), "error")
            return _render_draft(session, draft, file, status=exc.status, revise=revise)
        flash(message, "info")
        return redirect(url_for("notings.draft", draft_id=draft_id), 303)
    draft, file = notings.get_draft(session, current_user, draft_id)
    flash(_("Please correct the marked fields."), "error")
    return _render_draft(session, draft, file, status=422, revise=revise)


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


@bp.post("/drafts/<int:draft_id>/approve")
@requires("draft.approve")
def approve_draft(draft_id: int):
    form = VersionedForm(prefix="approve")
    return _draftact(
        draft_id,
        form,
        lambda s, v: notings.approve_draft(s, current_user, web_desk(), draft_id, v),
        _("Draft approved."),
    )


@bp.post("/drafts/<int:draft_id>/issue")
@requires(LOGGED_IN)
def issue_draft(draft_id: int):
    form = PlainForm(prefix="issue")
    issued = {}

    def call(session, _version):
        issued["number"] = notings.issue_draft(
            session, current_user, web_desk(), draft_id, store=get_store()
        ).dispatch_number

    response = _draftact(draft_id, form, call, _("Letter issued."))
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
