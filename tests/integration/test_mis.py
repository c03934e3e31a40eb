"""The MIS on a generated district (bench/generate.py at a small size): every count equals an
independent recount (raw SQL rows, counted here with the `holidays` package directly), for an
office at each of three levels; CSV equals JSON; the SVG is valid with the bars expected; the
PDF carries the chart; jurisdiction, graded records, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from urllib.parse import quote
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
import pytest
import sqlalchemy as sa

from bench import generate as gen
from eoffice.complaints import service as complaints
from eoffice.core.db import UTCDateTime, utcnow
from eoffice.files.models import calendar_of
from eoffice.mis import queries
from eoffice.org.models import Office
from eoffice.receipts import service as receipts
from tests.conftest import config_for, new_database, start_app
from tests.factories import act

IST = ZoneInfo("Asia/Kolkata")
PASSWORDS = gen.passwords()
SP, CO, SHO, AUDITOR, CLERK = "sp.knj", "asp.knj", "sho.tirwa", "auditor.range", "reader.sp"
# three offices at three levels, and who looks at each
LOOKS = [("SPKNJ", SP), ("COKNJ", CO), ("PSTRW", SHO)]
GRADED_EVERY = 9  # every ninth file is confidential


# --- the world: a small generated district, clocks set, graded files, open dak, complaints -----


def _set_clocks(conn) -> None:
    """The generator writes no desk clocks: each file's clock is its latest arrival (created or
    sent) at the desk holding it, as the app keeps it (a pull-back restores the sender's)."""
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


def _dak(app) -> None:
    """Open receipts on desks of the thana and the SP office, some graded, of various ages."""
    session = app.extensions["eoffice.db"].sessionmaker()
    rng = random.Random(5)
    made = []
    for username, desk, n in (
        ("munshi.tirwa", "PSTRW-MUNSHI", 14),
        (CLERK, "SPKNJ-READER", 12),
    ):
        for i in range(n):
            security = "confidential" if i % 5 == 0 else "normal"
            values = {
                "subject": f"आवेदन पत्र {i} / application {i}",
                "mode": "post",
                "sender_name": "सुरेश यादव",
                "received_on": dt.date.today(),
                "security": security,
            }
            made.append(act(session, receipts.diarise, username, desk, values).id)
    # one receipt sent on from the Reader to the SP (its clock starts again there)
    act(session, receipts.send_receipt, CLERK, "SPKNJ-READER", made[-1], "SPKNJ-SP")
    from eoffice.receipts.models import Receipt, ReceiptMovement

    for rid in made:  # backdated, as dak that has waited
        back = dt.timedelta(days=rng.choice((0, 3, 9, 12, 20, 29, 40, 90)))
        for m in session.scalars(
            sa.select(ReceiptMovement).where(ReceiptMovement.receipt_id == rid)
        ):
            m.at -= back
        r = session.get(Receipt, rid)
        r.created_at -= back
    session.commit()
    session.close()


def _complaints(app) -> None:
    from eoffice.complaints.service import Settings

    session = app.extensions["eoffice.db"].sessionmaker()
    settings = Settings.of(app.config)
    ids = []
    for i in range(8):
        values = {
            "district": "SPKNJ",
            "station": "PSTRW" if i % 2 else "PSKOT",
            "category": "theft",
            "description": f"मोबाइल चोरी की शिकायत {i}",
            "complainant": {"name": "रमेश", "mobile": f"98765432{i:02d}"},
        }
        ids.append(complaints.register(session, settings, values).complaint.id)
        session.commit()
    now = utcnow()
    today = now.astimezone(IST).date()
    with app.extensions["eoffice.db"].engine.begin() as conn:
        for i, cid in enumerate(ids):
            # 0, 4: answered on time; 1, 5: answered late; 2, 6: overdue; 3, 7: pending in time
            kind = i % 4
            due = today - dt.timedelta(days=3) if kind in (1, 2) else today + dt.timedelta(days=5)
            report = {0: now - dt.timedelta(days=1), 1: now}.get(kind)
            status = "action_reported" if report else "assigned"
            conn.execute(
                sa.text(
                    "UPDATE complaints SET due_on = :d, action_report_at = :r, status = :s, "
                    "level = :l WHERE id = :i"
                ),
                {"d": due, "r": report, "s": status, "l": "sho" if i < 6 else "circle", "i": cid},
            )
    session.close()


@pytest.fixture(scope="module")
def world(migrated_template, s3_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mis")
    url = new_database(migrated_template, folder)
    counts = gen.generate(url, 400, 4400, 400, "district", 11)
    app = start_app(config_for(url, s3_server, folder))
    with app.extensions["eoffice.db"].engine.begin() as conn:
        _set_clocks(conn)
        # the generator spreads its few issued letters over years from the moment it runs: put
        # them in the last weeks, so the flow and dispatch counts are never empty by the clock
        for i, (draft_id,) in enumerate(
            conn.execute(sa.text("SELECT id FROM drafts WHERE status = 'issued' ORDER BY id"))
        ):
            conn.execute(
                sa.text("UPDATE drafts SET issued_at = :at WHERE id = :id").bindparams(
                    sa.bindparam("at", type_=UTCDateTime())
                ),
                {"at": dt.datetime.now(dt.UTC) - dt.timedelta(days=10 + i), "id": draft_id},
            )
    _dak(app)
    _complaints(app)
    yield app, counts
    app.extensions["eoffice.db"].dispose()


@pytest.fixture(scope="module")
def tokens(world):
    app, _ = world
    client = app.test_client()
    out = {}
    for username in (SP, CO, SHO, AUDITOR, CLERK):
        resp = client.post(
            "/api/v1/token", json={"username": username, "password": PASSWORDS[username]}
        )
        assert resp.status_code == 200, resp.get_json()
        out[username] = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    return out


@pytest.fixture
def get(world, tokens):
    app, _ = world
    client = app.test_client()

    def call(username, path):
        return client.get(path, headers=tokens[username])

    return call


# --- the independent recount --------------------------------------------------------------------


def _subtree(conn, code) -> list[int]:
    rows = conn.execute(
        sa.text(
            "WITH RECURSIVE t(id) AS (SELECT id FROM offices WHERE code = :c "
            "UNION SELECT o.id FROM offices o JOIN t ON o.parent_id = t.id) SELECT id FROM t"
        ),
        {"c": code},
    )
    return [r[0] for r in rows]


def _desk_ids(conn, username) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            sa.text(
                "SELECT h.desk_id FROM desk_holdings h JOIN users u ON u.id = h.user_id "
                "WHERE u.username = :u AND h.until IS NULL"
            ),
            {"u": username},
        )
    ]


def _in(ids) -> str:
    return "(" + ",".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


def _working_days(start: dt.date, end: dt.date, state) -> int:
    off = holiday_calendars.country_holidays(
        "IN", subdiv=state, years=range(start.year, end.year + 1)
    )
    n, day = 0, start + dt.timedelta(days=1)
    while day <= end:
        if day.weekday() != 6 and day not in off:
            n += 1
        day += dt.timedelta(days=1)
    return n


def _local(at) -> dt.date:
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(IST).date()


def _bucket(days: int) -> str:
    return "0-7" if days <= 7 else "8-15" if days <= 15 else "16-30" if days <= 30 else "31+"


def recount_pendency(conn, code, username, today, state):
    """Per desk code: files, receipts, age buckets and overdue, from raw rows."""
    offices = _subtree(conn, code)
    mine = _desk_ids(conn, username)
    desks = dict(
        conn.execute(sa.text(f"SELECT id, code FROM desks WHERE office_id IN {_in(offices)}")).all()
    )
    out = defaultdict(lambda: {"files": 0, "receipts": 0, "age": Counter(), "overdue": 0})
    files = conn.execute(
        sa.text(
            "SELECT f.holder_desk_id, coalesce(f.clock_from, f.created_at), f.clock_from, f.due_on "
            f"FROM files f WHERE f.status IN ('open', 'parked') "
            f"AND f.holder_desk_id IN {_in(desks)} AND (f.security = 'normal' OR EXISTS "
            f"(SELECT 1 FROM file_access a WHERE a.file_id = f.id AND a.desk_id IN {_in(mine)}))"
        )
    ).all()
    dak = conn.execute(
        sa.text(
            f"SELECT r.holder_desk_id, coalesce((SELECT max(m.at) FROM receipt_movements m "
            f"WHERE m.receipt_id = r.id AND m.to_desk_id = r.holder_desk_id "
            f"AND m.kind IN ('diarised', 'action')), r.created_at), r.due_on "
            f"FROM receipts r WHERE r.status = 'open' AND r.holder_desk_id IN {_in(desks)} "
            f"AND (r.security = 'normal' OR r.holder_desk_id IN {_in(mine)} "
            f"OR r.created_desk_id IN {_in(mine)} OR EXISTS (SELECT 1 FROM receipt_access a "
            f"WHERE a.receipt_id = r.id AND a.desk_id IN {_in(mine)}))"
        )
    ).all()

    def late(clock, due) -> bool:
        if due is not None and today > (
            dt.date.fromisoformat(due) if isinstance(due, str) else due
        ):
            return True
        if clock is None:
            return False
        day = _local(clock)
        return (today - day).days > 7 and _working_days(day, today, state) > 7

    for desk_id, age_clock, clock, due in files:
        row = out[desks[desk_id]]
        row["files"] += 1
        row["age"][_bucket((today - _local(age_clock)).days)] += 1
        row["overdue"] += late(clock, due)
    for desk_id, clock, due in dak:
        row = out[desks[desk_id]]
        row["receipts"] += 1
        row["age"][_bucket((today - _local(clock)).days)] += 1
        row["overdue"] += late(clock, due)
    return {k: {**v, "age": {b: v["age"][b] for b in queries.AGE_BUCKETS}} for k, v in out.items()}


def _office_state(app, code):
    session = app.extensions["eoffice.db"].sessionmaker()
    office = session.scalars(sa.select(Office).where(Office.code == code)).one()
    calendar = calendar_of(office)
    session.close()
    return calendar.state, calendar.today()


@pytest.mark.parametrize(("code", "username"), LOOKS)
def test_pendency_equals_an_independent_recount(world, get, code, username):
    app, counts = world
    assert counts["files"] == 400
    state, today = _office_state(app, code)
    resp = get(username, f"/api/v1/mis/pendency?office={code}")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    with app.extensions["eoffice.db"].engine.connect() as conn:
        expected = recount_pendency(conn, code, username, today, state)
    got = {
        r["desk"]: {k: r[k] for k in ("files", "receipts", "age", "overdue")} for r in body["rows"]
    }
    assert got == expected
    assert sum(r["files"] for r in body["rows"]) > 0
    assert any(r["overdue"] for r in body["rows"])
    # the office's own total is every desk's under it
    top = body["offices"][0]
    assert top["office"] == code
    assert top["files"] == sum(v["files"] for v in expected.values())
    assert top["receipts"] == sum(v["receipts"] for v in expected.values())
    assert sum(top["age"].values()) == top["files"] + top["receipts"]


def test_graded_counted_only_where_visible(world, get):
    """The SP (an officer) counts a confidential file at the Reader's desk only if it passed
    one of the SP's desks; the range's auditor counts none of the district's graded ones (they
    are shown to the auditors of their own office only)."""
    app, _ = world
    sp = get(SP, "/api/v1/mis/pendency?office=SPKNJ").get_json()
    auditor = get(AUDITOR, "/api/v1/mis/pendency?office=SPKNJ").get_json()
    with app.extensions["eoffice.db"].engine.connect() as conn:
        offices = _subtree(conn, "SPKNJ")
        every = conn.execute(
            sa.text(
                f"SELECT count(*) FROM files f JOIN desks d ON d.id = f.holder_desk_id "
                f"WHERE f.status IN ('open', 'parked') AND d.office_id IN {_in(offices)}"
            )
        ).scalar()
        graded = conn.execute(
            sa.text(
                f"SELECT count(*) FROM files f JOIN desks d ON d.id = f.holder_desk_id "
                f"WHERE f.status IN ('open', 'parked') AND d.office_id IN {_in(offices)} "
                f"AND f.security != 'normal'"
            )
        ).scalar()
    assert graded > 0
    auditor_files = sum(r["files"] for r in auditor["rows"])
    sp_files = sum(r["files"] for r in sp["rows"])
    assert auditor_files == every - graded
    assert every - graded < sp_files < every


def test_flow_equals_a_recount(world, get):
    app, _ = world
    today = _office_state(app, "SPKNJ")[1]
    start = (today.replace(day=1) - dt.timedelta(days=400)).replace(day=1)
    body = get(SP, f"/api/v1/mis/flow?office=SPKNJ&from={start}&to={today}").get_json()
    mine = None
    with app.extensions["eoffice.db"].engine.connect() as conn:
        offices = _in(_subtree(conn, "SPKNJ"))
        mine = _in(_desk_ids(conn, SP))
        desks = _in(
            [
                r[0]
                for r in conn.execute(sa.text(f"SELECT id FROM desks WHERE office_id IN {offices}"))
            ]
        )
        seen = (
            "(f.security = 'normal' OR EXISTS (SELECT 1 FROM file_access a "
            f"WHERE a.file_id = f.id AND a.desk_id IN {mine}))"
        )
        dak_seen = (
            f"(r.security = 'normal' OR r.created_desk_id IN {mine} OR r.holder_desk_id IN {mine}"
            " OR EXISTS (SELECT 1 FROM receipt_access a WHERE a.receipt_id = r.id "
            f"AND a.desk_id IN {mine}))"
        )
        moves = "FROM movements m JOIN files f ON f.id = m.file_id WHERE"
        queries_ = {
            "created": f"SELECT f.created_at FROM files f WHERE f.office_id IN {offices} "
            f"AND {seen}",
            "received": f"SELECT r.created_at FROM receipts r WHERE r.office_id IN {offices} "
            f"AND {dak_seen}",
            "sent": f"SELECT m.at {moves} m.kind = 'sent' AND m.from_desk_id IN {desks} AND {seen}",
            "closed": f"SELECT m.at {moves} m.kind = 'closed' AND m.to_desk_id IN {desks} "
            f"AND {seen}",
            "issued": "SELECT d.issued_at FROM drafts d JOIN files f ON f.id = d.file_id "
            f"WHERE d.status = 'issued' AND f.office_id IN {offices} AND {seen}",
        }
        expected = defaultdict(Counter)
        for metric, sql in queries_.items():
            for (at,) in conn.execute(sa.text(sql)):
                day = _local(at)
                if start <= day <= today:
                    expected[metric][f"{day.year:04d}-{day.month:02d}"] += 1
    assert len(body["rows"]) == (today.year - start.year) * 12 + today.month - start.month + 1
    for row in body["rows"]:
        for metric in queries.FLOW_METRICS:
            assert row[metric] == expected[metric][row["month"]], (metric, row["month"])
    assert sum(r["created"] for r in body["rows"]) > 0
    assert sum(r["issued"] for r in body["rows"]) > 0


def test_bottlenecks_and_others_equal_a_recount(world, get):
    app, _ = world
    state, today = _office_state(app, "COKNJ")
    body = get(CO, "/api/v1/mis/bottlenecks?office=COKNJ").get_json()
    with app.extensions["eoffice.db"].engine.connect() as conn:
        offices = _in(_subtree(conn, "COKNJ"))
        mine = _in(_desk_ids(conn, CO))
        rows = conn.execute(
            sa.text(
                f"SELECT d.code, f.clock_from FROM files f JOIN desks d ON d.id = f.holder_desk_id "
                f"WHERE f.status IN ('open', 'parked') AND d.office_id IN {offices} "
                f"AND (f.security = 'normal' OR EXISTS (SELECT 1 FROM file_access a "
                f"WHERE a.file_id = f.id AND a.desk_id IN {mine}))"
            )
        ).all()
        held = defaultdict(list)
        for code, clock in rows:
            held[code].append((today - _local(clock)).days)
        others = conn.execute(
            sa.text(
                f"SELECT count(*) FROM files f JOIN desks d ON d.id = f.holder_desk_id "
                f"WHERE f.status IN ('open', 'parked') AND f.office_id IN {offices} "
                f"AND d.office_id NOT IN {offices} AND (f.security = 'normal' OR EXISTS "
                f"(SELECT 1 FROM file_access a WHERE a.file_id = f.id AND a.desk_id IN {mine}))"
            )
        ).scalar()
    got = {r["desk"]: (r["files"], r["median_days"], r["max_days"]) for r in body["rows"]}
    assert got == {k: (len(v), statistics.median(v), max(v)) for k, v in held.items()}
    medians = [r["median_days"] for r in body["rows"]]
    assert medians == sorted(medians, reverse=True)
    with_others = get(CO, "/api/v1/mis/others?office=COKNJ").get_json()
    assert sum(r["files"] for r in with_others["rows"]) == others > 0


def test_sla_by_level(world, get):
    body = get(SP, "/api/v1/mis/sla?office=SPKNJ").get_json()
    rows = {r["level"]: r for r in body["rows"]}
    assert rows["sho"]["complaints"] == 6
    assert (rows["sho"]["on_time"], rows["sho"]["late"], rows["sho"]["overdue"]) == (2, 2, 1)
    assert rows["sho"]["pending"] == 1
    assert rows["sho"]["compliance"] == 40.0
    assert rows["circle"]["complaints"] == 2
    tirwa = {r["level"]: r for r in get(SHO, "/api/v1/mis/sla?office=PSTRW").get_json()["rows"]}
    assert sum(r["complaints"] for r in tirwa.values()) == 4


def test_dispatch_by_section(world, get):
    app, _ = world
    today = _office_state(app, "SPKNJ")[1]
    start = today - dt.timedelta(days=900)
    body = get(SP, f"/api/v1/mis/dispatch?office=SPKNJ&from={start}&to={today}").get_json()
    assert sum(r["letters"] for r in body["rows"]) > 0
    for r in body["rows"]:
        assert r["letters"] == r["email"] + r["post"] + r["hand"]
    one = body["rows"][0]
    items = get(
        SP,
        f"/api/v1/mis/items?report=dispatch&office=SPKNJ&within={one['office']}"
        f"&section={one['section'] or ''}"
        f"&from={start}&to={today}&per_page=200",
    ).get_json()
    assert items["total"] == one["letters"]


# --- every number has its list ------------------------------------------------------------------


def test_numbers_open_their_lists(world, get):
    body = get(SP, "/api/v1/mis/pendency?office=SPKNJ").get_json()
    row = max(body["rows"], key=lambda r: r["files"] + r["receipts"])
    for params, expected in (
        (f"desk={row['desk']}&kind=file", row["files"]),
        (f"desk={row['desk']}&kind=receipt", row["receipts"]),
        (f"desk={row['desk']}&bucket=overdue", row["overdue"]),
        *((f"desk={row['desk']}&bucket={quote(b)}", n) for b, n in row["age"].items()),
    ):
        listed = get(
            SP, f"/api/v1/mis/items?report=pendency&office=SPKNJ&{params}&per_page=200"
        ).get_json()
        assert listed["total"] == expected, params
    office = body["offices"][1]
    listed = get(
        SP,
        f"/api/v1/mis/items?report=pendency&office=SPKNJ&within={office['office']}"
        "&bucket=overdue&per_page=200",
    ).get_json()
    assert listed["total"] == office["overdue"]


def test_page_links_every_number(world, tokens):
    app, _ = world
    client = app.test_client()
    _login(client, SP)
    page = client.get("/mis/pendency?office=SPKNJ")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="mis-chart"' in html and "format=svg" in html
    assert "/mis/list?report=pendency" in html
    listed = client.get("/mis/list?report=pendency&office=SPKNJ&bucket=overdue")
    assert listed.status_code == 200
    assert 'id="mis-items"' in listed.get_data(as_text=True)
    for name in ("others", "flow", "dispatch", "bottlenecks", "sla"):
        assert client.get(f"/mis/{name}?office=SPKNJ").status_code == 200, name


def _login(client, username):
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login",
        data={"username": username, "password": PASSWORDS[username], "csrf_token": token},
    )
    assert resp.status_code in (302, 303)


# --- exports ------------------------------------------------------------------------------------


def _csv(resp) -> list[dict]:
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_equals_json(world, get):
    json_rows = get(SP, "/api/v1/mis/pendency?office=SPKNJ").get_json()["rows"]
    resp = get(SP, "/api/v1/mis/pendency?office=SPKNJ&format=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = _csv(resp)
    assert list(rows[0])[:4] == ["office", "desk", "files", "receipts"]
    assert len(rows) == len(json_rows)
    for c, j in zip(rows, json_rows, strict=True):
        assert (c["office"], c["desk"]) == (j["office"], j["desk"])
        assert int(c["files"]) == j["files"] and int(c["receipts"]) == j["receipts"]
        assert [int(c[k]) for k in ("age_0_7", "age_8_15", "age_16_30", "age_31_plus")] == [
            j["age"][b] for b in queries.AGE_BUCKETS
        ]
        assert int(c["overdue"]) == j["overdue"]
    # Hindi office names, whole
    names = {r["office_name"] for r in rows}
    assert "थाना तिर्वा" in names or "पुलिस अधीक्षक कार्यालय कन्नौज" in names
    flow = get(SP, "/api/v1/mis/flow?office=SPKNJ")
    flow_csv = _csv(get(SP, "/api/v1/mis/flow?office=SPKNJ&format=csv"))
    assert [
        {k: int(v) if k != "month" else v for k, v in r.items()} for r in flow_csv
    ] == flow.get_json()["rows"]


def test_svg_is_valid_with_the_bars(world, get):
    body = get(SP, "/api/v1/mis/pendency?office=SPKNJ").get_json()
    resp = get(SP, "/api/v1/mis/pendency?office=SPKNJ&format=svg")
    assert resp.status_code == 200 and resp.mimetype == "image/svg+xml"
    assert "script" not in resp.headers["Content-Security-Policy"]
    svg = resp.get_data(as_text=True)
    root = ET.fromstring(svg)  # noqa: S314 - our own answer
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg
    shown = [o for o in body["offices"] if o["depth"] <= 1]
    labels = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {o["office"] for o in shown} <= labels
    # a bar for each office and age bucket, drawn where it holds something
    bars = [
        e
        for e in root.iter("{http://www.w3.org/2000/svg}rect")
        if "rect" in (e.get("class") or "").split()
    ]
    assert len(bars) == len(shown) * len(queries.AGE_BUCKETS)
    drawn = [e for e in bars if float(e.get("height")) > 0]
    assert len(drawn) == sum(1 for o in shown for b in queries.AGE_BUCKETS if o["age"][b])


def test_pdf_has_the_chart(world, get):
    from pypdf import PdfReader

    resp = get(SP, "/api/v1/mis/pendency?office=SPKNJ&format=pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(resp.get_data()))
    text = "".join(p.extract_text() for p in reader.pages)
    body = get(SP, "/api/v1/mis/pendency?office=SPKNJ").get_json()
    for office in (o["office"] for o in body["offices"] if o["depth"] <= 1):
        assert office in text  # the chart's labels (and the table's)
    assert "Pending files and receipts by age" in text  # the chart's title
    assert "0-7" in text and "31+" in text  # its legend
    # the chart is drawn as vectors: the first page's content has paths
    content = reader.pages[0].get_contents().get_data()
    assert content.count(b" re") + content.count(b" l\n") > 20
    flow = get(SP, "/api/v1/mis/flow?office=SPKNJ&format=pdf")
    assert flow.status_code == 200 and flow.get_data()[:5] == b"%PDF-"


def test_hindi_names_in_the_pdf_source(world):
    """WeasyPrint's PDFs do not give Hindi back when extracted: the HTML they are made from
    carries the office's Hindi name, and the Devanagari font is embedded."""
    app, _ = world
    from pypdf import PdfReader

    from eoffice.mis import reports
    from tests.factories import user as user_of

    session = app.extensions["eoffice.db"].sessionmaker()
    scope = queries.scope_for(session, user_of(session, SHO), "PSTRW")
    report = reports.get("pendency")
    data = report.compute(session, scope)
    rows = [report.cells(r, scope) for r in data["rows"]]
    assert any("थाना तिर्वा" in cells for cells in rows)
    pdf = reports.pdf_bytes(report, scope, data)
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Devanagari" in f for f in fonts)
    session.close()


# --- access and bad input -----------------------------------------------------------------------


def test_jurisdiction(world, get):
    # the SHO of Tirwa: their thana, not the district above nor a thana beside it
    assert get(SHO, "/api/v1/mis/pendency?office=PSTRW").status_code == 200
    assert get(SHO, "/api/v1/mis/pendency?office=SPKNJ").status_code == 404
    assert get(SHO, "/api/v1/mis/pendency?office=PSKOT").status_code == 404
    assert get(SHO, "/api/v1/mis/items?report=pendency&office=SPKNJ").status_code == 404
    # without an office: the highest office of one's desks
    assert get(SHO, "/api/v1/mis/pendency").get_json()["office"] == "PSTRW"
    assert get(SP, "/api/v1/mis/pendency").get_json()["office"] == "SPKNJ"
    # the range's auditor: the range and all below
    assert get(AUDITOR, "/api/v1/mis/pendency?office=RKNP").status_code == 200
    assert get(AUDITOR, "/api/v1/mis/flow?office=PSKOT").status_code == 200
    # a clerk has no MIS
    resp = get(CLERK, "/api/v1/mis/pendency?office=SPKNJ")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    # a desk of the district outside the SHO's office is refused in the list too
    resp = get(SHO, "/api/v1/mis/items?report=pendency&office=PSTRW&desk=SPKNJ-READER")
    assert resp.status_code == 422


def test_sho_does_not_count_what_passed_the_sp_only(world, get):
    app, _ = world
    body = get(SHO, "/api/v1/mis/pendency?office=PSTRW").get_json()
    assert {r["office"] for r in body["rows"]} <= {"PSTRW"}


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("/api/v1/mis/pendency?office=NOPE", 404, None),
        ("/api/v1/mis/pendency?office=" + "X" * 300, 404, None),
        ("/api/v1/mis/pendency?office=SP%00KNJ", 422, "office"),  # refused before the route
        ("/api/v1/mis/items?report=pendency&desk=SPKNJ-SP%00", 422, "desk"),
        ("/api/v1/mis/items?report=others&held_by=" + "X" * 300, 422, "held_by"),
        ("/api/v1/mis/pendency?office=SPKNJ&as_of=2026-13-40", 422, "as_of"),
        ("/api/v1/mis/pendency?office=SPKNJ&as_of=3000-01-01", 422, "as_of"),
        ("/api/v1/mis/flow?office=SPKNJ&from=2026-05-01&to=2026-01-01", 422, "from"),
        ("/api/v1/mis/flow?office=SPKNJ&from=yesterday", 422, "from"),
        ("/api/v1/mis/flow?office=SPKNJ&from=2001-01-01&to=2026-01-01", 422, "to"),
        ("/api/v1/mis/pendency?office=SPKNJ&format=xls", 422, "format"),
        ("/api/v1/mis/items?report=nope", 422, "report"),
        ("/api/v1/mis/items?report=pendency&bucket=99", 422, "bucket"),
        ("/api/v1/mis/items?report=flow&metric=x", 422, "metric"),
        ("/api/v1/mis/items?report=flow&metric=sent&month=2026-99", 422, "month"),
        ("/api/v1/mis/items?report=pendency&page=0", 422, "page"),
        ("/api/v1/mis/items?report=sla&outcome=x", 422, "outcome"),
    ],
)
def test_bad_input(world, get, query, status, field):
    resp = get(SP, query)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert resp.get_json()["error"]["field"] == field


def test_pages_refuse_like_the_api(world):
    app, _ = world
    client = app.test_client()
    _login(client, SHO)
    assert client.get("/mis/pendency?office=SPKNJ").status_code == 404
    bad = client.get("/mis/flow?office=PSTRW&from=2026-05-01&to=2026-01-01")
    assert bad.status_code == 422
    client = app.test_client()
    _login(client, CLERK)
    assert client.get("/mis/pendency").status_code == 403


def recount_past(conn, code, username, day, state):
    """Per desk code on a past `day`: files and receipts held at its end, by age and overdue,
    worked out here from the raw movement registers (each file's movements in order)."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), IST).astimezone(dt.UTC)
    offices = _subtree(conn, code)
    mine = set(_desk_ids(conn, username))
    desks = dict(
        conn.execute(sa.text(f"SELECT id, code FROM desks WHERE office_id IN {_in(offices)}")).all()
    )
    graded = {
        r[0] for r in conn.execute(sa.text("SELECT id FROM files WHERE security != 'normal'"))
    }
    access = defaultdict(set)
    for fid, did in conn.execute(sa.text("SELECT file_id, desk_id FROM file_access")):
        access[fid].add(did)
    moves = defaultdict(list)
    for fid, _mid, kind, to, at, due in conn.execute(
        sa.text("SELECT file_id, id, kind, to_desk_id, at, due_on FROM movements ORDER BY id")
    ):
        at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        if at < end:
            moves[fid].append((kind, to, at, due))
    held = []  # (desk code, clock, due)
    for fid, ms in moves.items():
        kind, holder = ms[-1][0], ms[-1][1]
        if kind == "closed" or holder not in desks:
            continue
        if fid in graded and not access[fid] & mine:
            continue
        arrivals = [m for m in ms if m[0] in ("created", "sent") and m[1] == holder]
        clock, due = (arrivals[-1][2], arrivals[-1][3]) if arrivals else (None, None)
        held.append(("files", desks[holder], clock, due))
    filed = {
        r[0]: r[1]
        for r in conn.execute(
            sa.text(
                "SELECT receipt_id, min(added_at) FROM correspondence WHERE kind = 'receipt' "
                "GROUP BY receipt_id"
            )
        )
    }
    dak = conn.execute(
        sa.text("SELECT id, status, security, created_at, created_desk_id, due_on FROM receipts")
    ).all()
    marks = defaultdict(list)
    for rid, kind, to, at, due in conn.execute(
        sa.text(
            "SELECT receipt_id, kind, to_desk_id, at, due_on FROM receipt_movements ORDER BY id"
        )
    ):
        at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
        at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
        if at < end and kind != "copy":
            marks[rid].append((kind, to, at, due))
    for rid, status, security, _created, _by, _due in dak:
        if not marks[rid]:
            continue
        if rid in filed:
            when = filed[rid]
            when = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
            if (when if when.tzinfo else when.replace(tzinfo=dt.UTC)) < end:
                continue
        elif status != "open":
            continue  # closed with no time kept (the world closes none through the app)
        kind, holder, _at, due = marks[rid][-1]
        if holder not in desks or (security != "normal" and holder not in mine):
            continue
        arrivals = [m for m in marks[rid] if m[0] in ("diarised", "action") and m[1] == holder]
        held.append(("receipts", desks[holder], arrivals[-1][2], due))
    out = defaultdict(lambda: {"files": 0, "receipts": 0, "age": Counter(), "overdue": 0})
    for kind, desk, clock, due in held:
        row = out[desk]
        row[kind] += 1
        row["age"][_bucket((day - _local(clock)).days)] += 1
        due = dt.date.fromisoformat(due) if isinstance(due, str) else due
        late = due is not None and day > due
        if not late and clock is not None:
            since = _local(clock)
            late = (day - since).days > 7 and _working_days(since, day, state) > 7
        row["overdue"] += late
    return {k: {**v, "age": {b: v["age"][b] for b in queries.AGE_BUCKETS}} for k, v in out.items()}


@pytest.mark.parametrize("days_back", [1, 45])
def test_as_of_rebuilds_the_past(world, get, days_back):
    """A past day's pendency comes from the movement registers: it equals a recount of them."""
    app, _ = world
    state, today = _office_state(app, "SPKNJ")
    day = today - dt.timedelta(days=days_back)
    body = get(SP, f"/api/v1/mis/pendency?office=SPKNJ&as_of={day}").get_json()
    with app.extensions["eoffice.db"].engine.connect() as conn:
        expected = recount_past(conn, "SPKNJ", SP, day, state)
    got = {
        r["desk"]: {k: r[k] for k in ("files", "receipts", "age", "overdue")} for r in body["rows"]
    }
    assert got == expected
    assert sum(r["files"] for r in body["rows"]) > 0
    early = get(SP, "/api/v1/mis/pendency?office=SPKNJ&as_of=2000-01-01").get_json()
    assert early["rows"] == []
