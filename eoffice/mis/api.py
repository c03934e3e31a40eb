"""JSON: the MIS (API.md "MIS"). Each report takes `office` (that office and everything under
it; the caller's highest office by default), `as_of` or `from`/`to` (dates), and `format=json|csv|
pdf|svg`; `GET /api/v1/mis/items?report=...` lists the records behind one number."""

from flask import Blueprint, jsonify, request

from eoffice.mis import queries, reports
from eoffice.mis import web as mis_web
from eoffice.web.access import requires
from eoffice.web.api import iso, page_args, spec
from eoffice.web.session import get_session

bp = Blueprint("mis_api", __name__, url_prefix="/api/v1/mis")


def _english(text: str) -> str:
    return text


def answer(name: str):
    report = reports.get(name)
    kind = mis_web.fmt("json")
    scope = mis_web.scope()
    data = report.compute(get_session(), scope)
    answer = mis_web.file_answer(kind, report, scope, data, _english, "en")
    if answer is not None:
        return answer
    head = {"office": scope.root.code, "as_of": iso(scope.as_of)}
    if report.period:
        head |= {"from": iso(scope.date_from), "to": iso(scope.date_to)}
    return jsonify({**head, **data})


@bp.get("/pendency")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def pendency():
    """Open files and receipts held at each desk under the office, by age (days at the desk:
    0-7, 8-15, 16-30, 31+) and overdue; `offices` has each office's totals. `as_of` (a past
    day) rebuilds the holdings from the movement registers."""
    return answer("pendency")


@bp.get("/others")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def others():
    """Files of the office (and those under it) held at desks outside it."""
    return answer("others")


@bp.get("/flow")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def flow():
    """Per month of `from`..`to` (default: the last twelve months): files created, dak received,
    files sent and closed, letters issued."""
    return answer("flow")


@bp.get("/dispatch")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def dispatch():
    """Letters issued in the period, by each office's section and by mode."""
    return answer("dispatch")


@bp.get("/bottlenecks")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def bottlenecks():
    """Desks by the median days their pending files have been held there, longest first."""
    return answer("bottlenecks")


@bp.get("/sla")
@spec.validate(tags=["mis"])
@requires("mis.view")
@mis_web.pdf_rate_limited
def sla():
    """Complaints registered in the period, by the level they stand at: answered on time, late,
    pending within time, overdue, and the compliance."""
    return answer("sla")


@bp.get("/items")
@spec.validate(tags=["mis"])
@requires("mis.view")
def items():
    """The records behind one number: `report` and that number's filters: `desk`, `within` (an
    office under `office`), `owner` and `held_by` (pending with others), `kind`, `bucket`,
    `metric`, `month`, `section`, `mode`, `level`, `outcome`."""
    name = request.args.get("report") or ""
    if name not in reports.REPORTS:
        from eoffice.core.errors import Invalid

        raise Invalid("report must be one of " + ", ".join(reports.REPORTS), field="report")
    scope = mis_web.scope()
    page, per_page = page_args()
    result = queries.items(get_session(), scope, name, mis_web.item_args(), page, per_page)
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "items": [
                {
                    "kind": i.kind,
                    "id": i.id,
                    "number": i.number,
                    "subject": i.subject,
                    "desk": i.desk,
                    "office": i.office,
                    "at": iso(i.at),
                    "days": i.days,
                }
                for i in result.items
            ],
        }
    )
