"""The MIS pendency of a whole range: three districts of bench/generate.py's size (150,000 files)
under the IG Range Kanpur, against hand-written SQL of the same counts.

    .venv/bin/python -m bench.mis                   # 3 x 50,000 files, cached in bench/out/
    .venv/bin/python -m bench.mis --files 5000      # 3 x 5,000: a quick run
    .venv/bin/python -m bench.mis --reps 20

The range: the district of `bench.generate` (Kannauj: 20 offices, 60 desks) and two copies of it
under the same range office (codes with 2 and 3 appended, users with .2 and .3), loaded with
`eoffice.org.service.load_org`; then `bench.generate`'s simulation of files (its `read_org`,
`plan_district`, `write`, `finish`) over the range's 174 desks, without notes. The generator keeps
no desk clocks: each file's clock is set to its latest arrival at the desk holding it (as the
app keeps it), and every 50th file is made confidential. A little open dak is diarised on each
district's Reader's desk (the generator's receipts are all filed), with its movement rows.

Measured, alternating, each checked first to return the same counts:

1. `queries.pendency` for the range as the IG (scope and grouped counts, in a session), against
   the raw SQL of the same counts: the range's desks by a recursive CTE, then two grouped
   SELECTs (files, receipts) with the same cut-off instants and the same rule for graded files;
2. GET /api/v1/mis/pendency?office=RKNP (Bearer token of the IG) against the same raw SQL.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import platform
import random
import sqlite3
import tempfile
import time
from pathlib import Path

import click
import flask
import sqlalchemy as sa

from eoffice import create_app, migrate
from eoffice.auth.models import User
from eoffice.core import kinds
from eoffice.core.db import Database, UTCDateTime
from eoffice.core.uow import commit
from eoffice.files.models import WorkCalendar
from eoffice.mis import queries
from eoffice.receipts.models import Receipt, ReceiptAccess, ReceiptMovement

from . import generate as gen
from .efile import count_statements, run_pair, summarise, timed

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"
RANGE = "RKNP"
IG = "ig.knp"
SHARED = {"ZKNP", "RKNP"}  # offices the three districts share
GRADED_EVERY = 50
DAK_PER_DISTRICT = 300


# --- the range -----------------------------------------------------------------------------


def range_org() -> dict:
    """The district three times over under one range: the copies' codes end in 2 and 3."""
    one = gen.district_org()
    out = copy.deepcopy(one)
    shared_desks = {d["code"] for d in one["desks"] if d["office"] in SHARED}
    shared_users = {
        u["username"] for u in one["users"] if set(u["desks"]) and set(u["desks"]) <= shared_desks
    }
    for n in (2, 3):

        def office_code(code: str, n: int = n) -> str:
            return code if code in SHARED else f"{code}{n}"

        def desk_code(code: str, n: int = n) -> str:
            if code in shared_desks:
                return code
            office, _, rest = code.partition("-")
            return f"{office}{n}-{rest}"

        for o in one["offices"]:
            if o["code"] in SHARED:
                continue
            c = copy.deepcopy(o)
            c["code"] = office_code(o["code"])
            c["parent"] = office_code(o["parent"]) if o.get("parent") else None
            for key in ("routing_desk", "duty_desk"):
                if o.get(key):
                    c[key] = desk_code(o[key])
            c["name"] = f"{o['name']} ({n})"
            if o.get("name_hi"):
                c["name_hi"] = f"{o['name_hi']} ({n})"
            out["offices"].append(c)
        for d in one["desks"]:
            if d["code"] in shared_desks:
                continue
            c = copy.deepcopy(d)
            c["code"], c["office"] = desk_code(d["code"]), office_code(d["office"])
            if d.get("reports_to"):
                c["reports_to"] = desk_code(d["reports_to"])
            out["desks"].append(c)
        for u in one["users"]:
            if u["username"] in shared_users or not u.get("desks"):
                continue
            c = copy.deepcopy(u)
            c["username"] = f"{u['username']}.{n}"
            c["desks"] = [desk_code(d) for d in u["desks"]]
            out["users"].append(c)
    for o in out["offices"]:  # one state's range: one calendar of holidays
        o["state"] = "UP"
    return out


def set_clocks(conn) -> None:
    """Each file's clock: its latest arrival (created or sent) at the desk holding it."""
    # by the file's own movements (index file_id, id): the unary + keeps SQLite, which has no
    # statistics here, from walking a busy desk's movements for every file instead
    conn.execute(
        sa.text(
            "UPDATE files SET clock_from = (SELECT max(m.at) FROM movements m "
            "WHERE m.file_id = files.id AND +m.to_desk_id = files.holder_desk_id "
            "AND m.kind IN ('created', 'sent')), "
            "due_on = (SELECT m.due_on FROM movements m WHERE m.id = (SELECT max(m2.id) "
            "FROM movements m2 WHERE m2.file_id = files.id "
            "AND +m2.to_desk_id = files.holder_desk_id AND m2.kind IN ('created', 'sent')))"
        )
    )
    conn.execute(
        sa.text(f"UPDATE files SET security = 'confidential' WHERE id % {GRADED_EVERY} = 0")
    )


def add_dak(db: Database, seed: int, now: float) -> int:
    """Open dak on each district's Reader's desk, diarised over the last 60 days."""
    rng = random.Random(seed)
    with db.engine.begin() as conn:
        readers = conn.execute(
            sa.text(
                "SELECT d.id, d.office_id, u.id FROM desks d JOIN desk_holdings h "
                "ON h.desk_id = d.id JOIN users u ON u.id = h.user_id "
                "WHERE d.code LIKE 'SPKNJ%-READER' AND h.until IS NULL"
            )
        ).all()
        rid = (conn.scalar(sa.select(sa.func.max(Receipt.id))) or 0) + 1
        mid = (conn.scalar(sa.select(sa.func.max(ReceiptMovement.id))) or 0) + 1
        receipts, moves, access = [], [], []
        for desk_id, office_id, user_id in readers:
            for i in range(DAK_PER_DISTRICT):
                at = dt.datetime.fromtimestamp(now - rng.random() * 60 * gen.DAY, dt.UTC)
                receipts.append(
                    {
                        "id": rid,
                        "office_id": office_id,
                        "number": f"R/{at.year}/9{i:05d}",
                        "year": at.year,
                        "serial": 900000 + i,
                        "received_on": at.date(),
                        "mode": "post",
                        "sender_name": "सुरेश यादव",
                        "subject": f"आवेदन पत्र / application {i}",
                        "status": "open",
                        "holder_desk_id": desk_id,
                        "created_desk_id": desk_id,
                        "created_by_id": user_id,
                        "created_at": at,
                        "version": 1,
                        "security": "confidential" if i % GRADED_EVERY == 0 else "normal",
                        "priority": "normal",
                    }
                )
                moves.append(
                    {
                        "id": mid,
                        "receipt_id": rid,
                        "kind": "diarised",
                        "to_desk_id": desk_id,
                        "by_user_id": user_id,
                        "at": at,
                        "priority": "normal",
                    }
                )
                access.append({"receipt_id": rid, "desk_id": desk_id})
                rid, mid = rid + 1, mid + 1
        conn.execute(Receipt.__table__.insert(), receipts)
        conn.execute(ReceiptMovement.__table__.insert(), moves)
        conn.execute(ReceiptAccess.__table__.insert(), access)
    return len(receipts)


def generate(url: str, per_district: int, seed: int) -> dict:
    from eoffice.auth.models import configure_hasher
    from eoffice.org.service import load_org

    began = time.perf_counter()
    migrate.upgrade(url)
    db = Database(url)
    try:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
        with db.write_sessionmaker() as session:
            load_org(session, range_org())
            commit(session)
        with db.sessionmaker() as session:
            info = gen.read_org(session)
        now = time.time()
        n = 3 * per_district
        plan, rng = gen.plan_district(info, n, 11 * n, 0, seed, now)
        counts = gen.write(db, plan, rng)
        del plan
        with db.engine.begin() as conn:
            set_clocks(conn)
        counts["open_receipts"] = add_dak(db, seed, now)
        gen.finish(db)
    finally:
        db.dispose()
    counts["seconds"] = round(time.perf_counter() - began, 1)
    return counts


def ensure_database(per_district: int, seed: int) -> Path:
    path = OUT / f"mis-range-{3 * per_district}.sqlite3"
    if path.exists():
        click.echo(f"using {path} ({path.stat().st_size / 2**20:,.0f} MiB)", err=True)
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    click.echo(f"generating {path}: 3 districts x {per_district:,} files (once)", err=True)
    counts = generate(f"sqlite:///{partial}", per_district, seed)
    partial.with_name(partial.name + "-wal").unlink(missing_ok=True)
    partial.with_name(partial.name + "-shm").unlink(missing_ok=True)
    partial.rename(path)
    seconds = counts.pop("seconds")
    click.echo(
        f"generated in {seconds} s: {path.stat().st_size / 2**20:,.0f} MiB; "
        + ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items())),
        err=True,
    )
    return path


# --- the reference -------------------------------------------------------------------------

WITHIN = (
    "WITH RECURSIVE within(id) AS (SELECT id FROM offices WHERE code = :root "
    "UNION SELECT o.id FROM offices o JOIN within w ON o.parent_id = w.id) "
)
RANGE_DESKS = sa.text(WITHIN + "SELECT id FROM desks WHERE office_id IN (SELECT id FROM within)")
_AGES = (
    "sum(CASE WHEN {c} >= :s7 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {c} >= :s15 AND {c} < :b8 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {c} >= :s30 AND {c} < :b16 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {c} < :b31 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN {d} < :today OR {o} < :od THEN 1 ELSE 0 END) "
)
_TIMES = ("s7", "s15", "s30", "b8", "b16", "b31", "od")


def _params(stmt):
    return stmt.bindparams(
        *[sa.bindparam(p, type_=UTCDateTime()) for p in _TIMES],
        sa.bindparam("today", type_=sa.Date()),
        sa.bindparam("desks", expanding=True),
        sa.bindparam("mine", expanding=True),
    )


RAW_FILES = _params(
    sa.text(
        "SELECT f.holder_desk_id, count(*), "
        + _AGES.format(c="coalesce(f.clock_from, f.created_at)", d="f.due_on", o="f.clock_from")
        + "FROM files f WHERE f.status IN ('open', 'parked') AND f.holder_desk_id IN :desks "
        "AND (f.security = 'normal' OR f.id IN (SELECT a.file_id FROM file_access a "
        "WHERE a.desk_id IN :mine)) GROUP BY f.holder_desk_id"
    )
)
CLOCK = (
    "coalesce((SELECT max(m.at) FROM receipt_movements m WHERE m.receipt_id = r.id "
    "AND m.to_desk_id = r.holder_desk_id AND m.kind IN ('diarised', 'action')), r.created_at)"
)
RAW_RECEIPTS = _params(
    sa.text(
        f"SELECT r.holder_desk_id, count(*), {_AGES.format(c=CLOCK, d='r.due_on', o=CLOCK)}"
        "FROM receipts r WHERE r.status = 'open' AND r.holder_desk_id IN :desks "
        "AND (r.security = 'normal' OR r.holder_desk_id IN :mine OR r.created_desk_id IN :mine "
        "OR r.id IN (SELECT a.receipt_id FROM receipt_access a WHERE a.desk_id IN :mine)) "
        "GROUP BY r.holder_desk_id"
    )
)


def cutoff_params(calendar: WorkCalendar, today: dt.date) -> dict:
    cut = queries.Cutoffs.of(calendar, today)
    return {
        "s7": cut.since["0-7"],
        "s15": cut.since["8-15"],
        "s30": cut.since["16-30"],
        "b8": cut.before["8-15"],
        "b16": cut.before["16-30"],
        "b31": cut.before["31+"],
        "od": cut.overdue_before,
        "today": today,
    }


def raw_pendency(conn, mine: list[int], calendar: WorkCalendar, today: dt.date) -> dict:
    desks = [r[0] for r in conn.execute(RANGE_DESKS, {"root": RANGE})]
    params = {**cutoff_params(calendar, today), "desks": desks, "mine": mine}
    out: dict[int, list[int]] = {}
    for kind, stmt in (("files", RAW_FILES), ("receipts", RAW_RECEIPTS)):
        for row in conn.execute(stmt, params):
            acc = out.setdefault(row[0], [0] * 7)
            acc[0 if kind == "files" else 1] += row[1]
            for i, v in enumerate(row[2:7]):
                acc[2 + i] += int(v or 0)
    return out


# --- the measurements ----------------------------------------------------------------------


class Bench:
    def __init__(self, app: flask.Flask):
        self.app = app
        self.db = app.extensions["eoffice.db"]
        self.engine = self.db.engine
        with self.db.sessionmaker() as session:
            user = session.scalars(sa.select(User).where(User.username == IG)).one()
            self.user_id = user.id
            self.mine = [d.id for d in user.current_desks()]
            scope = queries.scope_for(session, user, RANGE)
            if len(scope.calendars) != 1:
                raise click.ClickException("the range's offices keep more than one calendar")
            self.calendar, self.today = scope.calendars[0][0], scope.as_of
        self.client = app.test_client()
        resp = self.client.post(
            "/api/v1/token", json={"username": IG, "password": gen.passwords()[IG]}
        )
        assert resp.status_code == 200, resp.get_json()
        self.headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}

    def service(self, clock) -> dict:
        with self.db.sessionmaker() as session:
            user = session.get(User, self.user_id)
            with clock:
                scope = queries.scope_for(session, user, RANGE)
                data = queries.pendency(session, scope)
        return data

    def raw(self, clock) -> dict:
        with self.engine.connect() as conn:
            with clock:
                rows = raw_pendency(conn, self.mine, self.calendar, self.today)
        return rows

    def api(self, clock) -> dict:
        with clock:
            resp = self.client.get(f"/api/v1/mis/pendency?office={RANGE}", headers=self.headers)
        assert resp.status_code == 200
        return resp.get_json()


def check_equivalence(bench: Bench) -> dict:
    class Null:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    data = bench.service(Null())
    raw = bench.raw(Null())
    with bench.db.sessionmaker() as session:
        codes = dict(session.execute(sa.text("SELECT id, code FROM desks")).all())
    expected = {codes[d]: [v[0], v[1], *v[2:6], v[6]] for d, v in raw.items() if v[0] or v[1]}
    got = {
        r["desk"]: [
            r["files"],
            r["receipts"],
            *(r["age"][b] for b in queries.AGE_BUCKETS),
            r["overdue"],
        ]
        for r in data["rows"]
    }
    if got != expected:
        raise click.ClickException("the MIS and the raw SQL disagree")
    api = bench.api(Null())
    if [r["desk"] for r in api["rows"]] != [r["desk"] for r in data["rows"]]:
        raise click.ClickException("the API and the service disagree")
    return {
        "desks": len(got),
        "files": sum(v[0] for v in got.values()),
        "receipts": sum(v[1] for v in got.values()),
        "overdue": sum(v[6] for v in got.values()),
    }


def main_bench(url: str, reps: int, warmup: int) -> str:
    migrate.upgrade(url)
    with tempfile.TemporaryDirectory(prefix="eoffice-bench-") as tmp:
        app = create_app(
            {
                "INSTANCE": Path(tmp),
                "DATABASE_URL": url,
                "S3_ENDPOINT": "127.0.0.1:9",  # not needed for these operations
                "S3_ACCESS_KEY": "unused",
                "S3_SECRET_KEY": "unused",
                "INDEX_DIR": Path(tmp) / "index",
                "LOGIN_RATE_LIMIT": "1000 per minute",
            }
        )
        try:
            return _bench(app, url, reps, warmup)
        finally:
            app.extensions["eoffice.db"].dispose()


def _bench(app, url, reps, warmup) -> str:
    bench = Bench(app)
    info = check_equivalence(bench)
    pairs = [
        ("queries.pendency, range RKNP (scope + counts)", bench.service),
        ("GET /api/v1/mis/pendency?office=RKNP", bench.api),
    ]
    ref_name = "raw SQL: desks CTE + 2 grouped SELECTs"
    statements = {ref_name: count_statements(bench.raw, bench.engine)}
    rows = []
    for name, op in pairs:
        statements[name] = count_statements(op, bench.engine)
        gc.collect()
        a, b = run_pair(timed(op), timed(bench.raw), reps, warmup)
        rows.append((name, a, b, ref_name))
        rows.append((ref_name, b, b, None))
    return report(bench.engine, url, info, rows, statements, reps)


def report(engine, url, info, rows, statements, reps) -> str:
    with engine.connect() as conn:
        files = conn.scalar(sa.text("SELECT count(*) FROM files"))
        moves = conn.scalar(sa.text("SELECT count(*) FROM movements"))
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        where = (
            f"SQLite {sqlite3.sqlite_version} {path.name}, {path.stat().st_size / 2**20:,.0f} MiB"
        )
    else:
        where = url
    lines = [
        f"eoffice MIS pendency benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{where}: {files:,} files, {moves:,} movements in range {RANGE} (3 districts)",
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, {platform.machine()}",
        f"IG {IG} counts {info['files']:,} pending files and {info['receipts']:,} open receipts "
        f"at {info['desks']} desks ({info['overdue']:,} overdue); medians and 95th percentiles",
        "",
        f"| {'operation':<48} | {'runs':>4} | {'SQL':>3} | {'median ms':>9} | {'p95 ms':>9} "
        f"| {'ratio':>6} |",
        f"|{'-' * 50}|{'-' * 6}|{'-' * 5}|{'-' * 11}|{'-' * 11}|{'-' * 8}|",
    ]
    for name, times, ref_times, ref_name in rows:
        median, p95 = summarise(times)
        ratio = f"{median / summarise(ref_times)[0]:6.2f}" if ref_name else "   ref"
        lines.append(
            f"| {name:<48} | {reps:>4} | {statements.get(name, ''):>3} | {median:9.3f} "
            f"| {p95:9.3f} | {ratio} |"
        )
    lines += [
        "",
        "ratio: median of the operation / median of the 'ref' row below it (goal <= 1.5). "
        "SQL: statements one run sends (SQLite counts its BEGIN).",
    ]
    return "\n".join(lines)


@click.command()
@click.option(
    "--files",
    "per_district",
    default=50_000,
    show_default=True,
    help="files per district (the range has three)",
)
@click.option("--db", "url", help="measure this database instead of bench/out/mis-range-N")
@click.option("--reps", default=20, show_default=True)
@click.option("--warmup", default=2, show_default=True)
@click.option("--seed", default=2026, show_default=True)
@click.option("--generate-only", is_flag=True, help="fill the --db database (empty) and stop")
def main(per_district, url, reps, warmup, seed, generate_only) -> None:
    """Generate bench/out/mis-range-N.sqlite3 if missing, then measure the range's pendency."""
    if generate_only:
        if not url:
            raise click.UsageError("--generate-only needs --db")
        click.echo(generate(url, per_district, seed), err=True)
        return
    if not url:
        url = f"sqlite:///{ensure_database(per_district, seed)}"
    click.echo(main_bench(url, reps, warmup))


if __name__ == "__main__":
    main()
