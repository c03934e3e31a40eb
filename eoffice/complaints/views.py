"""Staff pages of complaints: the list of one's jurisdiction, pendency by level, one complaint
with what may be done to it now, and registration at the counter. They call complaints.service,
exactly as the JSON API does."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.complaints import service
from eoffice.complaints.documents import acknowledgement_pdf, pdf_name
from eoffice.complaints.forms import (
    CATEGORY_CHOICES,
    AssignForm,
    CloseForm,
    ComplaintForm,
    RouteForm,
    TextForm,
)
from eoffice.complaints.models import OPEN, Complaint, Status
from eoffice.complaints.public import form_values, office_choices
from eoffice.core.errors import Conflict, DomainError, Invalid
from eoffice.org.forms import choices
from eoffice.org.models import Desk
from eoffice.org.pages import web_desk
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import pdf_limits
from eoffice.web.pages import form_error, page_arg
from eoffice.web.session import get_session

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
PER_PAGE = 25
FILTERS = ("status", "overdue", "escalated", "office", "age", "mine")


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


@bp.get("/")
@requires(LOGGED_IN)
def index():
    args = {k: request.args.get(k) for k in FILTERS if request.args.get(k)}
    session = get_session()
    try:
        page = service.list_complaints(
            session,
            current_user,
            status=args.get("status"),
            overdue=bool(args.get("overdue")),
            escalated=bool(args.get("escalated")),
            office=args.get("office"),
            age=args.get("age"),
            at_desks=bool(args.get("mine")),
            page=page_arg(),
            per_page=PER_PAGE,
        )
    except Invalid as exc:
        flash(str(exc.message), "error")
        args = {}
        page = service.list_complaints(session, current_user, page=1, per_page=PER_PAGE)
    from eoffice.complaints.api import today_for

    return render_template(
        "complaints/list.html",
        page_info=page,
        complaints=page.items,
        args=args,
        today=today_for,
        categories=dict(CATEGORY_CHOICES),
    )


@bp.get("/pendency")
@requires(LOGGED_IN)
def pendency():
    """Pending complaints under each office of the caller's jurisdiction, by age; each number
    opens the list behind it."""
    root, rows = service.pendency(get_session(), current_user, request.args.get("office"))
    return render_template("complaints/pendency.html", root=root, rows=rows)


def _forms(session, complaint: Complaint, failed: str | None = None, form=None):
    lang = str(get_locale())
    forms = {
        "route": RouteForm(prefix="route", formdata=None),
        "assign": AssignForm(prefix="assign", formdata=None),
        "interim": TextForm(prefix="interim", formdata=None),
        "report": TextForm(prefix="report", formdata=None),
        "close": CloseForm(prefix="close", formdata=None),
    }
    if failed:
        forms[failed] = form
    stations = [
        s
        for d, ss in service.districts_and_stations(session)
        if d.id == complaint.district_id
        for s in ss
    ]
    forms["route"].station.choices = choices((s.code, s.display_name(lang)) for s in stations)
    if complaint.station_id:
        desks = session.scalars(
            sa.select(Desk)
            .where(Desk.office_id == complaint.station_id, Desk.active)
            .order_by(Desk.code)
        ).all()
        forms["assign"].io.choices = choices(
            (d.code, f"{d.display_title(lang)} ({d.code})") for d in desks
        )
    else:
        forms["assign"].io.choices = []
    return forms


def _actions(complaint: Complaint, desk) -> set[str]:
    """What the acting desk may do now (each use case checks again when it runs)."""
    if desk is None or not service.may_work(current_user):
        return set()
    chain = {complaint.office.id, *[o.id for o in complaint.office.ancestors()]}
    # an officer of an office above, or the head of the complaint's own office (the service's
    # rule, asked again when the form is sent)
    over = (
        desk.office_id in chain
        and current_user.has_role("officer")
        and (desk.office_id != complaint.office.id or service.heads(desk))
    )
    is_io = desk.id == complaint.io_desk_id
    acts = set()
    if complaint.station_id is None and desk.office_id in chain:
        acts.add("route")
    if complaint.status == Status.registered and complaint.station_id and over:
        acts.add("assign")
    if complaint.status in OPEN and complaint.status != Status.registered and (is_io or over):
        acts |= {"interim", "report"}
    if complaint.status == Status.action_reported and over:
        acts.add("close")
    return acts


def _render(session, complaint: Complaint, failed=None, form=None, status=200):
    from eoffice.complaints.api import today_for

    desk = web_desk()
    return render_template(
        "complaints/show.html",
        complaint=complaint,
        desk=desk,
        acts=_actions(complaint, desk),
        forms=_forms(session, complaint, failed, form),
        failed=failed,
        today=today_for(complaint),
        categories=dict(CATEGORY_CHOICES),
        attachments=attachments_of(session, complaint),
        file=session.get(_file_model(), complaint.file_id) if complaint.file_id else None,
    ), status


def _file_model():
    from eoffice.core import kinds

    return kinds.get("file").model


@bp.get("/<int:complaint_id>")
@requires(LOGGED_IN)
def show(complaint_id: int):
    session = get_session()
    return _render(session, service.get_complaint(session, current_user, complaint_id))


def _act(complaint_id: int, name: str, form, run, done: str):
    session = get_session()
    if form.validate_on_submit():
        try:
            run(session, form)
        except (Invalid, Conflict) as exc:
            session.rollback()
            form_error(form, exc)
        else:
            flash(done, "info")
            return redirect(url_for("complaints.show", complaint_id=complaint_id), 303)
    complaint = service.get_complaint(session, current_user, complaint_id)
    return _render(session, complaint, name, form, 422)


@bp.post("/<int:complaint_id>/route")
@requires(LOGGED_IN)
def route(complaint_id: int):
    form = RouteForm(prefix="route")
    complaint = service.get_complaint(get_session(), current_user, complaint_id)
    form.station.choices = _forms(get_session(), complaint)["route"].station.choices
    return _act(
        complaint_id,
        "route",
        form,
        lambda s, f: service.route(s, current_user, web_desk(), complaint_id, f.station.data),
        _("The complaint was sent to the police station."),
    )


@bp.post("/<int:complaint_id>/assign")
@requires("complaint.assign")
def assign(complaint_id: int):
    form = AssignForm(prefix="assign")
    complaint = service.get_complaint(get_session(), current_user, complaint_id)
    form.io.choices = _forms(get_session(), complaint)["assign"].io.choices
    return _act(
        complaint_id,
        "assign",
        form,
        lambda s, f: service.assign(s, current_user, web_desk(), complaint_id, f.io.data),
        _("The IO was assigned; the enquiry file is on their desk."),
    )


@bp.post("/<int:complaint_id>/interim")
@requires(LOGGED_IN)
def interim(complaint_id: int):
    return _act(
        complaint_id,
        "interim",
        TextForm(prefix="interim"),
        lambda s, f: service.interim(s, current_user, web_desk(), complaint_id, f.text.data),
        _("The interim reply was recorded; the complainant can read it."),
    )


@bp.post("/<int:complaint_id>/report")
@requires(LOGGED_IN)
def report(complaint_id: int):
    return _act(
        complaint_id,
        "report",
        TextForm(prefix="report"),
        lambda s, f: service.action_report(
            s, settings(), current_user, web_desk(), complaint_id, f.text.data
        ),
        _("The action report was recorded and sent to the complainant."),
    )


@bp.post("/<int:complaint_id>/close")
@requires("complaint.close")
def close(complaint_id: int):
    return _act(
        complaint_id,
        "close",
        CloseForm(prefix="close"),
        lambda s, f: service.close(s, current_user, web_desk(), complaint_id, f.remarks.data),
        _("The complaint was closed."),
    )


@bp.get("/<int:complaint_id>/copy.pdf")
@requires(LOGGED_IN)
@pdf_limits
def copy(complaint_id: int):
    session = get_session()
    complaint = service.get_complaint(session, current_user, complaint_id)
    return pdf_response(
        acknowledgement_pdf(session, settings(), complaint), pdf_name(complaint, "complaint")
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("complaint.register")
def new():
    """A complaint made in person at the counter, registered by the clerk."""
    session = get_session()
    form = ComplaintForm()
    office_choices(session, form)
    desk = web_desk()
    if request.method == "GET" and desk is not None:
        office = desk.office
        chain = [office, *office.ancestors()]
        form.district.data = next((o.code for o in chain if o.kind == "district"), None)
        form.station.data = office.code if office.kind == "thana" else ""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reg = service.register(
                    session, settings(), form_values(form), user=current_user, desk=desk
                )
            except DomainError as exc:
                session.rollback()
                form_error(form, exc)
            else:
                from eoffice.complaints.forms import CopyForm

                return render_template(
                    "citizen/registered.html",
                    reg=reg,
                    complaint=reg.complaint,
                    copy=CopyForm(formdata=None, number=reg.complaint.number, key=reg.tracking_key),
                    verify_url=settings().verify_url(reg.complaint.number),
                    staff=True,
                ), 201
        status = 422
    return render_template("complaints/new.html", form=form, desk=desk), status
