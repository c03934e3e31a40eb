"""The record room's pages: files due for review, the confirm step of weeding one, the weeded
files' tombstones, and an officer's change of an open file's retention period."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core.errors import Conflict, Invalid
from eoffice.files import records
from eoffice.files.forms import RetentionForm, WeedForm
from eoffice.files.views import refused
from eoffice.org.pages import web_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.errors import page_message
from eoffice.web.pages import form_error, int_or_none, page_arg
from eoffice.web.session import get_session

bp = Blueprint("records", __name__)

PER_PAGE = 25


def _default_office():
    desk = web_desk()
    return desk.office if desk is not None else None


@bp.get("/records/review")
@requires(LOGGED_IN)
def review():
    office, result, today = records.review_list(
        get_session(),
        current_user,
        request.args.get("office"),
        page_arg(),
        PER_PAGE,
        default_office=_default_office(),
    )
    return render_template("files/records_review.html", office=office, result=result, today=today)


@bp.get("/records/weeded")
@requires(LOGGED_IN)
def weeded():
    office, result = records.weeded_list(
        get_session(),
        current_user,
        request.args.get("office"),
        page_arg(),
        PER_PAGE,
        default_office=_default_office(),
    )
    return render_template("files/records_weeded.html", office=office, result=result)


def _confirm_page(session, file, form, status=200):
    today = records.calendar_of(file.office).today()
    return render_template(
        "files/records_weed.html", file=file, form=form, due=file.due_for_review(today)
    ), status


@bp.route("/records/<int:file_id>/weed", methods=["GET", "POST"])
@requires(LOGGED_IN)
def weed(file_id: int):
    """The confirm step: the file's record, remarks and a required "I confirm" tick."""
    session = get_session()
    file = records.get_for_review(session, current_user, file_id)  # 404 for outsiders
    records.check_may_weed(current_user)  # 403 for clerks and auditors
    form = WeedForm()
    if request.method == "GET":
        return _confirm_page(session, file, form)
    if not form.validate_on_submit():
        return _confirm_page(session, file, form, 422)
    number, office_code = file.number, file.office.code
    try:
        records.weed(
            session, current_user, web_desk(), file_id, form.remarks.data, strict_desk=False
        )
    except Conflict as exc:
        session.rollback()
        flash(page_message(exc, "records"), "error")
        return _confirm_page(
            session, records.get_for_review(session, current_user, file_id), form, 409
        )
    except Invalid as exc:
        session.rollback()
        form_error(form, exc, "records")
        return _confirm_page(
            session, records.get_for_review(session, current_user, file_id), form, 422
        )
    flash(_("File %(number)s weeded; its record is kept below.", number=number), "info")
    return redirect(url_for("records.weeded", office=office_code), 303)


@bp.post("/files/<int:file_id>/retention")
@requires("file.close")
def retention(file_id: int):
    """An officer at the holding desk changes an open C file's retention period."""
    form = RetentionForm(prefix="retention")
    session = get_session()
    if not form.validate_on_submit():
        return refused(session, file_id, "retention", form)
    try:
        records.set_retention(
            session,
            current_user,
            web_desk(),
            file_id,
            form.retention_years.data,
            int_or_none(form.version.data),
        )
    except (Conflict, Invalid) as exc:
        session.rollback()
        return refused(session, file_id, "retention", form, exc)
    flash(_("Retention period changed."), "info")
    return redirect(url_for("files.show", file_id=file_id), 303)
