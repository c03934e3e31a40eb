"""JSON: station feedback (API.md "Station feedback (Anubhav)"): the poster, a visitor's
response, and the grades of the stations under an office."""

from typing import Literal

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from pydantic import BaseModel, Field

from eoffice.core import pow
from eoffice.feedback import service
from eoffice.feedback.documents import poster_name, poster_pdf
from eoffice.web.access import public, requires
from eoffice.web.api import iso, spec
from eoffice.web.downloads import pdf_response
from eoffice.web.extensions import pdf_limits
from eoffice.web.pow import anonymous_limit
from eoffice.web.session import get_session

bp = Blueprint("feedback_api", __name__, url_prefix="/api/v1")


class Ratings(BaseModel):
    behaviour: int = Field(ge=1, le=5)
    responsiveness: int = Field(ge=1, le=5)
    cleanliness: int = Field(ge=1, le=5)


class FeedbackIn(BaseModel):
    office: str = Field(min_length=1, max_length=40)
    ratings: Ratings
    recommend: int = Field(ge=0, le=10)
    bribe_asked: bool | None = None
    text: str | None = Field(default=None, max_length=service.MAX_TEXT)
    visit_token: str | None = Field(default=None, max_length=service.MAX_TOKEN)
    name: str | None = Field(default=None, max_length=200)
    mobile: str | None = Field(default=None, max_length=20)
    language: Literal["hi", "en"] | None = None
    altcha: str | None = Field(default=None, max_length=4096)


def settings() -> service.Settings:
    return service.Settings.of(current_app.config)


@bp.get("/offices/<code>/feedback-poster.pdf")
@spec.validate(tags=["feedback"])
@requires("feedback.poster")
@pdf_limits
def poster(code: str):
    """The office's A4 feedback poster (Hindi and English, a QR of its feedback form): an
    officer's for an office of their jurisdiction, an administrator's for any."""
    office = service.poster_office(get_session(), current_user, code)
    return pdf_response(poster_pdf(office, settings().form_url(office.code)), poster_name(office))


@bp.post("/public/feedback")
@spec.validate(json=FeedbackIn, tags=["feedback"])
@public
@anonymous_limit
def submit(json: FeedbackIn):
    """A visitor's feedback on a station (no account; proof-of-work in `altcha`). A visit token
    of that station, not used before, marks it `verified`; any other token leaves it
    unverified (the response still counts)."""
    session = get_session()
    pow.check(session, current_app.config, json.altcha)
    values = json.model_dump(exclude={"altcha"})
    feedback = service.submit(session, settings(), values)
    return jsonify(
        {
            "id": feedback.id,
            "office": json.office,
            "verified": feedback.verified,
            "created_at": iso(feedback.created_at),
        }
    ), 201


@bp.get("/feedback/grades")
@spec.validate(tags=["feedback"])
@requires("feedback.grades")
def grades():
    """Every station under `office` (default: your highest office), graded over `from`..`to`
    (default: the last 30 days), live: a new response counts at once. `sort`: grade, nps,
    responses, office, bribe_reports. Officers and auditors of the jurisdiction only."""
    report = service.grades(
        get_session(),
        settings(),
        current_user,
        request.args.get("office") or None,
        request.args.get("from") or None,
        request.args.get("to") or None,
        request.args.get("sort") or "grade",
    )
    return jsonify(
        {
            "office": report.root.code,
            "from": iso(report.first),
            "to": iso(report.last),
            "stamp": report.stamp,
            "rule": service.rule_json(),
            "rows": report.rows,
        }
    )
