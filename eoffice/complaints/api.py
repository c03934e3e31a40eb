"""JSON: complaints (API.md "Complaints"): the public routes of the complainant and the staff's."""

import datetime as dt
from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.complaints import service
from eoffice.complaints.documents import acknowledgement_pdf, action_report_pdf, pdf_name
from eoffice.complaints.models import Complaint
from eoffice.core.errors import NotFound
from eoffice.org.pages import api_desk
from eoffice.storage.api import attachment_json, store_upload
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, public, requires
from eoffice.web.api import Version, iso, page_args, spec
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import pdf_limits, public_limits
from eoffice.web.input import takes_multipart
from eoffice.web.session import get_session

bp = Blueprint("complaints_api", __name__, url_prefix="/api/v1")
KEY_HEADER = "X-Tracking-Key"

CategoryName = Literal[
    "theft",
    "fraud",
    "cyber",
    "women_safety",
    "child_safety",
    "land",
    "dispute",
    "police_conduct",
    "traffic",
    "other",
]


class Incident(BaseModel):
    at: dt.datetime | None = None
    place: str | None = Field(default=None, max_length=2000)


class Complainant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    mobile: str = Field(min_length=10, max_length=20)
    email: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=2000)


class ComplaintIn(BaseModel):
    district: str = Field(min_length=1, max_length=40)
    station: str | None = Field(default=None, max_length=40)
    category: CategoryName
    description: str = Field(min_length=1, max_length=service.MAX_TEXT)
    incident: Incident | None = None
    complainant: Complainant
    language: Literal["hi", "en"] | None = None
    desk: str | None = None


class Feedback(BaseModel):
    satisfied: bool
    comment: str | None = Field(default=None, max_length=service.MAX_TEXT)


class Assign(BaseModel):
    io: str = Field(min_length=1, max_length=60)
    desk: str | None = None
    version: Version | None = None


class Route(BaseModel):
    station: str = Field(min_length=1, max_length=40)
    desk: str | None = None
    version: Version | None = None


class Text(BaseModel):
    text: str = Field(min_length=1, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


class Close(BaseModel):
    remarks: str = Field(min_length=1, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


def registered_json(reg: service.Registered) -> dict:
    c = reg.complaint
    return {
        "number": c.number,
        "tracking_key": reg.tracking_key,
        "status": c.status,
        "due_on": iso(c.due_on),
        "acknowledgement_pdf": f"/api/v1/public/complaints/{c.number}/acknowledgement.pdf",
        "verify_url": settings().verify_url(c.number),
        "visit_token": reg.visit_token,
        "station": c.office.code,
    }


def _values(body: ComplaintIn) -> dict:
    return body.model_dump(exclude={"desk"}, exclude_none=True)


def public_history(complaint: Complaint) -> list[dict]:
    """What the complainant reads: the status after each step and its public text. Who did it
    is never shown (no names of officers below the SHO, and no internal notes)."""
    return [
        {
            "at": iso(e.at),
            "kind": e.kind,
            "status": e.status,
            "level": e.level,
            "text": e.text if e.kind in PUBLIC_TEXT else None,
        }
        for e in complaint.events
    ]


# the steps whose text the complainant reads: what was written for them, or by them
PUBLIC_TEXT = ("interim", "action_report", "appealed", "satisfied")


def today_for(complaint: Complaint) -> dt.date:
    from eoffice.complaints.ladder import local_date
    from eoffice.core.db import utcnow

    return local_date(complaint.district, utcnow())


def public_json(complaint: Complaint) -> dict:
    today = today_for(complaint)
    out = {
        "number": complaint.number,
        "status": complaint.status,
        "level": complaint.level,
        "station": complaint.office.code,
        "registered_at": iso(complaint.registered_at),
        "due_on": iso(complaint.due_on),
        "days_left": complaint.days_left(today),
        "history": public_history(complaint),
    }
    if complaint.action_report:
        out["action_report"] = {
            "text": complaint.action_report,
            "at": iso(complaint.action_report_at),
            "pdf": f"/api/v1/public/complaints/{complaint.number}/action-report.pdf",
        }
    if complaint.feedback_at:
        out["feedback"] = {
            "satisfied": complaint.satisfied,
            "comment": complaint.feedback_comment,
            "at": iso(complaint.feedback_at),
        }
    return out


def staff_json(complaint: Complaint, *, full: bool = False) -> dict:
    today = today_for(complaint)
    out = {
        "id": complaint.id,
        "number": complaint.number,
        "status": complaint.status,
        "level": complaint.level,
        "office": complaint.office.code,
        "category": complaint.category,
        "registered_at": iso(complaint.registered_at),
        "due_on": iso(complaint.due_on),
        "overdue": complaint.overdue(today),
        "escalations": complaint.escalations,
        "level_desk": complaint.level_desk.code if complaint.level_desk else None,
        "version": complaint.version,
    }
    if full:
        session = get_session()
        out.update(
            description=complaint.description,
            channel=complaint.channel,
            complainant={
                "name": complaint.complainant_name,
                "mobile": complaint.complainant_mobile,
                "email": complaint.complainant_email,
                "address": complaint.complainant_address,
            },
            incident={"at": iso(complaint.incident_at), "place": complaint.incident_place},
            receipt_id=complaint.receipt_id,
            file_id=complaint.file_id,
            io=complaint.io_desk.code if complaint.io_desk else None,
            action_report=complaint.action_report,
            satisfied=complaint.satisfied,
            appeals=complaint.appeals,
            history=[
                {
                    "at": iso(e.at),
                    "kind": e.kind,
                    "status": e.status,
                    "level": e.level,
                    "text": e.text,
                    "desk": e.desk.code if e.desk else None,
                    "by": e.by.username if e.by else None,
                }
                for e in complaint.events
            ],
            attachments=[attachment_json(a) for a in attachments_of(session, complaint)],
        )
    return out


# --- public --------------------------------------------------------------------------------------


@bp.post("/public/complaints")
@spec.validate(json=ComplaintIn, tags=["complaints"])
@public
@public_limits
def register_public(json: ComplaintIn):
    """Register a complaint (no account): its number, the tracking key (shown this once), the
    due date, the copy's PDF, the verify link and a visit token for station feedback."""
    reg = service.register(get_session(), settings(), _values(json))
    return jsonify(registered_json(reg)), 201


def _public_complaint(number: str) -> Complaint:
    return service.find_public(get_session(), settings(), number, request.headers.get(KEY_HEADER))


@bp.get("/public/complaints/<path:number>/acknowledgement.pdf")
@spec.validate(tags=["complaints"])
@public
@public_limits
def public_acknowledgement(number: str):
    """The copy of the complaint (PDF), with the tracking key in `X-Tracking-Key`."""
    complaint = _public_complaint(number)
    data = acknowledgement_pdf(get_session(), settings(), complaint)
    return pdf_response(data, pdf_name(complaint, "complaint"))


@bp.get("/public/complaints/<path:number>/action-report.pdf")
@spec.validate(tags=["complaints"])
@public
@public_limits
def public_action_report(number: str):
    """The action report (PDF), once there is one."""
    complaint = _public_complaint(number)
    if not complaint.action_report:
        raise NotFound("there is no action report yet")
    data = action_report_pdf(get_session(), settings(), complaint)
    return pdf_response(data, pdf_name(complaint, "action-report"))


@bp.post("/public/complaints/<path:number>/attachments")
@takes_multipart
@spec.validate(tags=["complaints"])
@public
@public_limits
def public_attach(number: str):
    """The complainant adds a document or photo (multipart `file`, key header) → 201."""
    from eoffice.complaints.citizen_files import citizen_upload

    complaint = _public_complaint(number)
    return citizen_upload(complaint)


@bp.post("/public/complaints/<path:number>/feedback")
@spec.validate(json=Feedback, tags=["complaints"])
@public
@public_limits
def public_feedback(number: str, json: Feedback):
    """Satisfied with the action report (closes the complaint), or not (an appeal, one level up
    with a new due date)."""
    complaint = _public_complaint(number)
    service.answer(get_session(), settings(), complaint, json.satisfied, json.comment)
    return jsonify(public_json(complaint))


@bp.get("/public/complaints/<path:number>")
@spec.validate(tags=["complaints"])
@public
@public_limits
def public_status(number: str):
    """Status, level, days left, history and the action report (key header). A wrong key and a
    number that does not exist answer the same 404."""
    return jsonify(public_json(_public_complaint(number)))


# --- staff ---------------------------------------------------------------------------------------


@bp.post("/complaints")
@spec.validate(json=ComplaintIn, tags=["complaints"])
@requires("complaint.register")
def register_counter(json: ComplaintIn):
    """A complaint made at the counter, registered by a clerk: the same answer as the portal."""
    reg = service.register(
        get_session(), settings(), _values(json), user=current_user, desk=api_desk(current_user)
    )
    return jsonify(registered_json(reg)), 201


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


@bp.get("/complaints")
@spec.validate(tags=["complaints"])
@requires(LOGGED_IN)
def index():
    """The complaints of your jurisdiction: `status` (or pending, open), `overdue=true`,
    `escalated=true`, `office` (that office and those under it), `age` (0-7, 8-15, 16+)."""
    page, per_page = page_args()
    result = service.list_complaints(
        get_session(),
        current_user,
        status=request.args.get("status") or None,
        overdue=_flag("overdue"),
        escalated=_flag("escalated"),
        office=request.args.get("office") or None,
        age=request.args.get("age") or None,
        at_desks=_flag("mine"),
        page=page,
        per_page=per_page,
    )
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "items": [staff_json(c) for c in result.items],
        }
    )


@bp.get("/complaints/pendency")
@spec.validate(tags=["complaints"])
@requires(LOGGED_IN)
def pendency():
    """For an office and every office under it: pending, by age, overdue and escalated."""
    root, rows = service.pendency(get_session(), current_user, request.args.get("office"))
    for row in rows:
        row.pop("office_id")
        row.pop("depth")
    return jsonify({"office": root.code, "rows": rows})


@bp.get("/complaints/<int:complaint_id>")
@spec.validate(tags=["complaints"])
@requires(LOGGED_IN)
def show(complaint_id: int):
    complaint = service.get_complaint(get_session(), current_user, complaint_id)
    return jsonify(staff_json(complaint, full=True))


@bp.post("/complaints/<int:complaint_id>/route")
@spec.validate(json=Route, tags=["complaints"])
@requires(LOGGED_IN)
def route(complaint_id: int, json: Route):
    """The district's routing desk sends a complaint without a station to one."""
    complaint = service.route(
        get_session(),
        current_user,
        api_desk(current_user),
        complaint_id,
        json.station,
        json.version,
    )
    return jsonify(staff_json(complaint, full=True))


@bp.post("/complaints/<int:complaint_id>/assign")
@spec.validate(json=Assign, tags=["complaints"])
@requires("complaint.assign")
def assign(complaint_id: int, json: Assign):
    """The SHO or a higher officer names the IO; the enquiry e-file opens with the complaint."""
    complaint = service.assign(
        get_session(), current_user, api_desk(current_user), complaint_id, json.io, json.version
    )
    return jsonify(staff_json(complaint, full=True))


@bp.post("/complaints/<int:complaint_id>/interim")
@spec.validate(json=Text, tags=["complaints"])
@requires(LOGGED_IN)
def interim(complaint_id: int, json: Text):
    """An interim reply (the complainant reads it; the clock does not stop)."""
    complaint = service.interim(
        get_session(), current_user, api_desk(current_user), complaint_id, json.text, json.version
    )
    return jsonify(staff_json(complaint, full=True))


@bp.post("/complaints/<int:complaint_id>/action-report")
@spec.validate(json=Text, tags=["complaints"])
@requires(LOGGED_IN)
def report(complaint_id: int, json: Text):
    """The action report; it goes to the complainant."""
    complaint = service.action_report(
        get_session(),
        settings(),
        current_user,
        api_desk(current_user),
        complaint_id,
        json.text,
        json.version,
    )
    return jsonify(staff_json(complaint, full=True))


@bp.post("/complaints/<int:complaint_id>/attachments")
@takes_multipart
@spec.validate(tags=["attachments"])
@requires(LOGGED_IN)
def attach(complaint_id: int):
    """Attach a document to the action report (the IO or an officer over the station)."""
    return store_upload(
        service.get_complaint(get_session(), current_user, complaint_id, for_update=True)
    )


@bp.post("/complaints/<int:complaint_id>/close")
@spec.validate(json=Close, tags=["complaints"])
@requires("complaint.close")
def close(complaint_id: int, json: Close):
    """Close after the action report (refused while an appeal is open)."""
    complaint = service.close(
        get_session(),
        current_user,
        api_desk(current_user),
        complaint_id,
        json.remarks,
        json.version,
    )
    return jsonify(staff_json(complaint, full=True))


@bp.get("/complaints/<int:complaint_id>/acknowledgement.pdf")
@spec.validate(tags=["complaints"])
@requires(LOGGED_IN)
@pdf_limits
def acknowledgement(complaint_id: int):
    """The complainant's copy, printed again at the counter."""
    session = get_session()
    complaint = service.get_complaint(session, current_user, complaint_id)
    return pdf_response(
        acknowledgement_pdf(session, settings(), complaint), pdf_name(complaint, "complaint")
    )


@bp.get("/public/offices")
@spec.validate(tags=["complaints"])
@public
@public_limits
def public_offices():
    """Districts and their stations (code, name, name_hi), for the public forms."""
    return jsonify(
        {
            "districts": [
                {
                    "code": d.code,
                    "name": d.name,
                    "name_hi": d.name_hi,
                    "stations": [
                        {"code": s.code, "name": s.name, "name_hi": s.name_hi} for s in stations
                    ],
                }
                for d, stations in service.districts_and_stations(get_session())
            ]
        }
    )
