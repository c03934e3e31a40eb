"""JSON: the record room (files due for review, weeding, tombstones) and a file's retention."""

from typing import Annotated

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.files import records
from eoffice.files.api import Versioned, file_json
from eoffice.org.desks import NONE
from eoffice.org.pages import api_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import iso, page_args, spec
from eoffice.web.session import get_session

bp = Blueprint("records_api", __name__, url_prefix="/api/v1")

RetentionYears = Annotated[int, Field(strict=True, ge=1, le=10)]


class WeedIn(BaseModel):
    remarks: str = Field(min_length=1, max_length=5000, pattern=r"\S")
    desk: str | None = None


class RetentionIn(Versioned):
    retention_years: RetentionYears


def review_json(f) -> dict:
    return {
        "id": f.id,
        "number": f.number,
        "subject": f.subject,
        "category": f.category,
        "retention_years": f.retention_years,
        "review_on": iso(f.review_on),
    }


def tombstone_json(t) -> dict:
    return {
        "id": t.id,
        "file_id": t.file_id,
        "number": t.number,
        "subject": t.subject,
        "category": t.category,
        "retention_years": t.retention_years,
        "closed_on": iso(t.closed_on),
        "review_on": iso(t.review_on),
        "approved_by": t.approved_by.username,
        "desk": t.desk.code,
        "weeded_at": iso(t.weeded_at),
        "remarks": t.remarks,
        "removed": t.removed,
        "letters": t.letters,
    }


def _list(result, item) -> dict:
    return {
        "items": [item(x) for x in result.items],
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
    }


@bp.get("/records/review")
@spec.validate(tags=["records"])
@requires(LOGGED_IN)
def review():
    """The office's closed category C files due for review (`review_on` today or earlier),
    oldest review date first: for officers and auditors of the office or one above it."""
    page, per_page = page_args()
    office, result, today = records.review_list(
        get_session(), current_user, request.args.get("office"), page, per_page
    )
    return jsonify(
        {"office": office.code, "today": today.isoformat(), **_list(result, review_json)}
    )


@bp.get("/records/weeded")
@spec.validate(tags=["records"])
@requires(LOGGED_IN)
def weeded():
    """The office's weeded files (tombstones), newest first."""
    page, per_page = page_args()
    office, result = records.weeded_list(
        get_session(), current_user, request.args.get("office"), page, per_page
    )
    return jsonify({"office": office.code, **_list(result, tombstone_json)})


@bp.post("/records/<int:file_id>/weed")
@spec.validate(json=WeedIn, tags=["records"])
@requires(LOGGED_IN)
def weed(file_id: int, json: WeedIn):
    """An officer approves weeding a closed category C file due for review. 409
    `permanent_record` (A, B), `not_closed`, `not_due_for_review`, `already_weeded`."""
    tombstone = records.weed(
        get_session(), current_user, api_desk(current_user, unsure=NONE), file_id, json.remarks
    )
    return jsonify(tombstone_json(tombstone))


@bp.put("/files/<int:file_id>/retention")
@spec.validate(json=RetentionIn, tags=["records"])
@requires(LOGGED_IN)
def retention(file_id: int, json: RetentionIn):
    """An officer at the holding desk changes an open category C file's retention period."""
    session = get_session()
    file = records.set_retention(
        session, current_user, api_desk(current_user), file_id, json.retention_years, json.version
    )
    return jsonify(file_json(session, file))
