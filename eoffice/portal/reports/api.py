"""JSON: lost articles and documents, security requests and events (API.md "Lost articles and
documents", "Security requests", "Station feedback and event feedback": events): the citizen's
public routes and the staff's."""

import datetime as dt
from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.core import pow
from eoffice.core.db import utcnow
from eoffice.core.errors import Invalid, NotFound
from eoffice.org.pages import api_desk
from eoffice.portal.reports import documents, service
from eoffice.portal.reports.models import Event, FoundArticle, LostReport, SecurityRequest
from eoffice.web.access import LOGGED_IN, public, requires
from eoffice.web.api import Version, iso, page_args, spec
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import pdf_limits, public_limits
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session

bp = Blueprint("portal_reports_api", __name__, url_prefix="/api/v1")

ArticleKindName = Literal["mobile", "document", "vehicle_document", "bag", "other"]


class Identifiers(BaseModel):
    imei: str | None = Field(default=None, max_length=60)
    number: str | None = Field(default=None, max_length=60)


class Article(BaseModel):
    kind: ArticleKindName
    description: str = Field(min_length=1, max_length=service.MAX_TEXT)
    identifiers: Identifiers | None = None


class Lost(BaseModel):
    on: dt.date
    place: str = Field(min_length=1, max_length=2000)


class Reporter(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    mobile: str = Field(min_length=10, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=2000)


class LostIn(BaseModel):
    district: str = Field(min_length=1, max_length=40)
    station: str | None = Field(default=None, max_length=40)
    article: Article
    lost: Lost
    reporter: Reporter
    language: Literal["hi", "en"] | None = None
    desk: str | None = None


class FoundIn(BaseModel):
    office: str = Field(min_length=1, max_length=40)
    kind: ArticleKindName
    description: str = Field(min_length=1, max_length=service.MAX_TEXT)
    identifiers: Identifiers | None = None
    desk: str | None = None


class Location(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class SecurityIn(BaseModel):
    district: str = Field(min_length=1, max_length=40)
    station: str | None = Field(default=None, max_length=40)
    for_: Literal["senior_citizen", "woman", "child"] = Field(alias="for")
    name: str = Field(min_length=1, max_length=200)
    mobile: str = Field(min_length=10, max_length=20)
    address: str = Field(min_length=1, max_length=2000)
    need: str = Field(min_length=1, max_length=2000)
    location: Location | None = None


class Acknowledge(BaseModel):
    desk: str | None = None
    version: Version | None = None


class Resolve(BaseModel):
    remarks: str = Field(min_length=1, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


class EventIn(BaseModel):
    office: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    title_hi: str | None = Field(default=None, max_length=200)
    starts: dt.datetime
    ends: dt.datetime
    desk: str | None = None


class EventReportIn(BaseModel):
    kind: Literal["concern", "suggestion", "praise"]
    text: str = Field(min_length=1, max_length=service.MAX_TEXT)
    place: str | None = Field(default=None, max_length=500)
    altcha: str | None = Field(default=None, max_length=4096)


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


# --- shapes --------------------------------------------------------------------------------------


def lost_pdf_url(report: LostReport) -> str:
    code = service.copy_code(settings(), report.number)
    return f"/api/v1/public/lost-reports/{report.number}/acknowledgement.pdf?k={code}"


def lost_registered_json(reg: service.LostRegistered) -> dict:
    r = reg.report
    return {
        "number": r.number,
        "pdf": lost_pdf_url(r),
        "verify_url": settings().verify_url(r.number),
        "visit_token": reg.visit_token,
        "station": r.office.code,
        "status": r.status,
    }


def lost_json(r: LostReport, *, full=False) -> dict:
    out = {
        "id": r.id,
        "number": r.number,
        "kind": r.kind,
        "lost_on": iso(r.lost_on),
        "station": r.office.code,
        "status": r.status,
        "registered_at": iso(r.registered_at),
    }
    if full:
        out.update(
            description=r.description,
            identifiers={"imei": r.imei, "number": r.doc_number},
            lost_place=r.lost_place,
            channel=r.channel,
            receipt_id=r.receipt_id,
            reporter={
                "name": r.reporter_name,
                "mobile": r.reporter_mobile,
                "email": r.reporter_email,
                "address": r.reporter_address,
            },
        )
    return out


def found_json(f: FoundArticle) -> dict:
    return {
        "id": f.id,
        "office": f.office.code,
        "kind": f.kind,
        "description": f.description,
        "identifiers": {"imei": f.imei, "number": f.doc_number},
        "recorded_at": iso(f.recorded_at),
    }


def security_json(item: SecurityRequest, now: dt.datetime, *, full=False) -> dict:
    out = {
        "id": item.id,
        "number": item.number,
        "for": item.for_whom,
        "priority": "most_immediate",
        "status": item.status,
        "age_minutes": item.age_minutes(now),
        "station": item.office.code,
        "created_at": iso(item.created_at),
        "version": item.version,
    }
    if full:
        out.update(
            name=item.name,
            mobile=item.mobile,
            address=item.address,
            need=item.need,
            location={"lat": item.lat, "lng": item.lng} if item.lat is not None else None,
            desk=item.desk.code,
            receipt_id=item.receipt_id,
            acknowledged_at=iso(item.acknowledged_at),
            resolved_at=iso(item.resolved_at),
            remarks=item.remarks,
        )
    return out


def security_public_json(item: SecurityRequest) -> dict:
    return {
        "number": item.number,
        "for": item.for_whom,
        "status": item.status,
        "station": item.office.code,
        "created_at": iso(item.created_at),
        "acknowledged_at": iso(item.acknowledged_at),
        "resolved_at": iso(item.resolved_at),
    }


def event_json(event: Event) -> dict:
    return {
        "id": event.id,
        "office": event.office.code,
        "title": event.title,
        "title_hi": event.title_hi,
        "starts": iso(event.starts),
        "ends": iso(event.ends),
        "qr_url": documents.event_url(settings(), event),
        "poster": f"/api/v1/events/{event.id}/poster.pdf",
        "accepting": service.accepts_reports(event),
    }


def event_report_json(report) -> dict:
    return {
        "id": report.id,
        "kind": report.kind,
        "text": report.text,
        "place": report.place,
        "at": iso(report.at),
        "receipt_id": report.receipt_id,
    }


# --- lost articles: public -----------------------------------------------------------------------


@bp.post("/public/lost-reports")
@spec.validate(json=LostIn, tags=["lost articles"])
@public
@public_limits
def lost_register(json: LostIn):
    """Report a lost article or document (no account): its number, the acknowledgement PDF's
    link, the verify link (QR) and a visit token."""
    values = json.model_dump(exclude={"desk"}, exclude_none=True)
    reg = service.register_lost(get_session(), settings(), values)
    return jsonify(lost_registered_json(reg)), 201


@bp.get("/public/lost-reports/<path:number>/acknowledgement.pdf")
@spec.validate(tags=["lost articles"])
@public
@public_limits
def lost_acknowledgement(number: str):
    """The acknowledgement (PDF): the link given at registration (its `k` code), not the verify
    code."""
    session = get_session()
    report = service.find_lost_copy(session, settings(), number, request.args.get("k"))
    return pdf_response(
        documents.lost_pdf(session, settings(), report), documents.lost_pdf_name(report)
    )


@bp.get("/public/verify/<path:number>")
@spec.validate(tags=["lost articles"])
@public
@public_limits
def verify(number: str):
    """Is a citizen's document (lost report, complaint) genuine? Kind, number, date, station and
    what it is about; a wrong check code and an unknown number are the same 404."""
    from eoffice.complaints.service import find_verified

    found = find_verified(get_session(), settings(), number, request.args.get("c"))
    if found is None:
        raise NotFound("no document with this number and check code")
    return jsonify(
        {
            "genuine": True,
            "kind": found.kind,
            "number": found.number,
            "date": iso(found.date),
            "station": found.office.code,
            "station_name": found.office.name,
            "station_name_hi": found.office.name_hi,
            "summary": found.summary,
        }
    )


# --- lost articles: staff ------------------------------------------------------------------------


@bp.post("/lost-reports")
@spec.validate(json=LostIn, tags=["lost articles"])
@requires("lost_report.register")
def lost_counter(json: LostIn):
    """A lost report made at the counter, registered by a clerk: the same answer as the portal."""
    values = json.model_dump(exclude={"desk"}, exclude_none=True)
    reg = service.register_lost(
        get_session(), settings(), values, user=current_user, desk=api_desk(current_user)
    )
    return jsonify(lost_registered_json(reg)), 201


@bp.get("/lost-reports")
@spec.validate(tags=["lost articles"])
@requires(LOGGED_IN)
def lost_index():
    """Lost reports of your jurisdiction (or of `office` and those under it), newest first."""
    page, per_page = page_args()
    result = service.list_lost(
        get_session(),
        current_user,
        office=request.args.get("office") or None,
        page=page,
        per_page=per_page,
    )
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "items": [lost_json(r) for r in result.items],
        }
    )


@bp.get("/lost-reports/<int:report_id>")
@spec.validate(tags=["lost articles"])
@requires(LOGGED_IN)
def lost_show(report_id: int):
    return jsonify(lost_json(service.get_lost(get_session(), current_user, report_id), full=True))


@bp.get("/lost-reports/<int:report_id>/matches")
@spec.validate(tags=["lost articles"])
@requires(LOGGED_IN)
def lost_matches(report_id: int):
    """Found articles with the report's IMEI or document number (compared normalised)."""
    items = service.matches(get_session(), current_user, report_id)
    return jsonify({"items": [found_json(f) for f in items]})


@bp.get("/lost-reports/<int:report_id>/acknowledgement.pdf")
@spec.validate(tags=["lost articles"])
@requires(LOGGED_IN)
@pdf_limits
def lost_reprint(report_id: int):
    """The acknowledgement, printed again at the counter."""
    session = get_session()
    report = service.get_lost(session, current_user, report_id)
    return pdf_response(
        documents.lost_pdf(session, settings(), report), documents.lost_pdf_name(report)
    )


@bp.post("/found-articles")
@spec.validate(json=FoundIn, tags=["lost articles"])
@requires("found_article.record")
def found_record(json: FoundIn):
    """Enter a found article in an office's register; lost reports with its IMEI or number are
    matched and their stations told (a copy of the report's receipt, Immediate)."""
    values = json.model_dump(exclude={"desk"}, exclude_none=True)
    found, matched = service.record_found(
        get_session(), current_user, api_desk(current_user), values
    )
    return jsonify({**found_json(found), "matches": [r.number for r in matched]}), 201


@bp.get("/found-articles")
@spec.validate(tags=["lost articles"])
@requires(LOGGED_IN)
def found_index():
    page, per_page = page_args()
    result = service.found_register(
        get_session(),
        current_user,
        office=request.args.get("office") or None,
        page=page,
        per_page=per_page,
    )
    return jsonify(
        {"total": result.total, "page": result.page, "items": [found_json(f) for f in result.items]}
    )


# --- security requests ---------------------------------------------------------------------------


@bp.post("/public/security-requests")
@spec.validate(json=SecurityIn, tags=["security requests"])
@public
@public_limits
def security_register(json: SecurityIn):
    """A security request (senior citizen, woman, child): Most Immediate at the station's duty
    desk."""
    values = json.model_dump(by_alias=True, exclude_none=True)
    item = service.register_security(get_session(), values)
    return jsonify({"number": item.number, "status": item.status, "station": item.office.code}), 201


@bp.get("/public/security-requests/<path:number>")
@spec.validate(tags=["security requests"])
@public
@public_limits
def security_public(number: str):
    """The request's status, for its number and `?mobile=` (either wrong: 404)."""
    item = service.find_security_public(get_session(), number, request.args.get("mobile"))
    return jsonify(security_public_json(item))


@bp.get("/security-requests/board")
@spec.validate(tags=["security requests"])
@requires(LOGGED_IN)
def security_board():
    """Open requests (not resolved) of your jurisdiction or of `office`, oldest first."""
    now = utcnow()
    items = service.board(get_session(), current_user, request.args.get("office") or None)
    return jsonify({"items": [security_json(i, now) for i in items]})


@bp.get("/security-requests/<int:request_id>")
@spec.validate(tags=["security requests"])
@requires(LOGGED_IN)
def security_show(request_id: int):
    item = service.get_security(get_session(), current_user, request_id)
    return jsonify(security_json(item, utcnow(), full=True))


@bp.post("/security-requests/<int:request_id>/acknowledge")
@spec.validate(json=Acknowledge, tags=["security requests"])
@requires("security_request.act")
def security_acknowledge(request_id: int, json: Acknowledge):
    item = service.acknowledge(
        get_session(), current_user, api_desk(current_user), request_id, json.version
    )
    return jsonify(security_json(item, utcnow(), full=True))


@bp.post("/security-requests/<int:request_id>/resolve")
@spec.validate(json=Resolve, tags=["security requests"])
@requires("security_request.act")
def security_resolve(request_id: int, json: Resolve):
    item = service.resolve(
        get_session(), current_user, api_desk(current_user), request_id, json.remarks, json.version
    )
    return jsonify(security_json(item, utcnow(), full=True))


# --- events --------------------------------------------------------------------------------------


@bp.post("/events")
@spec.validate(json=EventIn, tags=["events"])
@requires("event.create")
def event_create(json: EventIn):
    """An event (festival, procession, gathering) for citizens' reports, with its QR link."""
    values = json.model_dump(exclude={"desk"}, exclude_none=True)
    event = service.create_event(get_session(), current_user, api_desk(current_user), values)
    return jsonify(event_json(event)), 201


@bp.get("/events")
@spec.validate(tags=["events"])
@requires(LOGGED_IN)
def event_index():
    page, per_page = page_args()
    result = service.list_events(
        get_session(), current_user, request.args.get("office") or None, page, per_page
    )
    return jsonify(
        {"total": result.total, "page": result.page, "items": [event_json(e) for e in result.items]}
    )


@bp.get("/events/<int:event_id>")
@spec.validate(tags=["events"])
@requires(LOGGED_IN)
def event_show(event_id: int):
    session = get_session()
    event = service.get_event(session, current_user, event_id)
    return jsonify({**event_json(event), "counts": service.report_counts(session, event.id)})


def _after() -> int:
    raw = request.args.get("after") or "0"
    if not raw.isdigit() or int(raw) >= 2**63:
        raise Invalid("after must be a report id", field="after")
    return int(raw)


@bp.get("/events/<int:event_id>/reports")
@spec.validate(tags=["events"])
@requires(LOGGED_IN)
def event_reports(event_id: int):
    """The event's reports, newest first; `after=<id>` gives only those newer (polling)."""
    session = get_session()
    event, rows = service.event_reports(session, current_user, event_id, _after())
    return jsonify(
        {
            "event": event.id,
            "counts": service.report_counts(session, event.id),
            "items": [event_report_json(r) for r in rows],
        }
    )


@bp.get("/events/<int:event_id>/poster.pdf")
@spec.validate(tags=["events"])
@requires(LOGGED_IN)
@pdf_limits
def event_poster(event_id: int):
    """The event's A4 poster: its title and the QR of its public page."""
    session = get_session()
    event = service.get_event(session, current_user, event_id)
    return pdf_response(documents.poster_pdf(session, settings(), event), f"event-{event.id}.pdf")


@bp.get("/public/events/<int:event_id>")
@spec.validate(tags=["events"])
@public
@anonymous_limit
def event_public(event_id: int):
    event = service.public_event(get_session(), event_id)
    out = event_json(event)
    out.pop("poster")
    return jsonify(out)


@bp.post("/public/events/<int:event_id>/reports")
@spec.validate(json=EventReportIn, tags=["events"])
@public
@anonymous_limit
def event_report(event_id: int, json: EventReportIn):
    """A concern, suggestion or praise about an event: anonymous (proof-of-work in `altcha`;
    nothing about the sender is kept)."""
    session = get_session()
    service.public_event(session, event_id)  # an unknown event is 404 before any work is spent
    pow.check(session, current_app.config, json.altcha)
    report = service.report_on_event(session, event_id, json.model_dump(exclude={"altcha"}))
    return jsonify({"id": report.id, "kind": report.kind, "at": iso(report.at)}), 201
