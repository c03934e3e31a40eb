"""The portal's reports through the JSON API and the pages, on SQLite and PostgreSQL: a lost
report (its acknowledgement at once and by mail, the verify page and API: genuine, tampered
check, unknown number), the found-articles register and its match telling the station; the
security board (order, acknowledge, resolve) and the citizen's status; events and their
anonymous reports; Open311 services and requests (form-encoded) with its errors; bad input."""

from __future__ import annotations

import copy
import io
import json

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from eoffice.core import citizen
from eoffice.org.service import load_org
from eoffice.portal.reports.models import LostReport, SecurityRequest
from eoffice.receipts.models import Receipt, ReceiptMovement
from tests.conftest import PASSWORD, Auth, csrf_from, start_app
from tests.factories import Caller
from tests.mailserver import smtp_server
from tests.pow import solve_altcha

__all__ = ["smtp_server"]  # fixtures

citizen.set_cost(8)

ORG = {
    "offices": [
        {"code": "RG", "name": "IG Range", "name_hi": "परिक्षेत्र", "kind": "range"},
        {
            "code": "KNJ",
            "name": "District Kannauj",
            "name_hi": "जनपद कन्नौज",
            "kind": "district",
            "parent": "RG",
            "routing_desk": "KNJ-CR",
        },
        {
            "code": "PS",
            "name": "Thana Kotwali",
            "name_hi": "थाना कोतवाली",
            "kind": "thana",
            "parent": "KNJ",
            "duty_desk": "PS-DUTY",
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
        {"code": "RG-INSP", "title": "Inspection", "office": "RG"},
        {"code": "KNJ-SP", "title": "SP", "office": "KNJ"},
        {"code": "KNJ-CR", "title": "Control Room", "office": "KNJ", "reports_to": "KNJ-SP"},
        {"code": "PS-SHO", "title": "SHO Kotwali", "office": "PS", "reports_to": "KNJ-SP"},
        {"code": "PS-DUTY", "title": "Duty Officer", "office": "PS", "reports_to": "PS-SHO"},
        {"code": "PS2-SHO", "title": "SHO Tirwa", "office": "PS2", "reports_to": "KNJ-SP"},
        {"code": "OTH-SP", "title": "SP Other", "office": "OTH"},
        {"code": "OPS-SHO", "title": "SHO Other", "office": "OPS", "reports_to": "OTH-SP"},
    ],
    "users": [
        {"username": u, "name": u, "password": PASSWORD, "roles": [r], "desks": [d]}
        for u, r, d in [
            ("sp", "officer", "KNJ-SP"),
            ("sho", "officer", "PS-SHO"),
            ("duty", "clerk", "PS-DUTY"),
            ("sho2", "officer", "PS2-SHO"),
            ("osp", "officer", "OTH-SP"),
            ("auditor", "auditor", "RG-INSP"),
        ]
    ]
    + [{"username": "admin", "name": "Admin", "password": PASSWORD, "roles": ["admin"]}],
}

LOST = {
    "district": "KNJ",
    "station": "PS",
    "article": {
        "kind": "mobile",
        "description": "काले रंग का सैमसंग मोबाइल फ़ोन / black Samsung phone",
        "identifiers": {"imei": "35-209900-176148-1"},
    },
    "lost": {"on": "2026-11-28", "place": "गांधी बाज़ार, कन्नौज"},
    "reporter": {
        "name": "सुनीता देवी",
        "mobile": "98765 43210",
        "email": "sunita@example.org",
        "address": "मोहल्ला क़ाज़ी टोला",
    },
}
SECURITY = {
    "district": "KNJ",
    "station": "PS",
    "for": "senior_citizen",
    "name": "रामेश्वर दयाल",
    "mobile": "9876500001",
    "address": "म.न. 12, सराय मीरा, कन्नौज",
    "need": "अकेले रहते हैं; रात में गश्त चाहिए",
}


@pytest.fixture
def rapp(app_config, smtp_server):
    app = start_app({**app_config, **smtp_server.config(), "PUBLIC_URL": "https://police.example"})
    with app.extensions["eoffice.db"].sessionmaker() as session:
        load_org(session, copy.deepcopy(ORG))
        session.commit()
    yield app
    app.extensions["eoffice.db"].dispose()


@pytest.fixture
def rdb(rapp):
    session = rapp.extensions["eoffice.db"].sessionmaker()
    yield session
    session.close()


@pytest.fixture
def as_user(rapp):
    client = rapp.test_client()
    tokens = {}

    def caller(username: str) -> Caller:
        if username not in tokens:
            resp = client.post("/api/v1/token", json={"username": username, "password": PASSWORD})
            tokens[username] = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        return Caller(client, tokens[username])

    return caller


def lost(rapp, **over) -> dict:
    resp = rapp.test_client().post("/api/v1/public/lost-reports", json={**LOST, **over})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def security(rapp, **over) -> dict:
    resp = rapp.test_client().post("/api/v1/public/security-requests", json={**SECURITY, **over})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


# --- lost articles -------------------------------------------------------------------------------


def test_lost_report_acknowledgement_mail_and_verify(rapp, rdb, smtp_server):
    reg = lost(rapp)
    assert reg["number"].startswith("KNJ/LR/2") and reg["number"].endswith("/000001")
    assert reg["verify_url"].startswith(f"https://police.example/verify/{reg['number']}?c=")
    # a receipt at the station's head desk, by the portal, with the public number
    rdb.rollback()
    report = rdb.scalars(sa.select(LostReport).where(LostReport.number == reg["number"])).one()
    receipt = rdb.get(Receipt, report.receipt_id)
    assert receipt.mode == "portal" and receipt.letter_number == reg["number"]
    assert receipt.holder.code == "PS-SHO"
    assert report.imei == "352099001761481" and report.description == LOST["article"]["description"]
    # the acknowledgement at once: the number, the warning, the verify link, the visit token
    client = rapp.test_client()
    pdf = client.get(reg["pdf"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    flat = text.replace("\n", "")
    assert reg["number"] in text and reg["visit_token"] in text
    assert "false report is an offence" in " ".join(text.split())
    assert "police.example/verify/" in flat
    # the verify code is not the download code (the PDF carries the reporter's name)
    check = reg["verify_url"].split("?c=")[1]
    assert client.get(reg["pdf"].split("?k=")[0] + "?k=" + check).status_code == 404
    # by mail, with the PDF (real SMTP)
    rapp.extensions["eoffice.jobs"].run_due()
    (mail,) = smtp_server.messages
    assert mail["To"] == "sunita@example.org" and reg["number"] in mail["Subject"]
    assert any(p.get_content_type() == "application/pdf" for p in mail.iter_attachments())
    # the verify page and API: genuine; kind, date, station, article and nothing else
    path = reg["verify_url"].removeprefix("https://police.example")
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="genuine"' in html and reg["number"] in html
    assert "थाना कोतवाली" in html and "सैमसंग" in html and 'lang="hi"' in html
    for private in ("सुनीता", "9876543210", "क़ाज़ी", "352099001761481"):
        assert private not in html
    api = client.get(f"/api/v1/public/verify/{reg['number']}?c={check}")
    assert api.status_code == 200
    body = api.get_json()
    assert body["genuine"] is True and body["kind"] == "lost_report"
    assert body["station"] == "PS" and body["number"] == reg["number"]
    assert "सैमसंग" in body["summary"] and "सुनीता" not in str(body)
    # tampered check, unknown number: the same 404, page and API
    tampered = check[:-1] + ("A" if check[-1] != "A" else "B")
    assert client.get(path.replace(check, tampered)).status_code == 404
    unknown = "KNJ/LR/2026/999999"
    assert client.get(f"/verify/{unknown}?c={check}").status_code == 404
    for bad in (f"{reg['number']}?c={tampered}", f"{unknown}?c={check}", reg["number"]):
        resp = client.get(f"/api/v1/public/verify/{bad}")
        assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    # complaints still verify through the same page
    comp = client.post(
        "/api/v1/public/complaints",
        json={
            "district": "KNJ",
            "category": "theft",
            "description": "चोरी",
            "complainant": {"name": "क", "mobile": "9876543210"},
        },
    ).get_json()
    vpath = comp["verify_url"].removeprefix("https://police.example")
    assert client.get(vpath).status_code == 200
    assert (
        client.get(f"/api/v1/public/verify/{vpath.removeprefix('/verify/')}").get_json()["kind"]
        == "complaint"
    )


def test_found_article_matches_and_tells_the_station(rapp, rdb, as_user):
    phone = lost(rapp)
    licence = lost(
        rapp,
        station=None,
        article={
            "kind": "document",
            "description": "ड्राइविंग लाइसेंस",
            "identifiers": {"number": "UP14 2011 0012345"},
        },
    )
    sho, sho2 = as_user("sho"), as_user("sho2")
    # the district's list, newest first, paginated; a station sees its own only
    listed = as_user("sp").get("/api/v1/lost-reports?page=1&per_page=1").get_json()
    assert listed["total"] == 2 and listed["items"][0]["number"] == licence["number"]
    assert set(listed["items"][0]) >= {"id", "number", "kind", "lost_on", "station"}
    assert listed["items"][0]["station"] == "KNJ"  # no station: with the district
    mine = sho.get("/api/v1/lost-reports").get_json()
    assert [i["number"] for i in mine["items"]] == [phone["number"]]
    assert as_user("osp").get("/api/v1/lost-reports").get_json()["total"] == 0
    assert as_user("auditor").get("/api/v1/lost-reports").get_json()["total"] == 2
    phone_id = mine["items"][0]["id"]
    assert as_user("osp").get(f"/api/v1/lost-reports/{phone_id}").status_code == 404
    assert as_user("osp").get(f"/api/v1/lost-reports/{phone_id}/matches").status_code == 404
    assert sho.get(f"/api/v1/lost-reports/{phone_id}/matches").get_json()["items"] == []
    # Tirwa's SHO enters a phone found, IMEI written differently: the Kotwali report matches
    found = sho2.post(
        "/api/v1/found-articles",
        {
            "office": "PS2",
            "kind": "mobile",
            "description": "लावारिस मोबाइल",
            "identifiers": {"imei": "352099 001761481"},
        },
    )
    assert found.status_code == 201, found.get_json()
    assert found.get_json()["matches"] == [phone["number"]]
    (match,) = sho.get(f"/api/v1/lost-reports/{phone_id}/matches").get_json()["items"]
    assert match["office"] == "PS2" and match["description"] == "लावारिस मोबाइल"
    # the station is told: the report's receipt marked again to its desk, Immediate, unread
    rdb.rollback()
    report = rdb.get(LostReport, phone_id)
    assert report.status == "matched"
    notice = rdb.scalars(
        sa.select(ReceiptMovement).where(
            ReceiptMovement.receipt_id == report.receipt_id, ReceiptMovement.kind == "copy"
        )
    ).one()
    assert notice.to_desk.code == "PS-SHO" and notice.priority == "immediate"
    assert "FA-" in notice.remarks and notice.opened_at is None
    copies = sho.get("/api/v1/receipts?box=copies").get_json()
    assert report.receipt_id in [i["id"] for i in copies["items"]]
    # a document number, normalised, matches the report that has no station yet
    doc = sho.post(
        "/api/v1/found-articles",
        {
            "office": "PS",
            "kind": "document",
            "description": "लाइसेंस",
            "identifiers": {"number": "up14-2011-0012345"},
        },
    )
    assert doc.get_json()["matches"] == [licence["number"]]
    # wrong office, wrong role, bad input
    bad = sho2.post("/api/v1/found-articles", {"office": "PS", "kind": "bag", "description": "x"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unknown_office"
    assert (
        as_user("auditor")
        .post("/api/v1/found-articles", {"office": "PS", "kind": "bag", "description": "x"})
        .status_code
        == 403
    )
    assert (
        sho.post(
            "/api/v1/found-articles", {"office": "PS", "kind": "gold", "description": "x"}
        ).status_code
        == 422
    )
    assert sho.get("/api/v1/lost-reports?office=OTH").status_code == 422
    assert sho.get("/api/v1/lost-reports?page=0").status_code == 422
    assert sho.get(f"/api/v1/lost-reports/{2**63}").status_code == 404
    assert sho.get("/api/v1/lost-reports/99999/matches").status_code == 404
    # the staff pages: the list and the register

    client = rapp.test_client()
    Auth(client).login("sho")
    page = client.get("/lost-reports/")
    assert page.status_code == 200 and phone["number"] in page.get_data(as_text=True)
    shown = client.get(f"/lost-reports/{phone_id}").get_data(as_text=True)
    assert "लावारिस मोबाइल" in shown
    # each station's register is its own; the district's has them all
    assert "लाइसेंस" in client.get("/found-articles/").get_data(as_text=True)
    assert "लावारिस मोबाइल" not in client.get("/found-articles/").get_data(as_text=True)
    Auth(client).logout()
    Auth(client).login("sp")
    assert "लावारिस मोबाइल" in client.get("/found-articles/").get_data(as_text=True)


def test_lost_report_bad_input(rapp):
    client = rapp.test_client()
    post = lambda body, **kw: client.post("/api/v1/public/lost-reports", json=body, **kw)  # noqa: E731
    early = copy.deepcopy(LOST)
    early["lost"]["on"] = "1969-12-31"
    resp = post(early)
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "lost.on"
    future = copy.deepcopy(LOST)
    future["lost"]["on"] = "2999-01-01"
    assert post(future).status_code == 422
    assert post({**LOST, "district": "OTH", "station": "PS"}).status_code == 422
    assert post({**LOST, "district": "NOPE"}).get_json()["error"]["code"] == "unknown_office"
    bad_imei = copy.deepcopy(LOST)
    bad_imei["article"]["identifiers"]["imei"] = "12"
    assert post(bad_imei).status_code == 422
    bad_mobile = copy.deepcopy(LOST)
    bad_mobile["reporter"]["mobile"] = "12345 67890"
    assert post(bad_mobile).get_json()["error"]["code"] == "bad_mobile"
    resp = client.post(
        "/api/v1/public/lost-reports", data="district=KNJ", content_type="text/plain"
    )
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_media_type"
    deep = {"district": "KNJ", "x": json.loads("[" * 34 + "1" + "]" * 34)}
    assert post(deep).status_code == 422
    assert (
        client.get(
            "/api/v1/public/lost-reports/KNJ/LR/2026/000001/acknowledgement.pdf?k=WRONG"
        ).status_code
        == 404
    )


# --- security requests ---------------------------------------------------------------------------


def test_security_board_order_acknowledge_resolve_and_status(rapp, rdb, as_user):
    first = security(rapp)
    second = security(rapp, **{"for": "woman", "name": "प्रिया", "mobile": "9876500002"})
    elsewhere = security(rapp, station=None)  # no station: the district's control room
    rdb.rollback()
    item = rdb.scalars(
        sa.select(SecurityRequest).where(SecurityRequest.number == first["number"])
    ).one()
    receipt = rdb.get(Receipt, item.receipt_id)
    assert receipt.holder.code == "PS-DUTY" and receipt.priority == "most_immediate"
    assert receipt.mode == "portal" and receipt.letter_number == first["number"]
    other = rdb.scalars(
        sa.select(SecurityRequest).where(SecurityRequest.number == elsewhere["number"])
    ).one()
    assert rdb.get(Receipt, other.receipt_id).holder.code == "KNJ-CR"
    # the board: open ones, oldest first, Most Immediate, with their age
    duty = as_user("duty")
    board = duty.get("/api/v1/security-requests/board").get_json()["items"]
    assert [b["number"] for b in board] == [first["number"], second["number"]]
    assert board[0]["priority"] == "most_immediate" and board[0]["status"] == "open"
    assert board[0]["for"] == "senior_citizen" and board[0]["age_minutes"] >= 0
    district = as_user("sp").get("/api/v1/security-requests/board?office=KNJ").get_json()
    assert len(district["items"]) == 3
    assert as_user("osp").get("/api/v1/security-requests/board").get_json()["items"] == []
    assert duty.get("/api/v1/security-requests/board?office=OTH").status_code == 422
    # the citizen's status; a wrong mobile is an unknown number
    client = rapp.test_client()
    url = f"/api/v1/public/security-requests/{first['number']}"
    assert client.get(url + "?mobile=98765-00001").get_json()["status"] == "open"
    assert client.get(url + "?mobile=9876500002").status_code == 404
    assert client.get(url).status_code == 404
    assert (
        client.get(
            "/api/v1/public/security-requests/KNJ/SR/2026/999999?mobile=9876500001"
        ).status_code
        == 404
    )
    # acknowledge (the other district's SP cannot see it; an auditor never writes) and resolve
    rid = board[0]["id"]
    assert as_user("osp").post(f"/api/v1/security-requests/{rid}/acknowledge").status_code == 404
    assert (
        as_user("auditor").post(f"/api/v1/security-requests/{rid}/acknowledge").status_code == 403
    )
    assert as_user("sho2").post(f"/api/v1/security-requests/{rid}/acknowledge").status_code == 404
    ack = duty.post(f"/api/v1/security-requests/{rid}/acknowledge")
    assert ack.status_code == 200 and ack.get_json()["status"] == "acknowledged"
    assert duty.post(f"/api/v1/security-requests/{rid}/acknowledge").status_code == 409
    assert client.get(url + "?mobile=9876500001").get_json()["status"] == "acknowledged"
    assert duty.post(f"/api/v1/security-requests/{rid}/resolve", {"remarks": ""}).status_code == 422
    done = duty.post(
        f"/api/v1/security-requests/{rid}/resolve", {"remarks": "बीट सिपाही को गश्त हेतु निर्देशित"}
    )
    assert done.status_code == 200 and done.get_json()["remarks"].startswith("बीट")
    assert (
        duty.post(f"/api/v1/security-requests/{rid}/resolve", {"remarks": "x"}).status_code == 409
    )
    status = client.get(url + "?mobile=9876500001").get_json()
    assert status["status"] == "resolved" and "remarks" not in status
    board = duty.get("/api/v1/security-requests/board").get_json()["items"]
    assert [b["number"] for b in board] == [second["number"]]
    assert duty.post(f"/api/v1/security-requests/{2**63}/acknowledge").status_code == 404
    # bad input
    pub = rapp.test_client()
    assert (
        pub.post("/api/v1/public/security-requests", json={**SECURITY, "for": "men"}).status_code
        == 422
    )
    assert (
        pub.post(
            "/api/v1/public/security-requests", json={**SECURITY, "location": {"lat": 91, "lng": 0}}
        ).status_code
        == 422
    )
    assert (
        pub.post(
            "/api/v1/public/security-requests",
            data="x",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 415
    )
    # the board page reloads itself, and its forms work without JavaScript
    from tests.conftest import csrf_from

    web = rapp.test_client()
    Auth(web).login("duty")
    page = web.get("/security-requests/board")
    assert page.status_code == 200 and page.headers["Refresh"] == "30"
    html = page.get_data(as_text=True)
    assert second["number"] in html and first["number"] not in html
    sid = board[0]["id"]
    token = csrf_from(html)
    resp = web.post(f"/security-requests/{sid}/acknowledge", data={"csrf_token": token})
    assert resp.status_code == 303
    assert (
        web.post(f"/security-requests/{sid}/acknowledge", data={"csrf_token": token}).status_code
        == 409
    )
    resp = web.post(
        f"/security-requests/{sid}/resolve",
        data={"csrf_token": token, "remarks": "महिला हेल्प डेस्क ने संपर्क किया"},
    )
    assert resp.status_code == 303


# --- events --------------------------------------------------------------------------------------


def test_events_and_their_anonymous_reports(rapp, rdb, as_user):
    sho = as_user("sho")
    body = {
        "office": "PS",
        "title": "Dussehra procession",
        "title_hi": "दशहरा जुलूस",
        "starts": "2026-10-20T16:00:00+05:30",
        "ends": "2099-10-20T23:00:00+05:30",
    }
    assert as_user("duty").post("/api/v1/events", body).status_code == 403  # officers only
    assert as_user("osp").post("/api/v1/events", body).status_code == 422  # not their office
    assert (
        sho.post("/api/v1/events", {**body, "ends": "2026-10-19T10:00:00+05:30"}).status_code == 422
    )
    assert (
        sho.post("/api/v1/events", {**body, "starts": "1960-01-01T00:00:00+05:30"}).status_code
        == 422
    )
    made = sho.post("/api/v1/events", {**body, "ends": "2026-12-25T23:00:00+05:30"})
    assert made.status_code == 422  # longer than 60 days
    made = sho.post("/api/v1/events", {**body, "starts": "2099-10-01T16:00:00+05:30"})
    assert made.status_code == 201, made.get_json()
    event = made.get_json()
    assert event["qr_url"] == f"https://police.example/c/event/{event['id']}"
    eid = event["id"]
    client = rapp.test_client()
    url = f"/api/v1/public/events/{eid}/reports"
    report = {"kind": "concern", "text": "पुल पर भीड़ बहुत अधिक है", "place": "गंगा पुल"}
    # proof-of-work: none, or spent twice, is refused
    resp = client.post(url, json=report)
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "altcha_required"
    solved = solve_altcha(client)
    assert client.post(url, json={**report, "altcha": solved}).status_code == 201
    again = client.post(url, json={**report, "altcha": solved})
    assert again.status_code == 422 and again.get_json()["error"]["field"] == "altcha"
    praise = {"kind": "praise", "text": "यातायात व्यवस्था अच्छी थी", "altcha": solve_altcha(client)}
    assert client.post(url, json=praise).status_code == 201
    bad = client.post(url, json={"kind": "rant", "text": "x", "altcha": solve_altcha(client)})
    assert bad.status_code == 422
    assert client.post(f"/api/v1/public/events/{2**63}/reports", json=report).status_code == 404
    assert (
        client.post(
            "/api/v1/public/events/99999/reports", json={**report, "altcha": solve_altcha(client)}
        ).status_code
        == 404
    )
    # officers see them per event, newest first; a concern is dak at the duty desk
    listed = sho.get(f"/api/v1/events/{eid}/reports").get_json()
    assert [i["kind"] for i in listed["items"]] == ["praise", "concern"]
    assert listed["counts"] == {"concern": 1, "suggestion": 0, "praise": 1}
    concern = listed["items"][1]
    rdb.rollback()
    receipt = rdb.get(Receipt, concern["receipt_id"])
    assert receipt.holder.code == "PS-DUTY" and receipt.priority == "immediate"
    newer = sho.get(f"/api/v1/events/{eid}/reports?after={concern['id']}").get_json()
    assert [i["kind"] for i in newer["items"]] == ["praise"]
    assert sho.get(f"/api/v1/events/{eid}/reports?after=-1").status_code == 422
    assert as_user("osp").get(f"/api/v1/events/{eid}/reports").status_code == 404
    # nothing about the sender: no address or agent in the event's rows
    rdb.rollback()
    row = rdb.execute(sa.text("SELECT * FROM event_reports")).mappings().first()
    assert set(row) == {"id", "event_id", "kind", "text", "place", "at", "receipt_id"}
    # the poster and the pages (the public page in Hindi, without JavaScript; the staff's
    # reloading itself)
    poster = sho.get(f"/api/v1/events/{eid}/poster.pdf")
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"
    page = client.get(f"/c/event/{eid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "दशहरा जुलूस" in html and 'name="altcha"' in html
    assert len(page.data) < 100_000

    web = rapp.test_client()
    Auth(web).login("sho")
    staff = web.get(f"/events/{eid}")
    assert staff.status_code == 200 and staff.headers["Refresh"] == "20"
    assert "पुल पर भीड़" in staff.get_data(as_text=True)


# --- Open311 -------------------------------------------------------------------------------------


def test_open311_services_and_requests_round_trip(rapp, rdb):
    client = rapp.test_client()
    base = "/open311/v2"
    disc = client.get(f"{base}/discovery.json").get_json()
    assert disc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get(f"{base}/services.json?jurisdiction_id=KNJ").get_json()
    codes = {s["service_code"] for s in services}
    assert {"complaint-theft", "lost-mobile", "lost-document"} <= codes
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    lost_def = client.get(f"{base}/services/lost-mobile.json").get_json()
    attrs = {a["code"]: a for a in lost_def["attributes"]}
    assert attrs["lost_on"]["required"] is True and attrs["imei"]["datatype"] == "string"
    assert client.get(f"{base}/services/nope.json").status_code == 404
    assert client.get(f"{base}/services.json?jurisdiction_id=NOPE").get_json() == [
        {"code": 404, "description": "no jurisdiction NOPE"}
    ]
    # a complaint, form-encoded, through the complaints' service
    form = {
        "jurisdiction_id": "KNJ",
        "service_code": "complaint-theft",
        "description": "दुकान से साइकिल चोरी हो गई",
        "first_name": "मोहन",
        "last_name": "लाल",
        "phone": "9876512345",
        "address_string": "बड़ा बाज़ार, कन्नौज",
        "attribute[station]": "PS",
    }
    resp = client.post(f"{base}/requests.json", data=form)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    (made,) = resp.get_json()
    rid = made["service_request_id"]
    assert rid.startswith("KNJ-C-") and "Tracking key" in made["service_notice"]
    (got,) = client.get(f"{base}/requests/{rid}.json").get_json()
    assert got["status"] == "open" and got["status_notes"].startswith("registered")
    assert got["service_code"] == "complaint-theft" and got["agency_responsible"] == "Thana Kotwali"
    assert "description" not in got or got.get("description") is None
    # a lost report likewise (the lost reports' service), then both by id
    lost_form = {
        "jurisdiction_id": "KNJ",
        "service_code": "lost-document",
        "description": "आधार कार्ड",
        "first_name": "गीता",
        "phone": "9876512346",
        "lat": "27.05",
        "long": "79.91",
        "attribute[lost_on]": "2026-11-30",
        "attribute[document_number]": "1234 5678 9012",
    }
    (lr,) = client.post(f"{base}/requests.json", data=lost_form).get_json()
    assert lr["service_request_id"].startswith("KNJ-LR-")
    rdb.rollback()
    report = rdb.scalars(sa.select(LostReport)).one()
    assert report.channel == "open311" and report.doc_number == "123456789012"
    both = client.get(
        f"{base}/requests.json?service_request_id={rid},{lr['service_request_id']},KNJ-C-2026-000001-XXXXXXXXXX"
    ).get_json()
    assert [b["service_request_id"] for b in both] == [rid, lr["service_request_id"]]
    only = client.get(
        f"{base}/requests.json?service_request_id={rid},{lr['service_request_id']}"
        "&service_code=lost-document"
    ).get_json()
    assert len(only) == 1
    (tok,) = client.get(f"{base}/tokens/{rid}.json").get_json()
    assert tok["service_request_id"] == rid
    # errors, in the specification's shape
    tampered = rid[:-1] + ("A" if rid[-1] != "A" else "B")
    assert client.get(f"{base}/requests/{tampered}.json").get_json()[0]["code"] == 404
    assert client.get(f"{base}/tokens/nothing.json").status_code == 404
    listing = client.get(f"{base}/requests.json")
    assert listing.status_code == 400 and listing.get_json()[0]["code"] == 400
    for missing in (
        ("jurisdiction_id",),
        ("phone",),
        ("address_string",),
        ("first_name", "last_name"),
    ):
        body = {k: v for k, v in form.items() if k not in missing}
        err = client.post(f"{base}/requests.json", data=body)
        assert err.status_code == 400, (missing, err.get_json())
        assert missing[0] in err.get_json()[0]["description"]
    assert (
        client.post(f"{base}/requests.json", data={**form, "phone": "123"})
        .get_json()[0]["description"]
        .startswith("phone")
    )
    assert (
        client.post(f"{base}/requests.json", data={**form, "jurisdiction_id": "NOPE"}).status_code
        == 404
    )
    assert (
        client.post(f"{base}/requests.json", data={**form, "service_code": "x"}).status_code == 400
    )
    early = client.post(
        f"{base}/requests.json", data={**lost_form, "attribute[lost_on]": "1901-01-01"}
    )
    assert early.status_code == 400 and "attribute[lost_on]" in early.get_json()[0]["description"]
    as_json = client.post(f"{base}/requests.json", json=form)
    assert as_json.status_code == 415 and as_json.get_json()[0]["code"] == 415


# --- the public pages ----------------------------------------------------------------------------


def test_public_pages_in_hindi_without_javascript(rapp, smtp_server):

    client = rapp.test_client()
    home = client.get("/c/").get_data(as_text=True)
    assert "/c/lost" in home and "/c/security" in home
    page = client.get("/c/lost")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="hi"' in html and len(page.data) < 100_000
    assert "<script" not in html
    form = {
        "csrf_token": csrf_from(html),
        "district": "KNJ",
        "station": "",
        "kind": "document",
        "description": "पैन कार्ड",
        "doc_number": "ABCDE1234F",
        "lost_on": "2026-11-29",
        "lost_place": "बस अड्डा",
        "name": "अमित",
        "mobile": "9876512399",
    }
    bad = client.post("/c/lost", data={**form, "lost_on": "1969-01-01"})
    assert (
        bad.status_code == 422
        and "1970" not in ""
        and 'id="first-error"' in bad.get_data(as_text=True)
    )
    done = client.post("/c/lost", data=form)
    text = done.get_data(as_text=True)
    assert done.status_code == 201 and "KNJ/LR/" in text and "acknowledgement.pdf?k=" in text
    page = client.get("/c/security")
    sec = {
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "for_whom": "child",
        "district": "KNJ",
        "station": "PS",
        "name": "रीना",
        "mobile": "9876512398",
        "address": "कन्नौज",
        "need": "स्कूल के बाहर संदिग्ध व्यक्ति",
    }
    sent = client.post("/c/security", data=sec)
    assert sent.status_code == 201
    number = sent.get_data(as_text=True).split('id="request-number">')[1].split("<")[0]
    token = csrf_from(sent.get_data(as_text=True))
    status = client.post(
        "/c/security/status", data={"csrf_token": token, "number": number, "mobile": "9876512398"}
    )
    assert status.status_code == 200 and 'data-status="open"' in status.get_data(as_text=True)
    wrong = client.post(
        "/c/security/status", data={"csrf_token": token, "number": number, "mobile": "9876512390"}
    )
    assert wrong.status_code == 404
