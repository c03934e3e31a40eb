"""What the MIS pages and the API share: the query arguments (office, as_of, from, to) read and
checked, and the answers that are files (CSV, PDF, the SVG chart)."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, request
from flask_login import current_user

from eoffice.core.errors import Invalid, NotFound
from eoffice.mis import queries, reports
from eoffice.mis.charts import render
from eoffice.web.downloads import content_disposition, pdf_response
from eoffice.web.extensions import _user_key, limiter
from eoffice.web.session import get_session

FORMATS = ("json", "html", "csv", "pdf", "svg")
# the chart as its own answer: an image may style itself, and runs nothing
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
ITEM_ARGS = (
    "within",
    "owner",
    "desk",
    "kind",
    "bucket",
    "held_by",
    "metric",
    "month",
    "section",
    "mode",
    "level",
    "outcome",
)


def date_arg(name: str) -> dt.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD)", field=name, code="bad_date") from None
    if day.year < 1900:
        raise Invalid(f"{name} is before 1900", field=name, code="bad_date")
    return day


def scope() -> queries.Scope:
    office = request.args.get("office") or None
    if office is not None and (len(office) > 40 or "\x00" in office):
        raise NotFound("no such office in your jurisdiction")
    return queries.scope_for(
        get_session(),
        current_user,
        office,
        as_of=date_arg("as_of"),
        date_from=date_arg("from"),
        date_to=date_arg("to"),
    )


def fmt(default: str) -> str:
    value = request.args.get("format") or default
    if value not in (default, "csv", "pdf", "svg"):
        raise Invalid(f"format must be {default}, csv, pdf or svg", field="format")
    return value


def query_args(scope: queries.Scope, report: reports.Report, **extra) -> dict:
    """The arguments that name this view of a report (for links and downloads)."""
    args = {"office": scope.root.code}
    if report.period:
        args["from"] = scope.date_from.isoformat()
        args["to"] = scope.date_to.isoformat()
    elif scope.as_of != scope.root_today:
        args["as_of"] = scope.as_of.isoformat()
    return {**args, **extra}


def item_args() -> dict:
    args = {k: request.args.get(k) for k in ITEM_ARGS if k in request.args}
    for name, value in args.items():
        if len(value) > 100 or "\x00" in value:
            raise Invalid(f"{name} is not a code this list knows", field=name)
    return args


def csv_answer(report, scope, data) -> Response:
    return Response(
        reports.csv_bytes(report, scope, data),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition(reports.file_name(report, scope, "csv"))
        },
    )


def pdf_answer(report, scope, data) -> Response:
    return pdf_response(
        reports.pdf_bytes(report, scope, data), reports.file_name(report, scope, "pdf")
    )


def svg_answer(report, scope, data, translate, locale) -> Response:
    svg = render(report.chart(data, scope, translate, locale))
    return Response(
        svg,
        content_type="image/svg+xml; charset=utf-8",
        headers={"Content-Security-Policy": SVG_CSP},
    )


def file_answer(kind: str, report, scope, data, translate, locale) -> Response | None:
    if kind == "csv":
        return csv_answer(report, scope, data)
    if kind == "pdf":
        return pdf_answer(report, scope, data)
    if kind == "svg":
        return svg_answer(report, scope, data, translate, locale)
    return None


def pdf_rate_limited(view):
    """PDFs cost seconds of a server's time: the PDF rate limit applies to format=pdf only."""
    return limiter.limit(
        lambda: current_app.config["PDF_RATE_LIMIT"],
        key_func=_user_key,
        scope="pdf",
        exempt_when=lambda: request.args.get("format") != "pdf",
    )(view)
