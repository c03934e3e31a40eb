"""The dak register of a district office over a whole year: CSV download, page, service.

    .venv/bin/python -m bench.dak_register                    # 60,000 receipts, cached
    .venv/bin/python -m bench.dak_register --receipts 5000    # a quick run
    .venv/bin/python -m bench.dak_register --reps 20

The organisation is the district of `bench.generate` (20 offices, 60 desks, loaded with
`eoffice.org.service.load_org`). A year of dak (YEAR) is diarised in the SP office: receipts
spread over the 365 days (fewer on Sundays), Hindi, English and mixed subjects and senders,
post, hand, email, portal and fax, open, filed and closed, a few percent graded; numbered per
office and year in order of arrival, written with Core `executemany` inserts together with the
`receipt_access` rows of the desk that diarised each and of the desk holding it. Not generated:
receipt movements, the files receipts were put into (`file_id` stays empty), audit events.

Measured, each against hand-written SQL of the same rows through the same engine, alternating:

1. GET /api/v1/receipts/register?format=csv for the whole year (Bearer token of the Reader, a
   clerk of the office) against the raw SELECT of the same columns and Python's csv writer over
   them (the same cells, BOM and encoding: the bytes are checked to be equal);
2. the page /receipts/register (100 rows, page 1, logged in through /login) against the raw
   COUNT and LIMIT 100 statements of that page;
3. `service.register` and fetching all its rows in a session against the raw SELECT.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import platform
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter as Tally
from pathlib import Path

import click
import flask
import sqlalchemy as sa

from eoffice import create_app, migrate
from eoffice.auth.models import User
from eoffice.core import kinds, uow
from eoffice.core.db import Database
from eoffice.receipts import register as reg
from eoffice.receipts import service
from eoffice.receipts.models import Receipt, ReceiptAccess

from .efile import Clock, count_statements, run_pair, summarise, timed
from .generate import district_org, passwords

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"
AUDIT_KEY = "bench-audit-key-2026"
BATCH = 5_000
YEAR = 2025  # the last whole year before the benchmark's date (2026-12-01)
OFFICE = "SPKNJ"
CLERK = "reader.sp"  # a clerk of the SP office (desk SPKNJ-READER)
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
PER_PAGE = 100  # the page's

# --- the dak -----------------------------------------------------------------------------------

# desk code suffix: share of the dak diarised there (the Reader diarises most of it)
DIARISING = {"READER": 70, "HC-ESTT": 10, "HC-CRIME": 10, "HC-ACCTS": 5, "COMPLAINT": 5}
MODES = [("post", 40), ("hand", 25), ("email", 15), ("portal", 15), ("fax", 5)]
STATUSES = [("filed", 55), ("closed", 30), ("open", 15)]
SECURITY = [("normal", 960), ("confidential", 35), ("secret", 5)]
PRIORITY = [("normal", 80), ("priority", 12), ("immediate", 6), ("most_immediate", 2)]
THANAS = [
    ("Kotwali", "कोतवाली"),
    ("Tirwa", "तिर्वा"),
    ("Chhibramau", "छिबरामऊ"),
    ("Saurikh", "सौरिख"),
    ("Thathiya", "ठठिया"),
    ("Talgram", "तालग्राम"),
    ("Gursahaiganj", "गुरसहायगंज"),
    ("Vishungarh", "विशुनगढ़"),
]
VILLAGES = [
    ("Rampur", "रामपुर"),
    ("Bahadurpur", "बहादुरपुर"),
    ("Sikandarpur", "सिकंदरपुर"),
    ("Jalalabad", "जलालाबाद"),
    ("Nadau", "नादऊ"),
    ("Kusumkhor", "कुसुमखोर"),
]
PEOPLE = [
    ("Ram Singh", "राम सिंह"),
    ("Sunita Devi", "सुनीता देवी"),
    ("Mohd. Arif", "मो. आरिफ़"),
    ("Pooja Yadav", "पूजा यादव"),
    ("Rakesh Kumar", "राकेश कुमार"),
    ("Salma Khatoon", "सलमा खातून"),
    ("Vinod Kumar Pal", "विनोद कुमार पाल"),
    ("Geeta Kushwaha", "गीता कुशवाहा"),
]
# sender name, organisation (or None), letter number prefix (None: a private letter)
SENDERS = [
    ("District Magistrate Kannauj", None, "DM/Judl"),
    ("जिलाधिकारी कन्नौज", "कलेक्ट्रेट कन्नौज", "जि0का0"),
    ("Chief Medical Officer", "Health Department, Kannauj", "CMO"),
    ("IG Range Kanpur", None, "IG-RKNP"),
    ("ADG Zone Kanpur", None, "ADG-ZKNP"),
    ("Sessions Judge Kannauj", "District Court", "SJ"),
    ("पुलिस मुख्यालय, लखनऊ", "उत्तर प्रदेश पुलिस", "मु0"),
    ("मुख्यमंत्री कार्यालय", "जनसुनवाई (IGRS)", "IGRS"),
    ("SHO {thana}", "PS {thana}", "PS"),
    ("थानाध्यक्ष {thana_hi}", "थाना {thana_hi}", "थाना"),
    ("State Bank of India, Kannauj", None, "SBI/KNJ"),
    ("ग्राम प्रधान {village_hi}", None, None),
    ("{person}", None, None),
    ("{person_hi}", None, None),
]
SUBJECTS = [
    "Complaint of {person}, village {village}: enquiry report called for",
    "ग्राम {village_hi} निवासी {person_hi} का प्रार्थना पत्र – भूमि विवाद की जांच",
    "Crime No. {n}/{year} u/s 303(2) BNS, PS {thana}: progress of investigation",
    "मु0अ0सं0 {n}/{year} धारा 318(4) बीएनएस थाना {thana_hi} – विवेचना की प्रगति आख्या",
    "Summons in S.T. No. {n}/{year}: evidence of SI on {date}",
    "न्यायालय का सम्मन: वाद संख्या {n}/{year}, दिनांक {date} को साक्ष्य हेतु",
    "Leave application of HC {person}, PS {thana}",
    "आरक्षी {person_hi} का अर्जित अवकाश प्रार्थना पत्र",
    "RTI application under Section 6 from {person}",
    "सूचना का अधिकार अधिनियम के अन्तर्गत {person_hi} का आवेदन",
    "IGRS संदर्भ संख्या {big}: निस्तारण आख्या, थाना {thana_hi}",
    "Law and order arrangements for the fair at {village} on {date}",
    "{date} को ग्राम {village_hi} में होने वाले मेले की सुरक्षा व्यवस्था",
    "Character verification of {person}, village {village} (passport)",
    "Audit para {n} of {year}: compliance report / अनुपालन आख्या",
    "Medical reimbursement claim of Constable {person}",
    "थाना {thana_hi} के सरकारी वाहन UP-74-G-{n4} की मरम्मत हेतु बजट",
    "Bank account of {person} frozen on cyber fraud complaint: NOC sought",
]


def _choices(rng: random.Random, table: list[tuple], k: int) -> list:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights, k=k)


def simulate(desks: dict[str, int], office_id: int, n: int, seed: int) -> tuple[list, list]:
    """The year's receipts (in order of arrival, numbered) and their receipt_access rows."""
    rng = random.Random(seed)
    first = dt.date(YEAR, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range(365)]
    weights = [0.25 if d.weekday() == 6 else 1.0 for d in days]  # little comes on a Sunday
    arrivals = sorted(rng.choices(range(365), weights, k=n))
    diarising = {desks[f"{OFFICE}-{k}"]: w for k, w in DIARISING.items()}
    created = _choices(rng, list(diarising.items()), n)
    holders = list(desks.values())
    modes = _choices(rng, MODES, n)
    statuses = _choices(rng, STATUSES, n)
    grades = _choices(rng, SECURITY, n)
    priorities = _choices(rng, PRIORITY, n)
    receipts, access = [], []
    for i in range(n):
        day = days[arrivals[i]]
        thana, thana_hi = rng.choice(THANAS)
        village, village_hi = rng.choice(VILLAGES)
        person, person_hi = rng.choice(PEOPLE)
        values = {
            "thana": thana,
            "thana_hi": thana_hi,
            "village": village,
            "village_hi": village_hi,
            "person": person,
            "person_hi": person_hi,
            "n": rng.randint(1, 999),
            "n4": rng.randint(1000, 9999),
            "big": rng.randint(10**13, 10**14 - 1),
            "year": YEAR,
            "date": (day + dt.timedelta(days=rng.randint(3, 30))).strftime("%d.%m.%Y"),
        }
        name, organisation, prefix = rng.choice(SENDERS)
        letter_date = day - dt.timedelta(days=rng.randint(0, 6))
        desk = created[i]
        status = statuses[i]
        # the open ones lie anywhere in the office; filed and closed ones where that was done
        holder = rng.choice(holders) if status == "open" or rng.random() < 0.5 else desk
        at = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59)), IST)
        receipts.append(
            {
                "id": i + 1,
                "office_id": office_id,
                "number": f"R/{YEAR}/{i + 1:06d}",
                "year": YEAR,
                "serial": i + 1,
                "received_on": day,
                "mode": modes[i],
                "sender_name": name.format(**values),
                "sender_organisation": organisation.format(**values) if organisation else None,
                "letter_number": f"{prefix}/{rng.randint(1, 4000)}/{YEAR}" if prefix else None,
                "letter_date": letter_date if prefix else None,
                "subject": rng.choice(SUBJECTS).format(**values),
                "language": None,
                "status": status,
                "holder_desk_id": holder,
                "created_desk_id": desk,
                "created_by_id": None,  # the clerk's id would not change the register
                "created_at": at.astimezone(dt.UTC),
                "file_id": None,
                "version": 1 if status == "open" else 2,
                "security": grades[i],
                "priority": priorities[i],
                "due_on": None,
            }
        )
        access.append({"receipt_id": i + 1, "desk_id": desk})
        if holder != desk:  # marked on to the desk holding it: it may see it
            access.append({"receipt_id": i + 1, "desk_id": holder})
    return receipts, access


def generate(url: str, n: int, seed: int) -> dict:
    from eoffice.auth.models import configure_hasher
    from eoffice.org.service import load_org

    began = time.perf_counter()
    migrate.upgrade(url)
    db = Database(url, audit_key=AUDIT_KEY)
    try:
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
        with db.write_sessionmaker() as session:
            report = load_org(session, district_org())
            uow.commit(session)
        click.echo(f"organisation: {report.summary()}", err=True)
        with db.engine.connect() as conn:
            office_id = conn.execute(
                sa.text("SELECT id FROM offices WHERE code = :c"), {"c": OFFICE}
            ).scalar_one()
            desks = dict(
                conn.execute(
                    sa.text("SELECT code, id FROM desks WHERE office_id = :o ORDER BY id"),
                    {"o": office_id},
                ).all()
            )
        receipts, access = simulate(desks, office_id, n, seed)
        tables = (Receipt.__table__, receipts), (ReceiptAccess.__table__, access)
        with (
            db.engine.begin() as conn,
            click.progressbar(
                length=len(receipts) + len(access), label="writing rows", file=sys.stderr
            ) as bar,
        ):
            for table, rows in tables:
                for i in range(0, len(rows), BATCH):
                    conn.execute(table.insert(), rows[i : i + BATCH])
                    bar.update(len(rows[i : i + BATCH]))
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.dispose()
    return {"seconds": round(time.perf_counter() - began, 1), "access": len(access)}


def ensure_database(n: int, seed: int) -> Path:
    path = OUT / f"dak-register-{n}.sqlite3"
    if path.exists():
        click.echo(f"using {path} ({path.stat().st_size / 2**20:,.0f} MiB)", err=True)
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    click.echo(f"generating {path} with {n:,} receipts (once)", err=True)
    info = generate(f"sqlite:///{partial}", n, seed)
    wal = partial.with_name(partial.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise click.ClickException(f"{wal} still holds data; the database was not finished")
    wal.unlink(missing_ok=True)
    partial.with_name(partial.name + "-shm").unlink(missing_ok=True)
    partial.rename(path)
    click.echo(
        f"generated in {info['seconds']} s: {path.stat().st_size / 2**20:,.0f} MiB, "
        f"{n:,} receipts, {info['access']:,} receipt_access rows",
        err=True,
    )
    return path


# --- the references ----------------------------------------------------------------------------

WHERE = (
    "WHERE r.office_id = :office AND r.received_on >= :start AND r.received_on <= :end "
    "AND (r.security = 'normal' "
    "OR r.id IN (SELECT receipt_id FROM receipt_access WHERE desk_id IN :desks) "
    "OR r.holder_desk_id IN :desks OR r.created_desk_id IN :desks)"
)
REGISTER = sa.text(
    "SELECT r.id, r.number, r.received_on, r.mode, r.sender_name, r.sender_organisation, "
    "r.letter_number, r.subject, r.status, r.file_id, r.security, d.code AS holder_code "
    "FROM receipts r LEFT JOIN desks d ON d.id = r.holder_desk_id "
    + WHERE
    + " ORDER BY r.received_on, r.serial"
).bindparams(sa.bindparam("desks", expanding=True))
PAGE = sa.text(REGISTER.text + " LIMIT :limit OFFSET :offset").bindparams(
    sa.bindparam("desks", expanding=True)
)
COUNT = sa.text("SELECT count(*) FROM receipts r " + WHERE).bindparams(
    sa.bindparam("desks", expanding=True)
)
HEADER = [label for _key, label in reg.COLUMNS]


def raw_csv(rows) -> bytes:
    """The register's CSV written straight from the tuples (the app's cells, BOM, encoding)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for r in rows:
        # r: id, number, received_on, mode, sender, organisation, letter, subject, status,
        #    file_id, security, holder code
        if r[8] == "filed":
            now = f"file {r[9]}" if r[9] else "filed"
        elif r[8] == "closed":
            now = "closed"
        else:
            now = r[11] or "—"
        sender = r[4] + (f", {r[5]}" if r[5] else "")
        writer.writerow((r[1], r[2], r[3], sender, r[6] or "", r[7], now))
    return out.getvalue().encode("utf-8")


# --- the measurements --------------------------------------------------------------------------

ROW_ID = re.compile(r'data-receipt-id="(\d+)"')
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


class Bench:
    def __init__(self, app: flask.Flask):
        self.app = app
        self.db = app.extensions["eoffice.db"]
        self.engine = self.db.engine
        self.start, self.end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
        with self.engine.connect() as conn:
            self.office = conn.execute(
                sa.text("SELECT id FROM offices WHERE code = :c"), {"c": OFFICE}
            ).scalar_one()
            self.clerk = conn.execute(
                sa.text("SELECT id FROM users WHERE username = :u"), {"u": CLERK}
            ).scalar_one()
            self.desks = list(
                conn.execute(
                    sa.text(
                        "SELECT desk_id FROM desk_holdings WHERE user_id = :u AND until IS NULL"
                    ),
                    {"u": self.clerk},
                ).scalars()
            )
        self.params = {
            "office": self.office,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "desks": self.desks,
        }
        query = f"office={OFFICE}&from={self.start.isoformat()}&to={self.end.isoformat()}"
        self.csv_path = f"/api/v1/receipts/register?{query}&format=csv"
        self.page_path = f"/receipts/register?{query}"
        pw = passwords()[CLERK]
        self.api_client = app.test_client()
        resp = self.api_client.post("/api/v1/token", json={"username": CLERK, "password": pw})
        if resp.status_code != 200:
            raise click.ClickException(f"no token for {CLERK}: {resp.get_data(as_text=True)}")
        self.headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        self.web = app.test_client()
        page = self.web.get("/login").get_data(as_text=True)
        m = CSRF.search(page)
        if not m:
            raise click.ClickException("no CSRF token on /login")
        resp = self.web.post(
            "/login",
            data={"username": CLERK, "password": pw, "csrf_token": m.group(1) or m.group(2)},
        )
        if resp.status_code not in (302, 303):
            raise click.ClickException(f"login as {CLERK} failed: {resp.status_code}")
        self.last: dict[str, bytes] = {}

    # 1. the CSV
    def csv_api(self, clock: Clock) -> None:
        with clock:
            resp = self.api_client.get(self.csv_path, headers=self.headers)
            body = resp.get_data()
        if resp.status_code != 200:
            raise click.ClickException(f"GET {self.csv_path}: {resp.status_code} {body[:300]!r}")
        self.last["csv"] = body

    def csv_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            with clock:
                body = raw_csv(conn.execute(REGISTER, self.params).all())
            conn.rollback()
        self.last["csv_raw"] = body

    # 2. the page
    def page_web(self, clock: Clock) -> None:
        with clock:
            resp = self.web.get(self.page_path)
            body = resp.get_data()
        if resp.status_code != 200:
            raise click.ClickException(f"GET {self.page_path}: {resp.status_code} {body[:300]!r}")
        self.last["page"] = body

    def page_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            with clock:
                total = conn.execute(COUNT, self.params).scalar_one()
                rows = conn.execute(PAGE, self.params | {"limit": PER_PAGE, "offset": 0}).all()
            conn.rollback()
        self.last["page_raw"] = (total, rows)

    # 3. the service
    def service_all(self, clock: Clock) -> None:
        with self.db.sessionmaker() as session:
            user = session.get(User, self.clerk)
            user.current_desks()  # known from the request's login by then
            with clock:
                _office, _s, _e, stmt = service.register(
                    session, user, OFFICE, self.start, self.end
                )
                rows = session.execute(stmt).all()
        self.last["service"] = rows

    def service_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            with clock:
                rows = conn.execute(REGISTER, self.params).all()
            conn.rollback()
        self.last["raw"] = rows


def _plain(row) -> tuple:
    return tuple(None if v is None else str(v) for v in row)


def check_equivalence(bench: Bench) -> dict:
    """The references must return what the app returns, or the ratios mean nothing."""
    clock = Clock()
    bench.service_all(clock)
    bench.service_raw(clock)
    mine, raw = bench.last["service"], bench.last["raw"]
    if [_plain(r) for r in mine] != [_plain(r) for r in raw]:
        raise click.ClickException("the raw register differs from service.register's rows")
    bench.csv_api(clock)
    bench.csv_raw(clock)
    if bench.last["csv"] != bench.last["csv_raw"]:
        raise click.ClickException("the raw CSV differs from the API's")
    bench.page_web(clock)
    bench.page_raw(clock)
    total, rows = bench.last["page_raw"]
    ids = [int(i) for i in ROW_ID.findall(bench.last["page"].decode())]
    if ids != [r[0] for r in rows] or total != len(raw):
        raise click.ClickException("the raw page differs from /receipts/register")
    with bench.engine.connect() as conn:
        counts = dict(
            conn.execute(sa.text("SELECT security, count(*) FROM receipts GROUP BY security")).all()
        )
        statuses = dict(
            conn.execute(sa.text("SELECT status, count(*) FROM receipts GROUP BY status")).all()
        )
        access = conn.execute(sa.text("SELECT count(*) FROM receipt_access")).scalar_one()
    return {
        "visible": len(raw),
        "csv_bytes": len(bench.last["csv"]),
        "page_bytes": len(bench.last["page"]),
        "security": counts,
        "status": statuses,
        "access": access,
    }


def main_bench(url: str, reps: int, warmup: int) -> str:
    migrate.upgrade(url)  # the code measured is today's (a no-op when current)
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


def _bench(app: flask.Flask, url: str, reps: int, warmup: int) -> str:
    bench = Bench(app)
    info = check_equivalence(bench)
    n = info["visible"]
    pairs = [
        (
            f"GET /api/v1/receipts/register?format=csv ({n:,} rows)",
            bench.csv_api,
            "CSV: raw SELECT + csv.writer, the same bytes",
            bench.csv_raw,
            reps,
        ),
        (
            f"GET /receipts/register (page 1 of {-(-n // PER_PAGE)}, logged in)",
            bench.page_web,
            "page: raw COUNT + LIMIT 100",
            bench.page_raw,
            3 * reps,
        ),
        (
            f"service.register + all rows ({n:,})",
            bench.service_all,
            "register: raw SELECT of the same rows",
            bench.service_raw,
            reps,
        ),
    ]
    engine = bench.engine
    rows, statements = [], {}
    for name, op, ref_name, ref, runs in pairs:
        for label, fn in ((name, op), (ref_name, ref)):
            statements[label] = count_statements(fn, engine)
        gc.collect()
        a, b = run_pair(timed(op), timed(ref), runs, warmup)
        rows.append((name, a, b, ref_name, runs))
        rows.append((ref_name, b, b, None, runs))
    return report(engine, url, info, rows, statements)


def report(engine, url, info, rows, statements) -> str:
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        where = (
            f"SQLite {sqlite3.sqlite_version} {path.name}, {path.stat().st_size / 2**20:,.0f} MiB"
        )
    else:
        where = url
    total = sum(info["status"].values())
    sec = Tally(info["security"])
    lines = [
        f"eoffice dak register benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{where}: {total:,} receipts in {OFFICE} for {YEAR} ("
        + ", ".join(f"{v:,} {k}" for k, v in sorted(info["status"].items()))
        + "; "
        + ", ".join(f"{v:,} {k}" for k, v in sec.most_common())
        + f"), {info['access']:,} receipt_access rows",
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, {platform.machine()}",
        f"clerk {CLERK} sees {info['visible']:,} receipts; "
        f"CSV {info['csv_bytes'] / 2**20:.1f} MiB, "
        f"page {info['page_bytes'] / 1024:.0f} KiB; medians and 95th percentiles",
        "",
        f"| {'operation':<56} | {'runs':>4} | {'SQL':>3} | {'median ms':>9} | {'p95 ms':>9} "
        f"| {'ratio':>6} |",
        f"|{'-' * 58}|{'-' * 6}|{'-' * 5}|{'-' * 11}|{'-' * 11}|{'-' * 8}|",
    ]
    for name, times, ref_times, ref_name, runs in rows:
        median, p95 = summarise(times)
        ratio = f"{median / summarise(ref_times)[0]:6.2f}" if ref_name else "   ref"
        lines.append(
            f"| {name:<56} | {runs:>4} | {statements.get(name, ''):>3} | {median:9.3f} "
            f"| {p95:9.3f} | {ratio} |"
        )
    lines += [
        "",
        "ratio: median of the operation / median of the 'ref' row below it. "
        "SQL: statements one run sends (SQLite counts its BEGIN).",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--receipts", "n", default=60_000, show_default=True, help="database size")
@click.option("--db", "url", help="measure this database instead of bench/out/dak-register-N")
@click.option("--reps", default=10, show_default=True, help="timed runs (3x for the page)")
@click.option("--warmup", default=1, show_default=True, help="untimed runs of each first")
@click.option("--seed", default=2025, show_default=True)
@click.option("--generate-only", is_flag=True, help="make the --db database (empty) and stop")
def main(n, url, reps, warmup, seed, generate_only) -> None:
    """Generate bench/out/dak-register-N.sqlite3 if missing, then measure the register."""
    if generate_only:
        if not url:
            raise click.UsageError("--generate-only needs --db")
        click.echo(generate(url, n, seed), err=True)
        return
    if not url:
        url = f"sqlite:///{ensure_database(n, seed)}"
    click.echo(main_bench(url, reps, warmup))


if __name__ == "__main__":
    main()
