"""The MIS as queries: pendency, files pending with others, month-wise flow, dispatch by section,
bottlenecks and complaint SLA compliance, for an office and every office under it.

One scope (`scope_for`) decides what a user may count: the offices of their desks and everything
below them, and the offices they audit (the same set); an office outside it does not exist
(404). Graded (confidential, secret) files and receipts are counted only where the user may see
them, by the same clauses the lists use (eoffice.files.access, eoffice.receipts.access).

Ages and overdue use the app's one calendar (eoffice.files.models): age is the days since the
holding desk's clock started (in the office's zone), overdue is a due date passed or more than 7
working days at the desk (Sundays and the state's holidays off), as `File.is_overdue`. Both are
turned into cut-off instants per calendar, so every count is a grouped SQL query, and every
count's list (`items`) uses the very same conditions.
"""

from __future__ import annotations

import datetime as dt
import statistics
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from eoffice.audit.models import AuditEvent
from eoffice.complaints.models import LADDER, Complaint, Status
from eoffice.core.errors import Forbidden, Invalid, NotFound
from eoffice.core.pagination import Page
from eoffice.files.access import visible_files_clause
from eoffice.files.models import (
    OVERDUE_WORKING_DAYS,
    Correspondence,
    File,
    Movement,
    WorkCalendar,
    calendar_of,
    working_days_between,
    zone,
)
from eoffice.notings.models import Draft, DraftStatus
from eoffice.org.models import Desk, Office, Section
from eoffice.org.service import audited_office_ids, offices_within
from eoffice.receipts.access import visible_clause as visible_receipts_clause
from eoffice.receipts.models import MarkKind, Receipt, ReceiptMovement, ReceiptStatus

AGE_BUCKETS = ("0-7", "8-15", "16-30", "31+")
# a bucket holds the ages (whole days at the desk) in (low, high]
BUCKET_DAYS = {"0-7": (None, 7), "8-15": (7, 15), "16-30": (15, 30), "31+": (30, None)}
PENDING_FILE = ("open", "parked")  # parked files stay on the desk, and their clock runs
FLOW_METRICS = ("created", "received", "sent", "closed", "issued")
MAX_MONTHS = 36
SLA_OUTCOMES = ("on_time", "late", "pending", "overdue")
DISPATCH_MODES = ("email", "post", "hand")


# --- the calendar as cut-off instants ----------------------------------------------------------


def start_of_day(day: dt.date, zone_name: str | None) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone(zone_name)).astimezone(dt.UTC)


def last_overdue_day(calendar: WorkCalendar, as_of: dt.date) -> dt.date:
    """The latest day a desk's clock may have started on for the file to be overdue on `as_of`
    by the working-day rule (`is_overdue`): more than 7 calendar days and more than 7 working
    days before. Every earlier day is overdue too (working days only grow going back)."""
    day = as_of - dt.timedelta(days=OVERDUE_WORKING_DAYS + 1)
    with warnings.catch_warnings():
        # the holidays package knows India's holidays from 2001 to 2035; outside them (an
        # old `as_of`) Sundays alone are off
        warnings.simplefilter("ignore", UserWarning)
        while working_days_between(day, as_of, calendar.state) <= OVERDUE_WORKING_DAYS:
            day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Cutoffs:
    """For one calendar and day: a clock at or after `since[b]` and before `before[b]` is in age
    bucket b; a clock before `overdue_before` (or a due date before `as_of`) is overdue."""

    as_of: dt.date
    since: dict
    before: dict
    overdue_before: dt.datetime

    @classmethod
    def of(cls, calendar: WorkCalendar, as_of: dt.date) -> Cutoffs:
        z = calendar.zone_name
        since, before = {}, {}
        for bucket, (low, high) in BUCKET_DAYS.items():
            since[bucket] = start_of_day(as_of - dt.timedelta(days=high), z) if high else None
            before[bucket] = (
                start_of_day(as_of - dt.timedelta(days=low), z) if low is not None else None
            )
        overdue = start_of_day(last_overdue_day(calendar, as_of) + dt.timedelta(days=1), z)
        return cls(as_of, since, before, overdue)

    def in_bucket(self, clock, bucket: str):
        conds = []
        if self.since[bucket] is not None:
            conds.append(clock >= self.since[bucket])
        if self.before[bucket] is not None:
            conds.append(clock < self.before[bucket])
        return sa.and_(*conds)

    def overdue(self, clock, due):
        return sa.or_(due < self.as_of, clock < self.overdue_before)


# --- the scope ---------------------------------------------------------------------------------


def jurisdiction(session: Session, user) -> set[int]:
    """The offices whose work `user` may count: their desks' offices and all below, and the
    offices they audit."""
    own = offices_within(session, {d.office_id for d in user.current_desks()})
    return own | audited_office_ids(session, user)


@dataclass
class Scope:
    user: object
    root: Office
    offices: dict[int, Office]  # the root and every office below it
    desks: dict[int, sa.Row]  # every desk of those offices: (id, code, office_id)
    as_of: dt.date
    date_from: dt.date
    date_to: dt.date
    # (calendar, its offices' desk ids) for the subtree: usually one
    calendars: list[tuple[WorkCalendar, list[int]]] = field(default_factory=list)
    children: dict[int | None, list[int]] = field(default_factory=dict)

    @property
    def office_ids(self) -> set[int]:
        return set(self.offices)

    @property
    def desk_ids(self) -> list[int]:
        return list(self.desks)

    @property
    def today_is_as_of(self) -> bool:
        return self.as_of >= self.root_today

    @property
    def root_today(self) -> dt.date:
        return calendar_of(self.root).today()

    def depth(self, office_id: int) -> int:
        d, node = 0, self.offices[office_id]
        while node.id != self.root.id and node.parent_id in self.offices:
            node = self.offices[node.parent_id]
            d += 1
        return d

    def subtree(self, office_id: int) -> set[int]:
        out, stack = set(), [office_id]
        while stack:
            oid = stack.pop()
            if oid not in out:
                out.add(oid)
                stack.extend(self.children.get(oid, []))
        return out

    def period_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        z = self.root.zone_name
        return start_of_day(self.date_from, z), start_of_day(self.date_to + dt.timedelta(days=1), z)

    def office(self, code: str | None, field: str = "within") -> Office:
        """An office of the subtree by code (422 for one outside it)."""
        for o in self.offices.values():
            if o.code == code:
                return o
        raise Invalid(f"office {str(code)[:40]} is not under {self.root.code}", field=field)


def _top_office(session: Session, user, allowed: set[int]) -> Office:
    """The highest office among the user's desks (the IG's range, the SP's district)."""
    offices = [d.office for d in user.current_desks() if d.office_id in allowed]
    if not offices:
        raise NotFound("no office in your jurisdiction")
    return min(offices, key=lambda o: (len(o.ancestors()), o.code))


def scope_for(
    session: Session,
    user,
    office_code: str | None,
    *,
    as_of: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Scope:
    allowed = jurisdiction(session, user)
    if not allowed:
        raise Forbidden("you hold no desk with offices under it", code="no_desk")
    if office_code:
        root = session.scalars(sa.select(Office).where(Office.code == office_code)).one_or_none()
        if root is None or root.id not in allowed:
            raise NotFound(f"no office {office_code[:40]} in your jurisdiction")
    else:
        root = _top_office(session, user, allowed)
    today = calendar_of(root).today()
    as_of = as_of or today
    if as_of > today:
        raise Invalid("as_of is in the future", field="as_of", code="future_date")
    date_to = date_to or as_of
    date_from = date_from or _months_back(date_to, 11)
    if date_from > date_to:
        raise Invalid("from is after to", field="from", code="bad_range")
    if _month_index(date_to) - _month_index(date_from) >= MAX_MONTHS:
        raise Invalid(f"a period covers at most {MAX_MONTHS} months", field="to")
    within = offices_within(session, {root.id})
    offices = {o.id: o for o in session.scalars(sa.select(Office).where(Office.id.in_(within)))}
    desks = {  # plain rows (id, code, office_id): a range has hundreds of desks
        d.id: d
        for d in session.execute(
            sa.select(Desk.id, Desk.code, Desk.office_id).where(Desk.office_id.in_(within))
        )
    }
    children: dict[int | None, list[int]] = defaultdict(list)
    for o in offices.values():
        children[o.parent_id].append(o.id)
    by_calendar: dict[WorkCalendar, list[int]] = defaultdict(list)
    for d in desks.values():
        by_calendar[calendar_of(offices[d.office_id])].append(d.id)
    return Scope(
        user=user,
        root=root,
        offices=offices,
        desks=desks,
        as_of=as_of,
        date_from=date_from,
        date_to=date_to,
        calendars=list(by_calendar.items()),
        children=dict(children),
    )


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _months_back(day: dt.date, n: int) -> dt.date:
    i = _month_index(day) - n
    return dt.date(i // 12, i % 12 + 1, 1)


def months(scope: Scope) -> list[dt.date]:
    """The first day of every month of the period."""
    first, last = _month_index(scope.date_from), _month_index(scope.date_to)
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(first, last + 1)]


# --- what is held where: one shape for files and receipts, now or on a past day ---------------


class Held:
    """What is held where, as a statement and its named columns (id, desk_id, clock, due,
    office_id): counted, grouped or listed with `select`, narrowed with `where`, all in one flat
    SELECT (no subquery)."""

    def __init__(self, stmt, **cols):
        self.stmt = stmt
        cols.setdefault("timer", cols["clock"])  # the overdue clock, when it is another
        self.c = SimpleNamespace(**cols)

    def late(self, cut: Cutoffs):
        return cut.overdue(self.c.timer, self.c.due)

    def select(self, *cols):
        return self.stmt.with_only_columns(*cols)

    def where(self, *conds) -> Held:
        return Held(self.stmt.where(*conds), **vars(self.c))


def files_seen(session: Session, user):
    return sa.or_(File.security == "normal", visible_files_clause(session, user))


def receipts_seen(session: Session, user):
    return sa.or_(Receipt.security == "normal", visible_receipts_clause(session, user))


def held_files(session: Session, scope: Scope, desk_ids, *, outside: bool = False):
    """Files pending (open or parked) at a desk: a subquery of (id, desk_id, clock, due,
    office_id). `desk_ids` restrict the holding desk; with `outside`, files of the subtree's
    offices held anywhere else instead. On a past `as_of`, rebuilt from the movement register:
    the holder is the newest movement's desk, its clock the newest arrival (created or sent)
    at that desk, as a pull-back restores it."""
    seen = files_seen(session, scope.user)
    if scope.today_is_as_of:
        holder, timer, due = File.holder_desk_id, File.clock_from, File.due_on
        # a file's age counts from its clock, or (none kept) from when it was opened; overdue
        # is the app's rule, which needs the clock
        clock = sa.func.coalesce(File.clock_from, File.created_at)
        stmt = sa.select(File.id).where(File.status.in_(PENDING_FILE), seen)
    else:
        end = start_of_day(scope.as_of + dt.timedelta(days=1), scope.root.zone_name)
        last = (
            sa.select(Movement.file_id, sa.func.max(Movement.id).label("mid"))
            .where(Movement.at < end)
            .group_by(Movement.file_id)
            .subquery()
        )
        arrivals = (
            sa.select(
                Movement.file_id,
                Movement.to_desk_id,
                sa.func.max(Movement.id).label("aid"),
            )
            .where(Movement.at < end, Movement.kind.in_(("created", "sent")))
            .group_by(Movement.file_id, Movement.to_desk_id)
            .subquery()
        )
        lm, am = aliased(Movement), aliased(Movement)
        holder, clock, due = lm.to_desk_id, am.at, am.due_on
        timer = clock
        stmt = (
            sa.select(File.id)
            .join(last, last.c.file_id == File.id)
            .join(lm, lm.id == last.c.mid)
            .outerjoin(
                arrivals,
                sa.and_(arrivals.c.file_id == File.id, arrivals.c.to_desk_id == lm.to_desk_id),
            )
            .outerjoin(am, am.id == arrivals.c.aid)
            .where(lm.kind != "closed", seen)
        )
    if outside:
        stmt = stmt.where(File.office_id.in_(scope.office_ids), holder.not_in(scope.desk_ids))
    else:
        stmt = stmt.where(holder.in_(list(desk_ids)))
    return Held(
        stmt,
        id=File.id,
        desk_id=holder,
        clock=clock,
        due=due,
        office_id=File.office_id,
        timer=timer,
    )


def _receipt_clock(desk_col, end=None):
    """When the receipt last reached the desk holding it (diarised there or marked to it for
    action): a pull-back gives the sender back the time it had reached them."""
    m = ReceiptMovement.__table__.alias("rm")
    conds = [
        m.c.receipt_id == Receipt.id,
        m.c.to_desk_id == desk_col,
        m.c.kind.in_((MarkKind.diarised.value, MarkKind.action.value)),
    ]
    if end is not None:
        conds.append(m.c.at < end)
    return sa.select(sa.func.max(m.c.at)).where(*conds).correlate(Receipt).scalar_subquery()


def held_receipts(session: Session, scope: Scope, desk_ids):
    """Receipts open (not filed, not closed) at a desk: the same shape as `held_files`. On a
    past `as_of`: the desk of the newest movement then (diarised, marked for action, pulled
    back), not yet put into a file (the correspondence's time) nor closed (the audit log's)."""
    seen = receipts_seen(session, scope.user)
    if scope.today_is_as_of:
        holder = Receipt.holder_desk_id
        stmt = sa.select(Receipt.id).where(
            Receipt.status == ReceiptStatus.open.value, holder.in_(list(desk_ids)), seen
        )
        clock = sa.func.coalesce(_receipt_clock(holder), Receipt.created_at)
        return Held(
            stmt,
            id=Receipt.id,
            desk_id=holder,
            clock=clock,
            due=Receipt.due_on,
            office_id=Receipt.office_id,
        )
    end = start_of_day(scope.as_of + dt.timedelta(days=1), scope.root.zone_name)
    m = aliased(ReceiptMovement)
    newest = (
        sa.select(sa.func.max(m.id))
        .where(m.receipt_id == Receipt.id, m.at < end, m.kind != MarkKind.copy.value)
        .correlate(Receipt)
        .scalar_subquery()
    )
    lm = aliased(ReceiptMovement)
    filed = sa.exists().where(
        Correspondence.receipt_id == Receipt.id,
        Correspondence.kind == "receipt",
        Correspondence.added_at < end,
    )
    closed = sa.exists().where(
        AuditEvent.action == "receipt.closed",
        AuditEvent.object_type == "receipt",
        AuditEvent.object_id == sa.cast(Receipt.id, sa.String),
        AuditEvent.at < end,
    )
    # filed or closed with no time kept for it: taken as done from the day it was diarised
    done_untimed = sa.and_(
        Receipt.status != ReceiptStatus.open.value,
        ~sa.exists().where(
            Correspondence.receipt_id == Receipt.id, Correspondence.kind == "receipt"
        ),
        ~sa.exists().where(
            AuditEvent.action == "receipt.closed",
            AuditEvent.object_type == "receipt",
            AuditEvent.object_id == sa.cast(Receipt.id, sa.String),
        ),
    )
    clock = sa.func.coalesce(_receipt_clock(lm.to_desk_id, end), Receipt.created_at)
    stmt = (
        sa.select(Receipt.id)
        .join(lm, lm.id == newest)
        .where(
            Receipt.created_at < end,
            lm.to_desk_id.in_(list(desk_ids)),
            ~filed,
            ~closed,
            ~done_untimed,
            seen,
        )
    )
    return Held(
        stmt,
        id=Receipt.id,
        desk_id=lm.to_desk_id,
        clock=clock,
        due=lm.due_on,
        office_id=Receipt.office_id,
    )


def _count_if(cond):
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _held_counts(session: Session, held, cut: Cutoffs, group_cols):
    """count, the four age buckets and overdue of what is held, grouped."""
    clock = held.c.clock
    cols = [sa.func.count(), *(_count_if(cut.in_bucket(clock, b)) for b in AGE_BUCKETS)]
    cols.append(_count_if(held.late(cut)))
    stmt = held.select(*group_cols, *cols).group_by(*group_cols)
    n = len(group_cols)
    return {tuple(r[:n]): [int(v or 0) for v in r[n:]] for r in session.execute(stmt).all()}


def _empty() -> dict:
    return {"files": 0, "receipts": 0, "age": dict.fromkeys(AGE_BUCKETS, 0), "overdue": 0}


def _add(into: dict, kind: str, counts: list[int]) -> None:
    into[kind] += counts[0]
    for b, v in zip(AGE_BUCKETS, counts[1:5], strict=True):
        into["age"][b] += v
    into["overdue"] += counts[5]


# --- pendency ----------------------------------------------------------------------------------


def pendency(session: Session, scope: Scope) -> dict:
    """Files and receipts pending at each desk of the subtree, by age, with overdue; and each
    office's totals (its own desks and every office below it)."""
    per_desk: dict[int, dict] = {}
    for calendar, desk_ids in scope.calendars:
        cut = Cutoffs.of(calendar, scope.as_of)
        for kind, held in (
            ("files", held_files(session, scope, desk_ids)),
            ("receipts", held_receipts(session, scope, desk_ids)),
        ):
            for (desk_id,), counts in _held_counts(session, held, cut, [held.c.desk_id]).items():
                _add(per_desk.setdefault(desk_id, _empty()), kind, counts)
    order = scope_order(scope)
    rows = []
    for desk_id, c in per_desk.items():
        desk = scope.desks[desk_id]
        office = scope.offices[desk.office_id]
        rows.append({"office": office.code, "desk": desk.code, **c})
    rows.sort(key=lambda r: (order[r["office"]], r["desk"]))
    # each office's totals: its own desks', then every office below it, bottom up
    totals: dict[int, dict] = {oid: _empty() for oid in scope.offices}
    for desk_id, c in per_desk.items():
        _merge(totals[scope.desks[desk_id].office_id], c)
    tree = walk(scope)
    for oid in reversed(tree):
        parent = scope.offices[oid].parent_id
        if oid != scope.root.id and parent in totals:
            _merge(totals[parent], totals[oid])
    depth = {scope.root.id: 0}
    for oid in tree[1:]:
        depth[oid] = depth[scope.offices[oid].parent_id] + 1
    offices = [
        {"office": scope.offices[oid].code, "depth": depth[oid], **totals[oid]} for oid in tree
    ]
    return {"rows": rows, "offices": offices}


def _merge(into: dict, other: dict) -> None:
    for k in ("files", "receipts", "overdue"):
        into[k] += other[k]
    for b in AGE_BUCKETS:
        into["age"][b] += other["age"][b]


def walk(scope: Scope) -> list[int]:
    """The subtree's offices, depth first, children by code."""
    out = []

    def visit(oid: int) -> None:
        out.append(oid)
        for child in sorted(scope.children.get(oid, []), key=lambda i: scope.offices[i].code):
            visit(child)

    visit(scope.root.id)
    return out


def scope_order(scope: Scope) -> dict[str, int]:
    return {scope.offices[oid].code: i for i, oid in enumerate(walk(scope))}


# --- files pending with others ---------------------------------------------------------------


def pending_with_others(session: Session, scope: Scope) -> dict:
    """Files of the subtree's offices held at desks outside it, by the owning office and the
    holding desk, aged by the holding desk's calendar."""
    held = held_files(session, scope, (), outside=True)
    holders = session.execute(
        held.select(held.c.desk_id, Desk.office_id).where(Desk.id == held.c.desk_id).distinct()
    ).all()
    offices = {
        o.id: o
        for o in session.scalars(
            sa.select(Office).where(Office.id.in_({oid for _d, oid in holders}))
        )
    }
    groups: dict[WorkCalendar, list[int]] = defaultdict(list)
    for desk_id, office_id in holders:
        groups[calendar_of(offices[office_id])].append(desk_id)
    out: dict[tuple[int, int], list[int]] = {}
    for calendar, desk_ids in groups.items():
        cut = Cutoffs.of(calendar, scope.as_of)
        sub = held.where(held.c.desk_id.in_(desk_ids))
        out |= _held_counts(session, sub, cut, [sub.c.office_id, sub.c.desk_id])
    desks = {
        d.id: d for d in session.scalars(sa.select(Desk).where(Desk.id.in_({d for _o, d in out})))
    }
    rows = []
    for (office_id, desk_id), counts in out.items():
        desk = desks[desk_id]
        row = {
            "office": scope.offices[office_id].code,
            "held_by_office": offices[desk.office_id].code,
            "held_by": desk.code,
            "files": counts[0],
            "age": dict(zip(AGE_BUCKETS, counts[1:5], strict=True)),
            "overdue": counts[5],
        }
        rows.append(row)
    order = scope_order(scope)
    rows.sort(key=lambda r: (order[r["office"]], -r["files"], r["held_by"]))
    return {"rows": rows}


# --- month-wise flow -------------------------------------------------------------------------


def _month_case(col, scope: Scope):
    """The month index (0, 1, ...) of a timestamp in the root office's zone."""
    z = scope.root.zone_name
    firsts = months(scope)
    bounds = [start_of_day(m, z) for m in firsts[1:]]
    whens = [(col < b, i) for i, b in enumerate(bounds)]
    return sa.case(*whens, else_=len(firsts) - 1) if whens else sa.literal(0)


def flow_stmt(session: Session, scope: Scope, metric: str, office_ids=None):
    """(timestamp column, statement of ids) for one metric of the flow, in the period."""
    start, end = scope.period_bounds()
    office_ids = list(office_ids or scope.office_ids)
    if metric == "created":
        col = File.created_at
        stmt = sa.select(File.id).where(
            File.office_id.in_(office_ids), files_seen(session, scope.user)
        )
    elif metric == "received":
        col = Receipt.created_at
        stmt = sa.select(Receipt.id).where(
            Receipt.office_id.in_(office_ids), receipts_seen(session, scope.user)
        )
    elif metric in ("sent", "closed"):
        col = Movement.at
        desks = [d.id for d in scope.desks.values() if d.office_id in set(office_ids)]
        stmt = (
            sa.select(Movement.id)
            .join(File, File.id == Movement.file_id)
            .where(
                Movement.kind == metric,
                (Movement.from_desk_id if metric == "sent" else Movement.to_desk_id).in_(desks),
                files_seen(session, scope.user),
            )
        )
    elif metric == "issued":
        col = Draft.issued_at
        stmt = (
            sa.select(Draft.id)
            .join(File, File.id == Draft.file_id)
            .where(
                Draft.status == DraftStatus.issued.value,
                File.office_id.in_(office_ids),
                files_seen(session, scope.user),
            )
        )
    else:
        raise Invalid(f"metric must be one of {', '.join(FLOW_METRICS)}", field="metric")
    return col, stmt.where(col >= start, col < end)


def flow(session: Session, scope: Scope) -> dict:
    """Per month of the period: files created, dak received (diarised), files sent and closed at
    the subtree's desks, letters issued."""
    firsts = months(scope)
    counts = {m: dict.fromkeys(FLOW_METRICS, 0) for m in range(len(firsts))}
    for metric in FLOW_METRICS:
        col, stmt = flow_stmt(session, scope, metric)
        month = _month_case(col, scope).label("month")
        grouped = stmt.with_only_columns(month, sa.func.count()).group_by(month)
        for i, n in session.execute(grouped).all():
            counts[int(i)][metric] = int(n)
    return {
        "rows": [
            {"month": f"{m.year:04d}-{m.month:02d}", **counts[i]} for i, m in enumerate(firsts)
        ]
    }


def month_range(scope: Scope, month: str) -> Scope:
    """The scope narrowed to one month (YYYY-MM) of its period (for a flow number's list)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except (TypeError, ValueError):
        raise Invalid("month must be YYYY-MM", field="month") from None
    nxt = _months_back(first, -1)
    start = max(first, scope.date_from)
    end = min(nxt - dt.timedelta(days=1), scope.date_to)
    if start > end:
        raise Invalid("month is outside the period", field="month")
    return Scope(**{**scope.__dict__, "date_from": start, "date_to": end})


# --- dispatch by section ---------------------------------------------------------------------


def dispatch_stmt(session: Session, scope: Scope):
    start, end = scope.period_bounds()
    return (
        sa.select(Draft.id)
        .join(File, File.id == Draft.file_id)
        .where(
            Draft.status == DraftStatus.issued.value,
            Draft.issued_at >= start,
            Draft.issued_at < end,
            File.office_id.in_(scope.office_ids),
            files_seen(session, scope.user),
        )
    )


def dispatch(session: Session, scope: Scope) -> dict:
    """Letters issued in the period by each office's sections (the section of the file they were
    issued from), by mode."""
    mode = sa.func.coalesce(Draft.mode, "post")
    stmt = (
        dispatch_stmt(session, scope)
        .with_only_columns(File.office_id, File.section_id, mode, sa.func.count())
        .group_by(File.office_id, File.section_id, mode)
    )
    grouped: dict[tuple[int, int | None], dict] = {}
    for office_id, section_id, m, n in session.execute(stmt).all():
        row = grouped.setdefault(
            (office_id, section_id), {"letters": 0, **dict.fromkeys(DISPATCH_MODES, 0)}
        )
        row["letters"] += n
        row[m if m in DISPATCH_MODES else "post"] += n
    sections = {
        s.id: s
        for s in session.scalars(
            sa.select(Section).where(Section.id.in_({s for _o, s in grouped if s is not None}))
        )
    }
    order = scope_order(scope)
    rows = []
    for (office_id, section_id), c in grouped.items():
        s = sections.get(section_id)
        rows.append(
            {
                "office": scope.offices[office_id].code,
                "section": s.code if s else None,
                "section_name": s.name if s else None,
                "section_name_hi": s.name_hi if s else None,
                **c,
            }
        )
    rows.sort(key=lambda r: (order[r["office"]], r["section"] or ""))
    return {"rows": rows}


# --- bottlenecks -----------------------------------------------------------------------------


def bottlenecks(session: Session, scope: Scope) -> dict:
    """Desks of the subtree by the median days the files pending there have been held (days
    since the desk's clock started, in its office's zone), longest first."""
    held = held_files(session, scope, scope.desk_ids)
    days: dict[int, list[int]] = defaultdict(list)
    overdue: dict[int, int] = defaultdict(int)
    for calendar, desk_ids in scope.calendars:
        cut = Cutoffs.of(calendar, scope.as_of)
        z = zone(calendar.zone_name)
        stmt = held.select(held.c.desk_id, held.c.clock, held.late(cut)).where(
            held.c.desk_id.in_(desk_ids)
        )
        for desk_id, clock, late in session.execute(stmt):
            if clock is None:
                continue
            days[desk_id].append((scope.as_of - clock.astimezone(z).date()).days)
            overdue[desk_id] += 1 if late else 0
    rows = []
    for desk_id, held_days in days.items():
        desk = scope.desks[desk_id]
        rows.append(
            {
                "office": scope.offices[desk.office_id].code,
                "desk": desk.code,
                "files": len(held_days),
                "median_days": statistics.median(held_days),
                "max_days": max(held_days),
                "overdue": overdue[desk_id],
            }
        )
    rows.sort(key=lambda r: (-r["median_days"], -r["files"], r["desk"]))
    return {"rows": rows}


# --- complaint SLA compliance ----------------------------------------------------------------


def complaints_stmt(session: Session, scope: Scope):
    start, end = scope.period_bounds()
    own = sa.func.coalesce(Complaint.station_id, Complaint.district_id)
    return sa.select(Complaint.id).where(
        own.in_(scope.office_ids),
        Complaint.registered_at >= start,
        Complaint.registered_at < end,
    )


def _outcome_of(complaint_report_at, due_on, status, today, zone_name) -> str:
    if complaint_report_at is not None:
        day = complaint_report_at.astimezone(zone(zone_name)).date()
        return "on_time" if day <= due_on else "late"
    if status == Status.closed.value:
        return "on_time"  # closed without a report: nothing is waiting
    return "overdue" if today > due_on else "pending"


def sla(session: Session, scope: Scope) -> dict:
    """Complaints registered in the period under the office, by the level of the ladder they
    stand at: answered on time, late, pending within time, overdue; compliance is the share
    answered on time of those answered or overdue."""
    stmt = complaints_stmt(session, scope).with_only_columns(
        Complaint.level, Complaint.action_report_at, Complaint.due_on, Complaint.status
    )
    counts = {lvl.value: dict.fromkeys(SLA_OUTCOMES, 0) for lvl in LADDER}
    for level, report_at, due_on, status in session.execute(stmt):
        outcome = _outcome_of(report_at, due_on, status, scope.as_of, scope.root.zone_name)
        counts.setdefault(level, dict.fromkeys(SLA_OUTCOMES, 0))[outcome] += 1
    rows = []
    for level, c in counts.items():
        total = sum(c.values())
        judged = c["on_time"] + c["late"] + c["overdue"]
        rows.append(
            {
                "level": level,
                "complaints": total,
                **c,
                "compliance": round(100 * c["on_time"] / judged, 1) if judged else None,
            }
        )
    return {"rows": rows}


# --- the lists behind the numbers ------------------------------------------------------------


@dataclass
class Item:
    kind: str  # file | receipt | letter | complaint
    id: int
    number: str
    subject: str
    desk: str | None = None
    office: str | None = None
    at: dt.datetime | dt.date | None = None
    days: int | None = None


def _bucket_filter(held, cut: Cutoffs, bucket: str | None):
    if not bucket:
        return sa.true()
    if bucket == "overdue":
        return held.late(cut)
    if bucket not in AGE_BUCKETS:
        raise Invalid(f"bucket must be overdue or one of {', '.join(AGE_BUCKETS)}", field="bucket")
    return cut.in_bucket(held.c.clock, bucket)


def _held_items(session, scope, kind, desk_ids, bucket, *, outside=False, owner=None):
    """(kind, id, clock) of the files or receipts held at those desks, by the same conditions as
    the counts."""
    out = []
    if outside:
        held = held_files(session, scope, (), outside=True)
        holder_offices = dict(
            session.execute(
                sa.select(Desk.id, Desk.office_id).where(Desk.id.in_(list(desk_ids)))
            ).all()
        )
        offices = {
            o.id: o
            for o in session.scalars(
                sa.select(Office).where(Office.id.in_(set(holder_offices.values())))
            )
        }
        groups: dict[WorkCalendar, list[int]] = defaultdict(list)
        for d, o in holder_offices.items():
            groups[calendar_of(offices[o])].append(d)
        for calendar, ids in groups.items():
            cut = Cutoffs.of(calendar, scope.as_of)
            conds = [held.c.desk_id.in_(ids), _bucket_filter(held, cut, bucket)]
            if owner is not None:
                conds.append(held.c.office_id.in_(owner))
            out += [
                ("file", i, c)
                for i, c in session.execute(held.select(held.c.id, held.c.clock).where(*conds))
            ]
        return out
    wanted = set(desk_ids)
    for calendar, ids in scope.calendars:
        ids = [i for i in ids if i in wanted]
        if not ids:
            continue
        cut = Cutoffs.of(calendar, scope.as_of)
        for k, held in (
            ("file", held_files(session, scope, ids) if kind in (None, "file") else None),
            ("receipt", held_receipts(session, scope, ids) if kind in (None, "receipt") else None),
        ):
            if held is None:
                continue
            stmt = held.select(held.c.id, held.c.clock).where(_bucket_filter(held, cut, bucket))
            out += [(k, i, c) for i, c in session.execute(stmt)]
    return out


def _desks_named(scope: Scope, desk: str | None, within: str | None) -> list[int]:
    if desk:
        for d in scope.desks.values():
            if d.code == desk:
                return [d.id]
        raise Invalid(f"desk {desk[:60]} is not under {scope.root.code}", field="desk")
    offices = scope.subtree(scope.office(within).id) if within else scope.office_ids
    return [d.id for d in scope.desks.values() if d.office_id in offices]


def items(session: Session, scope: Scope, report: str, args: dict, page: int, per_page: int):
    """The records behind one number of a report, as a page of Items, oldest clock first."""
    if report in ("pendency", "bottlenecks"):
        kind = args.get("kind") or None
        if kind not in (None, "file", "receipt"):
            raise Invalid("kind must be file or receipt", field="kind")
        if report == "bottlenecks":
            kind = "file"
        desk_ids = _desks_named(scope, args.get("desk"), args.get("within"))
        found = _held_items(session, scope, kind, desk_ids, args.get("bucket"))
        return _page_held(session, scope, found, page, per_page)
    if report == "others":
        owner = {scope.office(args["owner"], "owner").id} if args.get("owner") else None
        holder = args.get("held_by")
        stmt = sa.select(Desk.id).where(Desk.id.not_in(scope.desk_ids))
        if holder:
            stmt = stmt.where(Desk.code == holder)
        desk_ids = list(session.scalars(stmt))
        found = _held_items(
            session, scope, "file", desk_ids, args.get("bucket"), outside=True, owner=owner
        )
        return _page_held(session, scope, found, page, per_page)
    if report == "flow":
        metric = args.get("metric")
        narrowed = month_range(scope, args["month"]) if args.get("month") else scope
        offices = scope.subtree(scope.office(args["within"]).id) if args.get("within") else None
        col, stmt = flow_stmt(session, narrowed, metric or "", offices)
        return _page_flow(session, metric, stmt, col, page, per_page)
    if report == "dispatch":
        stmt = dispatch_stmt(session, scope)
        if args.get("within"):
            stmt = stmt.where(File.office_id == scope.office(args["within"]).id)
        if "section" in args:
            code = args.get("section")
            if code:
                stmt = stmt.join(Section, Section.id == File.section_id).where(Section.code == code)
            else:
                stmt = stmt.where(File.section_id.is_(None))
        if args.get("mode"):
            stmt = stmt.where(sa.func.coalesce(Draft.mode, "post") == args["mode"])
        return _page_flow(session, "issued", stmt, Draft.issued_at, page, per_page)
    if report == "sla":
        stmt = complaints_stmt(session, scope).with_only_columns(
            Complaint.id,
            Complaint.number,
            Complaint.category,
            Complaint.level,
            Complaint.action_report_at,
            Complaint.due_on,
            Complaint.status,
            Complaint.registered_at,
        )
        if args.get("level"):
            stmt = stmt.where(Complaint.level == args["level"])
        outcome = args.get("outcome")
        if outcome and outcome not in SLA_OUTCOMES:
            raise Invalid(f"outcome must be one of {', '.join(SLA_OUTCOMES)}", field="outcome")
        found = []
        for cid, number, category, level, report_at, due_on, status, at in session.execute(
            stmt.order_by(Complaint.registered_at, Complaint.id)
        ):
            o = _outcome_of(report_at, due_on, status, scope.as_of, scope.root.zone_name)
            if outcome is None or o == outcome:
                found.append(Item("complaint", cid, number, category, level, None, at))
        chunk = found[(page - 1) * per_page : page * per_page]
        return Page(chunk, len(found), page, per_page)
    raise Invalid(
        "report must be pendency, others, flow, dispatch, bottlenecks or sla", field="report"
    )


def _page_held(session, scope, found, page, per_page) -> Page:
    found.sort(key=lambda x: (x[2] is None, x[2] or dt.datetime.min.replace(tzinfo=dt.UTC), x[1]))
    chunk = found[(page - 1) * per_page : page * per_page]
    files = [i for k, i, _c in chunk if k == "file"]
    receipts = [i for k, i, _c in chunk if k == "receipt"]
    desk = aliased(Desk)
    by_key = {}
    if files:
        for f, code in session.execute(
            sa.select(File, desk.code)
            .join(desk, desk.id == File.holder_desk_id)
            .where(File.id.in_(files))
        ):
            by_key[("file", f.id)] = (f.number, f.subject, code, f.office_id)
    if receipts:
        for r, code in session.execute(
            sa.select(Receipt, desk.code)
            .outerjoin(desk, desk.id == Receipt.holder_desk_id)
            .where(Receipt.id.in_(receipts))
        ):
            by_key[("receipt", r.id)] = (r.number, r.subject, code, r.office_id)
    office_codes = dict(session.execute(sa.select(Office.id, Office.code)).all())
    out = []
    for k, i, clock in chunk:
        number, subject, code, office_id = by_key[(k, i)]
        days = None
        if clock is not None:
            days = (scope.as_of - clock.astimezone(zone(scope.root.zone_name)).date()).days
        out.append(Item(k, i, number, subject, code, office_codes.get(office_id), clock, days))
    return Page(out, len(found), page, per_page)


def _page_flow(session, metric, stmt, col, page, per_page) -> Page:
    ids = [i for (i,) in session.execute(stmt.order_by(col, stmt.selected_columns[0]))]
    total = len(ids)
    chunk = ids[(page - 1) * per_page : page * per_page]
    out = []
    if metric == "created":
        rows = {f.id: f for f in session.scalars(sa.select(File).where(File.id.in_(chunk)))}
        out = [
            Item("file", i, rows[i].number, rows[i].subject, at=rows[i].created_at) for i in chunk
        ]
    elif metric == "received":
        rows = {r.id: r for r in session.scalars(sa.select(Receipt).where(Receipt.id.in_(chunk)))}
        out = [
            Item("receipt", i, rows[i].number, rows[i].subject, at=rows[i].received_on)
            for i in chunk
        ]
    elif metric in ("sent", "closed"):
        desk = aliased(Desk)
        rows = {
            m.id: (m, f, code)
            for m, f, code in session.execute(
                sa.select(Movement, File, desk.code)
                .join(File, File.id == Movement.file_id)
                .join(
                    desk,
                    desk.id == (Movement.from_desk_id if metric == "sent" else Movement.to_desk_id),
                )
                .where(Movement.id.in_(chunk))
            )
        }
        out = [
            Item(
                "file",
                rows[i][1].id,
                rows[i][1].number,
                rows[i][1].subject,
                rows[i][2],
                at=rows[i][0].at,
            )
            for i in chunk
        ]
    else:  # issued letters
        rows = {
            d.id: (d, f)
            for d, f in session.execute(
                sa.select(Draft, File)
                .join(File, File.id == Draft.file_id)
                .where(Draft.id.in_(chunk))
            )
        }
        out = [
            Item(
                "letter",
                rows[i][1].id,
                rows[i][0].dispatch_number or "",
                rows[i][0].title,
                None,
                None,
                rows[i][0].issued_at,
            )
            for i in chunk
        ]
    return Page(out, total, page, per_page)
