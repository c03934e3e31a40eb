"""The MIS pages: one per report, with its chart (the SVG answer of the same URL), its table
where every number opens the list behind it, the filters (office, day or period) and the CSV
and PDF downloads; and that list (`/mis/list`). They call eoffice.mis.queries as the API does."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from eoffice.core.errors import Invalid
from eoffice.mis import queries, reports
from eoffice.mis import web as mis_web
from eoffice.org.models import Office
from eoffice.web.access import requires
from eoffice.web.pages import page_arg
from eoffice.web.session import get_session

bp = Blueprint("mis", __name__, url_prefix="/mis")
ORDER = ("pendency", "others", "flow", "dispatch", "bottlenecks", "sla")


def _translate(text: str) -> str:
    return _(text)


def _offices(session, scope: queries.Scope) -> list[Office]:
    """The offices the user may choose: their whole jurisdiction, in tree order by code."""
    ids = queries.jurisdiction(session, current_user)
    return list(session.scalars(sa.select(Office).where(Office.id.in_(ids)).order_by(Office.code)))


def show(name: str):
    report = reports.get(name)
    kind = mis_web.fmt("html")
    session = get_session()
    scope = mis_web.scope()
    data = report.compute(session, scope)
    locale = str(get_locale())
    answer = mis_web.file_answer(kind, report, scope, data, _translate, locale)
    if answer is not None:
        return answer
    args = mis_web.query_args(scope, report)
    return render_template(
        f"mis/{name}.html",
        report=report,
        reports=[reports.get(n) for n in ORDER],
        scope=scope,
        data=data,
        args=args,
        offices=_offices(session, scope),
        office_of={o.code: o for o in scope.offices.values()},
        buckets=queries.AGE_BUCKETS,
        metrics=queries.FLOW_METRICS,
        outcomes=queries.SLA_OUTCOMES,
        modes=queries.DISPATCH_MODES,
        svg_url=url_for(f"mis.{name}", format="svg", **args),
    )


@bp.get("/")
@requires("mis.view")
def index():
    return redirect(url_for("mis.pendency", **request.args))


@bp.get("/pendency")
@requires("mis.view")
@mis_web.pdf_rate_limited
def pendency():
    """Files and receipts pending at each desk and office, by age, with overdue."""
    return show("pendency")


@bp.get("/others")
@requires("mis.view")
@mis_web.pdf_rate_limited
def others():
    """Files of the office held at desks outside it."""
    return show("others")


@bp.get("/flow")
@requires("mis.view")
@mis_web.pdf_rate_limited
def flow():
    """Month-wise created, received, sent, closed, issued."""
    return show("flow")


@bp.get("/dispatch")
@requires("mis.view")
@mis_web.pdf_rate_limited
def dispatch():
    """Letters issued by section."""
    return show("dispatch")


@bp.get("/bottlenecks")
@requires("mis.view")
@mis_web.pdf_rate_limited
def bottlenecks():
    """Desks by median days held."""
    return show("bottlenecks")


@bp.get("/sla")
@requires("mis.view")
@mis_web.pdf_rate_limited
def sla():
    """Complaint SLA compliance by level."""
    return show("sla")


ITEM_PAGES = {
    "file": ("files.show", "file_id"),
    "letter": ("files.show", "file_id"),
    "receipt": ("receipts.show", "receipt_id"),
    "complaint": ("complaints.show", "complaint_id"),
}


@bp.get("/list")
@requires("mis.view")
def items():
    """The records behind one number of a report; each opens its own page (which checks, as
    always, that the reader may see it)."""
    name = request.args.get("report") or ""
    if name not in reports.REPORTS:
        raise Invalid("report must be one of " + ", ".join(reports.REPORTS), field="report")
    report = reports.get(name)
    session = get_session()
    scope = mis_web.scope()
    filters = mis_web.item_args()
    result = queries.items(session, scope, name, filters, page_arg(), 50)
    args = mis_web.query_args(scope, report)
    links = {}
    for i in result.items:
        endpoint, key = ITEM_PAGES[i.kind]
        links[(i.kind, i.id)] = url_for(endpoint, **{key: i.id})
    return render_template(
        "mis/list.html",
        report=report,
        scope=scope,
        page_info=result,
        links=links,
        filters={k: v for k, v in filters.items() if v},
        pager_args={"report": name, **args, **filters},
        back=url_for(f"mis.{name}", **args),
    )
