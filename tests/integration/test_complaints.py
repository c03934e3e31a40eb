"""Complaints end to end through the JSON API, on SQLite and PostgreSQL: registration with its
copy and mail, the enquiry e-file, the clock and every escalation step, pendency against a
recount in SQL, tracking with the key (a wrong key is a missing number), the answer and the
appeal, and an officer of another district seeing nothing."""

from __future__ import annotations

import copy
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from eoffice.audit.models import AuditEvent
from eoffice.complaints import service
from eoffice.complaints.models import Complaint, ComplaintEvent
from eoffice.core import citizen
from eoffice.core.db import utcnow
from eoffice.core.jobs import Job
from eoffice.files.models import Correspondence, File
from eoffice.org.service import load_org
from eoffice.receipts.models import Receipt
from tests.conftest import PASSWORD, start_app
from tests.factories import Caller
from tests.mailserver import sms_gateway, smtp_server

__all__ = ["sms_gateway", "smtp_server"]  # fixtures

citizen.set_cost(8)  # still scrypt, cheap enough for the suite

LADDER_ORG = {
    "offices": [
        {"code": "ZN", "name": "ADG Zone", "name_hi": "अपर पुलिस महानिदेशक ज़ोन", "kind": "zone"},
        {"code": "RG", "name": "IG Range", "name_hi": "परिक्षेत्र", "kind": "range", "parent": "ZN"},
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "parent": "RG",
            "routing_desk": "KNJ-CR",
        },
        {
            "code": "CIR",
            "name": "Circle City",
            "name_hi": "क्षेत्राधिकारी नगर",
            "kind": "circle",
            "parent": "KNJ",
        },
        {
            "code": "PS",
            "name": "Thana Kotwali",
            "name_hi": "थाना कोतवाली",
            "kind": "thana",
            "parent": "CIR",
        },
        {
            "code": "PS2",
            "name": "Thana Tirwa",
            "name_hi": "थाना तिर्वा",
            "kind": "thana",
            "parent": "KNJ",
        },
        {"code": "OTH", "name": "Other District", "kind": "district", "parent": "RG"},
        {"code": "OPS", "name": "Other Thana", "kind": "thana", "parent": "OTH"},
    ],
    "desks": [
        {"code": "ZN-ADGP", "title": "ADGP", "office": "ZN"},
        {"code": "RG-IG", "title": "IG", "office": "RG", "reports_to": "ZN-ADGP"},
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ", "reports_to": "RG-IG"},
        {"code": "KNJ-CR", "title": "Control Room", "office": "KNJ", "reports_to": "KNJ-SP"},
        {"code": "CIR-CO", "title": "CO City", "office": "CIR", "reports_to": "KNJ-SP"},
        {"code": "PS-SHO", "title": "SHO Kotwali", "office": "PS", "reports_to": "CIR-CO"},
        {"code": "PS-SI1", "title": "SI One", "office": "PS", "reports_to": "PS-SHO"},
        {"code": "PS-HM", "title": "Head Moharrir", "office": "PS", "reports_to": "PS-SHO"},
        {"code": "PS2-SHO", "title": "SHO Tirwa", "office": "PS2", "reports_to": "KNJ-SP"},
        {"code": "OTH-SP", "title": "SP Other", "office": "OTH", "reports_to": "RG-IG"},
        {"code": "OPS-SHO", "title": "SHO Other", "office": "OPS", "reports_to": "OTH-SP"},
    ],
    "users": [
        {"username": u, "name": u, "password": PASSWORD, "roles": [r], "desks": [d]}
        for u, r, d in [
            ("adgp", "officer", "ZN-ADGP"),
            ("ig", "officer", "RG-IG"),
            ("sp", "officer", "KNJ-SP"),
            ("cr", "clerk", "KNJ-CR"),
            ("circle.officer", "officer", "CIR-CO"),
            ("sho", "officer", "PS-SHO"),
            ("si", "officer", "PS-SI1"),
            ("hm", "clerk", "PS-HM"),
            ("sho2", "officer", "PS2-SHO"),
            ("osp", "officer", "OTH-SP"),
        ]
    ],
}

BODY = {
    "district": "KNJ",
    "station": "PS",
    "category": "theft",
    "description": "मेरी मोटरसाइकिल बाज़ार से चोरी हो गई। / My motorcycle was stolen.",
    "incident": {"at": "2026-11-30T18:30:00+05:30", "place": "गांधी बाज़ार"},
    "complainant": {
        "name": "सुनीता देवी",
        "mobile": "98765 43210",
        "email": "sunita@example.org",
        "address": "मोहल्ला क़ाज़ी टोला, कन्नौज",
    },
    "language": "hi",
}


@pytest.fixture
def capp(app_config, smtp_server, sms_gateway):
    app = start_app(
        {
            **app_config,
            **smtp_server.config(),
            **sms_gateway.config(),
            "PUBLIC_RATE_LIMIT": "1000 per minute",
            "PUBLIC_URL": "https://police.example",
        }
    )
    with app.extensions["eoffice.db"].sessionmaker() as session:
        load_org(session, copy.deepcopy(LADDER_ORG))
        session.commit()
    yield app
    app.extensions["eoffice.db"].dispose()


@pytest.fixture
def cdb(capp):
    session = capp.extensions["eoffice.db"].sessionmaker()
    yield session
    session.close()


@pytest.fixture
def as_user(capp):
    client = capp.test_client()
    tokens = {}

    def caller(username: str) -> Caller:
        if username not in tokens:
            resp = client.post("/api/v1/token", json={"username": username, "password": PASSWORD})
            tokens[username] = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        return Caller(client, tokens[username])

    return caller


def register(capp, **over) -> dict:
    resp = capp.test_client().post("/api/v1/public/complaints", json={**BODY, **over})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def public(capp, number, key, suffix="", method="get", **kw):
    client = capp.test_client()
    return getattr(client, method)(
        f"/api/v1/public/complaints/{number}{suffix}", headers={"X-Tracking-Key": key}, **kw
    )


def cid(cdb, number) -> int:
    cdb.rollback()
    return cdb.scalar(sa.select(Complaint.id).where(Complaint.number == number))


def run_jobs(capp, now=None) -> int:
    return capp.extensions["eoffice.jobs"].run_due(now=now)


def test_registration_gives_number_key_copy_mail_and_sms(capp, cdb, smtp_server, sms_gateway):
    reg = register(capp)
    assert reg["number"].startswith("KNJ/C/") and reg["status"] == "registered"
    assert len(citizen.normalise_secret(reg["tracking_key"])) == 20  # 100 bits
    due = dt.date.fromisoformat(reg["due_on"])
    assert due - dt.date.today() in (dt.timedelta(days=15), dt.timedelta(days=14))
    assert reg["verify_url"].startswith("https://police.example/verify/" + reg["number"] + "?c=")
    # the complaint is a receipt at the station's head desk, carrying its number
    cdb.rollback()
    complaint = cdb.scalars(sa.select(Complaint).where(Complaint.number == reg["number"])).one()
    receipt = cdb.get(Receipt, complaint.receipt_id)
    assert receipt.mode == "portal" and receipt.letter_number == reg["number"]
    assert receipt.holder.code == "PS-SHO" and receipt.created_by_id is None
    assert complaint.description == BODY["description"]  # Hindi round-trips
    # the copy at once
    pdf = public(capp, reg["number"], reg["tracking_key"], "/acknowledgement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert reg["number"] in text and reg["visit_token"] in text
    assert "police.example/verify/" in text.replace("\n", "")
    # and the station feedback form's link with the visit token in it (a verified visit)
    assert f"police.example/c/feedback/PS?v={reg['visit_token']}" in text.replace("\n", "")
    assert reg["tracking_key"] not in text  # the key is never printed
    # nothing is sent until the transaction's jobs run; then the mail and the SMS go
    assert smtp_server.messages == []
    run_jobs(capp)
    (mail,) = smtp_server.messages
    assert mail["To"] == "sunita@example.org" and reg["number"] in mail["Subject"]
    assert "शिकायत" in mail.get_body(("plain",)).get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert reg["number"] in PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    (sms,) = sms_gateway.posts
    assert sms["to"] == "+919876543210" and reg["number"] in sms["text"]


def test_a_rolled_back_registration_sends_nothing(capp, cdb, smtp_server):
    with capp.test_request_context():
        from eoffice.web.session import get_session

        session = get_session()
        service.register(session, service.Settings.of(capp.config), copy.deepcopy(BODY))
        session.rollback()
    run_jobs(capp)
    assert smtp_server.messages == []
    cdb.rollback()
    assert cdb.scalar(sa.select(sa.func.count(Job.id)).where(Job.name == "mail.send")) == 0
    cdb.rollback()
    assert cdb.scalar(sa.select(sa.func.count(Complaint.id))) == 0


@pytest.mark.parametrize(
    "over, field",
    [
        ({"district": "NOPE"}, "district"),
        ({"station": "OPS"}, "station"),  # a station of another district
        ({"category": "murder"}, "category"),
        ({"description": ""}, "description"),
        ({"incident": {"at": "1899-12-31T10:00:00+05:30"}}, "incident.at"),
        ({"incident": {"at": "2999-01-01T10:00:00+05:30"}}, "incident.at"),
        ({"complainant": {"name": "क", "mobile": "12345"}}, "complainant.mobile"),
        (
            {"complainant": {"name": "क", "mobile": "9876543210", "email": "x@"}},
            "complainant.email",
        ),
        ({"complainant": {"mobile": "9876543210"}}, "complainant.name"),
    ],
)
def test_bad_registrations_name_the_field(capp, cdb, over, field):
    resp = capp.test_client().post("/api/v1/public/complaints", json={**BODY, **over})
    assert resp.status_code == 422, resp.get_json()
    assert field.split(".")[0] in resp.get_json()["error"]["message"]
    cdb.rollback()
    assert cdb.scalar(sa.select(sa.func.count(Complaint.id))) == 0


def test_a_body_that_is_not_json_is_415(capp):
    resp = capp.test_client().post(
        "/api/v1/public/complaints", data="district=KNJ", content_type="text/plain"
    )
    assert resp.status_code == 415


def test_without_a_station_it_goes_to_the_routing_desk(capp, cdb, as_user):
    reg = register(capp, station=None)
    complaint_id = cid(cdb, reg["number"])
    cr = as_user("cr")
    shown = cr.get(f"/api/v1/complaints/{complaint_id}").get_json()
    assert shown["level"] == "district" and shown["level_desk"] == "KNJ-CR"
    bad = cr.post(f"/api/v1/complaints/{complaint_id}/route", {"station": "OPS"})
    assert bad.status_code == 422
    routed = cr.post(f"/api/v1/complaints/{complaint_id}/route", {"station": "PS2"})
    assert routed.status_code == 200, routed.get_json()
    assert routed.get_json()["office"] == "PS2" and routed.get_json()["level_desk"] == "PS2-SHO"
    cdb.rollback()
    receipt = cdb.get(Receipt, cdb.get(Complaint, complaint_id).receipt_id)
    assert receipt.holder.code == "PS2-SHO"


def test_counter_registration_by_a_clerk(capp, cdb, as_user):
    resp = as_user("hm").post("/api/v1/complaints", BODY)
    assert resp.status_code == 201, resp.get_json()
    cdb.rollback()
    complaint = cdb.scalars(sa.select(Complaint)).one()
    receipt = cdb.get(Receipt, complaint.receipt_id)
    assert complaint.channel == "counter" and receipt.mode == "counter"
    assert receipt.created_desk.code == "PS-HM" and receipt.holder.code == "PS-SHO"
    # a citizen on the portal cannot use the counter's route
    assert capp.test_client().post("/api/v1/complaints", json=BODY).status_code == 401


def test_the_whole_path_assign_report_appeal_decide(capp, cdb, as_user, smtp_server):
    reg = register(capp)
    number, key = reg["number"], reg["tracking_key"]
    complaint_id = cid(cdb, number)
    # the IO cannot be assigned by the IO, nor by another district's officer
    assert (
        as_user("si")
        .post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
        .status_code
        == 403
    )
    assert (
        as_user("osp")
        .post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
        .status_code
        == 404
    )
    bad = as_user("sho").post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS2-SHO"})
    assert bad.status_code == 422
    done = as_user("sho").post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["status"] == "assigned" and body["io"] == "PS-SI1" and body["level"] == "io"
    # the enquiry e-file: on the IO's desk, the complaint's receipt as C/1
    cdb.rollback()
    file = cdb.get(File, body["file_id"])
    assert file.holder.code == "PS-SI1"
    c1 = cdb.scalars(sa.select(Correspondence).where(Correspondence.file_id == file.id)).one()
    assert c1.page == 1 and c1.receipt_id == body["receipt_id"]
    si = as_user("si")
    assert si.get(f"/api/v1/files/{file.id}").status_code == 200
    note = si.post(f"/api/v1/files/{file.id}/notes", {"text": "मौके पर जांच की गई। आंतरिक टिप्पणी"})
    assert note.status_code == 201, note.get_json()
    assert (
        si.post(f"/api/v1/complaints/{complaint_id}/interim", {"text": "जांच जारी है"}).status_code
        == 200
    )
    # before a report there is nothing to answer, and nothing to close
    early = public(capp, number, key, "/feedback", "post", json={"satisfied": True})
    assert early.status_code == 409
    assert (
        as_user("sho")
        .post(f"/api/v1/complaints/{complaint_id}/close", {"remarks": "x"})
        .status_code
        == 409
    )
    rep = si.post(
        f"/api/v1/complaints/{complaint_id}/action-report", {"text": "मोटरसाइकिल बरामद कर ली गई।"}
    )
    assert rep.status_code == 200 and rep.get_json()["status"] == "action_reported"
    # the complainant reads it: history and report, never the internal note or officers' desks
    seen = public(capp, number, key).get_json()
    assert seen["status"] == "action_reported" and seen["days_left"] is None
    assert seen["action_report"]["text"] == "मोटरसाइकिल बरामद कर ली गई।"
    assert [h["kind"] for h in seen["history"]] == [
        "registered",
        "assigned",
        "interim",
        "action_report",
    ]
    raw = public(capp, number, key).get_data(as_text=True)
    assert (
        "आंतरिक" not in raw
        and "PS-SI1" not in raw
        and "si" not in [h.get("by") for h in seen["history"]]
    )
    assert public(capp, number, key, "/action-report.pdf").mimetype == "application/pdf"
    # not satisfied: an appeal, one level up, a fresh due date; it cannot be closed meanwhile
    appeal = public(
        capp,
        number,
        key,
        "/feedback",
        "post",
        json={"satisfied": False, "comment": "गाड़ी टूटी मिली"},
    )
    assert appeal.status_code == 200, appeal.get_json()
    assert appeal.get_json()["status"] == "appealed" and appeal.get_json()["level"] == "sho"
    closing = as_user("sho").post(f"/api/v1/complaints/{complaint_id}/close", {"remarks": "x"})
    assert closing.status_code == 409 and closing.get_json()["error"]["code"] == "appeal_open"
    # the SHO decides the appeal with a new report; the complainant is satisfied: closed
    decided = as_user("sho").post(
        f"/api/v1/complaints/{complaint_id}/action-report", {"text": "मरम्मत का खर्च दिलाया गया"}
    )
    assert decided.status_code == 200, decided.get_json()
    final = public(capp, number, key, "/feedback", "post", json={"satisfied": True})
    assert final.get_json()["status"] == "closed"
    # the mails: the copy, two action reports
    run_jobs(capp)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 3 and all(number in s for s in subjects)
    cdb.rollback()
    actions = cdb.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.object_type == "complaint", AuditEvent.action.like("complaint.%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == [
        "complaint.registered",
        "complaint.assigned",
        "complaint.interim",
        "complaint.action_reported",
        "complaint.appealed",
        "complaint.action_reported",
        "complaint.closed",
    ]


def test_an_officer_closes_after_the_report(capp, cdb, as_user):
    reg = register(capp)
    complaint_id = cid(cdb, reg["number"])
    as_user("sho").post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
    as_user("si").post(
        f"/api/v1/complaints/{complaint_id}/action-report", {"text": "समझौता हो गया"}
    )
    assert (
        as_user("si").post(f"/api/v1/complaints/{complaint_id}/close", {"remarks": "x"}).status_code
        == 403
    )
    closed = as_user("sp").post(f"/api/v1/complaints/{complaint_id}/close", {"remarks": "निस्तारित"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"


def sweep(capp, when: dt.datetime):
    with capp.extensions["eoffice.db"].write_sessionmaker() as session:
        moves = service.sweep(session, service.Settings.of(capp.config), when)
        session.commit()
    return [(m.from_level, m.to_level) for m in moves]


def ist(day: dt.date, hour=10) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    )


def test_the_clock_and_each_step_of_the_ladder(capp, cdb, as_user):
    reg = register(capp)
    complaint_id = cid(cdb, reg["number"])
    as_user("sho").post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
    due = dt.date.fromisoformat(reg["due_on"])
    assert sweep(capp, ist(due)) == []  # due today is not late
    assert sweep(capp, ist(due + dt.timedelta(days=1))) == [("io", "sho")]
    assert sweep(capp, ist(due + dt.timedelta(days=1), 18)) == []  # idempotent for the moment
    assert sweep(capp, ist(due + dt.timedelta(days=3))) == []
    assert sweep(capp, ist(due + dt.timedelta(days=4))) == [("sho", "circle")]
    assert sweep(capp, ist(due + dt.timedelta(days=7))) == [("circle", "district")]
    # a sweep that missed days catches up, step by step
    assert sweep(capp, ist(due + dt.timedelta(days=13))) == [
        ("district", "range"),
        ("range", "zone"),
    ]
    assert sweep(capp, ist(due + dt.timedelta(days=30))) == []  # the top: it stays, overdue
    cdb.rollback()
    complaint = cdb.get(Complaint, complaint_id)
    assert complaint.level == "zone" and complaint.level_desk.code == "ZN-ADGP"
    kinds_ = [
        e.kind
        for e in cdb.scalars(
            sa.select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
        )
    ]
    assert kinds_.count("escalated") == 5
    steps = cdb.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "complaint.escalated")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.desk_code for e in steps] == ["PS-SHO", "CIR-CO", "KNJ-SP", "RG-IG", "ZN-ADGP"]
    # the inbox of the level it reached: the ADGP's "at my desk" list
    mine = as_user("adgp").get("/api/v1/complaints?mine=true").get_json()
    assert [c["number"] for c in mine["items"]] == [reg["number"]]
    # an action report stops the clock: no more steps
    as_user("si").post(f"/api/v1/complaints/{complaint_id}/action-report", {"text": "रिपोर्ट"})
    assert sweep(capp, ist(due + dt.timedelta(days=60))) == []


def test_a_station_without_a_circle_skips_the_level(capp, cdb, as_user):
    reg = register(capp, station="PS2")
    due = dt.date.fromisoformat(reg["due_on"])
    assert sweep(capp, ist(due + dt.timedelta(days=1))) == [("sho", "district")]


def test_an_officer_of_another_district_sees_nothing(capp, cdb, as_user):
    reg = register(capp)
    complaint_id = cid(cdb, reg["number"])
    other = as_user("osp")
    assert other.get(f"/api/v1/complaints/{complaint_id}").status_code == 404
    assert other.get("/api/v1/complaints").get_json()["total"] == 0
    assert other.get("/api/v1/complaints/pendency?office=KNJ").status_code == 404
    rows = other.get("/api/v1/complaints/pendency").get_json()["rows"]
    assert sum(r["pending"] for r in rows) == 0
    # while the range's IG sees it
    assert as_user("ig").get(f"/api/v1/complaints/{complaint_id}").status_code == 200


def test_a_wrong_key_and_a_missing_number_answer_alike(capp, cdb):
    reg = register(capp)
    right = public(capp, reg["number"], reg["tracking_key"])
    assert right.status_code == 200
    # a typed key: lower case, spaces instead of dashes
    typed = reg["tracking_key"].lower().replace("-", " ")
    assert public(capp, reg["number"], typed).status_code == 200
    wrong = public(capp, reg["number"], "AAAA-BBBB-CCCC-DDDD-EEEE")
    missing = public(capp, "KNJ/C/2026/999999", reg["tracking_key"])
    nokey = capp.test_client().get(f"/api/v1/public/complaints/{reg['number']}")
    assert wrong.status_code == missing.status_code == nokey.status_code == 404
    assert wrong.get_json() == missing.get_json() == nokey.get_json()
    # each costs the same work: one slow hash
    for number, key in (
        (reg["number"], "AAAA"),
        ("KNJ/C/2026/999998", "AAAA"),
        (reg["number"], ""),
    ):
        before = citizen.hash_calls
        public(capp, number, key)
        assert citizen.hash_calls - before == 1


def test_wrong_keys_hit_the_rate_limit(app_config, cdb):
    app = start_app({**app_config, "PUBLIC_RATE_LIMIT": "20 per minute"})
    try:
        with app.extensions["eoffice.db"].sessionmaker() as session:
            load_org(session, copy.deepcopy(LADDER_ORG))
            session.commit()
        client = app.test_client()
        first = client.post("/api/v1/public/complaints", json=BODY)
        assert first.status_code == 201
        number = first.get_json()["number"]
        codes = [
            client.get(
                f"/api/v1/public/complaints/{number}",
                headers={"X-Tracking-Key": f"WRONG-{i:04d}"},
            ).status_code
            for i in range(1000)
        ]
        assert set(codes[:19]) == {404} and codes[-1] == 429
        assert codes.count(404) == 19  # 20 a minute from one address, the registration included
        # the right key from the same address is refused too until the minute is over
        right = client.get(
            f"/api/v1/public/complaints/{number}",
            headers={"X-Tracking-Key": first.get_json()["tracking_key"]},
        )
        assert right.status_code == 429
    finally:
        app.extensions["eoffice.db"].dispose()


def test_the_tracking_key_is_stored_nowhere(capp, cdb, caplog, smtp_server):
    caplog.set_level("DEBUG")
    reg = register(capp)
    key = reg["tracking_key"]
    public(capp, reg["number"], key)
    run_jobs(capp)
    cdb.rollback()
    needles = {key, citizen.normalise_secret(key)}
    engine = capp.extensions["eoffice.db"].engine
    with engine.connect() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        for table in meta.tables.values():
            for row in conn.execute(sa.select(table)):
                text = " ".join(str(v) for v in row)
                assert not any(n in text for n in needles), table.name
    assert not any(n in caplog.text for n in needles)
    for mail in smtp_server.messages:
        assert not any(n in mail.as_string() for n in needles)


def test_pendency_equals_a_recount_in_sql(capp, cdb, as_user):
    # complaints of several ages and states at both stations
    for i in range(18):
        register(capp, station=("PS" if i % 3 else "PS2"))
    cdb.rollback()
    now = utcnow()
    all_ = cdb.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
    for i, c in enumerate(all_):
        c.registered_at = now - dt.timedelta(days=(i * 2) % 25, hours=1)
        c.due_on = (c.registered_at + dt.timedelta(days=15)).date()
        if i % 5 == 0:
            c.status = "closed"
        elif i % 5 == 1:
            c.status = "action_reported"
        if i % 4 == 0:
            c.escalations = 1
    cdb.commit()
    got = as_user("ig").get("/api/v1/complaints/pendency?office=KNJ").get_json()
    rows = {r["office"]: r for r in got["rows"]}
    assert set(rows) == {"KNJ", "CIR", "PS", "PS2"} and rows["CIR"]["level"] == "circle"
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30))).date()

    def recount(offices: tuple[str, ...]) -> dict:
        sql = sa.text(
            "SELECT c.registered_at, c.status, c.due_on, c.escalations FROM complaints c "
            "JOIN offices o ON o.id = c.station_id WHERE o.code IN :codes AND c.status <> 'closed'"
        ).bindparams(sa.bindparam("codes", expanding=True))
        out = {"pending": 0, "0-7": 0, "8-15": 0, "16+": 0, "overdue": 0, "escalated": 0}
        for at, status, due_on, esc in cdb.execute(sql, {"codes": list(offices)}):
            at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)
            due_on = due_on if isinstance(due_on, dt.date) else dt.date.fromisoformat(due_on)
            age = (
                today - at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).date()
            ).days
            out["pending"] += 1
            out["0-7" if age <= 7 else "8-15" if age <= 15 else "16+"] += 1
            open_ = status != "action_reported"
            out["overdue"] += open_ and due_on < today
            out["escalated"] += open_ and esc > 0
        return out

    for office, under in {
        "KNJ": ("PS", "PS2"),
        "CIR": ("PS",),
        "PS": ("PS",),
        "PS2": ("PS2",),
    }.items():
        want = recount(under)
        row = rows[office]
        assert (row["pending"], row["overdue"], row["escalated"]) == (
            want["pending"],
            want["overdue"],
            want["escalated"],
        ), office
        assert row["age"] == {b: want[b] for b in ("0-7", "8-15", "16+")}, office
    # each number is the size of its list
    listed = as_user("ig").get("/api/v1/complaints?office=KNJ&status=pending&age=8-15").get_json()
    assert listed["total"] == rows["KNJ"]["age"]["8-15"]
    overdue = as_user("ig").get("/api/v1/complaints?office=CIR&overdue=true").get_json()
    assert overdue["total"] == rows["CIR"]["overdue"]
    # the SP sees the district from the top when naming no office; the zone's ADGP too
    assert as_user("sp").get("/api/v1/complaints/pendency").get_json()["office"] == "KNJ"
    assert as_user("adgp").get("/api/v1/complaints/pendency").get_json()["office"] == "ZN"


def test_verify_shows_genuine_documents_only(capp):
    reg = register(capp)
    path = reg["verify_url"].removeprefix("https://police.example")
    client = capp.test_client()
    ok = client.get(path)
    assert ok.status_code == 200 and reg["number"] in ok.get_data(as_text=True)
    assert "सुनीता" not in ok.get_data(as_text=True)  # nothing but kind, date, station
    bad = client.get(path[:-2] + "XX")
    assert bad.status_code == 404
    assert client.get("/verify/KNJ/C/2026/999999?c=ABCDEFGHJK").status_code == 404


def test_public_offices_lists_districts_and_their_stations(capp):
    body = capp.test_client().get("/api/v1/public/offices").get_json()
    knj = next(d for d in body["districts"] if d["code"] == "KNJ")
    assert {s["code"] for s in knj["stations"]} == {"PS", "PS2"}
    assert knj["name_hi"] == "जनपद कन्नौज"


def test_a_citizen_attaches_a_photo_and_a_lie_is_refused(capp, cdb, as_user):
    from tests.factories import PNG

    reg = register(capp)
    ok = public(
        capp,
        reg["number"],
        reg["tracking_key"],
        "/attachments",
        "post",
        data={"file": (io.BytesIO(PNG), "फोटो.png")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["uploaded_by"] is None
    liar = public(
        capp,
        reg["number"],
        reg["tracking_key"],
        "/attachments",
        "post",
        data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert liar.status_code == 415
    wrong = public(
        capp,
        reg["number"],
        "WRONG",
        "/attachments",
        "post",
        data={"file": (io.BytesIO(PNG), "a.png")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 404
    complaint_id = cid(cdb, reg["number"])
    shown = as_user("sho").get(f"/api/v1/complaints/{complaint_id}").get_json()
    assert [a["name"] for a in shown["attachments"]] == ["फोटो.png"]


def test_ids_past_2_63_and_bad_pages(capp, as_user):
    sp = as_user("sp")
    assert sp.get(f"/api/v1/complaints/{2**63 + 5}").status_code == 404
    assert sp.get("/api/v1/complaints?page=0").status_code == 422
    assert sp.get("/api/v1/complaints?age=99").status_code == 422
    assert sp.get("/api/v1/complaints?status=nope").status_code == 422


# --- the pages ------------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    from tests.conftest import csrf_from

    return csrf_from(html)


def test_the_public_pages_work_without_javascript_in_hindi(capp, cdb):
    from tests.integration.test_hindi_pages import english_words

    client = capp.test_client()
    form = client.get("/c/complaint")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and '<html lang="hi">' in html
    assert len(form.data) < 100_000 and "<script" not in html
    assert english_words(html, {"PDF", "IO", "SHO"}) == set()
    refused = client.post("/c/complaint", data={"csrf_token": _csrf(html), "district": "KNJ"})
    assert refused.status_code == 422 and 'id="first-error"' in refused.get_data(as_text=True)
    done = client.post(
        "/c/complaint",
        data={
            "csrf_token": _csrf(html),
            "district": "KNJ",
            "station": "PS",
            "category": "cyber",
            "description": "मेरे खाते से ऑनलाइन ठगी हुई।",
            "name": "रमेश",
            "mobile": "+91 98765 43210",
        },
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 201, page
    cdb.rollback()
    complaint = cdb.scalars(sa.select(Complaint)).one()
    assert complaint.number in page and complaint.language == "hi"
    key = page.split('id="tracking-key" class="secret">')[1].split("<")[0]
    copy_pdf = client.post(
        "/c/complaint/copy",
        data={"csrf_token": _csrf(page), "number": complaint.number, "key": key},
    )
    assert copy_pdf.status_code == 200 and copy_pdf.data.startswith(b"%PDF")
    track = client.get("/c/track").get_data(as_text=True)
    shown = client.post(
        "/c/track", data={"csrf_token": _csrf(track), "number": complaint.number, "key": key}
    )
    status_page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'data-status="registered"' in status_page
    assert english_words(status_page, {"PDF", complaint.number}) == set()
    wrong = client.post(
        "/c/track", data={"csrf_token": _csrf(track), "number": complaint.number, "key": "X"}
    )
    assert wrong.status_code == 404 and "ट्रैकिंग कुंजी" in wrong.get_data(as_text=True)
    # English is one tap away
    client.post("/language", data={"csrf_token": _csrf(track), "lang": "en"})
    assert "Make a complaint" in client.get("/c/").get_data(as_text=True)


def test_the_staff_pages(capp, cdb, as_user):
    from tests.conftest import Auth

    reg = register(capp)
    complaint_id = cid(cdb, reg["number"])
    client = capp.test_client()
    assert Auth(client).login("sho").status_code == 302
    listing = client.get("/complaints/").get_data(as_text=True)
    assert reg["number"] in listing
    assert client.get("/").get_data(as_text=True).count('id="complaints-waiting"') == 1
    pend = client.get("/complaints/pendency")
    assert pend.status_code == 200 and 'data-office="PS"' in pend.get_data(as_text=True)
    show = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert 'id="assign-form"' in show and 'value="PS-SI1"' in show
    assigned = client.post(
        f"/complaints/{complaint_id}/assign",
        data={"csrf_token": _csrf(show), "assign-io": "PS-SI1"},
    )
    assert assigned.status_code == 303
    after = client.get(f"/complaints/{complaint_id}").get_data(as_text=True)
    assert 'id="file-link"' in after and 'data-status="assigned"' in after
    # a refused close keeps the page, with the reason
    refused = client.post(
        f"/complaints/{complaint_id}/close", data={"csrf_token": _csrf(after), "close-remarks": "x"}
    )
    assert refused.status_code == 422
    other = capp.test_client()
    Auth(other).login("osp")
    assert other.get(f"/complaints/{complaint_id}").status_code == 404


def test_review_findings_stay_fixed(capp, cdb, as_user):
    """Just after midnight in India the sweep sees the new day; the IO does not decide an appeal
    against their own report; officers' closing remarks are not the complainant's to read; a
    complaint's receipt is closed with the complaint, not as dak; a NUL in a number is a
    missing number."""
    reg = register(capp)
    number, key = reg["number"], reg["tracking_key"]
    complaint_id = cid(cdb, number)
    as_user("sho").post(f"/api/v1/complaints/{complaint_id}/assign", {"io": "PS-SI1"})
    due = dt.date.fromisoformat(reg["due_on"])
    assert sweep(capp, ist(due + dt.timedelta(days=1), 0).replace(minute=30)) == [("io", "sho")]
    si = as_user("si")
    si.post(f"/api/v1/complaints/{complaint_id}/action-report", {"text": "रिपोर्ट"})
    public(capp, number, key, "/feedback", "post", json={"satisfied": False})
    again = si.post(f"/api/v1/complaints/{complaint_id}/action-report", {"text": "फिर"})
    assert again.status_code == 403
    # a receipt that is a complaint is not closed as dak
    receipt_id = as_user("sho").get(f"/api/v1/complaints/{complaint_id}").get_json()["receipt_id"]
    closing = as_user("sho").post(f"/api/v1/receipts/{receipt_id}/close", {})
    assert closing.status_code == 409
    assert closing.get_json()["error"]["code"] in ("complaint_receipt", "receipt_not_open")
    decided = as_user("circle.officer").post(
        f"/api/v1/complaints/{complaint_id}/action-report", {"text": "अपील पर निर्णय"}
    )
    assert decided.status_code == 200, decided.get_json()
    as_user("sp").post(f"/api/v1/complaints/{complaint_id}/close", {"remarks": "आंतरिक टिप्पणी"})
    seen = public(capp, number, key).get_json()
    assert seen["status"] == "closed"
    assert "आंतरिक" not in str(seen["history"])
    assert public(capp, number + "%00", key).status_code == 404


def test_an_office_without_a_desk_is_no_rung(capp, cdb, as_user):
    org = copy.deepcopy(LADDER_ORG)
    org["offices"].append(
        {"code": "CIR2", "name": "Empty Circle", "kind": "circle", "parent": "KNJ"}
    )
    org["offices"].append({"code": "PS3", "name": "Thana Three", "kind": "thana", "parent": "CIR2"})
    org["desks"].append({"code": "PS3-SHO", "title": "SHO Three", "office": "PS3"})
    with capp.extensions["eoffice.db"].sessionmaker() as session:
        load_org(session, org)
        session.commit()
    reg = register(capp, station="PS3")
    due = dt.date.fromisoformat(reg["due_on"])
    assert sweep(capp, ist(due + dt.timedelta(days=1))) == [("sho", "district")]
