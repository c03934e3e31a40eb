"""Staff pages of station feedback: the range IG's (or SP's) grade page, live; the stamp it
polls; one office's responses with its poster. They call feedback.service, as the API does."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from eoffice.core.errors import Invalid
from eoffice.feedback import service
from eoffice.feedback.documents import poster_name, poster_pdf
from eoffice.feedback.forms import SORT_CHOICES
from eoffice.org.models import Office
from eoffice.web.access import requires
from eoffice.web.downloads import pdf_response
from eoffice.web.errors import page_message
from eoffice.web.extensions import pdf_limits
from eoffice.web.session import get_session

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
POLL_SECONDS = 10


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


def _office_choices(session) -> list[tuple[str, str]]:
    """The offices of the user's jurisdiction that have something under them to grade."""
    import sqlalchemy as sa

    lang = str(get_locale())
    ids = service.jurisdiction(session, current_user)
    offices = session.scalars(
        sa.select(Office).where(Office.id.in_(ids), Office.kind != "thana").order_by(Office.code)
    ).all()
    return [(o.code, f"{o.code} — {o.display_name(lang)}") for o in offices]


@bp.get("/grades")
@requires("feedback.grades")
def grades():
    """Every station under the office, graded, sorted; filters by office and period. Polls
    the stamp and reloads its table when a response arrives (with JavaScript); a reload does
    the same without."""
    session = get_session()
    args = {k: request.args.get(k) or None for k in ("office", "from", "to", "sort")}
    error, status = None, 200
    try:
        report = service.grades(
            session,
            settings(),
            current_user,
            args["office"],
            args["from"],
            args["to"],
            args["sort"] or "grade",
        )
    except Invalid as exc:
        error, status = page_message(exc), 422
        report = service.grades(session, settings(), current_user, args["office"])
        args = {"office": args["office"]}
    template = (
        "feedback/_rows.html" if request.args.get("part") == "rows" else "feedback/grades.html"
    )
    return render_template(
        template,
        report=report,
        args=args,
        error=error,
        offices=_office_choices(session),
        sorts=SORT_CHOICES,
        rule=service.RULE,
        small_sample=service.SMALL_SAMPLE,
        rows_url=url_for(
            "feedback.grades",
            part="rows",
            **{k: v for k, v in args.items() if v and k != "office"},
            office=report.root.code,
        ),
        poll_seconds=current_app.config.get("FEEDBACK_POLL_SECONDS", POLL_SECONDS),
    ), status


@bp.get("/grades/stamp")
@requires("feedback.grades")
def grades_stamp():
    """A few bytes the grade page polls: they change when a response arrives under the office."""
    value = service.stamp(get_session(), current_user, request.args.get("office") or None)
    return jsonify({"stamp": value})


@bp.get("/offices/<code>")
@requires("feedback.grades")
def office(code: str):
    """One office's grade over the last days, its latest responses, and its poster."""
    session = get_session()
    office, items = service.office_responses(session, current_user, code)
    last_days = settings().window_days
    report = service.grades(session, settings(), current_user, office.code)
    row = next((r for r in report.rows if r["office"] == office.code), None)
    return render_template(
        "feedback/office.html",
        office=office,
        items=items,
        row=row,
        report=report,
        days=last_days,
        may_print=current_user.has_role("officer") or current_user.has_role("admin"),
    )


@bp.get("/offices/<code>/poster.pdf")
@requires("feedback.poster")
@pdf_limits
def poster(code: str):
    """The office's A4 poster (the admin's office list and the office's page link here)."""
    office = service.poster_office(get_session(), current_user, code)
    return pdf_response(poster_pdf(office, settings().form_url(office.code)), poster_name(office))
