"""Station feedback end to end, on SQLite and PostgreSQL: a visitor's response (Hindi, bad input,
proof-of-work), visit tokens that verify once, grades computed exactly from known inputs (NPS,
CSAT, verified share, complaint SLA, small samples, the grade boundaries), who sees them, the
live stamp, the SP's alerts (start page and a real mail), and the poster's PDF."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import subprocess
import unicodedata
from fractions import Fraction

import pytest
import segno
import sqlalchemy as sa
from PIL import Image

from eoffice.complaints.models import Complaint
from eoffice.core import citizen
from eoffice.core.db import utcnow
from eoffice.feedback import service
from eoffice.feedback.documents import poster_html
from eoffice.feedback.models import Feedback, FeedbackAlert
from eoffice.org.models import Office
from eoffice.org.service import load_org
from eoffice.org.visits import VisitToken, issue_visit_token
from tests.conftest import PASSWORD, Auth, config_for, csrf_from, new_database, start_app
from tests.factories import Caller
from tests.mailserver import SMTPServer
from tests.pow import solve_altcha

citizen.set_cost(8)

STATIONS = ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"]
ORG = {
    "offices": [
        {"code": "RG", "name": "IG Range", "name_hi": "परिक्षेत्र", "kind": "range"},
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "parent": "RG",
        },
        *[
            {
                "code": code,
                "name": f"Thana Kotwali {code}",
                "name_hi": f"थाना कोतवाली {code}",
                "kind": "thana",
                "parent": "KNJ",
            }
            for code in STATIONS
        ],
        {"code": "OTH", "name": "Other District", "kind": "district"},
        {"code": "OPS", "name": "Other Thana", "kind": "thana", "parent": "OTH"},
    ],
    "desks": [
        {"code": "RG-IG", "title": "IG", "office": "RG"},
        {"code": "RG-INSP", "title": "Inspection", "office": "RG"},
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ", "reports_to": "RG-IG"},
        {"code": "KNJ-HC", "title": "Head Clerk", "office": "KNJ", "reports_to": "KNJ-SP"},
        *[
            {"code": f"{c}-SHO", "title": f"SHO {c}", "office": c, "reports_to": "KNJ-SP"}
            for c in STATIONS
        ],
        {"code": "OTH-SP", "title": "SP Other", "office": "OTH"},
        {"code": "OPS-SHO", "title": "SHO Other", "office": "OPS", "reports_to": "OTH-SP"},
    ],
    "users": [
        {"username": u, "name": u, "password": PASSWORD, "roles": r, "desks": d}
        for u, r, d in [
            ("ig", ["officer"], ["RG-IG"]),
            ("inspector", ["auditor"], ["RG-INSP"]),
            ("sp", ["officer"], ["KNJ-SP"]),
            ("clerk", ["clerk"], ["KNJ-HC"]),
            ("sho", ["officer"], ["T1-SHO"]),
            ("osp", ["officer"], ["OTH-SP"]),
            ("admin", ["admin"], []),
        ]
    ],
}
GOOD = {"behaviour": 5, "responsiveness": 5, "cleanliness": 5}
BAD = {"behaviour": 1, "responsiveness": 1, "cleanliness": 1}


class World:
    def __init__(self, app, smtp):
        self.app, self.smtp = app, smtp
        self._tokens: dict[str, dict] = {}

    def client(self):
        return self.app.test_client()

    def api(self, username: str) -> Caller:
        if username not in self._tokens:
            resp = self.client().post(
                "/api/v1/token", json={"username": username, "password": PASSWORD}
            )
            self._tokens[username] = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        return Caller(self.client(), self._tokens[username])

    def session(self):
        return self.app.extensions["eoffice.db"].sessionmaker()

    def post(self, office: str, ratings=GOOD, recommend=10, **extra):
        client = self.client()
        body = {"office": office, "ratings": ratings, "recommend": recommend, **extra}
        body.setdefault("altcha", solve_altcha(client))
        return client.post("/api/v1/public/feedback", json=body)

    def posted(self, *args, **kw) -> dict:
        resp = self.post(*args, **kw)
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def grades(self, username="ig", **args) -> dict:
        resp = self.api(username).get("/api/v1/feedback/grades", query_string=args)
        assert resp.status_code == 200, resp.get_json()
        return {r["office"]: r for r in resp.get_json()["rows"]}


@pytest.fixture(scope="module")
def world(s3_server, migrated_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback")
    smtp = SMTPServer().start()
    org = copy.deepcopy(ORG)
    app = start_app(
        {
            **config_for(new_database(migrated_template, folder), s3_server, folder),
            **smtp.config(),
            "PUBLIC_URL": "https://police.example",
        }
    )
    try:
        with app.extensions["eoffice.db"].sessionmaker() as session:
            load_org(session, org)
            session.execute(
                sa.text("UPDATE users SET email = 'sp.kannauj@example.org' WHERE username = 'sp'")
            )
            session.commit()
        yield World(app, smtp)
    finally:
        app.extensions["eoffice.db"].dispose()
        smtp.stop()


def run_jobs(world) -> int:
    return world.app.extensions["eoffice.jobs"].run_due()


# --- the rule, exactly (no database) --------------------------------------------------------------


def stats(n=10, promoters=10, detractors=0, satisfied=10, bribes=0, sla=(0, 0)) -> service.Stats:
    return service.Stats(
        responses=n,
        promoters=promoters,
        detractors=detractors,
        satisfied=dict.fromkeys(service.DIMENSIONS, satisfied),
        bribes=bribes,
        sla_met=sla[0],
        sla_due=sla[1],
    )


@pytest.mark.once
def test_grade_boundaries():
    # A at its very edges: NPS 50, CSAT 80 % in every dimension, no bribe, SLA 90 %
    edge = stats(promoters=6, detractors=1, satisfied=8, sla=(9, 10))
    assert edge.nps == 50 and edge.csat("behaviour") == 80 and edge.grade == "A"
    assert stats(promoters=6, detractors=1, satisfied=8, sla=(8, 10)).grade == "B"  # SLA 80
    assert stats(n=20, promoters=12, detractors=3, satisfied=16).nps == 45  # below 50
    assert stats(n=20, promoters=12, detractors=3, satisfied=16).grade == "B"
    assert stats(satisfied=7).grade == "B"  # CSAT 70 %
    assert stats(bribes=1).grade == "C"  # 10 %: more than B's 5 %
    assert stats(n=20, bribes=1, satisfied=20, promoters=20).grade == "B"  # 5 %
    assert stats(n=20, bribes=3, satisfied=20, promoters=20).grade == "D"  # 15 %
    # C's edges: NPS -20, CSAT 40 %, SLA 50 %
    c = stats(promoters=2, detractors=4, satisfied=4, sla=(1, 2))
    assert c.nps == -20 and c.grade == "C"
    assert stats(promoters=1, detractors=4, satisfied=4).grade == "D"  # NPS -30
    assert stats(promoters=2, detractors=4, satisfied=3).grade == "D"  # CSAT 30 %
    assert stats(promoters=2, detractors=4, satisfied=4, sla=(1, 3)).grade == "D"  # SLA 33 %
    # no complaint due: not held against the station
    assert stats(sla=(0, 0)).sla is None and stats().grade == "A"
    # fewer than 10 responses: not graded
    small = stats(n=9, promoters=9, satisfied=9)
    assert small.small_sample and small.grade is None
    assert stats(n=0, promoters=0, satisfied=0).nps is None


# --- a visitor's response -------------------------------------------------------------------------


def test_feedback_in_hindi_is_kept_as_typed_and_nothing_else(world):
    text = "थाने में व्यवहार अच्छा था, पर प्रतीक्षा लंबी थी। क़तार में 2 घंटे।"
    out = world.posted(
        "T8",
        ratings={"behaviour": 4, "responsiveness": 2, "cleanliness": 3},
        recommend=7,
        bribe_asked=False,
        text=text,
        name="सुनीता देवी",
        mobile="98765 43210",
        language="hi",
    )
    assert out["verified"] is False and out["office"] == "T8"
    with world.session() as s:
        row = s.get(Feedback, out["id"])
        assert (row.text, row.name, row.mobile) == (text, "सुनीता देवी", "9876543210")
        assert (row.behaviour, row.responsiveness, row.cleanliness, row.recommend) == (4, 2, 3, 7)
        assert row.bribe_asked is False
        # the per-address counter is a keyed hash of the address, never the address
        keys = s.execute(sa.text("SELECT key FROM rate_limits")).scalars().all()
        assert keys and not any("127.0.0.1" in k for k in keys)
    assert set(Feedback.__table__.columns.keys()) == {
        "id", "office_id", "created_at", "behaviour", "responsiveness", "cleanliness",
        "recommend", "bribe_asked", "text", "name", "mobile", "language", "verified",
    }  # fmt: skip


@pytest.mark.parametrize(
    "change, status, field",
    [
        ({"ratings": {**GOOD, "behaviour": 6}}, 422, "ratings.behaviour"),
        ({"ratings": {**GOOD, "cleanliness": 0}}, 422, "ratings.cleanliness"),
        ({"ratings": {"behaviour": 5, "responsiveness": 5}}, 422, "ratings.cleanliness"),
        ({"recommend": 11}, 422, "recommend"),
        ({"recommend": -1}, 422, "recommend"),
        ({"recommend": "दस"}, 422, "recommend"),
        ({"bribe_asked": "शायद"}, 422, "bribe_asked"),
        ({"mobile": "12345"}, 422, "mobile"),
        ({"text": "क" * 4001}, 422, "text"),
        ({"visit_token": "X" * 41}, 422, "visit_token"),
        ({"office": "NOPE"}, 404, None),
        ({"office": "थाना"}, 404, None),
        ({"altcha": None}, 422, "altcha"),
        ({"altcha": "not a solution"}, 422, "altcha"),
    ],
)
def test_bad_input_is_a_clear_4xx(world, change, status, field):
    body = {"office": "T8", "ratings": GOOD, "recommend": 9, **change}
    client = world.client()
    if "altcha" not in change:
        body["altcha"] = solve_altcha(client)
    resp = client.post("/api/v1/public/feedback", json=body)
    assert resp.status_code == status, resp.get_json()
    error = resp.get_json()["error"]
    if field:
        assert field in error["message"] or error.get("field") == field, error


def test_not_json_is_415_and_a_spent_solution_is_refused(world):
    client = world.client()
    resp = client.post("/api/v1/public/feedback", data="office=T8", content_type="text/plain")
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_media_type"
    altcha = solve_altcha(client)
    assert world.post("T8", altcha=altcha).status_code == 201
    again = world.post("T8", altcha=altcha)
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "altcha_invalid"


def test_a_visit_token_verifies_once(world):
    key = world.app.config["CITIZEN_KEY"]
    with world.session() as s:
        t3 = s.scalar(sa.select(Office.id).where(Office.code == "T3"))
        token = issue_visit_token(s, key, t3, "complaint", "KNJ/C/2026/900001")
        other = issue_visit_token(s, key, t3, "complaint", "KNJ/C/2026/900002")
        s.commit()
    assert world.posted("T3", visit_token=token)["verified"] is True
    # the same token again (even typed in lower case): counted, but not as a verified visit
    assert world.posted("T3", visit_token=token.lower())["verified"] is False
    # a token of another station, or a mistyped one, verifies nothing either
    assert world.posted("T7", visit_token=other)["verified"] is False
    assert world.posted("T3", visit_token="ABCD-EFGH-JKMN")["verified"] is False
    assert world.posted("T3", visit_token=other.replace("-", " "))["verified"] is True
    row = world.grades()["T3"]
    assert (row["responses"], row["verified"], row["verified_share"]) == (4, 2, 50.0)
    assert world.grades()["T7"]["verified"] == 0
    # a used token keeps the day, not the moment: it cannot be matched to its response's time
    with world.session() as s:
        used = s.scalars(sa.select(VisitToken.used_at).where(VisitToken.office_id == t3)).all()
    assert len(used) == 2 and all(u.time() == dt.time() for u in used)


# --- grades ---------------------------------------------------------------------------------------


def test_grades_are_computed_exactly(world):
    # T1: ten responses; promoters 9, 10, 10, 9; passives 7, 8; detractors 6, 0, 3, 5
    recommends = [9, 10, 10, 9, 7, 8, 6, 0, 3, 5]
    behaviour = [5, 5, 4, 4, 4, 3, 5, 4, 4, 4]  # 9 of 10 at 4+
    responsiveness = [5, 4, 4, 3, 3, 3, 5, 4, 4, 2]  # 6 of 10
    cleanliness = [1, 2, 3, 4, 5, 5, 5, 5, 4, 4]  # 7 of 10
    for i, rec in enumerate(recommends):
        ratings = {
            "behaviour": behaviour[i],
            "responsiveness": responsiveness[i],
            "cleanliness": cleanliness[i],
        }
        world.posted("T1", ratings=ratings, recommend=rec, bribe_asked=None if i else False)
    # T2: nine responses, all perfect: a small sample, flagged and not graded
    for _ in range(9):
        world.posted("T2")
    rows = world.grades(office="KNJ")
    t1 = rows["T1"]
    assert t1["responses"] == 10 and t1["verified"] == 0 and t1["verified_share"] == 0.0
    assert t1["nps"] == 0.0  # 40 % promoters − 40 % detractors
    assert t1["csat"] == {"behaviour": 90.0, "responsiveness": 60.0, "cleanliness": 70.0}
    assert t1["stars"]["behaviour"] == float(round(Fraction(42, 10), 2))
    assert t1["bribe_reports"] == 0 and t1["complaint_sla_met"] is None
    assert t1["grade"] == "C" and t1["small_sample"] is False  # NPS 0 < 20
    t2 = rows["T2"]
    assert t2["small_sample"] is True and t2["grade"] is None and t2["nps"] == 100.0
    # every station under the office appears, one without feedback too; none from elsewhere
    assert set(STATIONS) <= set(rows) and "OPS" not in rows
    # a period before any response: nothing counted
    old = world.grades(office="KNJ", **{"from": "2020-01-01", "to": "2020-01-31"})
    assert old["T1"]["responses"] == 0 and old["T1"]["nps"] is None
    # one station as the office
    assert list(world.grades(office="T1")) == ["T1"]
    # sorted by grade (graded first), by NPS on request
    api = world.api("ig")
    codes = [r["office"] for r in api.get("/api/v1/feedback/grades?sort=nps").get_json()["rows"]]
    assert codes.index("T2") < codes.index("T1")


def test_complaint_sla_comes_from_the_complaints(world):
    body = {
        "district": "KNJ",
        "station": "T4",
        "category": "theft",
        "description": "साइकिल चोरी",
        "complainant": {"name": "रमेश", "mobile": "9876543210"},
    }
    numbers = []
    for _ in range(3):
        resp = world.client().post("/api/v1/public/complaints", json=body)
        assert resp.status_code == 201, resp.get_json()
        numbers.append(resp.get_json()["number"])
    today = dt.date.today()
    with world.session() as s:
        met, missed, not_yet = (
            s.scalars(sa.select(Complaint).where(Complaint.number == n)).one() for n in numbers
        )
        met.due_on, met.action_report = today - dt.timedelta(days=2), "कार्यवाही की गई"
        met.action_report_at = utcnow() - dt.timedelta(days=4)
        met.status = "action_reported"
        missed.due_on = today - dt.timedelta(days=2)  # no report: missed
        not_yet.due_on = today + dt.timedelta(days=10)  # not due yet: not counted
        s.commit()
    row = world.grades(office="KNJ")["T4"]
    assert (row["complaint_sla_met"], row["complaints_due"]) == (50.0, 2)


def test_who_sees_grades(world):
    assert set(world.grades("ig")) >= set(STATIONS)  # the range's IG: every station under it
    assert set(world.grades("inspector", office="KNJ")) >= set(STATIONS)  # its auditor
    assert list(world.grades("sho")) == ["T1"]  # an SHO: their own station
    for username, office in [("osp", "KNJ"), ("sho", "T2"), ("ig", "OTH"), ("ig", "NOPE")]:
        resp = world.api(username).get(f"/api/v1/feedback/grades?office={office}")
        assert resp.status_code == 404, (username, office)
    assert world.api("clerk").get("/api/v1/feedback/grades").status_code == 403
    assert world.api("admin").get("/api/v1/feedback/grades").status_code == 403
    assert world.client().get("/api/v1/feedback/grades").status_code == 401
    for args in ["from=2026-13-01", "to=yesterday", "from=2026-12-02&to=2026-12-01", "sort=x"]:
        resp = world.api("ig").get(f"/api/v1/feedback/grades?{args}")
        assert resp.status_code == 422, args


def test_the_grade_page_updates_live(world):
    client = world.client()
    assert Auth(client).login("ig").status_code == 302
    page = client.get("/feedback/grades?office=KNJ")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="grade-rule"' in html and "feedback.js" in html
    stamp = client.get("/feedback/grades/stamp?office=KNJ").get_json()["stamp"]
    assert f'data-stamp="{stamp}"' in html
    before = world.grades(office="T5")["T5"]["responses"]
    world.posted("T5", recommend=8)
    after = client.get("/feedback/grades/stamp?office=KNJ").get_json()["stamp"]
    assert after != stamp
    rows = client.get("/feedback/grades?office=KNJ&part=rows").get_data(as_text=True)
    assert rows.lstrip().startswith("<div") and f'data-stamp="{after}"' in rows
    assert "<html" not in rows and world.grades(office="T5")["T5"]["responses"] == before + 1
    # the other district's SP polls nothing of this range
    other = world.client()
    assert Auth(other).login("osp").status_code == 302
    assert other.get("/feedback/grades/stamp?office=KNJ").status_code == 404
    assert other.get("/feedback/grades?office=KNJ").status_code == 404
    assert other.get("/feedback/offices/T5").status_code == 404
    # a bad date on the page: the page says so, in Hindi
    client.post("/language", data={"lang": "hi", "csrf_token": csrf_from(html)})
    bad = client.get("/feedback/grades?office=KNJ&from=kal")
    assert bad.status_code == 422 and "थाना" in bad.get_data(as_text=True)


# --- alerts to the SP -----------------------------------------------------------------------------


def test_a_bribe_report_alerts_the_sp(world):
    world.smtp.messages.clear()
    out = world.posted("T5", ratings=BAD, recommend=0, bribe_asked=True, text="पैसे माँगे")
    with world.session() as s:
        alert = s.scalars(sa.select(FeedbackAlert).where(FeedbackAlert.feedback_id == out["id"]))
        alert = alert.one()
        assert alert.kind == "bribe" and alert.office.code == "T5"
    run_jobs(world)
    (mail,) = [m for m in world.smtp.messages if "sp.kannauj@example.org" in m["To"]]
    assert "Bribe reported" in mail["Subject"] and "Thana Kotwali T5" in mail["Subject"]
    assert "/feedback/offices/T5" in mail.get_content()
    # the SP's start page shows it; the SHO's does not
    sp = world.client()
    assert Auth(sp).login("sp").status_code == 302
    home = sp.get("/").get_data(as_text=True)
    assert 'id="feedback-alerts"' in home and "/feedback/offices/T5" in home
    sho = world.client()
    assert Auth(sho).login("sho").status_code == 302
    assert 'id="feedback-alerts"' not in sho.get("/").get_data(as_text=True)
    # the office's page lists the response for the SP
    page = sp.get("/feedback/offices/T5").get_data(as_text=True)
    assert "पैसे माँगे" in page and 'id="poster-link"' in page


def test_a_grade_falling_two_steps_alerts_the_sp_once(world):
    def drops():
        with world.session() as s:
            return s.scalars(
                sa.select(FeedbackAlert.grade_from + FeedbackAlert.grade_to).where(
                    FeedbackAlert.kind == "grade_drop",
                    FeedbackAlert.office_id
                    == sa.select(Office.id).where(Office.code == "T6").scalar_subquery(),
                )
            ).all()

    world.smtp.messages.clear()
    for _ in range(10):
        world.posted("T6")
    assert world.grades(office="T6")["T6"]["grade"] == "A" and drops() == []
    for _ in range(3):  # 10 promoters, 3 detractors: B, one step down
        world.posted("T6", ratings=BAD, recommend=0)
    assert world.grades(office="T6")["T6"]["grade"] == "B" and drops() == []
    for _ in range(4):  # 7 detractors: NPS 17.6, CSAT 58.8: C, two steps below A
        world.posted("T6", ratings=BAD, recommend=0)
    assert world.grades(office="T6")["T6"]["grade"] == "C" and drops() == ["AC"]
    for _ in range(9):  # 16 detractors: D, one step below C: no new alert
        world.posted("T6", ratings=BAD, recommend=0)
    assert world.grades(office="T6")["T6"]["grade"] == "D" and drops() == ["AC"]
    run_jobs(world)
    subjects = [m["Subject"] for m in world.smtp.messages]
    assert sum("Station grade fell" in s and "A → C" in s for s in subjects) == 1


# --- the poster -----------------------------------------------------------------------------------


def letters(text: str) -> str:
    """Text without spaces and Devanagari's combining signs (matras, virama, nukta)."""
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) not in ("Mn", "Mc")
    )


def qr_matches(png: bytes, url: str) -> bool:
    """The page's largest square of QR modules reads as segno's code of `url`."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    rows = [y for y in range(height) if any(pixels[x, y] < 100 for x in range(width))]
    # blocks of rows with ink, split at light gaps: the QR is the tallest (text lines are low)
    blocks, start = [], rows[0]
    for prev, y in zip(rows, rows[1:], strict=False):
        if y - prev > 12:
            blocks.append((start, prev))
            start = y
    blocks.append((start, rows[-1]))
    y0, y1 = max(blocks, key=lambda b: b[1] - b[0])
    xs = [x for x in range(width) for y in range(y0, y1 + 1, 2) if pixels[x, y] < 100]
    x0, x1 = min(xs), max(xs)
    matrix = segno.make(url, error="m", micro=False).matrix
    n = len(matrix)  # modules of the symbol (segno's matrix has no quiet zone)
    if abs((x1 - x0) - (y1 - y0)) > 3 * (x1 - x0) / n:
        return False
    step = (x1 - x0 + 1) / n
    wrong = 0
    for row in range(n):
        for col in range(n):
            x, y = int(x0 + (col + 0.5) * step), int(y0 + (row + 0.5) * step)
            wrong += (pixels[x, y] < 128) != bool(matrix[row][col])
    return wrong <= n * n * 0.02


def test_the_poster_is_bilingual_with_the_forms_qr(world, tmp_path):
    resp = world.api("sp").get("/api/v1/offices/T1/feedback-poster.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "feedback-poster-T1.pdf" in resp.headers["Content-Disposition"]
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(resp.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # English comes back whole; Devanagari comes back with its vowel signs in visual order
    # (WeasyPrint's glyph map: कोतवाली reads कोतवालिी), so the Hindi name is compared by its
    # letters without the signs, and exactly in the HTML the PDF was made from
    assert "Thana Kotwali T1" in text
    assert letters("थाना कोतवाली T1") in letters(text)
    with world.session() as s:
        office = s.scalars(sa.select(Office).where(Office.code == "T1")).one()
        assert "थाना कोतवाली T1" in poster_html(office, "https://police.example/c/feedback/T1")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "Noto-Sans-Devanagari" in fonts.stdout
    assert "https://police.example/c/feedback/T1" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M) and "595.276 x 841.89" in info.stdout
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = (tmp_path / "page.png").read_bytes()
    assert qr_matches(png, "https://police.example/c/feedback/T1")
    # an administrator prints any office's; the page route serves the same poster
    assert world.api("admin").get("/api/v1/offices/OPS/feedback-poster.pdf").status_code == 200
    admin = world.client()
    assert Auth(admin).login("admin").status_code == 302
    assert admin.get("/feedback/offices/T1/poster.pdf").mimetype == "application/pdf"
    assert "/feedback/offices/T1/poster.pdf" in admin.get("/admin/").get_data(as_text=True)
    # an officer outside the office's jurisdiction, a clerk, an unknown office
    assert world.api("osp").get("/api/v1/offices/T1/feedback-poster.pdf").status_code == 404
    assert world.api("clerk").get("/api/v1/offices/T1/feedback-poster.pdf").status_code == 403
    assert world.api("sp").get("/api/v1/offices/NOPE/feedback-poster.pdf").status_code == 404


# --- the visitor's page (no JavaScript) -----------------------------------------------------------


def test_the_form_works_without_javascript(world):
    client = world.client()
    page = client.get("/c/feedback/T7?v=ABCD-EFGH-JKMN")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="hi"' in html
    assert "थाना कोतवाली T7" in html and 'value="ABCD-EFGH-JKMN"' in html
    assert len(page.data) < 100_000
    assert client.get("/c/feedback/NOPE").status_code == 404
    token = csrf_from(html)
    altcha = html.split('name="altcha" value="', 1)[1].split('"', 1)[0]
    form = {
        "csrf_token": token,
        "altcha": altcha,
        "behaviour": "4",
        "responsiveness": "5",
        "cleanliness": "3",
        "recommend": "9",
        "bribe": "unsaid",
        "text": "अच्छा अनुभव",
        "visit_token": "",
    }
    # a missing rating: the form again, with the message in Hindi and what was typed kept
    bad = client.post("/c/feedback/T7", data={**form, "behaviour": ""})
    bad_html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "अच्छा अनुभव" in bad_html and 'id="first-error"' in bad_html
    assert client.post("/c/feedback/T7", data={**form, "recommend": "11"}).status_code == 422
    done = client.post("/c/feedback/T7", data=form)
    assert done.status_code == 201, done.get_data(as_text=True)
    assert 'id="thanks"' in done.get_data(as_text=True)
    with world.session() as s:
        row = s.scalars(sa.select(Feedback).order_by(Feedback.id.desc()).limit(1)).one()
        assert (row.behaviour, row.recommend, row.bribe_asked, row.text) == (
            4,
            9,
            None,
            "अच्छा अनुभव",
        )
        assert row.office.code == "T7" and row.language == "hi"
