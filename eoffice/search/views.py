"""The search page."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core import kinds
from eoffice.core.errors import Invalid, Unavailable
from eoffice.org.models import Office
from eoffice.search.index import IndexUnavailable
from eoffice.search.query import SORTS, BadQuery, SearchQuery
from eoffice.search.schema import kinds_indexed
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.errors import page_message
from eoffice.web.pages import int_or_none, page_arg
from eoffice.web.session import get_search, get_session

bp = Blueprint("search", __name__, url_prefix="/search")


def statuses() -> tuple[str, ...]:
    return tuple(kinds.status_codes())


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
    return int_or_none(request.args.get(name, ""))


@bp.get("/")
@requires(LOGGED_IN)
def index():
    errors: dict[str, str] = {}
    session = get_session()
    sq = SearchQuery(
        q=request.args.get("q", "")[:500],
        kind=_choice("kind", kinds_indexed()),
        office_id=_int("office"),
        status=_choice("status", statuses()),
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
            results = get_search().search(session, current_user, sq)
        except BadQuery as exc:
            errors["q"] = page_message(exc)  # in the page's language
        except Invalid as exc:
            errors[exc.field or "q"] = page_message(exc)
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
        kinds=kinds_indexed(),
        statuses=statuses(),
        args=args,
    ), (422 if errors else 200)
