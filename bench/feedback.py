"""Station grades on a range with 100,000 feedback responses: the grades API and the IG's grade
page, each against the raw SQL of the same aggregates.

    .venv/bin/python -m bench.feedback                       # 100,000 responses, cached
    .venv/bin/python -m bench.feedback --responses 10000     # a quick run
    .venv/bin/python -m bench.feedback --db sqlite:///PATH   # another (migrated) database

The organisation: range RKNP (an IG at RKNP-IG) with 3 districts (an SP each) and 10-12 thanas
per district (33 stations, an SHO each), through `load_org`. Then the responses, spread over the
90 days up to AS_OF across the stations (some stations busier than others), with ratings, a
recommendation, a bribe report now and then and one in five verified, written with Core
`executemany`. No complaints are generated: the SLA query runs in both the service and the
reference, over an empty table.

Measured, alternating with the reference through the same engine:

- `GET /api/v1/feedback/grades?office=RKNP&from=&to=` (the IG's token; the whole 90 days);
- `GET /feedback/grades?office=RKNP&from=&to=` (the IG's browser session: the HTML page);
- the reference: the offices under RKNP (a recursive CTE), the stations among them, one GROUP BY
  over `feedback` with the same sums, and the same SELECT of complaints due, fetched whole.
"""

from __future__ import annotations

import datetime as dt
import gc
import platform
import random
import re
import sqlite3
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import click
import sqlalchemy as sa

from eoffice import create_app, migrate
from eoffice.core import kinds
from eoffice.core.db import UTCDateTime
from eoffice.feedback.models import Feedback
from eoffice.org.service import load_org

from .complaints import PLACES, RANGES
from .efile import Clock, count_statements, run_pair, summarise, timed

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"
PASSWORD = "bench-pass-2026"
AUDIT_KEY = "bench-audit-key-2026"
CITIZEN_KEY = "bench-citizen-key-2026"
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
AS_OF = dt.datetime(2026, 12, 1, 9, 0, tzinfo=IST).astimezone(dt.UTC)
DAYS = 90
FIRST = (AS_OF.astimezone(IST) - dt.timedelta(days=DAYS - 1)).date()
LAST = AS_OF.astimezone(IST).date()
RANGE = "RKNP"
IG = "ig.rknp"
BATCH = 5_000


def range_org() -> dict:
    code, name, name_hi, districts = RANGES[0]
    offices = [{"code": code, "name": f"{name} Range", "name_hi": f"{name_hi} परिक्षेत्र",
                "kind": "range"}]  # fmt: skip
    desks = [{"code": f"{code}-IG", "title": "IG", "office": code}]
    users = [{"username": IG, "name": "IG", "password": PASSWORD, "roles": ["officer"],
              "desks": [f"{code}-IG"]}]  # fmt: skip
    for dcode, dname, dname_hi, thanas in districts:
        offices.append({"code": dcode, "name": f"District {dname}", "name_hi": f"जनपद {dname_hi}",
                        "kind": "district", "parent": code})  # fmt: skip
        desks.append({"code": f"{dcode}-SP", "title": "SP", "office": dcode,
                      "reports_to": f"{code}-IG"})  # fmt: skip
        for i in range(thanas):
            place, place_hi = PLACES[i % len(PLACES)]
            tcode = f"{dcode}-PS{i + 1:02d}"
            offices.append({"code": tcode, "name": f"Thana {place} {dname}",
                            "name_hi": f"थाना {place_hi} {dname_hi}", "kind": "thana",
                            "parent": dcode})  # fmt: skip
            desks.append({"code": f"{tcode}-SHO", "title": "SHO", "office": tcode,
                          "reports_to": f"{dcode}-SP"})  # fmt: skip
    return {"offices": offices, "desks": desks, "users": users}


def generate(url: str, n: int, seed: int) -> dict:
    start = time.perf_counter()
    migrate.upgrade(url)
    from eoffice.core.db import Database

    db = Database(url, audit_key=AUDIT_KEY)
    try:
        with db.write_sessionmaker() as session:
            load_org(session, range_org())
            session.commit()
            stations = (
                session.execute(sa.text("SELECT id FROM offices WHERE kind = 'thana' ORDER BY id"))
                .scalars()
                .all()
            )
        rng = random.Random(seed)
        weights = [rng.uniform(0.3, 3.0) for _ in stations]
        quality = {s: rng.uniform(-1.5, 1.5) for s in stations}  # some stations serve better
        span = DAYS * 86_400
        begin = AS_OF - dt.timedelta(days=DAYS)
        rows = []
        table = Feedback.__table__
        with db.engine.begin() as conn:
            for _ in range(n):
                office = rng.choices(stations, weights)[0]
                q = quality[office]

                def stars(q=q):
                    return max(1, min(5, round(rng.gauss(3.6 + q, 1.0))))

                rows.append(
                    {
                        "office_id": office,
                        "created_at": begin + dt.timedelta(seconds=rng.uniform(0, span)),
                        "behaviour": stars(),
                        "responsiveness": stars(),
                        "cleanliness": stars(),
                        "recommend": max(0, min(10, round(rng.gauss(7 + 1.5 * q, 2.2)))),
                        "bribe_asked": rng.choices(
                            [True, False, None], [0.03 - q / 100, 0.8, 0.17]
                        )[0],
                        "text": None,
                        "name": None,
                        "mobile": None,
                        "language": "hi",
                        "verified": rng.random() < 0.2,
                    }
                )
                if len(rows) == BATCH:
                    conn.execute(table.insert(), rows)
                    rows = []
            if rows:
                conn.execute(table.insert(), rows)
    finally:
        db.dispose()
    return {
        "responses": n,
        "stations": len(stations),
        "seconds": round(time.perf_counter() - start, 1),
    }


def ensure_database(n: int, seed: int) -> Path:
    path = OUT / f"feedback-{n}.sqlite3"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    click.echo(f"generating {path} ({n:,} responses, once)", err=True)
    click.echo(generate(f"sqlite:///{partial}", n, seed), err=True)
    partial.rename(path)
    return path


RAW = """
WITH RECURSIVE sub(id) AS (
  SELECT id FROM offices WHERE code = :root
  UNION ALL SELECT o.id FROM offices o JOIN sub ON o.parent_id = sub.id
)
SELECT f.office_id, count(*),
  sum(CASE WHEN f.verified THEN 1 ELSE 0 END),
  sum(CASE WHEN f.recommend >= 9 THEN 1 ELSE 0 END),
  sum(CASE WHEN f.recommend <= 6 THEN 1 ELSE 0 END),
  sum(CASE WHEN f.behaviour >= 4 THEN 1 ELSE 0 END),
  sum(CASE WHEN f.responsiveness >= 4 THEN 1 ELSE 0 END),
  sum(CASE WHEN f.cleanliness >= 4 THEN 1 ELSE 0 END),
  sum(f.behaviour), sum(f.responsiveness), sum(f.cleanliness),
  sum(CASE WHEN f.bribe_asked THEN 1 ELSE 0 END)
FROM feedback f
WHERE f.office_id IN (SELECT id FROM sub) AND f.created_at >= :start AND f.created_at < :end
GROUP BY f.office_id
"""
RAW_STATIONS = """
WITH RECURSIVE sub(id) AS (
  SELECT id FROM offices WHERE code = :root
  UNION ALL SELECT o.id FROM offices o JOIN sub ON o.parent_id = sub.id
)
SELECT id, code FROM offices WHERE id IN (SELECT id FROM sub) AND kind = 'thana' ORDER BY code
"""
RAW_SLA = """
SELECT coalesce(station_id, district_id), due_on, action_report_at FROM complaints
WHERE coalesce(station_id, district_id) IN :ids AND due_on >= :first AND due_on <= :last
  AND (action_report_at IS NOT NULL OR due_on < :today)
"""


def window() -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(FIRST, dt.time(), tzinfo=IST).astimezone(dt.UTC)
    end = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), tzinfo=IST)
    return start, end.astimezone(dt.UTC)


def raw(conn) -> tuple[list, dict]:
    start, end = window()
    stations = conn.execute(sa.text(RAW_STATIONS), {"root": RANGE}).all()
    stmt = sa.text(RAW).bindparams(
        sa.bindparam("start", type_=UTCDateTime()), sa.bindparam("end", type_=UTCDateTime())
    )
    sums = {r[0]: r for r in conn.execute(stmt, {"root": RANGE, "start": start, "end": end})}
    sla = sa.text(RAW_SLA).bindparams(sa.bindparam("ids", expanding=True))
    conn.execute(
        sla, {"ids": [s[0] for s in stations], "first": FIRST, "last": LAST, "today": LAST}
    ).all()
    return stations, sums


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
                "CITIZEN_KEY": CITIZEN_KEY,
            }
        )
        try:
            return _bench(app, url, reps, warmup)
        finally:
            app.extensions["eoffice.db"].dispose()


def _bench(app, url: str, reps: int, warmup: int) -> str:
    engine = app.extensions["eoffice.db"].engine
    api_client, page_client = app.test_client(), app.test_client()
    token = api_client.post("/api/v1/token", json={"username": IG, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    login = page_client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    resp = page_client.post(
        "/login", data={"username": IG, "password": PASSWORD, "csrf_token": csrf}
    )
    assert resp.status_code == 302, resp.status_code
    query = f"office={RANGE}&from={FIRST.isoformat()}&to={LAST.isoformat()}"

    def api(clock: Clock) -> None:
        with clock:
            resp = api_client.get(f"/api/v1/feedback/grades?{query}", headers=headers)
            body = resp.get_data()
        if resp.status_code != 200:
            raise click.ClickException(f"grades API: {resp.status_code} {body[:300]!r}")

    def page(clock: Clock) -> None:
        with clock:
            resp = page_client.get(f"/feedback/grades?{query}")
            body = resp.get_data()
        if resp.status_code != 200:
            raise click.ClickException(f"grade page: {resp.status_code} {body[:300]!r}")

    def reference(clock: Clock) -> None:
        with clock, engine.connect() as conn:
            raw(conn)

    # the reference must count what the service counts, or the ratio means nothing
    rows = {
        r["office"]: r
        for r in api_client.get(f"/api/v1/feedback/grades?{query}", headers=headers).get_json()[
            "rows"
        ]
    }
    with engine.connect() as conn:
        stations, sums = raw(conn)
        total = conn.execute(sa.text("SELECT count(*) FROM feedback")).scalar_one()
    assert set(rows) == {code for _id, code in stations}
    for office_id, code in stations:
        s = sums.get(office_id)
        n = s[1] if s else 0
        assert rows[code]["responses"] == n, code
        if n:
            nps = round(float(Fraction(100 * (s[3] - s[4]), n)), 1)
            assert rows[code]["nps"] == nps and rows[code]["bribe_reports"] == s[11], code
            assert rows[code]["csat"]["cleanliness"] == round(float(Fraction(100 * s[7], n)), 1)
    grades = {}
    for r in rows.values():
        grades[r["grade"] or "small"] = grades.get(r["grade"] or "small", 0) + 1

    results, statements = [], {}
    pairs = [
        ("GET /api/v1/feedback/grades (IG, whole range)", api),
        ("GET /feedback/grades (IG's page, HTML)", page),
    ]
    ref_name = "raw SQL: the same aggregates"
    statements[ref_name] = count_statements(reference, engine)
    for name, op in pairs:
        statements[name] = count_statements(op, engine)
        gc.collect()
        a, b = run_pair(timed(op), timed(reference), reps, warmup)
        results.append((name, a, b, ref_name))
        results.append((ref_name, b, b, None))

    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        where = (
            f"SQLite {sqlite3.sqlite_version} {path.name}, {path.stat().st_size / 2**20:,.0f} MiB"
        )
    else:
        where = url
    lines = [
        f"eoffice feedback benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{where}: {total:,} responses over {len(stations)} stations of range {RANGE}, "
        f"{FIRST:%d-%m-%Y} to {LAST:%d-%m-%Y}; grades "
        + ", ".join(f"{k} {v}" for k, v in sorted(grades.items())),
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, {platform.machine()}",
        f"{reps} runs each (after {warmup} untimed); medians and 95th percentiles",
        "",
        f"| {'operation':<48} | {'SQL':>5} | {'median ms':>9} | {'p95 ms':>9} | {'ratio':>6} |",
        f"|{'-' * 50}|{'-' * 7}|{'-' * 11}|{'-' * 11}|{'-' * 8}|",
    ]
    for name, times, ref_times, ref in results:
        median, p95 = summarise(times)
        ratio = f"{median / summarise(ref_times)[0]:6.2f}" if ref else "   ref"
        lines.append(
            f"| {name:<48} | {statements.get(name, ''):>5} | {median:9.3f} | {p95:9.3f} | {ratio} |"
        )
    lines += [
        "",
        "ratio: median of the operation / median of the 'ref' row below it (the pair alternates). "
        "SQL: statements one run sends.",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--responses", "n", default=100_000, show_default=True, help="database size")
@click.option("--db", "url", help="measure this database instead of bench/out/feedback-N")
@click.option("--reps", default=50, show_default=True)
@click.option("--warmup", default=5, show_default=True)
@click.option("--seed", default=2026, show_default=True)
def main(n, url, reps, warmup, seed) -> None:
    """Generate bench/out/feedback-N.sqlite3 if missing, then measure the grades."""
    if not url:
        url = f"sqlite:///{ensure_database(n, seed)}"
    click.echo(main_bench(url, reps, warmup))


if __name__ == "__main__":
    main()
