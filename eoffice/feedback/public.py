"""The visitor's page: /c/feedback/<office>, opened from the QR on the station's poster or the
link on an acknowledgement (?v=<visit token>). Hindi first, English one tap away, works without
JavaScript, small enough for a slow phone. Its limit per address counts a daily keyed hash of
the address (as the anonymous forms' do), so nothing of the visitor is kept but what they type."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from eoffice.core import pow
from eoffice.core.errors import Invalid
from eoffice.feedback import service
from eoffice.feedback.forms import FeedbackForm
from eoffice.web.access import public
from eoffice.web.pages import form_error
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session

bp = Blueprint("feedback_public", __name__)


@bp.route("/c/feedback/<code>", methods=["GET", "POST"])
@public
@anonymous_limit
def form(code: str):
    session = get_session()
    office = service.find_office(session, code)
    form = FeedbackForm()
    if request.method == "GET" and request.args.get("v"):
        form.visit_token.data = request.args.get("v", "")[: service.MAX_TOKEN]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                pow.check(session, current_app.config, request.form.get(pow.FIELD))
                feedback = service.submit(
                    session,
                    service.Settings.of(current_app.config),
                    form.values(office.code, str(get_locale())),
                )
            except Invalid as exc:
                session.rollback()
                form_error(form, _form_field(exc))
            else:
                return render_template(
                    "feedback/thanks.html",
                    office=office,
                    feedback=feedback,
                    token_given=bool(form.visit_token.data and form.visit_token.data.strip()),
                ), 201
        status = 422
    return render_template("feedback/form.html", office=office, form=form), status


def _form_field(exc: Invalid) -> Invalid:
    """The service names fields as the API does (ratings.behaviour); the form's are flat."""
    if exc.field and exc.field.startswith("ratings."):
        exc.field = exc.field.removeprefix("ratings.")
    elif exc.field == "bribe_asked":
        exc.field = "bribe"
    return exc
