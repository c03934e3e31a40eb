"""Staff pages of the portal's reports: lost reports (list, one with its matches), the
found-articles register, the security requests' live board (it refreshes itself) and events
with their reports in real time. They call the same services as the JSON API."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.auth.permissions import can
from eoffice.core.db import utcnow
from eoffice.core.errors import DomainError, Invalid
from eoffice.org.forms import choices
from eoffice.org.models import Office
from eoffice.org.pages import web_desk
from eoffice.portal.reports import documents, service
from eoffice.portal.reports.forms import (
    ARTICLE_PAIRS,
    FOR_PAIRS,
    REPORT_PAIRS,
    AckForm,
    EventForm,
    FoundForm,
    ResolveForm,
)
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import pdf_limits
from eoffice.web.pages import form_error, page_arg
from eoffice.web.session import get_session

bp = Blueprint("portal_reports", __name__)
PER_PAGE = 25
BOARD_REFRESH = 30  # seconds: the board and an event's page reload themselves
EVENT_REFRESH = 20


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


def _refreshing(html: str, seconds: int):
    """A page that reloads itself (the Refresh header: no JavaScript needed)."""
    resp = make_response(html)
    resp.headers["Refresh"] = str(seconds)
    return resp


def _office_choices(session) -> list:
    lang = str(get_locale())
    ids = service.jurisdiction(session, current_user)
    offices = sorted(
        (session.get(Office, i) for i in ids), key=lambda o: (o.kind != "thana", o.code)
    )
    return choices([(o.code, f"{o.display_name(lang)} ({o.code})") for o in offices])


def _office_arg():
    office = request.args.get("office") or None
    return office[:40] if office else None


# --- lost reports --------------------------------------------------------------------------------


@bp.get("/lost-reports/")
@requires(LOGGED_IN)
def lost_index():
    session = get_session()
    office = _office_arg()
    try:
        page = service.list_lost(
            session, current_user, office=office, page=page_arg(), per_page=PER_PAGE
        )
    except Invalid as exc:
        flash(str(exc.message), "error")
        office = None
        page = service.list_lost(session, current_user, page=1, per_page=PER_PAGE)
    return render_template(
        "portal/lost_list.html",
        page_info=page,
        reports=page.items,
        office=office,
        kinds=dict(ARTICLE_PAIRS),
    )


@bp.get("/lost-reports/<int:report_id>")
@requires(LOGGED_IN)
def lost_show(report_id: int):
    session = get_session()
    report = service.get_lost(session, current_user, report_id)
    return render_template(
        "portal/lost_show.html",
        report=report,
        matches=service.matches(session, current_user, report_id),
        kinds=dict(ARTICLE_PAIRS),
    )


@bp.get("/lost-reports/<int:report_id>/acknowledgement.pdf")
@requires(LOGGED_IN)
@pdf_limits
def lost_pdf(report_id: int):
    session = get_session()
    report = service.get_lost(session, current_user, report_id)
    return pdf_response(
        documents.lost_pdf(session, settings(), report), documents.lost_pdf_name(report)
    )


# --- found articles ------------------------------------------------------------------------------


def _found_page(session, form, status=200):
    office = _office_arg()
    try:
        page = service.found_register(
            session, current_user, office=office, page=page_arg(), per_page=PER_PAGE
        )
    except Invalid as exc:
        flash(str(exc.message), "error")
        office = None
        page = service.found_register(session, current_user, page=1, per_page=PER_PAGE)
    return render_template(
        "portal/found.html",
        page_info=page,
        items=page.items,
        office=office,
        form=form,
        kinds=dict(ARTICLE_PAIRS),
        may_record=can(current_user, "found_article.record") and web_desk() is not None,
    ), status


@bp.get("/found-articles/")
@requires(LOGGED_IN)
def found_index():
    session = get_session()
    form = FoundForm(formdata=None)
    form.office.choices = _office_choices(session)
    desk = web_desk()
    if desk is not None:
        form.office.data = desk.office.code
    return _found_page(session, form)


@bp.post("/found-articles/")
@requires("found_article.record")
def found_record():
    session = get_session()
    form = FoundForm()
    form.office.choices = _office_choices(session)
    if form.validate_on_submit():
        values = {
            "office": form.office.data,
            "kind": form.kind.data,
            "description": form.description.data,
            "identifiers": {"imei": form.imei.data or None, "number": form.doc_number.data or None},
        }
        try:
            _found, matched = service.record_found(session, current_user, web_desk(), values)
        except DomainError as exc:
            session.rollback()
            if exc.field and exc.field.startswith("identifiers."):
                exc.field = "imei"
            form_error(form, exc)
        else:
            flash(_("The article was entered in the register."), "info")
            for report in matched:
                flash(
                    _(
                        "It matches lost report %(number)s: its police station has been told.",
                        number=report.number,
                    ),
                    "info",
                )
            return redirect(url_for("portal_reports.found_index"), 303)
    return _found_page(session, form, 422)


# --- security requests ---------------------------------------------------------------------------


@bp.get("/security-requests/board")
@requires(LOGGED_IN)
def board():
    """Open security requests, oldest first; the page reloads itself every half minute."""
    session = get_session()
    office = _office_arg()
    try:
        items = service.board(session, current_user, office)
    except Invalid as exc:
        flash(str(exc.message), "error")
        office, items = None, service.board(session, current_user)
    html = render_template(
        "portal/board.html",
        items=items,
        office=office,
        now=utcnow(),
        whom=dict(FOR_PAIRS),
        ack=AckForm(formdata=None),
        resolve=ResolveForm(formdata=None),
        may_act=can(current_user, "security_request.act") and web_desk() is not None,
        refresh=BOARD_REFRESH,
    )
    return _refreshing(html, BOARD_REFRESH)


def _board_act(run, form, done: str):
    """A refusal (404 not yours, 403 wrong role or office, 409 already done) is the app's error
    page in the user's language; success goes back to the board."""
    if not form.validate_on_submit():
        raise Invalid("give the remarks to resolve the request", field="remarks")
    run(get_session(), form)
    flash(done, "info")
    return redirect(url_for("portal_reports.board"), 303)


@bp.post("/security-requests/<int:request_id>/acknowledge")
@requires("security_request.act")
def acknowledge(request_id: int):
    return _board_act(
        lambda s, f: service.acknowledge(s, current_user, web_desk(), request_id),
        AckForm(),
        _("The request was acknowledged; the citizen sees it."),
    )


@bp.post("/security-requests/<int:request_id>/resolve")
@requires("security_request.act")
def resolve(request_id: int):
    return _board_act(
        lambda s, f: service.resolve(s, current_user, web_desk(), request_id, f.remarks.data),
        ResolveForm(),
        _("The request was resolved."),
    )


# --- events --------------------------------------------------------------------------------------


def _events_page(session, form, status=200):
    page = service.list_events(session, current_user, None, page_arg(), PER_PAGE)
    return render_template(
        "portal/events.html",
        page_info=page,
        events=page.items,
        form=form,
        may_create=can(current_user, "event.create") and web_desk() is not None,
    ), status


@bp.get("/events/")
@requires(LOGGED_IN)
def events():
    session = get_session()
    form = EventForm(formdata=None)
    form.office.choices = _office_choices(session)
    return _events_page(session, form)


@bp.post("/events/")
@requires("event.create")
def event_create():
    session = get_session()
    form = EventForm()
    form.office.choices = _office_choices(session)
    if form.validate_on_submit():
        values = {
            "office": form.office.data,
            "title": form.title.data,
            "title_hi": form.title_hi.data or None,
            "starts": form.starts.data,
            "ends": form.ends.data,
        }
        try:
            event = service.create_event(session, current_user, web_desk(), values)
        except DomainError as exc:
            session.rollback()
            form_error(form, exc)
        else:
            flash(_("The event was created: print its poster."), "info")
            return redirect(url_for("portal_reports.event_show", event_id=event.id), 303)
    return _events_page(session, form, 422)


@bp.get("/events/<int:event_id>")
@requires(LOGGED_IN)
def event_show(event_id: int):
    """The event's reports as they come in (the page reloads itself)."""
    session = get_session()
    event, reports = service.event_reports(session, current_user, event_id)
    html = render_template(
        "portal/event_show.html",
        event=event,
        reports=reports,
        counts=service.report_counts(session, event.id),
        kinds=dict(REPORT_PAIRS),
        url=documents.event_url(settings(), event),
        refresh=EVENT_REFRESH,
        now=dt.datetime.now(dt.UTC),
    )
    return _refreshing(html, EVENT_REFRESH)


@bp.get("/events/<int:event_id>/poster.pdf")
@requires(LOGGED_IN)
@pdf_limits
def event_poster(event_id: int):
    session = get_session()
    event = service.get_event(session, current_user, event_id)
    return pdf_response(documents.poster_pdf(session, settings(), event), f"event-{event.id}.pdf")
