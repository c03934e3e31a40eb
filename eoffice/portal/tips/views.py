"""Staff pages of tips: the list and the conversation for the `tips` role (404 for anyone
else, the admin and auditors included), the moderation list, and the counts by category and
station for the district's officers. They call the same service as the JSON API."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core.errors import Conflict, Forbidden, Invalid
from eoffice.org.pages import web_desk
from eoffice.portal.tips import service
from eoffice.portal.tips.forms import CATEGORY_PAIRS, AbuseForm, RemarksForm, ReplyForm
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.pages import form_error, page_arg
from eoffice.web.session import get_session

bp = Blueprint("tips", __name__, url_prefix="/tips")
PER_PAGE = 25
STATUSES = ("open", "received", "answered", "closed")


@bp.get("/")
@requires(LOGGED_IN)
def index():
    status = request.args.get("status") or "open"
    if status not in STATUSES:
        status = "open"
    page = service.list_tips(
        get_session(), current_user, status=status, page=page_arg(), per_page=PER_PAGE
    )
    return render_template(
        "tips/list.html",
        page_info=page,
        tips=page.items,
        status=status,
        categories=dict(CATEGORY_PAIRS),
    )


@bp.get("/moderation")
@requires(LOGGED_IN)
def moderation():
    """Open tips to look over for abuse, and those already marked (whose receipt may be
    barred)."""
    session = get_session()
    unmarked = service.list_tips(
        session, current_user, status="open", abuse=False, page=page_arg(), per_page=PER_PAGE
    )
    marked = service.list_tips(session, current_user, abuse=True, page=1, per_page=100)
    return render_template(
        "tips/moderation.html",
        unmarked=unmarked,
        marked=marked.items,
        abuse_form=AbuseForm(formdata=None),
        ban_form=RemarksForm(formdata=None, prefix="ban"),
        categories=dict(CATEGORY_PAIRS),
    )


@bp.get("/counts")
@requires(LOGGED_IN)
def counts():
    result = service.counts(get_session(), current_user, request.args.get("office") or None)
    return render_template("tips/counts.html", c=result, categories=CATEGORY_PAIRS)


def _render(tip, failed: str | None = None, form=None, status: int = 200):
    forms = {
        "reply": ReplyForm(formdata=None, prefix="reply"),
        "close": RemarksForm(formdata=None, prefix="close"),
        "abuse": AbuseForm(formdata=None, prefix="abuse"),
        "ban": RemarksForm(formdata=None, prefix="ban"),
    }
    if failed:
        forms[failed] = form
    return render_template(
        "tips/show.html",
        tip=tip,
        forms=forms,
        attachments=attachments_of(get_session(), tip),
        categories=dict(CATEGORY_PAIRS),
    ), status


@bp.get("/<int:tip_id>")
@requires(LOGGED_IN)
def show(tip_id: int):
    return _render(service.get_tip(get_session(), current_user, tip_id))


def _act(tip_id: int, name: str, form, run, done: str, back: str | None = None):
    session = get_session()
    tip = service.get_tip(session, current_user, tip_id)  # 404 before anything typed is read
    if form.validate_on_submit():
        try:
            run(session, form)
        except (Invalid, Conflict, Forbidden) as exc:
            session.rollback()
            form_error(form, exc, "tip")
        else:
            flash(done, "info")
            return redirect(back or url_for("tips.show", tip_id=tip_id), 303)
    tip = service.get_tip(session, current_user, tip_id)
    return _render(tip, name, form, 422)


@bp.post("/<int:tip_id>/reply")
@requires(LOGGED_IN)
def reply(tip_id: int):
    return _act(
        tip_id,
        "reply",
        ReplyForm(prefix="reply"),
        lambda s, f: service.reply(s, current_user, web_desk(), tip_id, f.text.data),
        _("Your reply was sent; the sender reads it with their receipt."),
    )


@bp.post("/<int:tip_id>/close")
@requires(LOGGED_IN)
def close(tip_id: int):
    return _act(
        tip_id,
        "close",
        RemarksForm(prefix="close"),
        lambda s, f: service.close(s, current_user, web_desk(), tip_id, f.remarks.data),
        _("The tip was closed."),
    )


def _back() -> str | None:
    return url_for("tips.moderation") if request.form.get("from") == "moderation" else None


@bp.post("/<int:tip_id>/abuse")
@requires(LOGGED_IN)
def abuse(tip_id: int):
    prefix = "" if request.form.get("from") == "moderation" else "abuse"
    return _act(
        tip_id,
        "abuse",
        AbuseForm(prefix=prefix),
        lambda s, f: service.mark_abuse(s, current_user, web_desk(), tip_id, f.remarks.data),
        _("The tip was marked as abuse."),
        _back(),
    )


@bp.post("/<int:tip_id>/ban")
@requires(LOGGED_IN)
def ban(tip_id: int):
    return _act(
        tip_id,
        "ban",
        RemarksForm(prefix="ban"),
        lambda s, f: service.ban(s, current_user, web_desk(), tip_id, f.remarks.data),
        _("The receipt was barred: it can send nothing more."),
        _back(),
    )
