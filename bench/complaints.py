"""Complaints on a zone-sized database: the ADGP's pendency and the SLA sweep.

    .venv/bin/python -m bench.complaints                      # 300,000 complaints, cached
    .venv/bin/python -m bench.complaints --complaints 30000   # a quick run
    .venv/bin/python -m bench.complaints --db sqlite:///PATH  # a database made by --generate-only

The organisation is a synthetic zone: the zone office (an ADGP at its desk), 2 ranges, 6 districts
(SP, ASP, complaint cell as the routing desk), 3 circles per district and 8-12 thanas per district
(SHO, head moharrir, two IO desks each), loaded with `eoffice.org.service.load_org`. A year of
complaints up to AS_OF is simulated one by one (registered, routed when no station was given,
assigned to an IO, action report, the complainant's answer, an appeal now and then, closed) with
the escalations the every-few-minutes sweep would have made up to the day before AS_OF, then
written with Core `executemany` inserts in time order, each with the minimal receipt it needs.
Not generated: the enquiry e-files, complaint events, audit events, mail and SMS jobs.

Measured, each against hand-written SQL of the same rows through the same engine, alternating:

- `service.pendency(session, adgp, "ZN", today)` against the same two GROUP BY statements;
- `service.sweep(session, settings, as_of)` in a transaction rolled back after each run (the
  commit after it releases a savepoint), against the SELECT of the same overdue open rows: once
  as of AS_OF (a new day: that day's escalation steps) and once as of the day before (the state
  the data are in: what every later run of the worker that day does).
"""

from __future__ import annotations

import datetime as dt
import gc
import platform
import random
import sqlite3
import sys
import time
from collections import Counter as Tally
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice import migrate
from eoffice.auth.models import User
from eoffice.complaints import ladder, service
from eoffice.complaints.ladder import steps_due
from eoffice.complaints.models import OPEN, PENDING, Complaint, Status
from eoffice.core import kinds, uow
from eoffice.core.db import Database, UTCDateTime
from eoffice.receipts.models import Receipt

from .efile import Clock, count_statements, run_pair, summarise, timed

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"
PASSWORD = "bench-pass-2026"  # every generated user
AUDIT_KEY = "bench-audit-key-2026"
CITIZEN_KEY = "bench-citizen-key-2026"
KEY_HASH = "bench$dummy$not-a-real-hash"
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))  # Asia/Kolkata: no summer time
IST_S = 19_800
DAY = 86_400.0
BATCH = 5_000
# the moment the data end: the benchmark's "now"
AS_OF = dt.datetime(2026, 12, 1, 9, 0, tzinfo=IST).astimezone(dt.UTC)
ZONE = "ZN"
ADGP = "adgp.zn"
EVERY_DAYS = 3  # ESCALATE_EVERY_DAYS, the app's default
SLA_DAYS = 15

# --- the organisation --------------------------------------------------------------------------

# range code, name, Hindi; its districts: code, name, Hindi, number of thanas
RANGES = [
    (
        "RKNP",
        "Kanpur",
        "कानपुर",
        [("KNJ", "Kannauj", "कन्नौज", 10), ("FRK", "Farrukhabad", "फ़र्रुख़ाबाद", 11)]
        + [("KND", "Kanpur Dehat", "कानपुर देहात", 12)],
    ),
    (
        "RETW",
        "Etawah",
        "इटावा",
        [("ETW", "Etawah", "इटावा", 10), ("AUR", "Auraiya", "औरैया", 8)]
        + [("MNP", "Mainpuri", "मैनपुरी", 9)],
    ),
]
PLACES = [
    ("Kotwali", "कोतवाली"),
    ("Sadar", "सदर"),
    ("Civil Lines", "सिविल लाइंस"),
    ("Mahila Thana", "महिला थाना"),
    ("Rampur", "रामपुर"),
    ("Bahadurpur", "बहादुरपुर"),
    ("Sikandarpur", "सिकंदरपुर"),
    ("Jalalabad", "जलालाबाद"),
    ("Nadau", "नादऊ"),
    ("Kusumkhor", "कुसुमखोर"),
    ("Makrandnagar", "मकरंदनगर"),
    ("Mirzapur", "मिर्ज़ापुर"),
]


def zone_org() -> dict:
    """The zone as an organisation file's data."""
    offices, desks, users = [], [], []
    n = 0

    def desk(code, title, office, reports_to, user, roles):
        nonlocal n
        n += 1
        entry = {"code": code, "title": title, "office": office}
        if reports_to:
            entry["reports_to"] = reports_to
        desks.append(entry)
        users.append(
            {
                "username": user,
                "name": f"Bench Officer {n}",
                "password": PASSWORD,
                "roles": roles,
                "desks": [code],
                "locale": "hi",
            }
        )

    offices.append(
        {"code": ZONE, "name": "ADG Zone Kanpur", "name_hi": "अपर पुलिस महानिदेशक ज़ोन कानपुर"}
        | {"kind": "zone", "parent": None}
    )
    desk(f"{ZONE}-ADG", "ADG Zone", ZONE, None, ADGP, ["officer"])
    for rcode, rname, rname_hi, districts in RANGES:
        offices.append(
            {"code": rcode, "name": f"IG Range {rname}", "name_hi": f"परिक्षेत्र {rname_hi}"}
            | {"kind": "range", "parent": ZONE}
        )
        desk(f"{rcode}-IG", f"IG Range {rname}", rcode, f"{ZONE}-ADG", f"ig.{rcode}", ["officer"])
        for dcode, dname, dname_hi, n_thanas in districts:
            sp = f"SP{dcode}"
            offices.append(
                {"code": sp, "name": f"SP Office {dname}", "name_hi": f"पुलिस अधीक्षक {dname_hi}"}
                | {"kind": "district", "parent": rcode, "routing_desk": f"{sp}-COMPLAINT"}
            )
            desk(f"{sp}-SP", f"SP {dname}", sp, f"{rcode}-IG", f"sp.{dcode}", ["officer"])
            desk(f"{sp}-ASP", f"ASP {dname}", sp, f"{sp}-SP", f"asp.{dcode}", ["officer"])
            desk(f"{sp}-COMPLAINT", "Complaint Cell", sp, f"{sp}-ASP", f"cc.{dcode}", ["clerk"])
            for c in range(3):
                co = f"CO{dcode}{c + 1}"
                offices.append(
                    {"code": co, "name": f"Circle {c + 1} {dname}", "kind": "circle", "parent": sp}
                )
                desk(f"{co}-CO", f"CO {c + 1} {dname}", co, f"{sp}-ASP", f"co.{co}", ["officer"])
                for t in range(c, n_thanas, 3):
                    ps = f"PS{dcode}{t + 1:02d}"
                    place, place_hi = PLACES[t % len(PLACES)]
                    offices.append(
                        {"code": ps, "name": f"Thana {place} {dname}"}
                        | {"name_hi": f"थाना {place_hi} {dname_hi}", "kind": "thana", "parent": co}
                    )
                    desk(f"{ps}-SHO", f"SHO {ps}", ps, f"{co}-CO", f"sho.{ps}", ["officer"])
                    desk(f"{ps}-MUNSHI", f"Munshi {ps}", ps, f"{ps}-SHO", f"hm.{ps}", ["clerk"])
                    for i in (1, 2):
                        desk(
                            f"{ps}-IO{i}",
                            f"SI {i} {ps}",
                            ps,
                            f"{ps}-SHO",
                            f"io{i}.{ps}",
                            ["officer"],
                        )
    return {"offices": offices, "desks": desks, "users": users}


@dataclass
class Station:
    id: int
    district: int
    sho: int
    ios: list[int]
    ladder: list[tuple[str, int, int]]  # (level, office id, head desk id), sho upwards


@dataclass
class Org:
    stations: list[Station]
    weights: list[float]
    district_code: dict[int, str]
    district_ladder: dict[int, list[tuple[str, int, int]]]  # district, range, zone
    routing: dict[int, int]


def read_org(conn) -> Org:
    offices = conn.execute(sa.text("SELECT id, code, kind, parent_id FROM offices")).all()
    desks = conn.execute(sa.text("SELECT id, code, office_id FROM desks ORDER BY id")).all()
    by_id = {o.id: o for o in offices}
    desk_of = {d.code: d.id for d in desks}
    head = {
        o.id: desk_of[
            f"{o.code}-" + {"zone": "ADG", "range": "IG", "district": "SP"}.get(o.kind, "")
        ]
        if o.kind in ("zone", "range", "district")
        else desk_of[f"{o.code}-" + ("CO" if o.kind == "circle" else "SHO")]
        for o in offices
    }
    level = {"thana": "sho", "circle": "circle", "district": "district", "range": "range"}
    level["zone"] = "zone"

    def chain(oid):
        out = []
        while oid is not None:
            out.append((level[by_id[oid].kind], oid, head[oid]))
            oid = by_id[oid].parent_id
        return out

    stations, weights, district_ladder, routing, district_code = [], [], {}, {}, {}
    rng = random.Random(7)
    for o in offices:
        if o.kind == "district":
            district_ladder[o.id] = chain(o.id)
            routing[o.id] = desk_of[f"{o.code}-COMPLAINT"]
            district_code[o.id] = o.code.removeprefix("SP")
        if o.kind != "thana":
            continue
        lad = chain(o.id)
        district = next(oid for lvl, oid, _ in lad if lvl == "district")
        ios = [desk_of[f"{o.code}-IO1"], desk_of[f"{o.code}-IO2"]]
        stations.append(Station(o.id, district, head[o.id], ios, lad))
        # a few busy town stations, many quiet rural ones
        weights.append(3.0 if o.code.endswith(("01", "02")) else rng.uniform(0.6, 1.6))
    return Org(stations, weights, district_code, district_ladder, routing)


# --- the simulation ------------------------------------------------------------------------------

CATEGORIES = [
    ("theft", 20),
    ("fraud", 12),
    ("cyber", 15),
    ("women_safety", 8),
    ("child_safety", 2),
    ("land", 15),
    ("dispute", 18),
    ("police_conduct", 3),
    ("traffic", 4),
    ("other", 3),
]
NAMES = [
    ("Ram Singh", "राम सिंह"),
    ("Sunita Devi", "सुनीता देवी"),
    ("Mohd. Arif", "मो. आरिफ़"),
    ("Pooja Yadav", "पूजा यादव"),
    ("Rakesh Kumar", "राकेश कुमार"),
    ("Salma Khatoon", "सलमा खातून"),
    ("Vinod Kumar Pal", "विनोद कुमार पाल"),
    ("Geeta Kushwaha", "गीता कुशवाहा"),
]
TEXTS = {
    "hi": [
        "ग्राम {place} में मेरे खेत पर पड़ोसी द्वारा अवैध कब्जा किया जा रहा है, कृपया कार्यवाही करें।",
        "दिनांक {date} को मेरी मोटरसाइकिल घर के बाहर से चोरी हो गई।",
        "मेरे मोबाइल पर कॉल करके बैंक खाते से {n} रुपये निकाल लिए गए (साइबर ठगी)।",
        "गाँव {place} में रास्ते को लेकर विवाद है, विपक्षी गाली-गलौज व मारपीट करते हैं।",
    ],
    "en": [
        "My shop in {place} market was broken into on {date}; goods worth Rs {n} were stolen.",
        "Rs {n} were taken from my account after a call from a fake bank officer.",
        "The neighbours in {place} threaten my family over a boundary wall; please act.",
    ],
}
ACTION = "जांच की गई, दोनों पक्षों के बयान लिए गए, विधिक कार्यवाही की गई। / Enquiry done, action taken."


def epoch_day(t: float) -> int:
    """The local (IST) day number of a moment in seconds since the epoch."""
    return int((t + IST_S) // DAY)


def day_start(day: int) -> float:
    return day * DAY - IST_S


EPOCH = dt.date(1970, 1, 1)


def as_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


def climb(lad, start: int, due: int, today: int) -> tuple[int, int, float | None]:
    """What the sweep made of a complaint by `today`: (index reached on `lad`, escalations,
    when it climbed last). At the top it stays: the sweep counts no step it could not make."""
    wanted = ladder.steps_due(as_date(due), as_date(today), EVERY_DAYS)
    steps = min(wanted, len(lad) - 1 - start)
    at = day_start(due + 1 + (steps - 1) * EVERY_DAYS) + 120 if steps > 0 else None
    return start + steps, steps, at


def resolution_days(rng: random.Random) -> float | None:
    """Days from registration to the action report; None: none yet, however long."""
    x = rng.random()
    if x < 0.002:
        return None
    if x < 0.85:
        return rng.uniform(1, 12)
    if x < 0.97:
        return rng.uniform(12, 25)
    return rng.uniform(25, 75)


def simulate(org: Org, n: int, seed: int, as_of: float):
    """The complaints and their receipts, in order of registration."""
    rng = random.Random(seed)
    cats, cat_w = zip(*CATEGORIES, strict=True)
    stations = rng.choices(org.stations, org.weights, k=n)
    times = sorted(as_of - rng.uniform(60, 365 * DAY) for _ in range(n))
    today = epoch_day(as_of)
    yesterday = today - 1
    serial: dict[tuple, int] = defaultdict(int)
    complaints, receipts = [], []
    for i, (t, st) in enumerate(zip(times, stations, strict=True)):
        reg_day = epoch_day(t)
        year = as_date(reg_day).year
        district = st.district
        unrouted = rng.uniform(0.05, 1.0) * DAY if rng.random() < 0.03 else 0.0
        t_assign = t + unrouted + rng.uniform(0.1, 2.0) * DAY
        r = resolution_days(rng)
        t_report = None if r is None else max(t + r * DAY, t_assign + 3600)
        io = rng.choice(st.ios)
        io_ladder = [("io", st.id, io), *st.ladder]
        row = {
            "status": Status.closed.value,
            "station_id": st.id,
            "io_desk_id": io,
            "escalations": 0,
            "escalated_at": None,
            "appeals": 0,
            "clock_from": t,
            "action_report": None,
            "action_report_at": None,
            "satisfied": None,
            "feedback_comment": None,
            "feedback_at": None,
            "closed_at": None,
            "close_remarks": None,
            "version": 1,
        }
        due = reg_day + SLA_DAYS
        lad, start, until = io_ladder, 0, today
        if t_report is None or t_report > as_of:  # still open
            until = yesterday  # the worker's last runs were yesterday's
            if t + unrouted > as_of:
                lad, start = [("district", district, org.routing[district])], 0
                lad += org.district_ladder[district][1:]
                row |= {"status": Status.registered.value, "station_id": None, "io_desk_id": None}
            elif t_assign > as_of:
                lad, start = st.ladder, 0
                row |= {"status": Status.registered.value, "io_desk_id": None}
            else:
                interim = t_assign + rng.uniform(1, 5) * DAY
                row["status"] = (Status.assigned if interim > as_of else Status.under_enquiry).value
                row["version"] = 3
        else:
            until = epoch_day(t_report)  # an action report stops the clock
            row |= {"action_report": ACTION, "action_report_at": t_report, "version": 4}
            answers = rng.random() < 0.9
            t_answer = t_report + (rng.uniform(1, 10) if answers else rng.uniform(7, 30)) * DAY
            if t_answer > as_of:
                row["status"] = Status.action_reported.value
            elif not answers:
                row |= {"closed_at": t_answer, "close_remarks": "कार्यवाही पूर्ण / action completed"}
                row["version"] = 5
            elif rng.random() < 0.85:
                row |= {"satisfied": True, "feedback_at": t_answer, "closed_at": t_answer}
                row["version"] = 5
            else:  # not satisfied: an appeal one level up, a fresh clock
                reached, _, _ = climb(io_ladder, 0, due, until)
                start = min(reached + 1, len(io_ladder) - 1)
                due = epoch_day(t_answer) + SLA_DAYS
                row |= {"satisfied": False, "feedback_at": t_answer, "appeals": 1}
                row |= {"feedback_comment": "संतुष्ट नहीं / not satisfied", "clock_from": t_answer}
                row["version"] = 6
                t_decided = t_answer + rng.uniform(2, 20 if rng.random() < 0.97 else 60) * DAY
                if t_decided > as_of:
                    row["status"], until = Status.appealed.value, yesterday
                else:
                    until = epoch_day(t_decided)
                    row |= {"action_report_at": t_decided, "version": 8}
                    t_closed = t_decided + rng.uniform(0.5, 5) * DAY
                    if t_closed > as_of:
                        row["status"] = Status.action_reported.value
                    else:
                        row |= {
                            "closed_at": t_closed,
                            "close_remarks": "अपील निस्तारित / appeal decided",
                        }
        reached, steps, last = climb(lad, start, due, until)
        level, level_office, level_desk = lad[reached]
        row |= {"level": level, "level_office_id": level_office, "level_desk_id": level_desk}
        row |= {"escalations": steps, "escalated_at": last, "due_on": as_date(due)}

        serial[(district, year)] += 1
        number = f"{org.district_code[district]}/C/{year}/{serial[(district, year)]:06d}"
        target_office = st.id if row["station_id"] else district
        target_desk = st.sho if row["station_id"] else org.routing[district]
        serial[(target_office, "r", year)] += 1
        r_serial = serial[(target_office, "r", year)]
        lang = "hi" if rng.random() < 0.8 else "en"
        name, name_hi = rng.choice(NAMES)
        category = rng.choices(cats, cat_w)[0]
        text = rng.choice(TEXTS[lang]).format(
            place=PLACES[i % len(PLACES)][0 if lang == "en" else 1],
            date=as_date(reg_day - rng.randint(0, 5)).strftime("%d.%m.%Y"),
            n=rng.randint(2, 900) * 100,
        )
        mobile = f"{rng.randint(6, 9)}{rng.randint(0, 10**9 - 1):09d}"
        email = f"citizen{i}@example.in" if rng.random() < 0.2 else None
        receipts.append(
            {
                "id": i + 1,
                "office_id": target_office,
                "number": f"R/{year}/{r_serial:06d}",
                "year": year,
                "serial": r_serial,
                "received_on": as_date(reg_day),
                "mode": "portal" if rng.random() < 0.6 else "counter",
                "sender_name": name_hi if lang == "hi" else name,
                "sender_mobile": mobile,
                "sender_email": email,
                "letter_number": number,
                "letter_date": as_date(reg_day),
                "subject": f"शिकायत / Complaint {number} ({category}): {text[:60]}",
                "category": "complaint",
                "language": lang,
                "status": "open",
                "holder_desk_id": target_desk,
                "created_desk_id": target_desk,
                "created_by_id": None,
                "created_at": t,
                "version": 1,
            }
        )
        row |= {
            "id": i + 1,
            "number": number,
            "year": year,
            "serial": serial[(district, year)],
            "channel": receipts[-1]["mode"],
            "district_id": district,
            "category": category,
            "description": text,
            "incident_at": None,
            "incident_place": None,
            "language": lang,
            "complainant_name": receipts[-1]["sender_name"],
            "complainant_mobile": mobile,
            "complainant_email": email,
            "complainant_address": None,
            "key_hash": KEY_HASH,
            "receipt_id": i + 1,
            "registered_at": t,
        }
        complaints.append(row)
    return complaints, receipts


TIMES = ("clock_from", "escalated_at", "action_report_at", "feedback_at", "closed_at")


def _utc(t: float | None) -> dt.datetime | None:
    return None if t is None else dt.datetime.fromtimestamp(round(t), dt.UTC)


def generate(url: str, n: int, seed: int) -> dict:
    from eoffice.auth.models import configure_hasher
    from eoffice.org.service import load_org

    began = time.perf_counter()
    migrate.upgrade(url)
    db = Database(url, audit_key=AUDIT_KEY)
    try:
        with db.engine.connect() as conn:
            if conn.scalar(sa.text("SELECT count(*) FROM complaints")):
                raise click.ClickException("the database already has complaints; use an empty one")
        configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
        with db.write_sessionmaker() as session:
            report = load_org(session, zone_org())
            uow.commit(session)
        click.echo(f"organisation: {report.summary()}", err=True)
        with db.engine.connect() as conn:
            org = read_org(conn)
        complaints, receipts = simulate(org, n, seed, AS_OF.timestamp())
        click.echo(f"simulated in {time.perf_counter() - began:.1f} s", err=True)
        for r in receipts:
            r["created_at"] = _utc(r["created_at"])
        for c in complaints:
            c["registered_at"] = _utc(c["registered_at"])
            for k in TIMES:
                c[k] = _utc(c[k])
        tables = (Receipt.__table__, receipts), (Complaint.__table__, complaints)
        with (
            db.engine.begin() as conn,
            click.progressbar(length=2 * n, label="writing rows", file=sys.stderr) as bar,
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
    counts = Tally(c["status"] for c in complaints)
    return {"seconds": round(time.perf_counter() - began, 1), **counts}


def ensure_database(n: int, seed: int) -> Path:
    path = OUT / f"complaints-{n}.sqlite3"
    if path.exists():
        click.echo(f"using {path} ({path.stat().st_size / 2**20:,.0f} MiB)", err=True)
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    click.echo(f"generating {path} with {n:,} complaints (once)", err=True)
    counts = generate(f"sqlite:///{partial}", n, seed)
    wal = partial.with_name(partial.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise click.ClickException(f"{wal} still holds data; the database was not finished")
    wal.unlink(missing_ok=True)
    partial.with_name(partial.name + "-shm").unlink(missing_ok=True)
    partial.rename(path)
    seconds = counts.pop("seconds")
    click.echo(
        f"generated in {seconds} s: {path.stat().st_size / 2**20:,.0f} MiB; "
        + ", ".join(f"{v:,} {k}" for k, v in sorted(counts.items())),
        err=True,
    )
    return path


# --- the references ------------------------------------------------------------------------

_PENDING = ", ".join(f"'{s.value}'" for s in PENDING)
_OPEN = ", ".join(f"'{s.value}'" for s in OPEN)
WITHIN = (
    "WITH RECURSIVE within(id) AS (SELECT id FROM offices WHERE code = :root "
    "UNION SELECT o.id FROM offices o JOIN within w ON o.parent_id = w.id) "
)
PENDENCY_OWN = sa.text(
    WITHIN + "SELECT coalesce(station_id, district_id) AS own, count(*), "
    "sum(CASE WHEN registered_at >= :c8 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN registered_at < :c8 AND registered_at >= :c16 THEN 1 ELSE 0 END), "
    "sum(CASE WHEN registered_at < :c16 THEN 1 ELSE 0 END), "
    f"sum(CASE WHEN status IN ({_OPEN}) AND due_on < :today THEN 1 ELSE 0 END), "
    f"sum(CASE WHEN status IN ({_OPEN}) AND escalations > 0 THEN 1 ELSE 0 END) "
    "FROM complaints WHERE coalesce(station_id, district_id) IN (SELECT id FROM within) "
    f"AND status IN ({_PENDING}) GROUP BY coalesce(station_id, district_id)"
).bindparams(
    sa.bindparam("c8", type_=UTCDateTime()),
    sa.bindparam("c16", type_=UTCDateTime()),
    sa.bindparam("today", type_=sa.Date()),
)
PENDENCY_AT_LEVEL = sa.text(
    WITHIN + "SELECT level_office_id, count(*) FROM complaints "
    "WHERE level_office_id IN (SELECT id FROM within) AND status != 'closed' "
    "GROUP BY level_office_id"
)
PENDENCY_TREE = sa.text(WITHIN + "SELECT id, parent_id FROM offices WHERE id IN within")
RUNGS = 6  # io, sho, circle, district, range, zone
# the open complaints with a step due: one clause per number of steps already climbed
SWEEP_SELECT = sa.text(
    f"SELECT * FROM complaints WHERE status IN ({_OPEN}) AND level != 'zone' AND ("
    + " OR ".join(f"(escalations = {e} AND due_on <= :d{e})" for e in range(RUNGS))
    + ") ORDER BY id"
).bindparams(*[sa.bindparam(f"d{e}", type_=sa.Date()) for e in range(RUNGS)])


def sweep_params(as_of: dt.datetime) -> dict:
    """The dates of the sweep's clauses, as the service computes them for `as_of`."""
    latest = (as_of.astimezone(dt.UTC) + dt.timedelta(days=1)).date()
    return {f"d{e}": latest - dt.timedelta(days=EVERY_DAYS * e + 1) for e in range(RUNGS)}


def raw_pendency(conn, today: dt.date) -> tuple[list, list]:
    c8 = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(), IST).astimezone(dt.UTC)
    c16 = dt.datetime.combine(today - dt.timedelta(days=15), dt.time(), IST).astimezone(dt.UTC)
    params = {"root": ZONE, "c8": c8, "c16": c16, "today": today}
    own = conn.execute(PENDENCY_OWN, params).all()
    at_level = conn.execute(PENDENCY_AT_LEVEL, {"root": ZONE}).all()
    return own, at_level


# --- the measurements ----------------------------------------------------------------------


class Bench:
    def __init__(self, db: Database, adgp: int, today: dt.date):
        self.db, self.adgp, self.today = db, adgp, today
        self.engine = db.engine
        self.write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.settings = service.Settings.of({"CITIZEN_KEY": CITIZEN_KEY})
        self.moves: dict[dt.datetime, int] = {}

    def pendency_service(self, clock: Clock) -> None:
        with self.db.sessionmaker() as session:
            user = session.get(User, self.adgp)
            user.current_desks()  # known from the request's login by then
            with clock:
                service.pendency(session, user, ZONE, self.today)

    def pendency_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            with clock:
                raw_pendency(conn, self.today)
            conn.rollback()

    def sweep_service(self, as_of: dt.datetime):
        def op(clock: Clock) -> None:
            with self.write_engine.connect() as conn:
                outer = conn.begin()
                session = Session(
                    bind=conn,
                    join_transaction_mode="create_savepoint",
                    expire_on_commit=False,
                    info={"audit_key": AUDIT_KEY},
                )
                with clock:
                    moves = service.sweep(session, self.settings, as_of)
                    uow.commit(session)
                self.moves[as_of] = len(moves)
                session.close()
                outer.rollback()

        return op

    def sweep_raw(self, as_of: dt.datetime):
        params = sweep_params(as_of)

        def op(clock: Clock) -> None:
            with self.write_engine.connect() as conn:
                outer = conn.begin()
                with clock:
                    conn.execute(SWEEP_SELECT, params).all()
                outer.rollback()

        return op


def check_equivalence(bench: Bench) -> dict:
    """The references must count what the service counts, or the ratios mean nothing."""
    with bench.db.sessionmaker() as session, bench.engine.connect() as conn:
        user = session.get(User, bench.adgp)
        root, rows = service.pendency(session, user, ZONE, bench.today)
        own, at_level = raw_pendency(conn, bench.today)
        tree = conn.execute(PENDENCY_TREE, {"root": ZONE}).all()
        children = defaultdict(list)
        for oid, parent in tree:
            children[parent].append(oid)
        counts = {r[0]: [int(v or 0) for v in r[1:]] for r in own}

        def total(oid):
            acc = counts.get(oid, [0] * 6)
            for child in children.get(oid, []):
                acc = [a + b for a, b in zip(acc, total(child), strict=True)]
            return acc

        levels = dict(at_level)
        for r in rows:
            mine = [r["pending"], *r["age"].values(), r["overdue"], r["escalated"]]
            if mine != total(r["office_id"]) or r["at_level"] != levels.get(r["office_id"], 0):
                raise click.ClickException(
                    f"raw pendency differs from the service at {r['office']}"
                )
        zone = rows[0]
        scanned = {}
        for as_of in (AS_OF, AS_OF - dt.timedelta(days=1)):
            params = sweep_params(as_of)
            ids = [r.id for r in conn.execute(SWEEP_SELECT, params)]
            # what the service would escalate is a subset of what it loads: every loaded row
            # with a step due must be in the raw rows
            before = set(ids)
            moved = {
                c.id
                for c in session.scalars(
                    sa.select(Complaint).where(Complaint.status.in_([s.value for s in OPEN]))
                )
                if c.level != "zone"
                and c.escalations < steps_due(c.due_on, as_of.astimezone(IST).date(), EVERY_DAYS)
            }
            if not moved <= before:
                raise click.ClickException("the raw sweep select misses rows the service moves")
            scanned[as_of] = len(ids)
    return {"zone": zone, "scanned": scanned, "offices": len(rows)}


def main_bench(url: str, reps: int, warmup: int, sweep_reps: int) -> str:
    migrate.upgrade(url)  # the code measured is today's (a no-op when current)
    db = Database(url, audit_key=AUDIT_KEY)
    try:
        with db.engine.connect() as conn:
            adgp = conn.execute(
                sa.text("SELECT id FROM users WHERE username = :u"), {"u": ADGP}
            ).scalar_one()
            counts = {
                status: n
                for status, n in conn.execute(
                    sa.text("SELECT status, count(*) FROM complaints GROUP BY status")
                )
            }
        today = AS_OF.astimezone(IST).date()
        bench = Bench(db, adgp, today)
        info = check_equivalence(bench)
        day_before = AS_OF - dt.timedelta(days=1)
        pairs = [
            (
                "pendency: service.pendency (ADGP, whole zone)",
                bench.pendency_service,
                "pendency: raw SQL, the same GROUP BYs",
                bench.pendency_raw,
                reps,
                warmup,
            ),
            (
                "sweep as of AS_OF, a new day (rolled back)",
                bench.sweep_service(AS_OF),
                "sweep: raw SELECT of the same overdue open rows",
                bench.sweep_raw(AS_OF),
                sweep_reps,
                1,
            ),
            (
                "sweep the day before, steady state (rolled back)",
                bench.sweep_service(day_before),
                "sweep: raw SELECT of the same overdue open rows ",
                bench.sweep_raw(day_before),
                sweep_reps,
                1,
            ),
        ]
        rows, statements = [], {}
        for name, op, ref_name, ref, n, w in pairs:
            for label, fn in ((name, op), (ref_name, ref)):
                statements[label] = count_statements(fn, db.engine)
            gc.collect()
            a, b = run_pair(timed(op), timed(ref), n, w)
            rows.append((name, a, b, ref_name))
            rows.append((ref_name, b, b, None))
        return report(db, url, counts, info, bench, rows, statements, reps, sweep_reps)
    finally:
        db.dispose()


def report(db, url, counts, info, bench, rows, statements, reps, sweep_reps) -> str:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        where = (
            f"SQLite {sqlite3.sqlite_version} {path.name}, {path.stat().st_size / 2**20:,.0f} MiB"
        )
    else:
        where = url
    total = sum(counts.values())
    zone = info["zone"]
    day_before = AS_OF - dt.timedelta(days=1)
    lines = [
        f"eoffice complaints benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{where}: {total:,} complaints ("
        + ", ".join(f"{counts[s]:,} {s}" for s in sorted(counts, key=lambda s: -counts[s]))
        + f"), {info['offices']} offices in zone {ZONE}",
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, {platform.machine()}",
        f"as of {AS_OF.astimezone(IST):%Y-%m-%d %H:%M} IST: zone pending {zone['pending']:,}, "
        f"overdue {zone['overdue']:,}, escalated {zone['escalated']:,}; sweep reads "
        f"{info['scanned'][AS_OF]:,} rows and makes {bench.moves.get(AS_OF, 0):,} steps "
        f"(the day before: {info['scanned'][day_before]:,} rows, "
        f"{bench.moves.get(day_before, 0):,} steps)",
        f"{reps} runs for pendency, {sweep_reps} for each sweep; medians and 95th percentiles",
        "",
        f"| {'operation':<52} | {'SQL':>5} | {'median ms':>9} | {'p95 ms':>9} | {'ratio':>6} |",
        f"|{'-' * 54}|{'-' * 7}|{'-' * 11}|{'-' * 11}|{'-' * 8}|",
    ]
    for name, times, ref_times, ref_name in rows:
        median, p95 = summarise(times)
        ratio = f"{median / summarise(ref_times)[0]:6.2f}" if ref_name else "   ref"
        lines.append(
            f"| {name:<52} | {statements.get(name, ''):>5} | {median:9.3f} | {p95:9.3f} | {ratio} |"
        )
    lines += [
        "",
        "ratio: median of the operation / median of the 'ref' row below it. "
        "SQL: statements one run sends (SQLite counts its BEGIN).",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--complaints", "n", default=300_000, show_default=True, help="database size")
@click.option("--db", "url", help="measure this database instead of bench/out/complaints-N")
@click.option("--reps", default=50, show_default=True, help="timed runs of the pendency")
@click.option("--warmup", default=5, show_default=True, help="untimed pendency runs first")
@click.option("--sweep-reps", default=10, show_default=True, help="timed runs of each sweep")
@click.option("--seed", default=2026, show_default=True)
@click.option("--generate-only", is_flag=True, help="make the --db database (empty) and stop")
def main(n, url, reps, warmup, sweep_reps, seed, generate_only) -> None:
    """Generate bench/out/complaints-N.sqlite3 if missing, then measure pendency and sweep."""
    if generate_only:
        if not url:
            raise click.UsageError("--generate-only needs --db")
        counts = generate(url, n, seed)
        click.echo(counts, err=True)
        return
    if not url:
        url = f"sqlite:///{ensure_database(n, seed)}"
    click.echo(main_bench(url, reps, warmup, sweep_reps))


if __name__ == "__main__":
    main()
