"""The citizen's pages of the portal's reports, under /c/: a lost article or document (the
acknowledgement to download at once), a security request and its status, and an event's page
for concerns, suggestions and praise. Hindi first, no JavaScript needed."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from eoffice.complaints.public import office_choices
from eoffice.core import pow
from eoffice.core.errors import Conflict, Invalid, NotFound
from eoffice.portal.reports import service
from eoffice.portal.reports.forms import (
    ARTICLE_PAIRS,
    FOR_PAIRS,
    REPORT_PAIRS,
    EventReportForm,
    LostForm,
    SecurityForm,
    SecurityStatusForm,
)
from eoffice.web.access import public
from eoffice.web.extensions import public_limits
from eoffice.web.pages import form_error
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session

bp = Blueprint("portal_public", __name__)


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


def _text(field) -> str | None:
    value = field.data
    return (value.strip() or None) if isinstance(value, str) else value


def _language() -> str:
    lang = str(get_locale())
    return lang if lang in ("hi", "en") else "hi"


def _failed(session, form, exc) -> None:
    session.rollback()
    # the service names nested fields (article.description); the form's are flat
    if exc.field and "." in exc.field:
        exc.field = exc.field.rsplit(".", 1)[-1]
    form_error(form, exc)


@bp.route("/c/lost", methods=["GET", "POST"])
@public
@public_limits
def lost():
    """Report a lost article or document: the number, the verify link and the acknowledgement
    (PDF) at once."""
    session = get_session()
    form = LostForm()
    office_choices(session, form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            values = {
                "district": form.district.data,
                "station": form.station.data or None,
                "article": {
                    "kind": form.kind.data,
                    "description": _text(form.description),
                    "identifiers": {"imei": _text(form.imei), "number": _text(form.doc_number)},
                },
                "lost": {"on": form.lost_on.data, "place": _text(form.lost_place)},
                "reporter": {
                    "name": _text(form.name),
                    "mobile": _text(form.mobile),
                    "email": _text(form.email),
                    "address": _text(form.address),
                },
                "language": _language(),
            }
            try:
                reg = service.register_lost(session, settings(), values)
            except Invalid as exc:
                if exc.field in ("lost.on", "lost.place"):
                    exc.field = {"lost.on": "lost_on", "lost.place": "lost_place"}[exc.field]
                if exc.field == "article.identifiers.imei":
                    exc.field = "imei"
                _failed(session, form, exc)
            else:
                from eoffice.portal.reports.api import lost_pdf_url

                report = reg.report
                return render_template(
                    "portal/lost_registered.html",
                    report=report,
                    reg=reg,
                    pdf_url=lost_pdf_url(report),
                    verify_url=settings().verify_url(report.number),
                    kinds=dict(ARTICLE_PAIRS),
                ), 201
        status = 422
    return render_template("portal/lost.html", form=form), status


@bp.route("/c/security", methods=["GET", "POST"])
@public
@public_limits
def security():
    """A security request: one short form; it reaches the station's duty desk at once."""
    session = get_session()
    form = SecurityForm()
    office_choices(session, form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            values = {
                "district": form.district.data,
                "station": form.station.data or None,
                "for": form.for_whom.data,
                "name": _text(form.name),
                "mobile": _text(form.mobile),
                "address": _text(form.address),
                "need": _text(form.need),
            }
            try:
                item = service.register_security(session, values)
            except Invalid as exc:
                if exc.field == "for":
                    exc.field = "for_whom"
                _failed(session, form, exc)
            else:
                return render_template(
                    "portal/security_sent.html",
                    item=item,
                    check=SecurityStatusForm(formdata=None, number=item.number, mobile=item.mobile),
                ), 201
        status = 422
    return render_template("portal/security.html", form=form), status


@bp.route("/c/security/status", methods=["GET", "POST"])
@public
@public_limits
def security_status():
    """Number and mobile in; the request's status out (either wrong: the same 404)."""
    form = SecurityStatusForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            item = service.find_security_public(get_session(), form.number.data, form.mobile.data)
        except NotFound:
            from flask_babel import gettext as _

            form.number.errors = [
                _("No request has this number and mobile number. Check both and try again.")
            ]
            return render_template("portal/security_status.html", form=form, item=None), 404
        return render_template(
            "portal/security_status.html", form=form, item=item, whom=dict(FOR_PAIRS)
        )
    code = 422 if request.method == "POST" else 200
    return render_template("portal/security_status.html", form=form, item=None), code


@bp.route("/c/event/<int:event_id>", methods=["GET", "POST"])
@public
@anonymous_limit
def event(event_id: int):
    """An event's page (its QR poster opens it): a concern, a suggestion or praise, sent
    anonymously (a proof-of-work in place of any identity)."""
    session = get_session()
    item = service.public_event(session, event_id)
    form = EventReportForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                pow.check(session, current_app.config, request.form.get("altcha"))
                service.report_on_event(
                    session,
                    item.id,
                    {"kind": form.kind.data, "text": _text(form.text), "place": _text(form.place)},
                )
            except (Invalid, Conflict) as exc:
                _failed(session, form, exc)
                status = exc.status
            else:
                return render_template(
                    "portal/event.html", event=item, form=None, sent=form.kind.data
                ), 201
        else:
            status = 422
    return render_template(
        "portal/event.html",
        event=item,
        form=form,
        sent=None,
        open=service.accepts_reports(item),
        kinds=dict(REPORT_PAIRS),
    ), status
