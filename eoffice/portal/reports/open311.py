"""Open311 GeoReport v2 (JSON), so that existing civic apps can file complaints and lost reports:
the discovery file, the services (each complaint category and each kind of lost article), their
definitions, requests filed form-encoded as the specification says (through the complaints'
service and the lost reports' own), and their status.

- `jurisdiction_id` is the district's office code.
- A `service_request_id` is the public number with its check code (`KNJ-C-2026-000123-ABCDEFGHJK`):
  as on the verify page, numbers cannot be guessed. Requests are found only by their ids: this
  server does not list police records, and shows of each what the verify page shows (its kind,
  station, dates, status), never the description or the citizen's details.
- Police statuses (registered, under_enquiry, ... and the level) go in `status_notes`; `status`
  is `open` or `closed`.
- Errors are the specification's: a list of `{code, description}` with the same HTTP status."""

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from eoffice.complaints import service as complaints
from eoffice.complaints.models import Category, Complaint, Status
from eoffice.core import citizen
from eoffice.core.errors import DomainError, Invalid, NotFound, UnsupportedType
from eoffice.org.models import Office
from eoffice.portal.reports import service
from eoffice.portal.reports.models import ArticleKind, LostReport
from eoffice.web.access import public
from eoffice.web.api import iso
from eoffice.web.extensions import public_limits
from eoffice.web.session import get_session, rollback

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+05:30"
MAX_IDS = 50

COMPLAINT_NAMES = {
    "theft": ("Theft", "चोरी"),
    "fraud": ("Fraud", "धोखाधड़ी"),
    "cyber": ("Cyber crime", "साइबर अपराध"),
    "women_safety": ("Safety of women", "महिला सुरक्षा"),
    "child_safety": ("Safety of children", "बाल सुरक्षा"),
    "land": ("Land dispute", "भूमि विवाद"),
    "dispute": ("Dispute", "विवाद"),
    "police_conduct": ("Conduct of police", "पुलिस आचरण"),
    "traffic": ("Traffic", "यातायात"),
    "other": ("Other", "अन्य"),
}
LOST_NAMES = {
    "mobile": ("Mobile phone", "मोबाइल फ़ोन"),
    "document": ("Document", "दस्तावेज़"),
    "vehicle_document": ("Vehicle document", "वाहन दस्तावेज़"),
    "bag": ("Bag", "बैग"),
    "other": ("Other article", "अन्य वस्तु"),
}


def _services() -> dict[str, dict]:
    out = {}
    for cat in Category:
        en, hi = COMPLAINT_NAMES[cat.value]
        out[f"complaint-{cat.value}"] = {
            "service_code": f"complaint-{cat.value}",
            "service_name": f"Complaint: {en} / शिकायत: {hi}",
            "description": "A complaint to the police; action is due within 15 days.",
            "metadata": True,
            "type": "realtime",
            "keywords": f"complaint, police, {cat.value}",
            "group": "complaints",
        }
    for kind in ArticleKind:
        en, hi = LOST_NAMES[kind.value]
        out[f"lost-{kind.value}"] = {
            "service_code": f"lost-{kind.value}",
            "service_name": f"Lost: {en} / गुम: {hi}",
            "description": "A report of a lost article or document, with an acknowledgement "
            "a bank or telecom office can verify.",
            "metadata": True,
            "type": "realtime",
            "keywords": f"lost, {kind.value}",
            "group": "lost articles",
        }
    return out


SERVICES = _services()


def _attr(code, datatype, description, order, *, required=False, values=None, hint=""):
    out = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": hint,
        "order": order,
        "description": description,
    }
    if values is not None:
        out["values"] = values
    return out


STATION = _attr(
    "station",
    "string",
    "The police station's office code; leave it empty and the district's control room routes it",
    1,
    hint="office code, e.g. PSKOT",
)


def _definition(code: str) -> dict:
    if code.startswith("complaint-"):
        attributes = [
            STATION,
            _attr("incident_at", "datetime", "When it happened", 2, hint="ISO 8601 with offset"),
            _attr(
                "language",
                "singlevaluelist",
                "Language of replies",
                3,
                values=[{"key": "hi", "name": "हिन्दी"}, {"key": "en", "name": "English"}],
            ),
        ]
    else:
        attributes = [
            STATION,
            _attr(
                "lost_on", "datetime", "The day it was lost", 2, required=True, hint="YYYY-MM-DD"
            ),
            _attr("imei", "string", "The phone's IMEI (15 digits)", 3),
            _attr("document_number", "string", "The document's number", 4),
        ]
    return {"service_code": code, "attributes": attributes}


# --- errors in the specification's shape ---------------------------------------------------------


def _error(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    rollback()
    status = 400 if exc.status == 422 else exc.status
    return _error(status, f"{exc.field}: {exc.message}" if exc.field else exc.message)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    return _error(exc.code or 400, exc.description or exc.name)


# --- ids -----------------------------------------------------------------------------------------


def request_id(number: str) -> str:
    key = current_app.config["CITIZEN_KEY"]
    return f"{number.replace('/', '-')}-{citizen.check_code(key, number)}"


def number_of(rid: str) -> str | None:
    """The public number a service_request_id names, when its check code is right."""
    parts = (rid or "").strip().upper().split("-")
    if len(parts) < 5 or len(rid) > 80:
        return None
    number = "/".join(["-".join(parts[:-4]), *parts[-4:-1]])
    if not citizen.check_matches(current_app.config["CITIZEN_KEY"], number, parts[-1]):
        return None
    return number


def _jurisdiction(required: bool) -> Office | None:
    code = request.values.get("jurisdiction_id")
    if not code:
        if required:
            raise Invalid(
                "jurisdiction_id (the district's code) is required", field="jurisdiction_id"
            )
        return None
    office = (
        get_session()
        .scalars(sa.select(Office).where(Office.code == code.strip(), Office.kind == "district"))
        .one_or_none()
    )
    if office is None:
        raise NotFound(f"no jurisdiction {code[:40]}")
    return office


# --- discovery and services ----------------------------------------------------------------------


@bp.get("/discovery.json")
@public
@public_limits
def discovery():
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return jsonify(
        {
            "changeset": CHANGESET,
            "contact": "The district police control room (dial 112 in an emergency)",
            "key_service": "No API key is needed; requests are rate-limited per address.",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": f"{base}/open311/v2",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json"],
                }
            ],
        }
    )


@bp.get("/services.json")
@public
@public_limits
def services():
    _jurisdiction(required=False)
    return jsonify(list(SERVICES.values()))


@bp.get("/services/<code>.json")
@public
@public_limits
def service_definition(code: str):
    _jurisdiction(required=False)
    if code not in SERVICES:
        raise NotFound(f"no service {code[:60]}")
    return jsonify(_definition(code))


# --- requests ------------------------------------------------------------------------------------


def _field(name: str, *, required=False, max_len=2000) -> str | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        if required:
            raise Invalid(f"{name} is required", field=name)
        return None
    if len(value) > max_len:
        raise Invalid(f"{name} is longer than {max_len} characters", field=name)
    return value


def _place() -> str:
    """Where: address_string, else lat/long as given (the specification needs one of them)."""
    address = _field("address_string") or _field("address_id", max_len=200)
    if address:
        return address
    lat, lng = _field("lat", max_len=30), _field("long", max_len=30)
    if lat and lng:
        try:
            if abs(float(lat)) <= 90 and abs(float(lng)) <= 180:
                return f"{float(lat):.6f}, {float(lng):.6f}"
        except ValueError:
            pass
        raise Invalid("lat and long must be coordinates", field="lat")
    raise Invalid(
        "a location is required: lat and long, address_string or address_id", field="address_string"
    )


@bp.post("/requests.json")
@public
@public_limits
def create_request():
    """File a complaint or a lost report (form-encoded, as GeoReport v2 says)."""
    if request.is_json or (request.content_type or "").startswith("multipart/"):
        raise UnsupportedType("send the request form-encoded (application/x-www-form-urlencoded)")
    district = _jurisdiction(required=True)
    code = _field("service_code", required=True, max_len=60)
    if code not in SERVICES:
        raise Invalid(f"no service {code}", field="service_code")
    name = " ".join(
        x for x in (_field("first_name", max_len=100), _field("last_name", max_len=100)) if x
    )
    if not name:
        raise Invalid(
            "first_name is required (the police need to know who reports)", field="first_name"
        )
    description = _field("description", required=True, max_len=service.MAX_TEXT)
    phone = _field("phone", required=True, max_len=20)
    email = _field("email", max_len=200)
    place = _place()
    station = _field("attribute[station]", max_len=40)
    session = get_session()
    settings = service.Settings.of(current_app.config)
    if code.startswith("complaint-"):
        values = {
            "district": district.code,
            "station": station,
            "category": code.removeprefix("complaint-"),
            "description": description,
            "incident": {"place": place, "at": _field("attribute[incident_at]", max_len=40)},
            "complainant": {"name": name, "mobile": phone, "email": email},
            "language": _field("attribute[language]", max_len=2) or "hi",
        }
        try:
            reg = complaints.register(session, settings, values)
        except Invalid as exc:  # the complaint's field names, as Open311 calls them
            raise _renamed(exc) from None
        number = reg.complaint.number
        notice = (
            f"Complaint {number} registered; action is due by {reg.complaint.due_on.isoformat()}. "
            f"Tracking key (shown only now, keep it): {reg.tracking_key}"
        )
    else:
        values = {
            "district": district.code,
            "station": station,
            "article": {
                "kind": code.removeprefix("lost-"),
                "description": description,
                "identifiers": {
                    "imei": _field("attribute[imei]", max_len=60),
                    "number": _field("attribute[document_number]", max_len=60),
                },
            },
            "lost": {"on": _field("attribute[lost_on]", required=True, max_len=40), "place": place},
            "reporter": {"name": name, "mobile": phone, "email": email},
        }
        on = values["lost"]["on"]
        values["lost"]["on"] = on[:10] if len(on) > 10 and on[10] == "T" else on
        try:
            reg = service.register_lost(session, settings, values, channel="open311")
        except Invalid as exc:
            raise _renamed(exc) from None
        number = reg.report.number
        notice = f"Lost report {number} registered. Verify: {settings.verify_url(number)}"
    rid = request_id(number)
    return jsonify(
        [{"service_request_id": rid, "token": rid, "service_notice": notice, "account_id": None}]
    ), 201


RENAMED = {
    "complainant.mobile": "phone",
    "reporter.mobile": "phone",
    "complainant.email": "email",
    "reporter.email": "email",
    "complainant.name": "first_name",
    "reporter.name": "first_name",
    "incident.at": "attribute[incident_at]",
    "lost.on": "attribute[lost_on]",
    "article.identifiers.imei": "attribute[imei]",
    "station": "attribute[station]",
    "district": "jurisdiction_id",
    "language": "attribute[language]",
}


def _renamed(exc: Invalid) -> Invalid:
    field = RENAMED.get(exc.field or "", exc.field)
    message = exc.message
    if exc.field and field != exc.field:
        message = message.replace(exc.field, field)
    return Invalid(message, field=field, code=exc.code)


def _request_json(session, number: str) -> dict | None:
    kind = number.split("/")[-3]
    if kind == "C":
        c = session.scalars(sa.select(Complaint).where(Complaint.number == number)).one_or_none()
        if c is None:
            return None
        updated = c.events[-1].at if c.events else c.registered_at
        return {
            "service_request_id": request_id(c.number),
            "status": "closed" if c.status == Status.closed else "open",
            "status_notes": f"{c.status} (level: {c.level})",
            "service_name": SERVICES[f"complaint-{c.category}"]["service_name"],
            "service_code": f"complaint-{c.category}",
            "agency_responsible": c.office.name,
            "service_notice": None,
            "requested_datetime": iso(c.registered_at),
            "updated_datetime": iso(updated),
            "expected_datetime": iso(
                dt.datetime.combine(c.due_on, dt.time(23, 59), tzinfo=service.zone_of(c.district))
            ),
            "address": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    if kind == "LR":
        r = session.scalars(sa.select(LostReport).where(LostReport.number == number)).one_or_none()
        if r is None:
            return None
        return {
            "service_request_id": request_id(r.number),
            "status": "open",
            "status_notes": r.status,
            "service_name": SERVICES[f"lost-{r.kind}"]["service_name"],
            "service_code": f"lost-{r.kind}",
            "agency_responsible": r.office.name,
            "service_notice": None,
            "requested_datetime": iso(r.registered_at),
            "updated_datetime": iso(r.registered_at),
            "expected_datetime": None,
            "address": None,
            "lat": None,
            "long": None,
            "media_url": None,
        }
    return None


@bp.get("/requests.json")
@public
@public_limits
def list_requests():
    """Requests by `service_request_id` (comma-separated): police records are not listed."""
    _jurisdiction(required=False)
    raw = request.args.get("service_request_id")
    if not raw:
        raise Invalid(
            "service_request_id is required: this server shows requests only by their ids",
            field="service_request_id",
        )
    ids = [x for x in raw.split(",") if x.strip()]
    if len(ids) > MAX_IDS:
        raise Invalid(f"at most {MAX_IDS} ids at once", field="service_request_id")
    wanted = {s for s in (request.args.get("status") or "").split(",") if s}
    if wanted - {"open", "closed"}:
        raise Invalid("status is open or closed", field="status")
    code = request.args.get("service_code")
    session = get_session()
    out = []
    for rid in ids:
        number = number_of(rid)
        found = _request_json(session, number) if number else None
        if found is None:
            continue
        if wanted and found["status"] not in wanted:
            continue
        if code and found["service_code"] != code:
            continue
        out.append(found)
    return jsonify(out)


def _one(rid: str) -> dict:
    number = number_of(rid)
    found = _request_json(get_session(), number) if number else None
    if found is None:
        raise NotFound(f"no request {rid[:80]}")
    return found


@bp.get("/requests/<rid>.json")
@public
@public_limits
def show_request(rid: str):
    return jsonify([_one(rid)])


@bp.get("/tokens/<token>.json")
@public
@public_limits
def show_token(token: str):
    """Requests are made at once: a token is its request's id."""
    found = _one(token)
    return jsonify([{"service_request_id": found["service_request_id"], "token": token}])
