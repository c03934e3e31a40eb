"""The search page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.auth.permissions import LOGGED_IN, requires
from eoffice.db import get_session
from eoffice.errors import Invalid, Unavailable
from eoffice.org.models import Office
from eoffice.pagination import page_arg
from eoffice.search import get_home
from eoffice.search.index import IndexUnavailable
from eoffice.search.query import KINDS, SORTS, BadQuery, SearchQuery, search

bp = Blueprint("search", __name__, url_prefix="/search")

STATUSES = ("open", "parked", "closed", "filed")


def _date(name: str, errors: dict) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = _("Give the date as YYYY-MM-DD.")
        return None


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name) or None
    return value if value in allowed else None


def _int(name: str) -> int | None:
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@requires(LOGGED_IN)
def index():
    errors: dict[str, str] = {}
    session = get_session()
    sq = SearchQuery(
        q=request.args.get("q", "")[:500],
        kind=_choice("kind", KINDS),
        office_id=_int("office"),
        status=_choice("status", STATUSES),
        category=_choice("category", ("A", "B", "C")),
        date_from=_date("from", errors),
        date_to=_date("to", errors),
        sort=_choice("sort", SORTS) or "relevance",
        page=page_arg(),
    )
    results = None
    searched = bool(sq.q.strip() or sq.has_filters)
    if searched and not errors:
        try:
            results = search(session, current_user, get_home(), sq)
        except BadQuery as exc:
            errors["q"] = _("The search could not be understood: %(reason)s", reason=exc.message)
        except Invalid as exc:
            errors[exc.field or "q"] = exc.message
        except IndexUnavailable as exc:
            raise Unavailable(_("Search is being prepared; try again in a minute.")) from exc
    offices = session.scalars(sa.select(Office).order_by(Office.name)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "search/search.html",
        sq=sq,
        results=results,
        errors=errors,
        offices=offices,
        kinds=KINDS,
        statuses=STATUSES,
        args=args,
    ), (422 if errors else 200)
