"""Use cases of tips: a citizen sends one (with or without their name) and gets a 16-digit
receipt; with it they read the police's replies and add messages, photos, audio and video. The
tip arrives as a confidential receipt (dak) at the station's head desk or the district's routing
desk, which shows that a tip came and nothing of what it says: only users with the role `tips`
of the tip's district read it, answer it, close it, mark it as abuse or bar its receipt. Counts by
category and station are open to the district's officers.

Anonymity by design: nothing here is given the sender's address, user agent or device, so
nothing can keep them. None of these functions commits (the request does)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.core import citizen, fields, uow
from eoffice.core.db import utcnow
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.core.pagination import Page, paginate
from eoffice.org.desks import head_desk, require_desk, routing_desk
from eoffice.org.models import Desk, Office
from eoffice.org.service import offices_within
from eoffice.portal.tips import media
from eoffice.portal.tips.models import WITH_DETAILS, Category, Sender, Status, Tip, TipMessage
from eoffice.receipts import service as dak
from eoffice.receipts.models import MarkKind, Mode, Receipt, Security
from eoffice.storage.models import object_key
from eoffice.storage.service import add_row, attachments_of
from eoffice.storage.store import ObjectStore

MAX_TEXT = 10_000  # a tip, or one message of its conversation
MAX_FILES = 10  # what one tip may carry from its sender
MOBILE = re.compile(r"^(?:\+?91|0)?([6-9][0-9]{9})$")
PURPOSE = "tip"  # of the receipt's lookup hash
ROLE = "tips"


@dataclass
class Submitted:
    tip: Tip
    receipt: str  # the 16 digits, shown once, here; only their slow hash is kept


def format_receipt(digits: str) -> str:
    """1234 5678 9012 3456: easier to copy down from a phone."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


# --- input ---------------------------------------------------------------------------------------


def _text(values: dict, name: str, **how) -> str | None:
    return fields.text(values, name, too_long_code="too_long", **how)


def _office(session: Session, code, field: str, kind: str) -> Office:
    if not isinstance(code, str) or not code.strip():
        raise Invalid(f"{field} is required", field=field)
    office = session.scalars(sa.select(Office).where(Office.code == code.strip())).one_or_none()
    if office is None or office.kind != kind:
        raise Invalid(f"unknown {field} '{code[:40]}'", field=field, code="unknown_office")
    return office


def _identity(values) -> dict:
    if values in (None, {}):
        return {}
    if not isinstance(values, dict):
        raise Invalid("identity must be an object", field="identity")
    out = {"identity_name": _text(values, "name", label="identity.name")}
    mobile = _text(values, "mobile", max_len=20, label="identity.mobile")
    if mobile:
        match = MOBILE.match(re.sub(r"[\s-]", "", mobile))
        if not match:
            raise Invalid(
                "identity.mobile must be a 10-digit Indian mobile number",
                field="identity.mobile",
                code="bad_mobile",
            )
        mobile = match.group(1)
    out["identity_mobile"] = mobile
    email = _text(values, "email", label="identity.email")
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise Invalid(
                "identity.email is not an e-mail address", field="identity.email", code="bad_email"
            ) from None
    out["identity_email"] = email
    return out


def _details(values, category: str) -> dict:
    """The category's own fields: a vehicle's number, what the person, vehicle, trade or event
    looks like, and where and when it was seen."""
    if values in (None, {}):
        return {}
    if not isinstance(values, dict):
        raise Invalid("details must be an object", field="details")
    out = {
        "vehicle_number": _text(
            values, "vehicle_number", max_len=20, label="details.vehicle_number"
        ),
        "details": _text(values, "description", max_len=MAX_TEXT, label="details.description"),
        "details_place": _text(values, "place", max_len=2000, label="details.place"),
        "details_time": _text(values, "time", label="details.time"),
    }
    if any(out.values()) and category not in WITH_DETAILS:
        raise Invalid(
            "details are for suspicious persons or vehicles, illegal trade and events",
            field="details",
            code="no_details",
        )
    if out["vehicle_number"] and category != Category.suspicious_vehicle:
        raise Invalid(
            "a vehicle number goes with a suspicious vehicle",
            field="details.vehicle_number",
            code="no_details",
        )
    if out["vehicle_number"]:
        out["vehicle_number"] = re.sub(r"\s+", " ", out["vehicle_number"]).upper()
    return out


def clean_tip(session: Session, values: dict) -> dict:
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    district = _office(session, values.get("district"), "district", "district")
    station = None
    if values.get("station") not in (None, ""):
        station = _office(session, values.get("station"), "station", "thana")
        if district.id not in {o.id for o in station.ancestors()}:
            raise Invalid(
                f"station {station.code} is not in district {district.code}",
                field="station",
                code="unknown_office",
            )
    category = values.get("category")
    if category not in set(Category):
        raise Invalid(f"category must be one of {', '.join(Category)}", field="category")
    return {
        "district": district,
        "station": station,
        "category": category,
        "text": _text(values, "text", required=True, max_len=MAX_TEXT),
        "place": _text(values, "place", max_len=2000),
        "when_text": _text(values, "when", label="when"),
        **_details(values.get("details"), category),
        **_identity(values.get("identity")),
    }


# --- the tipster's side --------------------------------------------------------------------------


def _local_today(office: Office) -> dt.date:
    return utcnow().astimezone(ZoneInfo(office.zone_name)).date()


def submit(session: Session, key: str, values: dict) -> Submitted:
    """A tip: numbered for the staff, a confidential receipt (dak) at the station's head desk
    (or the district's routing desk when the tipster was not sure of the station), and a
    receipt for the tipster. The proof-of-work is the caller's (it is checked in the web
    layer's unit of work, before this)."""
    clean = clean_tip(session, values)
    district, station = clean.pop("district"), clean.pop("station")
    target = head_desk(session, station) if station else routing_desk(session, district)
    if target is None:
        raise Invalid(f"{(station or district).code} has no desk to receive tips", field="station")
    today = _local_today(district)
    year = today.year
    serial = next_serial(session, district.id, "tip", year)
    number = f"{district.code}/T/{year}/{serial:06d}"
    receipt_digits = _new_receipt(session, key)
    dak_receipt = Receipt(
        office_id=target.office_id,
        year=year,
        serial=next_serial(session, target.office_id, "receipt", year),
        received_on=today,
        mode=Mode.portal.value,
        # the dak says a tip came, never who sent it or what it says
        sender_name="गोपनीय सूचनादाता / Confidential tipster",
        letter_number=number,
        letter_date=today,
        subject=f"गोपनीय सूचना / Confidential tip {number} ({clean['category']})",
        category="tip",
        language="hi",
        created_desk_id=target.id,
        holder_desk_id=target.id,
        security=Security.confidential.value,
    )
    dak_receipt.number = f"R/{year}/{dak_receipt.serial:06d}"
    session.add(dak_receipt)
    session.flush()
    dak.arrive(session, dak_receipt, target, MarkKind.diarised)
    tip = Tip(
        number=number,
        year=year,
        serial=serial,
        district_id=district.id,
        station_id=station.id if station else None,
        receipt_hash=citizen.lookup_hash(key, receipt_digits, PURPOSE),
        dak_receipt_id=dak_receipt.id,
        desk_id=target.id,
        status=Status.received.value,
        **clean,
    )
    session.add(tip)
    session.flush()
    _audit(session, "tip.received", tip, desk=target, data={"receipt": dak_receipt.number})
    uow.flush(session)
    return Submitted(tip, receipt_digits)


def _new_receipt(session: Session, key: str) -> str:
    """16 random digits whose hash no other tip has (a clash is about 1 in 10^16 per tip)."""
    while True:
        digits = citizen.new_digits(16)
        taken = session.scalar(
            sa.select(Tip.id).where(Tip.receipt_hash == citizen.lookup_hash(key, digits, PURPOSE))
        )
        if taken is None:
            return digits


def find_by_receipt(session: Session, key: str, receipt, *, for_update=False) -> Tip:
    """The tip of this receipt. A wrong receipt is a missing one: the same 404 after the same
    work (one slow hash)."""
    text = receipt if isinstance(receipt, str) and len(receipt) <= 64 else ""
    digits = re.sub(r"[\s-]", "", text)
    well_formed = len(digits) == 16 and digits.isascii() and digits.isdigit()
    # a malformed receipt costs the same slow hash as a real one
    wanted = citizen.lookup_hash(key, digits if well_formed else "malformed", PURPOSE)
    stmt = sa.select(Tip).where(Tip.receipt_hash == wanted)
    if for_update:
        stmt = stmt.with_for_update(of=Tip).execution_options(populate_existing=True)
    tip = session.scalars(stmt).one_or_none() if well_formed else None
    if tip is None:
        raise NotFound("no tip has this receipt")
    return tip


def _may_write(tip: Tip) -> None:
    if tip.banned:
        raise Forbidden(
            "this receipt is barred from sending more to the police", code="receipt_banned"
        )
    if tip.is_closed:
        raise Conflict("the police have closed this tip", code="closed")


def tipster_message(session: Session, tip: Tip, text) -> TipMessage:
    _may_write(tip)
    text = _text({"text": text}, "text", required=True, max_len=MAX_TEXT)
    message = TipMessage(tip=tip, sender=Sender.you.value, text=text, at=utcnow())
    session.add(message)
    _audit(session, "tip.message", tip, data={"from": Sender.you.value})
    uow.flush(session)
    return message


def tipster_attach(session: Session, store: ObjectStore, tip: Tip, data: bytes, limit: int):
    """A photo, audio or video from the tipster: its kind read from its bytes, its metadata
    taken out (eoffice.portal.tips.media), then stored under a name we give it (a phone's file
    name can name its owner or the day)."""
    _may_write(tip)
    mine = [a for a in attachments_of(session, tip) if a.uploaded_by_id is None]
    if len(mine) >= MAX_FILES:
        raise Conflict(f"a tip takes at most {MAX_FILES} files", code="too_many")
    cleaned = media.clean(data, limit)
    digest = hashlib.sha256(cleaned.data).hexdigest()
    key = object_key(digest)
    if not store.exists(key):  # the object first: a failure leaves no row
        store.put(key, cleaned.data, cleaned.content_type)
    name = f"{cleaned.kind}-{len(mine) + 1}.{cleaned.extension}"
    return add_row(session, None, tip.desk, tip, name, cleaned.data, digest, cleaned.content_type)


# --- who reads tips ------------------------------------------------------------------------------


def _district_of(office: Office) -> Office | None:
    for node in (office, *office.ancestors()):
        if node.kind == "district":
            return node
    return None


def readable_offices(session: Session, user) -> set[int]:
    """The offices whose tips `user` reads: with the role `tips`, those of their desks and every
    office below, within the districts those desks belong to. Nobody else reads any: not the
    admin, not an auditor."""
    if user is None or not user.is_authenticated or not user.has_role(ROLE):
        return set()
    desks = user.current_desks()
    if not any(_district_of(d.office) for d in desks):
        return set()
    return offices_within(session, {d.office_id for d in desks if _district_of(d.office)})


def _tip_office_clause(offices: set[int]):
    return sa.func.coalesce(Tip.station_id, Tip.district_id).in_(offices)


def can_view(session: Session, user, tip: Tip) -> bool:
    return tip.office.id in readable_offices(session, user)


def visible_ids(session: Session, user, ids) -> set[int]:
    ids = list(ids)
    offices = readable_offices(session, user)
    if not ids or not offices:
        return set()
    return set(
        session.scalars(sa.select(Tip.id).where(Tip.id.in_(ids), _tip_office_clause(offices)))
    )


def _require_reader(session: Session, user) -> set[int]:
    offices = readable_offices(session, user)
    if not offices:
        raise NotFound("not found")  # tips do not exist for whoever may not read them
    return offices


def get_tip(session: Session, user, tip_id: int, *, for_update=False) -> Tip:
    stmt = sa.select(Tip).where(Tip.id == tip_id)
    if for_update:
        stmt = stmt.with_for_update(of=Tip).execution_options(populate_existing=True)
    tip = session.scalars(stmt).one_or_none()
    if tip is None:
        raise NotFound("no such tip")
    if not can_view(session, user, tip):
        raise Hidden("no such tip", "tip", tip.id)
    return tip


def list_tips(
    session: Session,
    user,
    *,
    office: str | None = None,
    status: str | None = None,
    abuse: bool | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Page:
    """The tips the user reads, newest first: of an office and those under it, by status, and
    marked as abuse or not."""
    offices = _require_reader(session, user)
    stmt = sa.select(Tip).where(_tip_office_clause(offices))
    if office:
        root = session.scalars(sa.select(Office).where(Office.code == office)).one_or_none()
        if root is None or root.id not in offices:
            raise Invalid(f"unknown office '{office[:40]}'", field="office", code="unknown_office")
        stmt = stmt.where(_tip_office_clause(offices_within(session, {root.id})))
    if status:
        if status == "open":
            stmt = stmt.where(Tip.status != Status.closed.value)
        elif status in set(Status):
            stmt = stmt.where(Tip.status == status)
        else:
            raise Invalid("status is not a tip status", field="status")
    if abuse is not None:
        stmt = stmt.where(Tip.abuse == abuse)
    return paginate(session, stmt.order_by(Tip.id.desc()), page, per_page)


# --- the police's side ---------------------------------------------------------------------------


def _writer(session: Session, user, desk, tip_id: int) -> tuple[Tip, Desk]:
    tip = get_tip(session, user, tip_id, for_update=True)
    return tip, require_desk(desk, user)


def _check_version(tip: Tip, version: int | None) -> None:
    if version is not None and version != tip.version:
        raise Conflict("the tip was changed by someone else; reload it", code="stale_version")


def reply(session: Session, user, desk, tip_id: int, text, version=None) -> Tip:
    """The police write to the tipster (who reads it with their receipt, and nowhere else)."""
    tip, desk = _writer(session, user, desk, tip_id)
    _check_version(tip, version)
    text = _text({"text": text}, "text", required=True, max_len=MAX_TEXT)
    if tip.is_closed:
        raise Conflict("the tip is closed", code="closed")
    session.add(
        TipMessage(
            tip=tip,
            sender=Sender.police.value,
            text=text,
            by_user_id=user.id,
            desk_id=desk.id,
            at=utcnow(),
        )
    )
    tip.status = Status.answered.value
    _audit(session, "tip.message", tip, user=user, desk=desk, data={"from": "police"})
    uow.flush(session)
    return tip


def close(session: Session, user, desk, tip_id: int, remarks, version=None) -> Tip:
    tip, desk = _writer(session, user, desk, tip_id)
    _check_version(tip, version)
    remarks = _text({"remarks": remarks}, "remarks", required=True, max_len=MAX_TEXT)
    if tip.is_closed:
        raise Conflict("the tip is already closed", code="closed")
    tip.status, tip.closed_at, tip.close_remarks = Status.closed.value, utcnow(), remarks
    _audit(session, "tip.closed", tip, user=user, desk=desk)
    uow.flush(session)
    return tip


def mark_abuse(session: Session, user, desk, tip_id: int, remarks=None, version=None) -> Tip:
    """Moderation: the tip is false, abusive or spam. It stays readable, leaves the counts, and
    is listed as abuse."""
    tip, desk = _writer(session, user, desk, tip_id)
    _check_version(tip, version)
    remarks = _text({"remarks": remarks}, "remarks", max_len=MAX_TEXT)
    if tip.abuse:
        raise Conflict("the tip is already marked as abuse", code="already_abuse")
    tip.abuse, tip.abuse_at, tip.abuse_remarks = True, utcnow(), remarks
    _audit(session, "tip.abuse", tip, user=user, desk=desk)
    uow.flush(session)
    return tip


def ban(session: Session, user, desk, tip_id: int, remarks, version=None) -> Tip:
    """The tip's receipt may send nothing more (messages, files); the tipster still reads."""
    tip, desk = _writer(session, user, desk, tip_id)
    _check_version(tip, version)
    remarks = _text({"remarks": remarks}, "remarks", required=True, max_len=MAX_TEXT)
    if tip.banned:
        raise Conflict("the receipt is already barred", code="already_banned")
    tip.banned, tip.banned_at, tip.ban_remarks = True, utcnow(), remarks
    _audit(session, "tip.banned", tip, user=user, desk=desk)
    uow.flush(session)
    return tip


def _audit(session, action, tip: Tip, *, user=None, desk=None, data=None):
    # the number and what happened: never the tip's text, the tipster's identity or anything
    # of the request that carried it
    audit.record(
        session,
        action,
        user=user,
        desk=desk,
        obj_type="tip",
        obj_id=tip.id,
        data={"number": tip.number, **(data or {})},
    )


# --- counts for the district's officers ----------------------------------------------------------


def _counting_district(session: Session, user, office_code: str | None) -> Office:
    if not (user.has_role("officer") or user.has_role(ROLE)):
        raise Forbidden("counts of tips are for officers", code="forbidden")
    mine = {d.id: d for d in (_district_of(desk.office) for desk in user.current_desks()) if d}
    if office_code:
        office = session.scalars(sa.select(Office).where(Office.code == office_code)).one_or_none()
        district = _district_of(office) if office is not None else None
        if district is None or district.id not in mine:
            raise NotFound(f"no district {office_code[:40]} of yours")
        return district
    if not mine:
        raise NotFound("you hold no desk of a district")
    return sorted(mine.values(), key=lambda o: o.code)[0]


def counts(session: Session, user, office_code: str | None = None) -> dict:
    """Tips of a district by category and by station (and those sent without one), not marked
    as abuse; how many were marked as abuse. Numbers only: no text, dates or identities."""
    district = _counting_district(session, user, office_code)
    rows = session.execute(
        sa.select(Tip.station_id, Tip.category, sa.func.count())
        .where(Tip.district_id == district.id, Tip.abuse.is_(False))
        .group_by(Tip.station_id, Tip.category)
    ).all()
    abuse = session.scalar(
        sa.select(sa.func.count()).where(Tip.district_id == district.id, Tip.abuse.is_(True))
    )
    by_category: dict[str, int] = {c.value: 0 for c in Category}
    by_station: dict[int | None, dict[str, int]] = defaultdict(dict)
    for station_id, category, n in rows:
        by_category[category] = by_category.get(category, 0) + n
        by_station[station_id][category] = n
    stations = {
        o.id: o
        for o in session.scalars(
            sa.select(Office).where(Office.id.in_([s for s in by_station if s is not None]))
        )
    }
    return {
        "district": district,
        "total": sum(by_category.values()),
        "abuse": int(abuse or 0),
        "by_category": by_category,
        "by_station": [
            {
                "station": stations[sid] if sid is not None else None,
                "total": sum(cats.values()),
                "by_category": cats,
            }
            for sid, cats in sorted(
                by_station.items(),
                key=lambda kv: (kv[0] is None, stations[kv[0]].code if kv[0] else ""),
            )
        ],
    }
