"""Use cases of complaints: register (portal or counter), route, assign an IO (the enquiry e-file
opens), interim replies, the action report, the complainant's answer (satisfied closes it, not
satisfied appeals one level up), close, the SLA sweep, and pendency by level.

None commits: the request, the command or the job around it does. Mail and SMS are jobs written
in the same transaction, so a rolled-back change sends nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.complaints import ladder
from eoffice.complaints.models import (
    LADDER,
    LEVEL_OF_OFFICE,
    OPEN,
    PENDING,
    Category,
    Complaint,
    ComplaintEvent,
    Level,
    Status,
)
from eoffice.core import citizen, fields, kinds, mail, sms, uow
from eoffice.core.db import utcnow
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.core.pagination import Page, paginate
from eoffice.files.service import open_enquiry_file
from eoffice.org.desks import head_desk, read_only, require_desk, routing_desk
from eoffice.org.models import Desk, Office
from eoffice.org.service import offices_within
from eoffice.org.visits import issue_visit_token
from eoffice.receipts import service as dak
from eoffice.receipts.models import MarkKind, Mode, Receipt

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MOBILE = re.compile(r"^(?:\+?91|0)?([6-9][0-9]{9})$")
MAX_TEXT = 20_000
BUCKETS = ("0-7", "8-15", "16+")


@dataclass
class Registered:
    complaint: Complaint
    tracking_key: str  # shown once, here; only its slow hash is kept
    visit_token: str


@dataclass
class Settings:
    """What the use cases need of the instance's settings."""

    key: str  # CITIZEN_KEY: check codes, secrets' hashes, visit tokens
    sla_days: int = 15
    every_days: int = 3
    public_url: str = "http://127.0.0.1:5000"
    sms: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, config: dict) -> Settings:
        return cls(
            key=config["CITIZEN_KEY"],
            sla_days=config.get("COMPLAINT_SLA_DAYS", 15),
            every_days=config.get("ESCALATE_EVERY_DAYS", 3),
            public_url=config.get("PUBLIC_URL", "http://127.0.0.1:5000"),
            sms=bool(config.get("SMS_URL")),
            extra=config,
        )

    def feedback_url(self, office_code: str, visit_token: str) -> str:
        """The station feedback form with the visit token filled in (a verified visit)."""
        return f"{self.public_url}/c/feedback/{office_code}?v={visit_token}"

    def verify_url(self, number: str) -> str:
        return f"{self.public_url}/verify/{number}?c={citizen.check_code(self.key, number)}"


# --- input ---------------------------------------------------------------------------------------


_text = fields.text


def _office(session: Session, code, field_name: str, kinds: tuple[str, ...]) -> Office:
    if not isinstance(code, str) or not code.strip():
        raise Invalid(f"{field_name} is required", field=field_name)
    office = session.scalars(sa.select(Office).where(Office.code == code.strip())).one_or_none()
    if office is None or office.kind not in kinds:
        raise Invalid(
            f"unknown {field_name} '{code[:40]}'", field=field_name, code="unknown_office"
        )
    return office


def clean_mobile(value) -> str:
    if not isinstance(value, str):
        raise Invalid("complainant.mobile is required", field="complainant.mobile")
    digits = re.sub(r"[\s-]", "", value)
    match = MOBILE.match(digits)
    if not match:
        raise Invalid(
            "complainant.mobile must be a 10-digit Indian mobile number",
            field="complainant.mobile",
            code="bad_mobile",
        )
    return match.group(1)


def clean_email(value) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise Invalid("complainant.email is not an e-mail address", field="complainant.email")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise Invalid(f"complainant.email: {exc}", field="complainant.email") from None


def clean_registration(session: Session, values: dict, now: dt.datetime) -> dict:
    """The complaint as given, checked field by field (422 naming the field)."""
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    district = _office(session, values.get("district"), "district", ("district",))
    station = None
    if values.get("station") not in (None, ""):
        station = _office(session, values.get("station"), "station", ("thana",))
        if district.id not in {station.id, *[o.id for o in station.ancestors()]}:
            raise Invalid(
                f"station {station.code} is not in district {district.code}",
                field="station",
                code="unknown_office",
            )
    category = values.get("category")
    if category not in set(Category):
        raise Invalid(f"category must be one of {', '.join(Category)}", field="category")
    description = _text(values, "description", required=True, max_len=MAX_TEXT)
    incident = values.get("incident") or {}
    if not isinstance(incident, dict):
        raise Invalid("incident must be an object", field="incident")
    at = incident.get("at")
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            raise Invalid("incident.at is not a date and time", field="incident.at") from None
    if at is not None:
        if not isinstance(at, dt.datetime):
            raise Invalid("incident.at is not a date and time", field="incident.at")
        if at.tzinfo is None:
            at = at.replace(tzinfo=ladder.zone_of(district))
        if at < EARLIEST:
            raise Invalid("incident.at is before 1900", field="incident.at", code="too_early")
        if at > now + dt.timedelta(minutes=5):
            raise Invalid("incident.at is in the future", field="incident.at")
    place = _text(incident, "place", max_len=2000, label="incident.place")
    person = values.get("complainant")
    if not isinstance(person, dict):
        raise Invalid("complainant is required", field="complainant")
    language = values.get("language") or "hi"
    if language not in ("hi", "en"):
        raise Invalid("language must be hi or en", field="language")
    return {
        "district": district,
        "station": station,
        "category": category,
        "description": description,
        "incident_at": at,
        "incident_place": place,
        "complainant_name": _text(person, "name", required=True, label="complainant.name"),
        "complainant_mobile": clean_mobile(person.get("mobile")),
        "complainant_email": clean_email(person.get("email")),
        "complainant_address": _text(person, "address", max_len=2000, label="complainant.address"),
        "language": language,
    }


# --- registering ---------------------------------------------------------------------------------


def _event(session, complaint: Complaint, kind: str, *, text=None, user=None, desk=None, at=None):
    event = ComplaintEvent(
        complaint=complaint,
        at=at or utcnow(),
        kind=kind,
        status=complaint.status,
        level=complaint.level,
        text=text,
        by_user_id=getattr(user, "id", None),
        desk_id=getattr(desk, "id", None),
    )
    session.add(event)
    return event


def _audit(session, action, complaint, *, user=None, desk=None, data=None):
    audit.record(
        session,
        action,
        user=user,
        desk=desk,
        obj_type="complaint",
        obj_id=complaint.id,
        data={"number": complaint.number, **(data or {})},
    )


def register(
    session: Session, settings: Settings, values: dict, *, user=None, desk=None
) -> Registered:
    """A complaint from the portal (no user) or the counter (a clerk at their desk): numbered,
    made a receipt at the station (or the district's routing desk), its clock started, the copy
    mailed when an e-mail is given and an SMS sent when a gateway is configured."""
    counter = user is not None
    if counter:
        desk = require_desk(desk, user)
        if not can(user, "complaint.register"):
            raise Forbidden("only clerks and officers register complaints at the counter")
    now = utcnow()
    clean = clean_registration(session, values, now)
    district, station = clean.pop("district"), clean.pop("station")
    office = station or district
    target = head_desk(session, station) if station else routing_desk(session, district)
    if target is None:
        raise Invalid(f"{office.code} has no desk to receive complaints", field="station")
    today = ladder.local_date(district, now)
    year = today.year
    serial = next_serial(session, district.id, "complaint", year)
    number = f"{district.code}/C/{year}/{serial:06d}"
    key = citizen.new_tracking_key()
    receipt = Receipt(
        office_id=target.office_id,
        year=year,
        serial=next_serial(session, target.office_id, "receipt", year),
        received_on=today,
        mode=(Mode.counter if counter else Mode.portal).value,
        sender_name=clean["complainant_name"],
        sender_address=clean["complainant_address"],
        sender_mobile=clean["complainant_mobile"],
        sender_email=clean["complainant_email"],
        letter_number=number,
        letter_date=today,
        subject=_subject(number, clean["category"], clean["description"]),
        category="complaint",
        language=clean["language"],
        created_desk_id=(desk or target).id,
        holder_desk_id=target.id,
        created_by_id=getattr(user, "id", None),
    )
    receipt.number = f"R/{year}/{receipt.serial:06d}"
    session.add(receipt)
    session.flush()
    if desk is not None and desk.id != target.id:
        dak.arrive(session, receipt, desk, MarkKind.diarised, by=user, opened=True)
        dak.arrive(session, receipt, target, MarkKind.action, by=user, from_desk=desk)
    else:
        dak.arrive(session, receipt, target, MarkKind.diarised, by=user)
    complaint = Complaint(
        number=number,
        year=year,
        serial=serial,
        channel="counter" if counter else "portal",
        district_id=district.id,
        station_id=station.id if station else None,
        key_hash=citizen.hash_secret(settings.key, key),
        status=Status.registered.value,
        level=(Level.sho if station else Level.district).value,
        level_office_id=office.id,
        level_desk_id=target.id,
        receipt_id=receipt.id,
        registered_at=now,
        clock_from=now,
        due_on=today + dt.timedelta(days=settings.sla_days),
        **clean,
    )
    session.add(complaint)
    session.flush()
    token = issue_visit_token(session, settings.key, office.id, "complaint", number)
    _event(session, complaint, "registered", user=user, desk=desk, at=now)
    _audit(
        session,
        "complaint.registered",
        complaint,
        user=user,
        desk=desk,
        data={"channel": complaint.channel, "receipt": receipt.number, "to": target.code},
    )
    _notify(session, settings, complaint, "registered")
    uow.flush(session)
    return Registered(complaint, key, token)


def _subject(number: str, category: str, description: str) -> str:
    head = description.splitlines()[0] if description else ""
    head = head if len(head) <= 120 else head[:119] + "…"
    return f"शिकायत / Complaint {number} ({category}): {head}"


# messages to the complainant, in the language they chose
MESSAGES = {
    "registered": {
        "hi": (
            "शिकायत दर्ज: {number}",
            "आपकी शिकायत संख्या {number} दर्ज हो गई है। कार्यवाही की नियत तिथि: {due}। "
            "प्रति संलग्न है। स्थिति देखें: {track}",
        ),
        "en": (
            "Complaint registered: {number}",
            "Your complaint {number} is registered. Action is due by {due}. "
            "Your copy is attached. Track it at {track}",
        ),
    },
    "action_reported": {
        "hi": (
            "शिकायत {number}: कार्यवाही रिपोर्ट",
            "आपकी शिकायत {number} पर कार्यवाही रिपोर्ट:\n\n{report}\n\n"
            "संतुष्ट न हों तो यहाँ अपील करें: {track}",
        ),
        "en": (
            "Complaint {number}: action report",
            "The action report on your complaint {number}:\n\n{report}\n\n"
            "If you are not satisfied, appeal at {track}",
        ),
    },
}


def _notify(session: Session, settings: Settings, complaint: Complaint, what: str) -> None:
    """Mail (with the PDF) and SMS to the complainant, queued in this transaction."""
    lang = complaint.language if complaint.language in ("hi", "en") else "hi"
    subject, body = MESSAGES[what][lang]
    fields = {
        "number": complaint.number,
        "due": complaint.due_on.strftime("%d-%m-%Y"),
        "track": f"{settings.public_url}/c/track",
        "report": complaint.action_report or "",
    }
    maker = "complaint.acknowledgement" if what == "registered" else "complaint.action_report"
    if complaint.complainant_email:
        mail.queue_mail(
            session,
            to=[complaint.complainant_email],
            subject=subject.format(**fields),
            text=body.format(**fields),
            attachments=[{"maker": maker, "args": {"complaint_id": complaint.id}}],
            key=f"complaint:{complaint.id}:{what}:{complaint.appeals}",
        )
    if settings.sms:
        short = subject.format(**fields) + (f" — {fields['due']}" if what == "registered" else "")
        sms.queue_sms(
            session,
            settings.extra,
            to="+91" + complaint.complainant_mobile,
            text=short,
            key=f"sms:complaint:{complaint.id}:{what}:{complaint.appeals}",
        )


# --- finding -------------------------------------------------------------------------------------


def jurisdiction(session: Session, user) -> set[int]:
    """The offices whose complaints `user` sees: those of their desks and every office below."""
    return offices_within(session, {d.office_id for d in user.current_desks()})


def visible_clause(session: Session, user):
    offices = jurisdiction(session, user)
    return sa.func.coalesce(Complaint.station_id, Complaint.district_id).in_(offices)


def can_view(session: Session, user, complaint: Complaint) -> bool:
    return complaint.office.id in jurisdiction(session, user)


def visible_ids(session: Session, user, ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(Complaint.id).where(Complaint.id.in_(ids), visible_clause(session, user))
        )
    )


def get_complaint(session: Session, user, complaint_id: int, *, for_update=False) -> Complaint:
    stmt = sa.select(Complaint).where(Complaint.id == complaint_id)
    if for_update:
        stmt = stmt.with_for_update(of=Complaint).execution_options(populate_existing=True)
    complaint = session.scalars(stmt).one_or_none()
    if complaint is None:
        raise NotFound("no such complaint")
    if not can(user, "complaint.view", complaint):
        raise Hidden("no such complaint", "complaint", complaint.id)
    return complaint


def find_public(session: Session, settings: Settings, number, key) -> Complaint:
    """The complaint for its number and tracking key. A wrong key and a missing number answer
    the same 404 after the same work (one slow hash each)."""
    complaint = None
    if isinstance(number, str) and len(number) <= 40 and "\x00" not in number:
        complaint = session.scalars(
            sa.select(Complaint).where(Complaint.number == number.strip().upper())
        ).one_or_none()
    stored = complaint.key_hash if complaint is not None else None
    if not citizen.verify_secret(settings.key, stored, key if isinstance(key, str) else None):
        raise NotFound("no complaint with this number and tracking key")
    return complaint


def find_verified(session: Session, settings: Settings, number: str, code: str | None):
    """What a verify link names (a complaint, or a document of any kind with a verifier in the
    registry), when its check code is right; None otherwise."""
    if not isinstance(number, str) or not citizen.check_matches(settings.key, number, code):
        return None
    return kinds.verified(session, number)


def verified_complaint(session: Session, number: str) -> kinds.Verified | None:
    complaint = session.scalars(
        sa.select(Complaint).where(Complaint.number == number)
    ).one_or_none()
    if complaint is None:
        return None
    return kinds.Verified(
        kind="complaint",
        number=complaint.number,
        date=ladder.local_date(complaint.district, complaint.registered_at),
        office=complaint.office,
    )


def list_complaints(
    session: Session,
    user,
    *,
    status: str | None = None,
    overdue: bool = False,
    office: str | None = None,
    age: str | None = None,
    escalated: bool = False,
    at_desks: bool = False,
    today: dt.date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """The complaints of the caller's jurisdiction, filtered; newest first."""
    stmt = sa.select(Complaint).where(visible_clause(session, user))
    if office:
        root = session.scalars(sa.select(Office).where(Office.code == office)).one_or_none()
        if root is None or root.id not in jurisdiction(session, user):
            raise Invalid(f"unknown office '{office[:40]}'", field="office", code="unknown_office")
        within = offices_within(session, {root.id})
        stmt = stmt.where(sa.func.coalesce(Complaint.station_id, Complaint.district_id).in_(within))
    else:
        root = None
    if status:
        if status == "pending":
            stmt = stmt.where(Complaint.status.in_([s.value for s in PENDING]))
        elif status == "open":
            stmt = stmt.where(Complaint.status.in_([s.value for s in OPEN]))
        elif status in set(Status):
            stmt = stmt.where(Complaint.status == status)
        else:
            raise Invalid("status is not a complaint status", field="status")
    if today is None:
        today = ladder.local_date(root or _any_office(session, user), utcnow())
    if overdue:
        stmt = stmt.where(Complaint.status.in_([s.value for s in OPEN]), Complaint.due_on < today)
    if escalated:
        stmt = stmt.where(Complaint.status.in_([s.value for s in OPEN]), Complaint.escalations > 0)
    if at_desks:
        stmt = stmt.where(
            Complaint.level_desk_id.in_([d.id for d in user.current_desks()]),
            Complaint.status.in_([s.value for s in PENDING]),
        )
    if age:
        if age not in BUCKETS:
            raise Invalid(f"age must be one of {', '.join(BUCKETS)}", field="age")
        anchor = root or _any_office(session, user)
        c8, c16 = _cutoffs(anchor, today)
        stmt = stmt.where(Complaint.status.in_([s.value for s in PENDING]))
        if age == "0-7":
            stmt = stmt.where(Complaint.registered_at >= c8)
        elif age == "8-15":
            stmt = stmt.where(Complaint.registered_at < c8, Complaint.registered_at >= c16)
        else:
            stmt = stmt.where(Complaint.registered_at < c16)
    return paginate(session, stmt.order_by(Complaint.id.desc()), page, per_page)


def _any_office(session: Session, user) -> Office:
    desks = user.current_desks()
    if desks:
        return desks[0].office
    return session.scalars(sa.select(Office).limit(1)).one()


def _cutoffs(office: Office, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Registered at or after c8: 0–7 days old; at or after c16: up to 15 days old."""
    return (
        ladder.start_of_day(office, today - dt.timedelta(days=7)),
        ladder.start_of_day(office, today - dt.timedelta(days=15)),
    )


# --- working it ----------------------------------------------------------------------------------


def _chain_ids(complaint: Complaint) -> set[int]:
    office = complaint.office
    return {office.id, *[o.id for o in office.ancestors()]}


def _officer_over(user, desk: Desk, complaint: Complaint, action: str) -> Desk:
    """An officer acting from a desk of the complaint's office or an office above it."""
    desk = require_desk(desk, user)
    if not can(user, action):
        raise Forbidden("only officers do this")
    if desk.office_id not in _chain_ids(complaint):
        raise Forbidden(
            f"your desk {desk.code} is not over {complaint.office.code}", code="not_your_office"
        )
    if desk.office_id == complaint.office.id and not heads(desk):
        raise Forbidden(f"only the head of {complaint.office.code} does this", code="not_head")
    return desk


def heads(desk: Desk) -> bool:
    """Is `desk` its office's head (its reports_to lies outside the office)?"""
    return desk.reports_to is None or desk.reports_to.office_id != desk.office_id


def _writable(session, user, complaint_id) -> Complaint:
    return get_complaint(session, user, complaint_id, for_update=True)


def _check_version(complaint: Complaint, version: int | None) -> None:
    if version is not None and version != complaint.version:
        raise Conflict(
            f"complaint {complaint.number} was changed by someone else; reload it",
            code="stale_version",
        )


def route(session, user, desk, complaint_id: int, station_code: str, version=None) -> Complaint:
    """The district's routing desk sends a complaint that came without a station to one."""
    complaint = _writable(session, user, complaint_id)
    _check_version(complaint, version)
    desk = require_desk(desk, user)
    if complaint.station_id is not None:
        raise Conflict(f"complaint {complaint.number} is already at a station", code="routed")
    if desk.office_id not in _chain_ids(complaint):
        raise Forbidden(f"your desk {desk.code} is not over {complaint.office.code}")
    if desk.id != complaint.level_desk_id and not can(user, "complaint.assign"):
        raise Forbidden("the routing desk or an officer routes complaints", code="not_routing")
    station = _office(session, station_code, "station", ("thana",))
    if complaint.district_id not in {o.id for o in station.ancestors()}:
        raise Invalid(f"station {station.code} is not in the district", field="station")
    sho = head_desk(session, station)
    if sho is None:
        raise Invalid(f"station {station.code} has no desk", field="station")
    complaint.station_id = station.id
    complaint.station = station
    if complaint.escalations == 0:  # an escalated complaint stays where it climbed to
        complaint.level, complaint.level_office_id, complaint.level_desk_id = (
            Level.sho.value,
            station.id,
            sho.id,
        )
    receipt = session.get(Receipt, complaint.receipt_id)
    if receipt.holder_desk_id != sho.id:
        from_desk = receipt.holder
        receipt.holder_desk_id, receipt.holder = sho.id, sho
        dak.arrive(
            session,
            receipt,
            sho,
            MarkKind.action,
            by=user,
            from_desk=from_desk,
            remarks=f"{complaint.number}",
        )
    _event(session, complaint, "routed", user=user, desk=desk, text=station.name_hi or station.name)
    _audit(session, "complaint.routed", complaint, user=user, desk=desk, data={"to": station.code})
    uow.flush(session)
    return complaint


def assign(session, user, desk, complaint_id: int, io_code: str, version=None) -> Complaint:
    """The SHO (or an officer above) names the IO: the enquiry e-file opens with the complaint's
    receipt as C/1 and goes to the IO's desk."""
    complaint = _writable(session, user, complaint_id)
    _check_version(complaint, version)
    desk = _officer_over(user, desk, complaint, "complaint.assign")
    if complaint.station_id is None:
        raise Conflict("route the complaint to a station first", code="not_routed")
    if complaint.status != Status.registered:
        raise Conflict(f"complaint {complaint.number} is {complaint.status}", code="assigned")
    io = session.scalars(sa.select(Desk).where(Desk.code == (io_code or "").strip())).one_or_none()
    if io is None or not io.active:
        raise Invalid(f"unknown desk '{(io_code or '')[:60]}'", field="io", code="unknown_desk")
    if io.office_id != complaint.station_id:
        raise Invalid(f"desk {io.code} is not at {complaint.office.code}", field="io")
    receipt = session.scalars(
        sa.select(Receipt).where(Receipt.id == complaint.receipt_id).with_for_update()
    ).one()
    file = open_enquiry_file(session, user, desk, receipt, f"जांच / Enquiry: {complaint.number}", io)
    complaint.file_id = file.id
    complaint.io_desk_id, complaint.io_desk = io.id, io
    complaint.status = Status.assigned.value
    if complaint.escalations == 0:  # an escalated complaint stays where it climbed to
        complaint.level, complaint.level_office_id, complaint.level_desk_id = (
            Level.io.value,
            complaint.station_id,
            io.id,
        )
    _event(session, complaint, "assigned", user=user, desk=desk)
    _audit(
        session,
        "complaint.assigned",
        complaint,
        user=user,
        desk=desk,
        data={"io": io.code, "file": file.number},
    )
    uow.flush(session)
    return complaint


def _reporter(user, desk, complaint: Complaint) -> Desk:
    """The IO, or an officer over the station. An appeal is decided by the level it went up
    to (or one above it), never by the IO whose report was appealed."""
    desk = require_desk(desk, user)
    if complaint.status == Status.appealed:
        desk = _officer_over(user, desk, complaint, "complaint.assign")
        above = {complaint.level_office.id, *[o.id for o in complaint.level_office.ancestors()]}
        if desk.office_id not in above or (
            desk.office_id == complaint.level_office_id
            and complaint.level_desk_id not in (None, desk.id)
            and not heads(desk)
        ):
            raise Forbidden(
                f"the appeal is decided at the level it went up to ({complaint.level})",
                code="appeal_level",
            )
        if desk.id == complaint.io_desk_id:
            raise Forbidden(
                "the IO does not decide an appeal against their report", code="appeal_level"
            )
        return desk
    if complaint.io_desk_id == desk.id:
        return desk
    return _officer_over(user, desk, complaint, "complaint.assign")


def interim(session, user, desk, complaint_id: int, text: str, version=None) -> Complaint:
    """An interim reply: the complainant reads it; the clock runs on."""
    complaint = _writable(session, user, complaint_id)
    _check_version(complaint, version)
    desk = _reporter(user, desk, complaint)
    text = _text({"text": text}, "text", required=True, max_len=MAX_TEXT)
    if complaint.status not in (Status.assigned, Status.under_enquiry, Status.appealed):
        raise Conflict(f"complaint {complaint.number} is {complaint.status}", code="not_open")
    if complaint.status == Status.assigned:
        complaint.status = Status.under_enquiry.value
    _event(session, complaint, "interim", user=user, desk=desk, text=text)
    _audit(session, "complaint.interim", complaint, user=user, desk=desk)
    uow.flush(session)
    return complaint


def action_report(session, settings, user, desk, complaint_id: int, text, version=None):
    """The action report: it reaches the complainant (tracking page, mail, PDF), who answers."""
    complaint = _writable(session, user, complaint_id)
    _check_version(complaint, version)
    desk = _reporter(user, desk, complaint)
    text = _text({"text": text}, "text", required=True, max_len=MAX_TEXT)
    if complaint.status not in (Status.assigned, Status.under_enquiry, Status.appealed):
        raise Conflict(f"complaint {complaint.number} is {complaint.status}", code="not_open")
    complaint.status = Status.action_reported.value
    complaint.action_report, complaint.action_report_at = text, utcnow()
    complaint.satisfied = None
    _event(session, complaint, "action_report", user=user, desk=desk, text=text)
    _audit(session, "complaint.action_reported", complaint, user=user, desk=desk)
    _notify(session, settings, complaint, "action_reported")
    uow.flush(session)
    return complaint


def answer(session, settings: Settings, complaint: Complaint, satisfied, comment=None):
    """The complainant's answer to the action report: satisfied closes the complaint; not
    satisfied appeals it one level up with a fresh deadline (it stays open until decided)."""
    if not isinstance(satisfied, bool):
        raise Invalid("satisfied must be true or false", field="satisfied")
    comment = _text({"comment": comment}, "comment", max_len=MAX_TEXT)
    session.refresh(complaint, with_for_update=True)
    if complaint.status != Status.action_reported:
        raise Conflict("there is no action report to answer yet", code="no_action_report")
    now = utcnow()
    complaint.satisfied, complaint.feedback_comment, complaint.feedback_at = (
        satisfied,
        comment,
        now,
    )
    if satisfied:
        complaint.status, complaint.closed_at = Status.closed.value, now
        _event(session, complaint, "satisfied", text=comment, at=now)
        _audit(session, "complaint.closed", complaint, data={"by": "complainant"})
    else:
        rung = ladder.next_rung(session, complaint)
        complaint.status = Status.appealed.value
        complaint.appeals += 1
        if rung is not None:
            complaint.level, complaint.level_office_id = rung.level.value, rung.office.id
            complaint.level_desk_id = rung.desk.id if rung.desk else None
        complaint.clock_from, complaint.escalations = now, 0
        today = ladder.local_date(complaint.district, now)
        complaint.due_on = today + dt.timedelta(days=settings.sla_days)
        _event(session, complaint, "appealed", text=comment, at=now)
        _audit(session, "complaint.appealed", complaint, data={"level": complaint.level})
    uow.flush(session)
    return complaint


def close(session, user, desk, complaint_id: int, remarks, version=None) -> Complaint:
    """An officer closes a complaint after its action report, when no appeal is open."""
    complaint = _writable(session, user, complaint_id)
    _check_version(complaint, version)
    desk = _officer_over(user, desk, complaint, "complaint.close")
    remarks = _text({"remarks": remarks}, "remarks", required=True, max_len=MAX_TEXT)
    if complaint.status == Status.appealed:
        raise Conflict("an appeal is open: it must be decided first", code="appeal_open")
    if complaint.status != Status.action_reported:
        raise Conflict("a complaint is closed after its action report", code="no_action_report")
    complaint.status, complaint.closed_at, complaint.close_remarks = (
        Status.closed.value,
        utcnow(),
        remarks,
    )
    _event(session, complaint, "closed", user=user, desk=desk, text=remarks)
    _audit(session, "complaint.closed", complaint, user=user, desk=desk, data={"by": "officer"})
    uow.flush(session)
    return complaint


# --- the clock -----------------------------------------------------------------------------------


@dataclass
class Move:
    number: str
    from_level: str
    to_level: str
    to_office: str
    at: dt.datetime


def sweep(session: Session, settings: Settings, as_of: dt.datetime | None = None) -> list[Move]:
    """Escalate every overdue open complaint one level for each step now due (one the day after
    its due date, one more every `every_days` days), each step in the audit log, the history and
    the inbox of the level it reached. Idempotent for a given moment."""
    as_of = as_of or utcnow()
    moves: list[Move] = []
    every = max(settings.every_days, 1)
    # the latest local date anywhere (zones east of UTC); each row's own date is checked below
    latest = (as_of.astimezone(dt.UTC) + dt.timedelta(days=1)).date()
    # a step is due when due_on + every * (steps climbed) + 1 <= today: one clause per count of
    # steps climbed (the ladder has six rungs), so only complaints with a step due are loaded
    due = sa.or_(
        *[
            sa.and_(
                Complaint.escalations == climbed,
                Complaint.due_on <= latest - dt.timedelta(days=every * climbed + 1),
            )
            for climbed in range(len(LADDER))
        ]
    )
    stmt = (
        sa.select(Complaint)
        .where(
            Complaint.status.in_([s.value for s in OPEN]),
            Complaint.level != Level.zone.value,  # the top: nowhere further to go
            due,
        )
        .order_by(Complaint.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Complaint)
    heads: dict[int, Desk | None] = {}
    for complaint in session.scalars(stmt):
        today = ladder.local_date(complaint.district, as_of)
        wanted = ladder.steps_due(complaint.due_on, today, settings.every_days)
        while complaint.escalations < wanted:
            rung = ladder.next_rung(session, complaint, heads)
            if rung is None:  # the top of the ladder: it stays there, overdue and counted
                break
            moves.append(
                Move(complaint.number, complaint.level, rung.level.value, rung.office.code, as_of)
            )
            complaint.level, complaint.level_office_id = rung.level.value, rung.office.id
            complaint.level_desk_id = rung.desk.id if rung.desk else None
            complaint.escalations += 1
            complaint.escalated_at = as_of
            _event(session, complaint, "escalated", at=as_of)
            _audit(
                session,
                "complaint.escalated",
                complaint,
                desk=rung.desk,
                data={
                    "level": rung.level.value,
                    "office": rung.office.code,
                    "as_of": as_of.isoformat(),
                },
            )
    uow.flush(session)
    return moves


# --- pendency ------------------------------------------------------------------------------------


def pendency(session: Session, user, office_code: str | None, today: dt.date | None = None):
    """For the office and every office under it: complaints pending (not closed) under each,
    by age (days since registration), overdue and escalated. One grouped query; the tree is
    summed here."""
    offices = jurisdiction(session, user)
    if not offices:
        raise Forbidden("you hold no desk with complaints under it", code="no_desk")
    if office_code:
        root = session.scalars(sa.select(Office).where(Office.code == office_code)).one_or_none()
        if root is None or root.id not in offices:
            raise NotFound(f"no office {office_code[:40]} in your jurisdiction")
    else:
        root = _top_office(session, user)
    today = today or ladder.local_date(root, utcnow())
    within = offices_within(session, {root.id})
    c8, c16 = _cutoffs(root, today)
    own = sa.func.coalesce(Complaint.station_id, Complaint.district_id)
    is_open = Complaint.status.in_([s.value for s in OPEN])

    def count_if(cond):
        return sa.func.sum(sa.case((cond, 1), else_=0))

    rows = session.execute(
        sa.select(
            own,
            sa.func.count(),
            count_if(Complaint.registered_at >= c8),
            count_if(sa.and_(Complaint.registered_at < c8, Complaint.registered_at >= c16)),
            count_if(Complaint.registered_at < c16),
            count_if(sa.and_(is_open, Complaint.due_on < today)),
            count_if(sa.and_(is_open, Complaint.escalations > 0)),
        )
        .where(own.in_(within), Complaint.status.in_([s.value for s in PENDING]))
        .group_by(own)
    ).all()
    at_level = dict(
        session.execute(
            sa.select(Complaint.level_office_id, sa.func.count())
            .where(
                Complaint.level_office_id.in_(within),
                Complaint.status.in_([s.value for s in PENDING]),
            )
            .group_by(Complaint.level_office_id)
        ).all()
    )
    own_counts = {r[0]: [int(v or 0) for v in r[1:]] for r in rows}
    tree = session.execute(
        sa.select(Office.id, Office.parent_id, Office.code, Office.kind).where(
            Office.id.in_(within)
        )
    ).all()
    children: dict[int | None, list] = defaultdict(list)
    for oid, parent, code, kind in tree:
        children[parent].append((oid, code, kind))
    totals: dict[int, list[int]] = {}

    def total(oid: int) -> list[int]:
        if oid not in totals:
            acc = list(own_counts.get(oid, [0] * 6))
            for child, _c, _k in children.get(oid, []):
                acc = [a + b for a, b in zip(acc, total(child), strict=True)]
            totals[oid] = acc
        return totals[oid]

    out = []

    def walk(oid: int, code: str, kind: str, depth: int) -> None:
        pending, a0, a8, a16, overdue, escalated = total(oid)
        level = LEVEL_OF_OFFICE.get(kind)
        out.append(
            {
                "office": code,
                "office_id": oid,
                "depth": depth,
                "level": level.value if level else kind,
                "pending": pending,
                "age": {"0-7": a0, "8-15": a8, "16+": a16},
                "overdue": overdue,
                "escalated": escalated,
                "at_level": int(at_level.get(oid, 0)),
            }
        )
        for child, ccode, ckind in sorted(children.get(oid, []), key=lambda c: c[1]):
            walk(child, ccode, ckind, depth + 1)

    walk(root.id, root.code, root.kind, 0)
    return root, out


def _top_office(session: Session, user) -> Office:
    """The highest office among the user's desks (the IG's range, the SP's district)."""
    desks = user.current_desks()
    if not desks:
        raise Forbidden("you hold no desk", code="no_desk")
    order = {lvl: i for i, lvl in enumerate(LADDER)}
    return max(
        (d.office for d in desks),
        key=lambda o: order.get(LEVEL_OF_OFFICE.get(o.kind, Level.io), 0),
    )


def may_work(user) -> bool:
    return not read_only(user)


def districts_and_stations(session: Session) -> list[tuple[Office, list[Office]]]:
    """Every district with the stations under it (through its circles), by name: the public
    forms' lists and `GET /api/v1/public/offices`."""
    offices = session.scalars(sa.select(Office).order_by(Office.name)).all()
    by_id = {o.id: o for o in offices}

    def district_of(office: Office) -> Office | None:
        node = office
        while node is not None:
            if node.kind == "district":
                return node
            node = by_id.get(node.parent_id)
        return None

    stations: dict[int, list[Office]] = defaultdict(list)
    for office in offices:
        if office.kind == "thana" and (d := district_of(office)) is not None:
            stations[d.id].append(office)
    return [(d, stations.get(d.id, [])) for d in offices if d.kind == "district"]
