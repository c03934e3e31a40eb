"""JSON: tips (API.md "Tips (confidential, two-way)"): the tipster's routes, public and counted
by a keyed hash of the address (never the address), and the routes of the `tips` role."""

from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.core import pow
from eoffice.core.errors import Invalid
from eoffice.org.pages import api_desk
from eoffice.portal.tips import service
from eoffice.portal.tips.models import Tip
from eoffice.storage.api import attachment_json
from eoffice.storage.service import attachments_of
from eoffice.web.access import LOGGED_IN, public, requires
from eoffice.web.api import Version, iso, page_args, spec
from eoffice.web.input import takes_multipart
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session, get_store

bp = Blueprint("tips_api", __name__, url_prefix="/api/v1")
RECEIPT_HEADER = "X-Tip-Receipt"

CategoryName = Literal[
    "crime",
    "suspicious_person",
    "suspicious_vehicle",
    "illegal_trade",
    "event",
    "traffic",
    "harassment",
    "other",
]


class Details(BaseModel):
    vehicle_number: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=service.MAX_TEXT)
    place: str | None = Field(default=None, max_length=2000)
    time: str | None = Field(default=None, max_length=200)


class Identity(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=200)


class TipIn(BaseModel):
    district: str = Field(min_length=1, max_length=40)
    station: str | None = Field(default=None, max_length=40)
    category: CategoryName
    text: str = Field(min_length=1, max_length=service.MAX_TEXT)
    place: str | None = Field(default=None, max_length=2000)
    when: str | None = Field(default=None, max_length=200)
    details: Details | None = None
    identity: Identity | None = None
    altcha: str | None = Field(default=None, max_length=8000)


class MessageIn(BaseModel):
    text: str = Field(min_length=1, max_length=service.MAX_TEXT)


class StaffText(BaseModel):
    text: str = Field(min_length=1, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


class Remarks(BaseModel):
    remarks: str = Field(min_length=1, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


class OptionalRemarks(BaseModel):
    remarks: str | None = Field(default=None, max_length=service.MAX_TEXT)
    desk: str | None = None
    version: Version | None = None


def key() -> str:
    return current_app.config["CITIZEN_KEY"]


def tipster_json(tip: Tip) -> dict:
    """What the tipster reads: the status and the conversation (the police never by name)."""
    first = {"from": "you", "at": iso(tip.received_at), "text": tip.text}
    return {
        "status": tip.status,
        "category": tip.category,
        "banned": tip.banned,
        "messages": [first]
        + [{"from": m.sender, "at": iso(m.at), "text": m.text} for m in tip.messages],
        "files": [
            {
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "at": iso(a.created_at),
            }
            for a in attachments_of(get_session(), tip)
            if a.uploaded_by_id is None
        ],
    }


def staff_json(tip: Tip, *, full: bool = False) -> dict:
    out = {
        "id": tip.id,
        "number": tip.number,
        "status": tip.status,
        "category": tip.category,
        "district": tip.district.code,
        "station": tip.station.code if tip.station else None,
        "received_at": iso(tip.received_at),
        "anonymous": tip.anonymous,
        "abuse": tip.abuse,
        "banned": tip.banned,
        "version": tip.version,
    }
    if full:
        out.update(
            text=tip.text,
            place=tip.place,
            when=tip.when_text,
            details={
                "vehicle_number": tip.vehicle_number,
                "description": tip.details,
                "place": tip.details_place,
                "time": tip.details_time,
            },
            identity=None
            if tip.anonymous
            else {
                "name": tip.identity_name,
                "mobile": tip.identity_mobile,
                "email": tip.identity_email,
            },
            dak_receipt_id=tip.dak_receipt_id,
            desk=tip.desk.code,
            messages=[
                {
                    "from": m.sender,
                    "at": iso(m.at),
                    "text": m.text,
                    "desk": m.desk.code if m.desk else None,
                    "by": m.by.username if m.by else None,
                }
                for m in tip.messages
            ],
            attachments=[attachment_json(a) for a in attachments_of(get_session(), tip)],
            closed_at=iso(tip.closed_at),
            close_remarks=tip.close_remarks,
            abuse_remarks=tip.abuse_remarks,
            ban_remarks=tip.ban_remarks,
        )
    return out


# --- the tipster ---------------------------------------------------------------------------------


@bp.post("/public/tips")
@spec.validate(json=TipIn, tags=["tips"])
@public
@anonymous_limit
def submit(json: TipIn):
    """Send a tip, with or without your name (`identity`), and a proof-of-work (`altcha`, from
    `GET /api/v1/public/challenge`). The answer's `receipt` (16 digits) is shown this once: keep
    it to read the police's replies and add more. Nothing of the request that carried the tip
    (address, user agent) is kept."""
    session = get_session()
    pow.check(session, current_app.config, json.altcha)
    values = json.model_dump(exclude={"altcha"}, exclude_none=True)
    done = service.submit(session, key(), values)
    return jsonify({"receipt": done.receipt}), 201


def _mine(for_update: bool = False) -> Tip:
    return service.find_by_receipt(
        get_session(), key(), request.headers.get(RECEIPT_HEADER), for_update=for_update
    )


@bp.get("/public/tips/me")
@spec.validate(tags=["tips"])
@public
@anonymous_limit
def mine():
    """Your tip's status and conversation (receipt in `X-Tip-Receipt`). A wrong receipt and a
    missing one answer the same 404."""
    return jsonify(tipster_json(_mine()))


@bp.post("/public/tips/me/messages")
@spec.validate(json=MessageIn, tags=["tips"])
@public
@anonymous_limit
def message(json: MessageIn):
    """Add to your tip (receipt header) → 201. A receipt the police barred gets 403
    `receipt_banned`; a closed tip 409 `closed`."""
    tip = _mine(for_update=True)
    service.tipster_message(get_session(), tip, json.text)
    return jsonify(tipster_json(tip)), 201


@bp.post("/public/tips/me/attachments")
@takes_multipart
@spec.validate(tags=["tips"])
@public
@anonymous_limit
def attach():
    """A photo (JPEG, PNG), audio (M4A, MP3, WAV, AMR) or video (MP4, 3GP, MOV) for your tip:
    multipart field `file`, receipt header → 201. Its kind is read from its bytes (415 for
    anything else); its metadata (EXIF, GPS, camera, times) is taken out before it is stored."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the file as multipart/form-data in the field 'file'", field="file")
    tip = _mine(for_update=True)
    limit = current_app.config["UPLOAD_LIMIT"]
    att = service.tipster_attach(get_session(), get_store(), tip, upload.read(limit + 1), limit)
    return jsonify({"name": att.name, "size": att.size, "content_type": att.content_type}), 201


# --- the `tips` role -----------------------------------------------------------------------------


def _act(use_case, tip_id: int, *args):
    """A write of the `tips` role: a tip one may not read is a 404 before the acting desk or
    anything typed is looked at."""
    session = get_session()
    service.get_tip(session, current_user, tip_id)
    return use_case(session, current_user, api_desk(current_user), tip_id, *args)


def _flag(name: str) -> bool | None:
    value = request.args.get(name, "").lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return None


@bp.get("/tips")
@spec.validate(tags=["tips"])
@requires(LOGGED_IN)
def index():
    """The tips you read (role `tips`), newest first: `office` (and those under it), `status`
    (received, answered, closed, open), `abuse=true|false`. 404 for anyone without the role."""
    page, per_page = page_args()
    result = service.list_tips(
        get_session(),
        current_user,
        office=request.args.get("office") or None,
        status=request.args.get("status") or None,
        abuse=_flag("abuse"),
        page=page,
        per_page=per_page,
    )
    return jsonify(
        {"total": result.total, "page": result.page, "items": [staff_json(t) for t in result.items]}
    )


def counts_json(result: dict) -> dict:
    return {
        "district": result["district"].code,
        "total": result["total"],
        "abuse": result["abuse"],
        "by_category": result["by_category"],
        "by_station": [
            {
                "station": row["station"].code if row["station"] else None,
                "total": row["total"],
                "by_category": row["by_category"],
            }
            for row in result["by_station"]
        ],
    }


@bp.get("/tips/counts")
@spec.validate(tags=["tips"])
@requires(LOGGED_IN)
def counts():
    """Tips of your district (`office`: a district or an office in it) by category and station,
    not counting those marked as abuse: numbers only, for the district's officers."""
    return jsonify(
        counts_json(service.counts(get_session(), current_user, request.args.get("office")))
    )


@bp.get("/tips/<int:tip_id>")
@spec.validate(tags=["tips"])
@requires(LOGGED_IN)
def show(tip_id: int):
    """The tip, its details, the identity given (if any), the conversation and the files."""
    return jsonify(staff_json(service.get_tip(get_session(), current_user, tip_id), full=True))


@bp.post("/tips/<int:tip_id>/messages")
@spec.validate(json=StaffText, tags=["tips"])
@requires(LOGGED_IN)
def reply(tip_id: int, json: StaffText):
    """Write to the tipster (they read it with their receipt) → 201."""
    tip = _act(service.reply, tip_id, json.text, json.version)
    return jsonify(staff_json(tip, full=True)), 201


@bp.post("/tips/<int:tip_id>/close")
@spec.validate(json=Remarks, tags=["tips"])
@requires(LOGGED_IN)
def close(tip_id: int, json: Remarks):
    tip = _act(service.close, tip_id, json.remarks, json.version)
    return jsonify(staff_json(tip, full=True))


@bp.post("/tips/<int:tip_id>/abuse")
@spec.validate(json=OptionalRemarks, tags=["tips"])
@requires(LOGGED_IN)
def abuse(tip_id: int, json: OptionalRemarks):
    """Mark the tip as abuse (false, abusive, spam): it leaves the counts."""
    tip = _act(service.mark_abuse, tip_id, json.remarks, json.version)
    return jsonify(staff_json(tip, full=True))


@bp.post("/tips/<int:tip_id>/ban")
@spec.validate(json=Remarks, tags=["tips"])
@requires(LOGGED_IN)
def ban(tip_id: int, json: Remarks):
    """Bar the tip's receipt: it can send no more messages or files (403 `receipt_banned`)."""
    tip = _act(service.ban, tip_id, json.remarks, json.version)
    return jsonify(staff_json(tip, full=True))
