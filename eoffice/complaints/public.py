"""The citizen's pages under /c/ and /verify/: register a complaint, get its copy, track it, answer
the action report. Phone-first and Hindi-first; every form works without JavaScript. The
tracking key travels only in form bodies and headers, never in a URL."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from eoffice.complaints import service
from eoffice.complaints.documents import (
    acknowledgement_pdf,
    action_report_pdf,
    pdf_name,
)
from eoffice.complaints.forms import (
    CATEGORY_CHOICES,
    AnswerForm,
    ComplaintForm,
    CopyForm,
    TrackForm,
)
from eoffice.core.errors import Conflict, Invalid, NotFound
from eoffice.web.access import public
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import public_limits
from eoffice.web.pages import form_error
from eoffice.web.session import get_session

bp = Blueprint("citizen", __name__)


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


def office_choices(session, form: ComplaintForm) -> None:
    """The district list, and the stations grouped by district (no JavaScript needed); "not
    sure" leaves the choice to the district's control room."""
    from flask_babel import gettext as _
    from wtforms.fields.choices import SelectChoice

    lang = str(get_locale())
    pairs = service.districts_and_stations(session)
    form.district.choices = [SelectChoice("", "—")] + [
        SelectChoice(d.code, d.display_name(lang)) for d, _s in pairs
    ]
    form.station.choices = [
        SelectChoice("", _("Not sure: the district control room will send it on"))
    ] + [
        SelectChoice(s.code, s.display_name(lang), optgroup=d.display_name(lang))
        for d, stations in pairs
        for s in stations
    ]


def form_values(form: ComplaintForm) -> dict:
    def text(field):
        value = field.data
        return value.strip() or None if isinstance(value, str) else value

    values = {
        "district": form.district.data,
        "station": form.station.data or None,
        "category": form.category.data,
        "description": text(form.description),
        "incident": {"place": text(form.incident_place)},
        "complainant": {
            "name": text(form.name),
            "mobile": text(form.mobile),
            "email": text(form.email),
            "address": text(form.address),
        },
        "language": str(get_locale()) if str(get_locale()) in ("hi", "en") else "hi",
    }
    if form.incident_at.data:
        values["incident"]["at"] = form.incident_at.data
    return values


@bp.get("/c/")
@public
def home():
    return render_template("citizen/home.html")


@bp.route("/c/complaint", methods=["GET", "POST"])
@public
@public_limits
def complaint():
    """The complaint form; on success, the number, the tracking key (shown this once), the due
    date, the visit token and the copy to download."""
    session = get_session()
    form = ComplaintForm()
    office_choices(session, form)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reg = service.register(session, settings(), form_values(form))
            except Invalid as exc:
                session.rollback()
                form_error(form, exc)
            else:
                return render_template(
                    "citizen/registered.html",
                    reg=reg,
                    complaint=reg.complaint,
                    copy=CopyForm(formdata=None, number=reg.complaint.number, key=reg.tracking_key),
                    verify_url=settings().verify_url(reg.complaint.number),
                ), 201
        status = 422
    return render_template("citizen/complaint.html", form=form), status


def _found(form) -> object:
    return service.find_public(get_session(), settings(), form.number.data, form.key.data)


@bp.post("/c/complaint/copy")
@public
@public_limits
def copy():
    """The copy as a PDF (number and key come in the form body)."""
    form = CopyForm()
    if not form.validate_on_submit():
        raise NotFound("no complaint with this number and tracking key")
    complaint = _found(form)
    return pdf_response(
        acknowledgement_pdf(get_session(), settings(), complaint), pdf_name(complaint, "complaint")
    )


@bp.post("/c/track/report")
@public
@public_limits
def report_pdf():
    form = CopyForm()
    if not form.validate_on_submit():
        raise NotFound("no complaint with this number and tracking key")
    complaint = _found(form)
    if not complaint.action_report:
        raise NotFound("there is no action report yet")
    return pdf_response(
        action_report_pdf(get_session(), settings(), complaint),
        pdf_name(complaint, "action-report"),
    )


def _status_page(complaint, key: str, answer: AnswerForm | None = None, code: int = 200):
    from eoffice.complaints.api import today_for

    answer = answer or AnswerForm(formdata=None, number=complaint.number, key=key)
    return render_template(
        "citizen/status.html",
        complaint=complaint,
        today=today_for(complaint),
        copy=CopyForm(formdata=None, number=complaint.number, key=key),
        answer=answer,
        categories=dict(CATEGORY_CHOICES),
    ), code


@bp.route("/c/track", methods=["GET", "POST"])
@public
@public_limits
def track():
    """Number and tracking key in; status, level, days left, history and the action report out.
    A wrong key and a missing number get the same answer."""
    form = TrackForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            complaint = _found(form)
        except NotFound:
            form.key.errors = [_not_found_message()]
            return render_template("citizen/track.html", form=form), 404
        return _status_page(complaint, form.key.data)
    return render_template(
        "citizen/track.html", form=form
    ), 422 if request.method == "POST" else 200


def _not_found_message() -> str:
    from flask_babel import gettext as _

    return _("No complaint has this number and tracking key. Check both and try again.")


@bp.post("/c/track/answer")
@public
@public_limits
def answer():
    form = AnswerForm()
    if not form.validate_on_submit():
        complaint = _found(CopyForm()) if form.number.data and form.key.data else None
        if complaint is None:
            raise NotFound("no complaint with this number and tracking key")
        return _status_page(complaint, form.key.data, form, 422)
    complaint = _found(form)
    try:
        service.answer(
            get_session(), settings(), complaint, form.satisfied.data == "yes", form.comment.data
        )
    except (Invalid, Conflict) as exc:
        get_session().rollback()
        form_error(form, exc)
        complaint = _found(form)
        return _status_page(complaint, form.key.data, form, 409)
    return _status_page(complaint, form.key.data)


@bp.get("/verify/<path:number>")
@public
@public_limits
def verify(number: str):
    """Shows a clerk at a bank or an office that a citizen's document is genuine (kind, date,
    station) and nothing more; a wrong check code and a missing number look the same."""
    found = service.find_verified(get_session(), settings(), number, request.args.get("c"))
    if found is None:
        return render_template("citizen/verify.html", found=None, number=number), 404
    return render_template("citizen/verify.html", found=found, number=number)
