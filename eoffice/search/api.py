"""JSON: GET /api/v1/search."""

import datetime as dt
from typing import Literal

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field

from eoffice.search.query import SearchQuery
from eoffice.search.schema import kinds_indexed
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.api import Id, iso, spec
from eoffice.web.session import get_search, get_session

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")


# the kinds the index holds, from the registry (the modules are loaded before the blueprints)
KindName = Literal[kinds_indexed()]


class SearchArgs(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    q: str = Field(default="", max_length=500, description='words, "phrases", prefix*, AND/OR/NOT')
    kind: KindName | None = None
    office: Id | None = Field(default=None, description="office id")
    status: str | None = Field(default=None, max_length=20)
    category: Literal["A", "B", "C"] | None = None
    date_from: dt.date | None = Field(default=None, alias="from")
    date_to: dt.date | None = Field(default=None, alias="to")
    sort: Literal["relevance", "date"] = "relevance"
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)


def hit_json(hit) -> dict:
    out = {
        "kind": hit.kind,
        "number": hit.number,
        "title": hit.title,
        "snippet": str(hit.snippet),
        "date": iso(hit.date),
    }
    if hit.file_id is not None:
        out["file_id"] = hit.file_id
    if hit.receipt_id is not None:
        out["receipt_id"] = hit.receipt_id
    out[f"{hit.kind}_id"] = hit.obj_id  # attachment_id, draft_id, ...
    if hit.note_number is not None:
        out["note_number"] = hit.note_number
    return out


@bp.get("/search")
@spec.validate(query=SearchArgs, tags=["search"])
@requires(LOGGED_IN)
def search_api():
    """Search what the caller may see. `snippet` is HTML: the quoted text is escaped and the
    matched words are wrapped in <mark class="hit">."""
    args = SearchArgs.model_validate(request.args.to_dict())
    sq = SearchQuery(
        q=args.q,
        kind=args.kind,
        office_id=args.office,
        status=args.status,
        category=args.category,
        date_from=args.date_from,
        date_to=args.date_to,
        sort=args.sort,
        page=args.page,
        per_page=args.per_page,
    )
    result = get_search().search(get_session(), current_user, sq)
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "hits": [hit_json(h) for h in result.hits],
        }
    )
