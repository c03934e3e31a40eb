"""Use cases of station feedback: a visitor's response (verified once by a visit token), the
grades of the stations under an office, the stamp the live grade page polls, and the alerts to
the SP (a bribe report; a grade fallen two steps).

None commits: the request around it does. The alert's mail is a job in the same transaction.

**The grade rule** (written on the grade page too). Over the period, for a station with at
least SMALL_SAMPLE responses (fewer: flagged `small_sample`, not graded):

- NPS = % promoters (recommend 9–10) − % detractors (0–6);
- CSAT of a dimension = % of its ratings that are 4 or 5 stars;
- bribe share = % of responses saying money was asked;
- complaint SLA = % of the station's complaints due in the period that had their action report
  by their due date (no complaint due: not held against the station).

The grade is the first of A, B, C whose every condition holds, else D:

| grade | NPS at least | every CSAT at least | bribe share at most | complaint SLA at least |
|---|---|---|---|---|
| A | 50 | 80 % | 0 % | 90 % |
| B | 20 | 60 % | 5 % | 75 % |
| C | −20 | 40 % | 10 % | 50 % |
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from eoffice.auth.models import User
from eoffice.complaints.models import Complaint
from eoffice.core import mail, uow
from eoffice.core.db import utcnow
from eoffice.core.errors import Forbidden, Invalid, NotFound
from eoffice.feedback.models import (
    DIMENSIONS,
    GRADES,
    AlertKind,
    Feedback,
    FeedbackAlert,
    StationGrade,
)
from eoffice.org.desks import head_desk
from eoffice.org.models import Desk, DeskHolding, Office
from eoffice.org.service import offices_within
from eoffice.org.visits import redeem_visit_token

SMALL_SAMPLE = 10
MAX_TEXT = 4000
MAX_TOKEN = 40
MAX_DAYS = 3660  # a period of at most ten years
MOBILE = re.compile(r"^(?:\+?91|0)?([6-9][0-9]{9})$")
EARLIEST = dt.date(2000, 1, 1)

# (grade, NPS at least, every CSAT at least, bribe share at most, complaint SLA at least)
RULE = (
    ("A", 50, 80, 0, 90),
    ("B", 20, 60, 5, 75),
    ("C", -20, 40, 10, 50),
)


@dataclass
class Settings:
    key: str  # CITIZEN_KEY: the visit tokens' keyed hashes
    public_url: str = "http://127.0.0.1:5000"
    window_days: int = 30  # the grade a station holds now: over this many days
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, config) -> Settings:
        return cls(
            key=config["CITIZEN_KEY"],
            public_url=config.get("PUBLIC_URL", "http://127.0.0.1:5000"),
            window_days=int(config.get("FEEDBACK_WINDOW_DAYS", 30)),
            extra=config,
        )

    def form_url(self, code: str) -> str:
        return f"{self.public_url}/c/feedback/{code}"


# --- a visitor's response ------------------------------------------------------------------------


def find_office(session: Session, code) -> Office:
    """The office a form or a poster is for (404 when there is none)."""
    if not isinstance(code, str) or not code.strip() or len(code) > 40:
        raise NotFound("no such office")
    office = session.scalars(sa.select(Office).where(Office.code == code.strip())).one_or_none()
    if office is None:
        raise NotFound(f"no office {code.strip()[:40]}", code="unknown_office")
    return office


def _rating(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise Invalid(f"{name} must be a whole number from {low} to {high}", field=name)
    if not low <= value <= high:
        raise Invalid(f"{name} must be from {low} to {high}", field=name, code="out_of_range")
    return value


def _text(values: dict, name: str, max_len: int) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text", field=name)
    value = value.strip()
    if len(value) > max_len:
        raise Invalid(f"{name} is longer than {max_len} characters", field=name)
    if "\x00" in value:
        raise Invalid(f"{name} holds a NUL character", field=name)
    return value or None


def clean(values: dict) -> dict:
    """The response as given, field by field (422 naming the field)."""
    if not isinstance(values, dict):
        raise Invalid("the body must be an object")
    ratings = values.get("ratings")
    if not isinstance(ratings, dict):
        raise Invalid("ratings is required", field="ratings")
    out = {d: _rating(ratings.get(d), f"ratings.{d}", 1, 5) for d in DIMENSIONS}
    out["recommend"] = _rating(values.get("recommend"), "recommend", 0, 10)
    bribe = values.get("bribe_asked")
    if bribe is not None and not isinstance(bribe, bool):
        raise Invalid("bribe_asked must be true, false or left out", field="bribe_asked")
    out["bribe_asked"] = bribe
    out["text"] = _text(values, "text", MAX_TEXT)
    out["name"] = _text(values, "name", 200)
    mobile = _text(values, "mobile", 20)
    if mobile is not None:
        match = MOBILE.match(re.sub(r"[\s-]", "", mobile))
        if not match:
            raise Invalid(
                "mobile must be a 10-digit Indian mobile number", field="mobile", code="bad_mobile"
            )
        mobile = match.group(1)
    out["mobile"] = mobile
    out["visit_token"] = _text(values, "visit_token", MAX_TOKEN)
    language = values.get("language") or "hi"
    if language not in ("hi", "en"):
        raise Invalid("language must be hi or en", field="language")
    out["language"] = language
    return out


def submit(session: Session, settings: Settings, values: dict, now=None) -> Feedback:
    """A visitor's response. A visit token of this office, unused, verifies it (and is spent);
    any other token (used before, of another office, mistyped) leaves it unverified: the
    response still counts, as any visitor's may, only not as a verified visit. A bribe report,
    or the station's grade falling two steps, alerts the SP."""
    office = find_office(session, values.get("office") if isinstance(values, dict) else None)
    data = clean(values)
    token = data.pop("visit_token")
    verified = redeem_visit_token(session, settings.key, office.id, token)
    feedback = Feedback(office_id=office.id, created_at=now or utcnow(), verified=verified, **data)
    session.add(feedback)
    uow.flush(session)
    if feedback.bribe_asked:
        _alert(session, settings, office, AlertKind.bribe, feedback=feedback)
    _regrade(session, settings, office, feedback.created_at)
    uow.flush(session)
    return feedback


# --- grades --------------------------------------------------------------------------------------


@dataclass
class Stats:
    """One station's counts over a period; every figure is computed from these exactly."""

    responses: int = 0
    verified: int = 0
    promoters: int = 0
    detractors: int = 0
    satisfied: dict = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))
    stars: dict = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))  # sums
    bribes: int = 0
    sla_met: int = 0
    sla_due: int = 0

    def share(self, part: int) -> Fraction | None:
        return Fraction(100 * part, self.responses) if self.responses else None

    @property
    def nps(self) -> Fraction | None:
        return self.share(self.promoters - self.detractors) if self.responses else None

    def csat(self, dimension: str) -> Fraction | None:
        return self.share(self.satisfied[dimension])

    @property
    def sla(self) -> Fraction | None:
        return Fraction(100 * self.sla_met, self.sla_due) if self.sla_due else None

    @property
    def small_sample(self) -> bool:
        return self.responses < SMALL_SAMPLE

    @property
    def grade(self) -> str | None:
        if self.small_sample:
            return None
        bribe = self.share(self.bribes)
        for grade, nps, csat, bribes, sla in RULE:
            if (
                self.nps >= nps
                and all(self.csat(d) >= csat for d in DIMENSIONS)
                and bribe <= bribes
                and (self.sla is None or self.sla >= sla)
            ):
                return grade
        return "D"


def _num(value: Fraction | None, places: int = 1):
    return None if value is None else round(float(value), places)


def _count_if(cond):
    return sa.func.sum(sa.case((cond, 1), else_=0))


def feedback_stats(session: Session, office_ids, start: dt.datetime, end: dt.datetime) -> dict:
    """Counts per office of the responses in [start, end): one grouped query."""
    ids = list(office_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(
            Feedback.office_id,
            sa.func.count(),
            _count_if(Feedback.verified.is_(True)),
            _count_if(Feedback.recommend >= 9),
            _count_if(Feedback.recommend <= 6),
            *[_count_if(getattr(Feedback, d) >= 4) for d in DIMENSIONS],
            *[sa.func.sum(getattr(Feedback, d)) for d in DIMENSIONS],
            _count_if(Feedback.bribe_asked.is_(True)),
        )
        .where(Feedback.office_id.in_(ids), Feedback.created_at >= start, Feedback.created_at < end)
        .group_by(Feedback.office_id)
    ).all()
    out = {}
    n = len(DIMENSIONS)
    for row in rows:
        values = [int(v or 0) for v in row[1:]]
        out[row[0]] = Stats(
            responses=values[0],
            verified=values[1],
            promoters=values[2],
            detractors=values[3],
            satisfied=dict(zip(DIMENSIONS, values[4 : 4 + n], strict=True)),
            stars=dict(zip(DIMENSIONS, values[4 + n : 4 + 2 * n], strict=True)),
            bribes=values[4 + 2 * n],
        )
    return out


def sla_counts(
    session: Session, office_ids, first: dt.date, last: dt.date, today: dt.date
) -> dict[int, tuple[int, int]]:
    """Per office: (met, due) of its complaints due from `first` to `last`. A complaint counts
    once it had its action report or its due date has passed (one due today and not yet
    reported is not due yet); it is met when the report came on or before the due date, by
    the office's calendar."""
    ids = list(office_ids)
    if not ids:
        return {}
    own = sa.func.coalesce(Complaint.station_id, Complaint.district_id)
    rows = session.execute(
        sa.select(own, Complaint.due_on, Complaint.action_report_at, Office.time_zone)
        .join(Office, Office.id == own)
        .where(
            own.in_(ids),
            Complaint.due_on >= first,
            Complaint.due_on <= last,
            sa.or_(Complaint.action_report_at.is_not(None), Complaint.due_on < today),
        )
    ).all()
    zones: dict[str | None, ZoneInfo] = {}
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for office_id, due_on, reported_at, zone in rows:
        tz = zones.setdefault(zone, ZoneInfo(zone or "Asia/Kolkata"))
        counts = out[office_id]
        counts[1] += 1
        if reported_at is not None and reported_at.astimezone(tz).date() <= due_on:
            counts[0] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def stats_for(session: Session, offices: list[Office], first: dt.date, last: dt.date, now=None):
    """Stats of each office over the local dates first..last (both included)."""
    now = now or utcnow()
    if not offices:
        return {}
    zone = ZoneInfo(offices[0].zone_name)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    ids = [o.id for o in offices]
    stats = feedback_stats(session, ids, start, end.astimezone(dt.UTC))
    today = now.astimezone(zone).date()
    for office_id, (met, due) in sla_counts(session, ids, first, last, today).items():
        s = stats.setdefault(office_id, Stats())
        s.sla_met, s.sla_due = met, due
    return {o.id: stats.get(o.id, Stats()) for o in offices}


def row_json(office: Office, s: Stats) -> dict:
    return {
        "office": office.code,
        "name": office.name,
        "name_hi": office.name_hi,
        "responses": s.responses,
        "verified": s.verified,
        "verified_share": _num(s.share(s.verified)),
        "nps": _num(s.nps),
        "csat": {d: _num(s.csat(d)) for d in DIMENSIONS},
        "stars": {
            d: _num(Fraction(s.stars[d], s.responses) if s.responses else None, 2)
            for d in DIMENSIONS
        },
        "bribe_reports": s.bribes,
        "complaint_sla_met": _num(s.sla),
        "complaints_due": s.sla_due,
        "grade": s.grade,
        "small_sample": s.small_sample,
    }


SORTS = ("grade", "nps", "responses", "office", "bribe_reports")


def _sort_key(sort: str):
    def grade_key(r):
        rank = GRADES.index(r["grade"]) if r["grade"] else len(GRADES)
        return (rank, -(r["nps"] if r["nps"] is not None else -1000), r["office"])

    return {
        "grade": grade_key,
        "nps": lambda r: (r["nps"] is None, -(r["nps"] or 0), r["office"]),
        "responses": lambda r: (-r["responses"], r["office"]),
        "office": lambda r: r["office"],
        "bribe_reports": lambda r: (-r["bribe_reports"], r["office"]),
    }[sort]


@dataclass
class Report:
    root: Office
    first: dt.date
    last: dt.date
    rows: list[dict]
    stamp: str


def may_see_grades(user) -> bool:
    return user.has_role("officer") or user.has_role("auditor")


def jurisdiction(session: Session, user) -> set[int]:
    """Offices whose grades `user` sees: under the offices of their desks (an officer's, or the
    offices an auditor inspects)."""
    if not may_see_grades(user):
        return set()
    return offices_within(session, {d.office_id for d in user.current_desks()})


def top_office(session: Session, user) -> Office:
    desks = user.current_desks()
    if not desks:
        raise Forbidden("you hold no desk", code="no_desk")
    mine = {d.office_id for d in desks}
    # the office of theirs that no other of theirs lies above
    for desk in desks:
        if not {o.id for o in desk.office.ancestors()} & mine:
            return desk.office
    return desks[0].office


def jurisdiction_office(session: Session, user, code: str | None) -> tuple[Office, set[int]]:
    """The office asked for (or the user's highest) and the ids under it; 404 outside."""
    if not may_see_grades(user):
        raise Forbidden("only officers and auditors see station grades", code="forbidden")
    offices = jurisdiction(session, user)
    if code:
        root = session.scalars(sa.select(Office).where(Office.code == code)).one_or_none()
        if root is None or root.id not in offices:
            raise NotFound(f"no office {code[:40]} in your jurisdiction")
    else:
        root = top_office(session, user)
    return root, offices_within(session, {root.id})


def parse_date(value, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or len(value) != 10:
        raise Invalid(f"{name} must be a date YYYY-MM-DD", field=name)
    if day < EARLIEST:
        raise Invalid(f"{name} is before {EARLIEST.year}", field=name)
    return day


def period(root: Office, first, last, window_days: int, now=None) -> tuple[dt.date, dt.date]:
    today = (now or utcnow()).astimezone(ZoneInfo(root.zone_name)).date()
    last = parse_date(last, "to") or today
    first = parse_date(first, "from") or last - dt.timedelta(days=window_days - 1)
    if first > last:
        raise Invalid("from is after to", field="from")
    if (last - first).days > MAX_DAYS:
        raise Invalid("the period is longer than ten years", field="from")
    return first, last


def graded_offices(session: Session, within: set[int]) -> list[Office]:
    """The stations under the office, and any other office under it that had responses."""
    with_responses = sa.select(Feedback.office_id).where(Feedback.office_id.in_(within))
    return list(
        session.scalars(
            sa.select(Office)
            .where(
                Office.id.in_(within),
                sa.or_(Office.kind == "thana", Office.id.in_(with_responses.distinct())),
            )
            .order_by(Office.code)
        )
    )


def grades(
    session: Session,
    settings: Settings,
    user,
    office: str | None = None,
    first=None,
    last=None,
    sort: str = "grade",
    now=None,
) -> Report:
    """Every station under the office, graded over the period (default: the last
    FEEDBACK_WINDOW_DAYS days), sorted."""
    root, within = jurisdiction_office(session, user, office)
    first, last = period(root, first, last, settings.window_days, now)
    if sort not in SORTS:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}", field="sort")
    offices = graded_offices(session, within)
    stats = stats_for(session, offices, first, last, now)
    rows = sorted((row_json(o, stats[o.id]) for o in offices), key=_sort_key(sort))
    return Report(root, first, last, rows, _stamp(session, within))


def _stamp(session: Session, within: set[int]) -> str:
    newest, count = session.execute(
        sa.select(sa.func.max(Feedback.id), sa.func.count(Feedback.id)).where(
            Feedback.office_id.in_(within)
        )
    ).one()
    return f"{newest or 0}.{count}"


def stamp(session: Session, user, office: str | None = None) -> str:
    """What the live grade page polls: it changes when a response arrives under the office."""
    _root, within = jurisdiction_office(session, user, office)
    return _stamp(session, within)


def office_responses(session: Session, user, code: str, limit: int = 50):
    """One office's latest responses (the office's feedback page), for its jurisdiction."""
    office = find_office(session, code)
    if not may_see_grades(user):
        raise Forbidden("only officers and auditors read station feedback", code="forbidden")
    if office.id not in jurisdiction(session, user):
        raise NotFound(f"no office {code[:40]} in your jurisdiction")
    items = session.scalars(
        sa.select(Feedback)
        .where(Feedback.office_id == office.id)
        .order_by(Feedback.id.desc())
        .limit(limit)
    ).all()
    return office, items


def poster_office(session: Session, user, code: str) -> Office:
    """Posters: an administrator's for any office, an officer's for their jurisdiction."""
    office = find_office(session, code)
    if user.has_role("admin"):
        return office
    if not user.has_role("officer"):
        raise Forbidden("only officers and administrators print posters", code="forbidden")
    if office.id not in offices_within(session, {d.office_id for d in user.current_desks()}):
        raise NotFound(f"no office {code[:40]} in your jurisdiction")
    return office


# --- the grade a station holds now, and the SP's alerts -------------------------------------------


def _grade_row(session: Session, office_id: int) -> StationGrade:
    """The station's row, created if missing without a race (insert, or nothing if there)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(StationGrade)
        .values(office_id=office_id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["office_id"])
    )
    return session.scalars(
        sa.select(StationGrade)
        .where(StationGrade.office_id == office_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _regrade(session: Session, settings: Settings, office: Office, now: dt.datetime) -> None:
    """The station's grade over the last days; two steps below the best it held since its last
    drop alert, the SP is alerted (once: the fallen grade becomes the new reference)."""
    last = now.astimezone(ZoneInfo(office.zone_name)).date()
    first = last - dt.timedelta(days=settings.window_days - 1)
    grade = stats_for(session, [office], first, last, now)[office.id].grade
    row = _grade_row(session, office.id)
    row.grade, row.updated_at = grade, now
    if grade is None:
        return
    if row.best is None or GRADES.index(grade) < GRADES.index(row.best):
        row.best = grade
    elif GRADES.index(grade) - GRADES.index(row.best) >= 2:
        _alert(session, settings, office, AlertKind.grade_drop, grade_from=row.best, grade_to=grade)
        row.best = grade


def sp_desk(session: Session, office: Office) -> Desk | None:
    """The SP's desk over an office: the head desk of the nearest district at or above it
    (else of the office itself)."""
    for node in (office, *office.ancestors()):
        if node.kind == "district":
            desk = head_desk(session, node)
            if desk is not None:
                return desk
    return head_desk(session, office)


ALERT_MAIL = {
    AlertKind.bribe: (
        "रिश्वत की शिकायत: {station} / Bribe reported: {station_en}",
        "थाना प्रतिक्रिया में एक आगंतुक ने बताया कि {station} में पैसे माँगे गए।\n"
        "A visitor's feedback says money was asked at {station_en}.\n\n{url}",
    ),
    AlertKind.grade_drop: (
        "थाने का ग्रेड गिरा: {station} {grade_from} → {grade_to} / Station grade fell: "
        "{station_en} {grade_from} → {grade_to}",
        "{station} का ग्रेड {grade_from} से {grade_to} पर आ गया।\n"
        "The grade of {station_en} fell from {grade_from} to {grade_to}.\n\n{url}",
    ),
}


def _alert(session, settings: Settings, office: Office, kind: AlertKind, **values) -> None:
    """A notice on the SP's desk (their start page) and a mail to each holder with an e-mail
    address, queued in this transaction."""
    desk = sp_desk(session, office)
    if desk is None:
        return
    feedback = values.pop("feedback", None)
    alert = FeedbackAlert(
        office_id=office.id,
        desk_id=desk.id,
        kind=kind.value,
        feedback_id=feedback.id if feedback else None,
        **values,
    )
    session.add(alert)
    uow.flush(session)
    addresses = session.scalars(
        sa.select(User.email)
        .join(DeskHolding, DeskHolding.user_id == User.id)
        .where(
            DeskHolding.desk_id == desk.id,
            DeskHolding.until.is_(None),
            User.active,
            User.email.is_not(None),
        )
    ).all()
    addresses = sorted({a for a in addresses if a and "@" in a})
    if not addresses:
        return
    subject, text = ALERT_MAIL[kind]
    fields = {
        "station": office.name_hi or office.name,
        "station_en": office.name,
        "grade_from": alert.grade_from or "",
        "grade_to": alert.grade_to or "",
        "url": f"{settings.public_url}/feedback/offices/{office.code}",
    }
    mail.queue_mail(
        session,
        to=addresses,
        subject=subject.format(**fields),
        text=text.format(**fields),
        key=f"feedback-alert:{alert.id}",
    )


ALERT_DAYS = 7


def alerts_at(session: Session, desks, now=None) -> list[FeedbackAlert]:
    """The alerts of the last ALERT_DAYS days at these desks, newest first (the start page)."""
    ids = [d.id for d in desks]
    if not ids:
        return []
    since = (now or utcnow()) - dt.timedelta(days=ALERT_DAYS)
    return list(
        session.scalars(
            sa.select(FeedbackAlert)
            .where(FeedbackAlert.desk_id.in_(ids), FeedbackAlert.created_at >= since)
            .order_by(FeedbackAlert.id.desc())
            .limit(20)
        )
    )


def rule_json() -> dict:
    """The grade rule, as the API states it next to the grades."""
    return {
        "small_sample": SMALL_SAMPLE,
        "grades": [
            {
                "grade": grade,
                "nps_min": nps,
                "csat_min": csat,
                "bribe_share_max": bribes,
                "complaint_sla_min": sla,
            }
            for grade, nps, csat, bribes, sla in RULE
        ],
        "otherwise": "D",
    }
