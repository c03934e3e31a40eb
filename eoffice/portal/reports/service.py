"""Use cases of the portal's reports: a lost article or document (numbered, a receipt at the
station, its acknowledgement verifiable by QR, matched with the found-articles register), a
security request (Most Immediate at the station's duty desk, on the live board until resolved)
and an event's reports (concerns, suggestions, praise; a concern is also dak).

None commits: the request, the command or the job around it does."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.complaints.service import MOBILE, Settings, clean_email
from eoffice.core import citizen, fields, kinds, mail, uow
from eoffice.core.db import utcnow
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.core.pagination import Page, paginate
from eoffice.org.desks import duty_desk, head_desk, require_desk, routing_desk
from eoffice.org.models import Desk, Office
from eoffice.org.service import offices_within
from eoffice.org.visits import issue_visit_token
from eoffice.portal.reports.models import (
    ArticleKind,
    Event,
    EventReport,
    FoundArticle,
    LostReport,
    LostStatus,
    ReportKind,
    RequestFor,
    RequestStatus,
    SecurityRequest,
    normal_imei,
    normal_number,
)
from eoffice.receipts import service as dak
from eoffice.receipts.models import MarkKind, Mode, Receipt

__all__ = ["Settings"]

EARLIEST = dt.date(1970, 1, 1)
MAX_TEXT = 5000
BOARD_LIMIT = 200
# an event takes reports until a day after it ends
EVENT_GRACE = dt.timedelta(days=1)
MAX_EVENT_DAYS = 60
NUMBER = re.compile(r"^[A-Z0-9-]{1,40}/(LR|SR)/[0-9]{4}/[0-9]{6}$")


# --- input ---------------------------------------------------------------------------------------


_text = fields.text


def _obj(values, name: str, *, required=False) -> dict:
    value = values.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise Invalid(
            f"{name} is required" if value is None else f"{name} must be an object", field=name
        )
    return value


def _office_by_code(session: Session, code, field: str, kinds_: tuple[str, ...]) -> Office:
    if not isinstance(code, str) or not code.strip():
        raise Invalid(f"{field} is required", field=field)
    office = session.scalars(sa.select(Office).where(Office.code == code.strip())).one_or_none()
    if office is None or (kinds_ and office.kind not in kinds_):
        raise Invalid(f"unknown {field} '{code[:40]}'", field=field, code="unknown_office")
    return office


def where_to(session: Session, values: dict) -> tuple[Office, Office | None]:
    """The district and, if chosen, its station (a station outside the district is refused)."""
    district = _office_by_code(session, values.get("district"), "district", ("district",))
    station = None
    if values.get("station") not in (None, ""):
        station = _office_by_code(session, values.get("station"), "station", ("thana",))
        if district.id not in {station.id, *[o.id for o in station.ancestors()]}:
            raise Invalid(
                f"station {station.code} is not in district {district.code}",
                field="station",
                code="unknown_office",
            )
    return district, station


def clean_mobile(value, field: str) -> str:
    digits = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    match = MOBILE.match(digits)
    if not match:
        raise Invalid(
            f"{field} must be a 10-digit Indian mobile number", field=field, code="bad_mobile"
        )
    return match.group(1)


def _date(value, field: str, today: dt.date) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"{field} is not a date (YYYY-MM-DD)", field=field) from None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise Invalid(f"{field} is required", field=field)
    if value < EARLIEST:
        raise Invalid(f"{field} is before 1970", field=field, code="too_early")
    if value > today + dt.timedelta(days=1):
        raise Invalid(f"{field} is in the future", field=field, code="in_future")
    return value


def _moment(value, field: str, zone: ZoneInfo) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"{field} is not a date and time", field=field) from None
    if not isinstance(value, dt.datetime):
        raise Invalid(f"{field} is required", field=field)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if value.date() < EARLIEST:
        raise Invalid(f"{field} is before 1970", field=field, code="too_early")
    if value.year > 9000:
        raise Invalid(f"{field} is too far ahead", field=field)
    return value


def zone_of(office: Office) -> ZoneInfo:
    return ZoneInfo(office.zone_name)


def local_today(office: Office, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(zone_of(office)).date()


def _language(values: dict) -> str:
    language = values.get("language") or "hi"
    if language not in ("hi", "en"):
        raise Invalid("language must be hi or en", field="language")
    return language


def _head(text: str, n: int = 100) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= n else line[: n - 1] + "…"


# --- dak ----------------------------------------------------------------------------------------


def _receipt(
    session: Session,
    target: Desk,
    *,
    number: str,
    subject: str,
    sender_name: str,
    category: str,
    user=None,
    desk=None,
    mobile=None,
    email=None,
    address=None,
    language="hi",
    priority="normal",
    today: dt.date,
) -> Receipt:
    """The citizen's item as a receipt at `target` (portal; counter when a clerk registers it),
    its public number as the letter number, as complaints do."""
    year = today.year
    receipt = Receipt(
        office_id=target.office_id,
        year=year,
        serial=next_serial(session, target.office_id, "receipt", year),
        received_on=today,
        mode=(Mode.counter if user is not None else Mode.portal).value,
        sender_name=sender_name,
        sender_address=address,
        sender_mobile=mobile,
        sender_email=email,
        letter_number=number,
        letter_date=today,
        subject=subject,
        category=category,
        language=language,
        created_desk_id=(desk or target).id,
        holder_desk_id=target.id,
        created_by_id=getattr(user, "id", None),
        priority=priority,
        due_on=today if priority == "most_immediate" else None,
    )
    receipt.number = f"R/{year}/{receipt.serial:06d}"
    session.add(receipt)
    session.flush()
    if desk is not None and desk.id != target.id:
        dak.arrive(session, receipt, desk, MarkKind.diarised, by=user, opened=True)
        dak.arrive(session, receipt, target, MarkKind.action, by=user, from_desk=desk)
    else:
        dak.arrive(session, receipt, target, MarkKind.diarised, by=user, priority=priority)
    return receipt


def _counter(user, desk, action: str):
    """A clerk at the counter registers for a citizen; the portal has no user."""
    if user is None:
        return None
    desk = require_desk(desk, user)
    if not can(user, action):
        raise Forbidden("only clerks and officers register at the counter")
    return desk


# --- jurisdiction --------------------------------------------------------------------------------


def jurisdiction(session: Session, user) -> set[int]:
    """The offices whose items `user` sees: those of their desks and every office below."""
    return offices_within(session, {d.office_id for d in user.current_desks()})


def _within(session: Session, user, office_code: str | None) -> set[int]:
    """The offices a list covers: `office_code` and those under it (it must be in the caller's
    jurisdiction: 422 unknown_office otherwise), or the whole jurisdiction."""
    offices = jurisdiction(session, user)
    if not office_code:
        return offices
    root = session.scalars(sa.select(Office).where(Office.code == office_code)).one_or_none()
    if root is None or root.id not in offices:
        raise Invalid(f"unknown office '{office_code[:40]}'", field="office", code="unknown_office")
    return offices_within(session, {root.id})


def _chain(office: Office) -> set[int]:
    return {office.id, *[o.id for o in office.ancestors()]}


def _own(model):
    return sa.func.coalesce(model.station_id, model.district_id)


def can_view_item(session: Session, user, item) -> bool:
    return item.office.id in jurisdiction(session, user)


def visible_ids_of(model):
    def visible(session: Session, user, ids) -> set[int]:
        ids = list(ids)
        if not ids:
            return set()
        offices = jurisdiction(session, user)
        office = _own(model) if hasattr(model, "station_id") else model.office_id
        return set(
            session.scalars(sa.select(model.id).where(model.id.in_(ids), office.in_(offices)))
        )

    return visible


def _get(session: Session, user, model, item_id: int, kind: str, *, for_update=False):
    stmt = sa.select(model).where(model.id == item_id)
    if for_update:
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    item = session.scalars(stmt).one_or_none()
    if item is None:
        raise NotFound(f"no such {kind.replace('_', ' ')}")
    if not can(user, f"{kind}.view", item):
        raise Hidden(f"no such {kind.replace('_', ' ')}", kind, item.id)
    return item


# --- lost articles and documents -----------------------------------------------------------------


@dataclass
class LostRegistered:
    report: LostReport
    visit_token: str


def _identifiers(values: dict, field: str) -> tuple[str | None, str | None, str | None]:
    ids = _obj(values, "identifiers")
    imei = _text(ids, "imei", max_len=60, label=f"{field}.imei")
    number = _text(ids, "number", max_len=60, label=f"{field}.number")
    imei_n = normal_imei(imei)
    if imei is not None and (imei_n is None or not 14 <= len(imei_n) <= 17):
        raise Invalid(f"{field}.imei must be the 15 digits of the IMEI", field=f"{field}.imei")
    shown = "; ".join(x for x in (imei and f"IMEI {imei}", number and f"No. {number}") if x)
    return imei_n, normal_number(number), shown or None


def clean_lost(session: Session, values: dict, now: dt.datetime) -> dict:
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    district, station = where_to(session, values)
    article = _obj(values, "article", required=True)
    kind = article.get("kind")
    if kind not in set(ArticleKind):
        raise Invalid(f"article.kind must be one of {', '.join(ArticleKind)}", field="article.kind")
    description = _text(
        article, "description", required=True, max_len=MAX_TEXT, label="article.description"
    )
    imei, number, shown = _identifiers(article, "article.identifiers")
    lost = _obj(values, "lost", required=True)
    lost_on = _date(lost.get("on"), "lost.on", local_today(district, now))
    place = _text(lost, "place", required=True, max_len=2000, label="lost.place")
    person = _obj(values, "reporter", required=True)
    email = person.get("email")
    try:
        email = clean_email(email)
    except Invalid as exc:
        raise Invalid(
            exc.message.replace("complainant", "reporter"), field="reporter.email"
        ) from None
    return {
        "district": district,
        "station": station,
        "kind": kind,
        "description": description,
        "imei": imei,
        "doc_number": number,
        "identifiers_as_given": shown,
        "lost_on": lost_on,
        "lost_place": place,
        "reporter_name": _text(person, "name", required=True, label="reporter.name"),
        "reporter_mobile": clean_mobile(person.get("mobile"), "reporter.mobile"),
        "reporter_email": email,
        "reporter_address": _text(person, "address", max_len=2000, label="reporter.address"),
        "language": _language(values),
    }


def register_lost(
    session: Session, settings: Settings, values: dict, *, user=None, desk=None, channel=None
) -> LostRegistered:
    """A lost article or document: numbered at once, a receipt at the station (or the district's
    routing desk), its acknowledgement mailed when an e-mail is given; a found article already
    in a register with the same IMEI or number tells the station at once."""
    desk = _counter(user, desk, "lost_report.register")
    now = utcnow()
    clean = clean_lost(session, values, now)
    district, station = clean.pop("district"), clean.pop("station")
    office = station or district
    target = head_desk(session, station) if station else routing_desk(session, district)
    if target is None:
        raise Invalid(f"{office.code} has no desk to receive reports", field="station")
    today = local_today(district, now)
    serial = next_serial(session, district.id, "lost_report", today.year)
    number = f"{district.code}/LR/{today.year}/{serial:06d}"
    receipt = _receipt(
        session,
        target,
        number=number,
        subject=f"गुम वस्तु / Lost {clean['kind']} {number}: {_head(clean['description'])}",
        sender_name=clean["reporter_name"],
        category="lost_report",
        user=user,
        desk=desk,
        mobile=clean["reporter_mobile"],
        email=clean["reporter_email"],
        address=clean["reporter_address"],
        language=clean["language"],
        today=today,
    )
    report = LostReport(
        number=number,
        year=today.year,
        serial=serial,
        channel=channel or ("counter" if user is not None else "portal"),
        district_id=district.id,
        station_id=station.id if station else None,
        receipt_id=receipt.id,
        registered_at=now,
        status=LostStatus.registered.value,
        **clean,
    )
    report.district, report.station = district, station
    session.add(report)
    session.flush()
    token = issue_visit_token(session, settings.key, office.id, "lost", number)
    _audit(
        session,
        "lost_report.registered",
        "lost_report",
        report,
        user=user,
        desk=desk,
        data={"receipt": receipt.number, "to": target.code, "channel": report.channel},
    )
    for found in _found_matching(session, report.imei, report.doc_number):
        _tell_station(session, report, found, user=user, desk=desk)
    if report.reporter_email:
        _mail_lost(session, settings, report)
    uow.flush(session)
    return LostRegistered(report, token)


LOST_MAIL = {
    "hi": (
        "गुम वस्तु की सूचना दर्ज: {number}",
        "आपकी सूचना संख्या {number} दर्ज हो गई है। पावती संलग्न है। सत्यापन: {verify}\n\n"
        "झूठी सूचना देना दंडनीय अपराध है।",
    ),
    "en": (
        "Lost article report registered: {number}",
        "Your report {number} is registered. The acknowledgement is attached. Verify: {verify}"
        "\n\nA false report is an offence.",
    ),
}


def _mail_lost(session: Session, settings: Settings, report: LostReport) -> None:
    subject, body = LOST_MAIL[report.language if report.language in LOST_MAIL else "hi"]
    fields = {"number": report.number, "verify": settings.verify_url(report.number)}
    mail.queue_mail(
        session,
        to=[report.reporter_email],
        subject=subject.format(**fields),
        text=body.format(**fields),
        attachments=[{"maker": "lost_report.acknowledgement", "args": {"report_id": report.id}}],
        key=f"lost_report:{report.id}:registered",
    )


def copy_code(settings: Settings, number: str) -> str:
    """The code of the reporter's own download link of the acknowledgement (not the verify
    code a bank clerk sees: the acknowledgement carries the reporter's name and address)."""
    return citizen.check_code(settings.key, number, "lost-copy")


def find_lost_copy(session: Session, settings: Settings, number, code) -> LostReport:
    report = None
    if isinstance(number, str) and citizen.check_matches(settings.key, number, code, "lost-copy"):
        report = session.scalars(
            sa.select(LostReport).where(LostReport.number == number)
        ).one_or_none()
    if report is None:
        raise NotFound("no lost report with this number and code")
    return report


def verified_lost(session: Session, number: str) -> kinds.Verified | None:
    """What the verify page shows of a lost report: kind, date, station, article."""
    report = session.scalars(sa.select(LostReport).where(LostReport.number == number)).one_or_none()
    if report is None:
        return None
    return kinds.Verified(
        kind="lost_report",
        number=report.number,
        date=report.registered_at.astimezone(zone_of(report.district)).date(),
        office=report.office,
        summary=f"{report.kind}: {_head(report.description, 200)}",
        detail=report.kind,
    )


def list_lost(session: Session, user, *, office=None, page=1, per_page=25) -> Page:
    offices = _within(session, user, office)
    stmt = sa.select(LostReport).where(_own(LostReport).in_(offices)).order_by(LostReport.id.desc())
    return paginate(session, stmt, page, per_page)


def get_lost(session: Session, user, report_id: int) -> LostReport:
    return _get(session, user, LostReport, report_id, "lost_report")


def _found_matching(session: Session, imei, number) -> list[FoundArticle]:
    conds = []
    if imei:
        conds.append(FoundArticle.imei == imei)
    if number:
        conds.append(FoundArticle.doc_number == number)
    if not conds:
        return []
    return list(
        session.scalars(sa.select(FoundArticle).where(sa.or_(*conds)).order_by(FoundArticle.id))
    )


def matches(session: Session, user, report_id: int) -> list[FoundArticle]:
    """Found articles (in any register: a phone turns up anywhere) with the lost report's IMEI
    or document number, compared normalised."""
    report = get_lost(session, user, report_id)
    return _found_matching(session, report.imei, report.doc_number)


def record_found(
    session: Session, user, desk, values: dict
) -> tuple[FoundArticle, list[LostReport]]:
    """An article found (handed in, recovered) entered in an office's register; each open lost
    report with its IMEI or number is matched, and its station told (see _tell_station)."""
    desk = require_desk(desk, user)
    if not can(user, "found_article.record"):
        raise Forbidden("only clerks and officers keep the found-articles register")
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    office = _office_by_code(session, values.get("office"), "office", ())
    if office.id not in jurisdiction(session, user) or office.id not in offices_within(
        session, {desk.office_id}
    ):
        raise Invalid(f"unknown office '{office.code}'", field="office", code="unknown_office")
    kind = values.get("kind")
    if kind not in set(ArticleKind):
        raise Invalid(f"kind must be one of {', '.join(ArticleKind)}", field="kind")
    description = _text(values, "description", required=True, max_len=MAX_TEXT)
    imei, number, shown = _identifiers(values, "identifiers")
    found = FoundArticle(
        office_id=office.id,
        kind=kind,
        description=description,
        imei=imei,
        doc_number=number,
        identifiers_as_given=shown,
        desk_id=desk.id,
        by_user_id=user.id,
        recorded_at=utcnow(),
    )
    found.office = office
    session.add(found)
    session.flush()
    _audit(
        session,
        "found_article.recorded",
        "found_article",
        found,
        user=user,
        desk=desk,
        data={"office": office.code},
    )
    matched = []
    conds = []
    if imei:
        conds.append(LostReport.imei == imei)
    if number:
        conds.append(LostReport.doc_number == number)
    if conds:
        matched = list(
            session.scalars(sa.select(LostReport).where(sa.or_(*conds)).order_by(LostReport.id))
        )
    for report in matched:
        _tell_station(session, report, found, user=user, desk=desk)
    uow.flush(session)
    return found, matched


def _tell_station(session: Session, report: LostReport, found: FoundArticle, *, user, desk):
    """The lost report's receipt is marked again, for information, to the desk that holds it (or
    the station's head desk), with what was found where: it shows in that desk's copies, unread,
    Immediate, and its movement register keeps the match."""
    receipt = session.get(Receipt, report.receipt_id)
    to = receipt.holder or head_desk(session, report.office)
    if to is None:
        return
    office = found.office or session.get(Office, found.office_id)
    how = "IMEI" if report.imei and report.imei == found.imei else "document number"
    dak.arrive(
        session,
        receipt,
        to,
        MarkKind.copy,
        by=user,
        from_desk=desk,
        priority="immediate",
        remarks=(
            f"मिली वस्तु / Found article FA-{found.id} at {office.code} matches {report.number} "
            f"({how})"
        ),
    )
    report.status = LostStatus.matched.value
    _audit(
        session,
        "lost_report.matched",
        "lost_report",
        report,
        user=user,
        desk=desk,
        data={"found_article": found.id, "office": office.code, "by": how},
    )


def found_register(session: Session, user, *, office=None, page=1, per_page=25) -> Page:
    offices = _within(session, user, office)
    stmt = (
        sa.select(FoundArticle)
        .where(FoundArticle.office_id.in_(offices))
        .order_by(FoundArticle.id.desc())
    )
    return paginate(session, stmt, page, per_page)


# --- security requests ---------------------------------------------------------------------------


def register_security(session: Session, values: dict) -> SecurityRequest:
    """One short form: it reaches the station's duty desk (or the district's routing desk) as a
    Most Immediate receipt, and the live board."""
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    now = utcnow()
    district, station = where_to(session, values)
    whom = values.get("for")
    if whom not in set(RequestFor):
        raise Invalid(f"for must be one of {', '.join(RequestFor)}", field="for")
    name = _text(values, "name", required=True)
    mobile = clean_mobile(values.get("mobile"), "mobile")
    address = _text(values, "address", required=True, max_len=2000)
    need = _text(values, "need", required=True, max_len=2000)
    location = _obj(values, "location")
    lat = lng = None
    if location:
        lat, lng = location.get("lat"), location.get("lng")
        ok = all(
            isinstance(v, int | float) and not isinstance(v, bool) and abs(v) <= lim
            for v, lim in ((lat, 90), (lng, 180))
        )
        if not ok:
            raise Invalid("location needs lat (-90..90) and lng (-180..180)", field="location")
        lat, lng = float(lat), float(lng)
    office = station or district
    target = duty_desk(session, station) if station else routing_desk(session, district)
    if target is None:
        raise Invalid(f"{office.code} has no desk to receive requests", field="station")
    today = local_today(district, now)
    serial = next_serial(session, district.id, "security_request", today.year)
    number = f"{district.code}/SR/{today.year}/{serial:06d}"
    receipt = _receipt(
        session,
        target,
        number=number,
        subject=f"सुरक्षा अनुरोध / Security request {number} ({whom}): {_head(need)}",
        sender_name=name,
        category="security_request",
        mobile=mobile,
        address=address,
        priority="most_immediate",
        today=today,
    )
    request = SecurityRequest(
        number=number,
        year=today.year,
        serial=serial,
        district_id=district.id,
        station_id=station.id if station else None,
        for_whom=whom,
        name=name,
        mobile=mobile,
        address=address,
        need=need,
        lat=lat,
        lng=lng,
        status=RequestStatus.open.value,
        desk_id=target.id,
        receipt_id=receipt.id,
        created_at=now,
    )
    request.district, request.station = district, station
    session.add(request)
    session.flush()
    _audit(
        session,
        "security_request.registered",
        "security_request",
        request,
        data={"to": target.code, "receipt": receipt.number},
    )
    uow.flush(session)
    return request


def board(session: Session, user, office=None) -> list[SecurityRequest]:
    """Open requests (not resolved) of the office and those under it, oldest first."""
    offices = _within(session, user, office)
    return list(
        session.scalars(
            sa.select(SecurityRequest)
            .where(
                _own(SecurityRequest).in_(offices),
                SecurityRequest.status != RequestStatus.resolved.value,
            )
            .order_by(SecurityRequest.created_at, SecurityRequest.id)
            .limit(BOARD_LIMIT)
        )
    )


def get_security(session: Session, user, request_id: int, *, for_update=False) -> SecurityRequest:
    return _get(
        session, user, SecurityRequest, request_id, "security_request", for_update=for_update
    )


def _acting(session, user, desk, request_id: int, version) -> tuple[SecurityRequest, Desk]:
    item = get_security(session, user, request_id, for_update=True)
    desk = require_desk(desk, user)
    if not can(user, "security_request.act"):
        raise Forbidden("only clerks and officers act on security requests")
    if desk.office_id not in _chain(item.office):
        raise Forbidden(
            f"your desk {desk.code} is not over {item.office.code}", code="not_your_office"
        )
    if version is not None and version != item.version:
        raise Conflict(
            f"request {item.number} was changed by someone else; reload it", code="stale_version"
        )
    return item, desk


def acknowledge(session: Session, user, desk, request_id: int, version=None) -> SecurityRequest:
    item, desk = _acting(session, user, desk, request_id, version)
    if item.status != RequestStatus.open:
        raise Conflict(f"request {item.number} is {item.status}", code="already_acknowledged")
    item.status = RequestStatus.acknowledged.value
    item.acknowledged_at, item.acknowledged_by_id = utcnow(), user.id
    _audit(session, "security_request.acknowledged", "security_request", item, user=user, desk=desk)
    uow.flush(session)
    return item


def resolve(session: Session, user, desk, request_id: int, remarks, version=None):
    item, desk = _acting(session, user, desk, request_id, version)
    remarks = _text({"remarks": remarks}, "remarks", required=True, max_len=MAX_TEXT)
    if item.status == RequestStatus.resolved:
        raise Conflict(f"request {item.number} is already resolved", code="already_resolved")
    now = utcnow()
    if item.acknowledged_at is None:
        item.acknowledged_at, item.acknowledged_by_id = now, user.id
    item.status = RequestStatus.resolved.value
    item.resolved_at, item.resolved_by_id, item.remarks = now, user.id, remarks
    _audit(session, "security_request.resolved", "security_request", item, user=user, desk=desk)
    uow.flush(session)
    return item


def find_security_public(session: Session, number, mobile) -> SecurityRequest:
    """The request for its number and the mobile it was made from; either wrong: 404."""
    item = None
    if isinstance(number, str) and NUMBER.match(number.strip().upper()):
        item = session.scalars(
            sa.select(SecurityRequest).where(SecurityRequest.number == number.strip().upper())
        ).one_or_none()
    try:
        given = clean_mobile(mobile, "mobile")
    except Invalid:
        given = None
    if item is None or given is None or not hmac.compare_digest(item.mobile, given):
        raise NotFound("no security request with this number and mobile")
    return item


# --- events --------------------------------------------------------------------------------------


def create_event(session: Session, user, desk, values: dict) -> Event:
    """An officer opens an event of an office in their jurisdiction for citizens' reports."""
    desk = require_desk(desk, user)
    if not can(user, "event.create"):
        raise Forbidden("only officers create events")
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    office = _office_by_code(session, values.get("office"), "office", ())
    if office.id not in offices_within(session, {desk.office_id}):
        raise Invalid(f"unknown office '{office.code}'", field="office", code="unknown_office")
    title = _text(values, "title", required=True)
    title_hi = _text(values, "title_hi")
    zone = zone_of(office)
    starts = _moment(values.get("starts"), "starts", zone)
    ends = _moment(values.get("ends"), "ends", zone)
    if ends <= starts:
        raise Invalid("ends must be after starts", field="ends", code="bad_range")
    if ends - starts > dt.timedelta(days=MAX_EVENT_DAYS):
        raise Invalid(f"an event lasts at most {MAX_EVENT_DAYS} days", field="ends")
    event = Event(
        office_id=office.id,
        title=title,
        title_hi=title_hi,
        starts=starts,
        ends=ends,
        created_by_id=user.id,
        desk_id=desk.id,
        created_at=utcnow(),
    )
    event.office = office
    session.add(event)
    session.flush()
    _audit(
        session,
        "event.created",
        "event",
        event,
        user=user,
        desk=desk,
        data={"office": office.code, "title": title},
    )
    uow.flush(session)
    return event


def public_event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("no such event")
    return event


def accepts_reports(event: Event, now: dt.datetime | None = None) -> bool:
    return (now or utcnow()) <= event.ends + EVENT_GRACE


def report_on_event(session: Session, event_id: int, values: dict) -> EventReport:
    """An anonymous report on an event; a concern is also dak (Immediate) at the event office's
    duty desk. Nothing about the sender is kept."""
    event = public_event(session, event_id)
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    kind = values.get("kind")
    if kind not in set(ReportKind):
        raise Invalid(f"kind must be one of {', '.join(ReportKind)}", field="kind")
    text = _text(values, "text", required=True, max_len=MAX_TEXT)
    place = _text(values, "place", max_len=500)
    now = utcnow()
    if not accepts_reports(event, now):
        raise Conflict("this event is over: it takes no more reports", code="event_over")
    report = EventReport(event_id=event.id, kind=kind, text=text, place=place, at=now)
    if kind == ReportKind.concern:
        target = duty_desk(session, event.office)
        if target is not None:
            today = local_today(event.office, now)
            receipt = _receipt(
                session,
                target,
                number=f"EV-{event.id}",
                subject=f"आयोजन पर चिंता / Concern at event {event.id} ({_head(event.title, 60)}): "
                f"{_head(text)}",
                sender_name="अनाम नागरिक / Anonymous citizen",
                category="event_report",
                priority="immediate",
                today=today,
            )
            report.receipt_id = receipt.id
    session.add(report)
    uow.flush(session)
    return report


def get_event(session: Session, user, event_id: int) -> Event:
    return _get(session, user, Event, event_id, "event")


def list_events(session: Session, user, office=None, page=1, per_page=25) -> Page:
    offices = _within(session, user, office)
    stmt = sa.select(Event).where(Event.office_id.in_(offices)).order_by(Event.starts.desc())
    return paginate(session, stmt, page, per_page)


def event_reports(session: Session, user, event_id: int, after: int = 0) -> tuple[Event, list]:
    """An event's reports, newest first (after report id `after`, for a page that polls)."""
    event = get_event(session, user, event_id)
    rows = session.scalars(
        sa.select(EventReport)
        .where(EventReport.event_id == event.id, EventReport.id > after)
        .order_by(EventReport.id.desc())
        .limit(500)
    ).all()
    return event, list(rows)


def report_counts(session: Session, event_id: int) -> dict[str, int]:
    rows = session.execute(
        sa.select(EventReport.kind, sa.func.count())
        .where(EventReport.event_id == event_id)
        .group_by(EventReport.kind)
    ).all()
    counts = {k.value: 0 for k in ReportKind}
    counts.update({k: int(n) for k, n in rows})
    return counts


# --- audit ---------------------------------------------------------------------------------------


def _audit(session, action, obj_type, obj, *, user=None, desk=None, data=None):
    audit.record(
        session,
        action,
        user=user,
        desk=desk,
        obj_type=obj_type,
        obj_id=obj.id,
        data={**({"number": obj.number} if hasattr(obj, "number") else {}), **(data or {})},
    )
