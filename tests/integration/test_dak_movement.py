"""Receipts move like files: one action desk and copy desks in one step, the movement register,
the dak lists (received, sent, copies), pull-back while unopened; files with copies; the dak
register; the channel of submission; security grading. SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io

import pytest

from eoffice.org.service import load_org
from tests.conftest import PASSWORD, SMALL_ORG
from tests.factories import Caller, new_file, receipt


@pytest.fixture
def world(client, db, token_for):
    org = copy.deepcopy(SMALL_ORG)
    # a channel of submission seven desks long inside the SP office, and an auditor of its own
    chain = [f"SPO-L{i}" for i in range(7)]
    for i, code in enumerate(chain):
        org["desks"].append(
            {
                "code": code,
                "title": f"Level {i}",
                "title_hi": f"स्तर {i}",
                "office": "SPO",
                "reports_to": chain[i + 1] if i + 1 < len(chain) else "SPO-SP",
            }
        )
    org["desks"].append({"code": "SPO-AUD", "title": "Office inspector", "office": "SPO"})
    org["users"] += [
        {
            "username": "low.clerk",
            "name": "Low",
            "password": PASSWORD,
            "roles": ["clerk"],
            "desks": ["SPO-L0"],
        },
        {
            "username": "office.auditor",
            "name": "Aud",
            "password": PASSWORD,
            "roles": ["auditor"],
            "desks": ["SPO-AUD"],
        },
    ]
    load_org(db, org)
    db.commit()
    return lambda username: Caller(client, token_for(username))


def test_mark_to_an_action_desk_and_copies_in_one_step(world):
    clerk, officer = world("clerk"), world("officer")
    r = receipt(clerk, "थाना क्षेत्र में गश्त हेतु प्रार्थना पत्र")
    sent = clerk.post(
        f"/api/v1/receipts/{r['id']}/send",
        {
            "to": ["SPO-SP", "PS1-SHO"],
            "remarks": "अवलोकनार्थ",
            "priority": "immediate",
            "due_on": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert sent.status_code == 200, sent.get_json()
    body = sent.get_json()
    assert body["holder"] == "SPO-SP" and body["priority"] == "immediate"
    assert [(m["kind"], m["to"]) for m in body["movements"]] == [
        ("diarised", "SPO-HC"),
        ("action", "SPO-SP"),
        ("copy", "PS1-SHO"),
    ]
    # the action desk's dak: unread, with its priority and due date
    inbox = officer.get("/api/v1/receipts?box=inbox&desk=SPO-SP").get_json()
    (row,) = inbox["items"]
    assert row["unread"] is True and row["priority"] == "immediate" and row["from"] == "SPO-HC"
    # the copy desk: in its copies until seen, read-only
    copies = officer.get("/api/v1/receipts?box=copies&desk=PS1-SHO").get_json()
    assert [i["number"] for i in copies["items"]] == [r["number"]]
    read = officer.get(f"/api/v1/receipts/{r['id']}?desk=PS1-SHO")
    assert read.status_code == 200
    assert officer.get("/api/v1/receipts?box=copies&desk=PS1-SHO").get_json()["total"] == 0
    act = officer.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-HC", "desk": "PS1-SHO"})
    assert act.status_code == 409 and act.get_json()["error"]["code"] == "not_holder"
    # the clerk forwarded it and still sees it; his sent list has it
    assert clerk.get(f"/api/v1/receipts/{r['id']}").status_code == 200
    sent_box = clerk.get("/api/v1/receipts?box=sent").get_json()
    assert [i["number"] for i in sent_box["items"]] == [r["number"]]
    # an officer of another district sees nothing
    assert world("other").get(f"/api/v1/receipts/{r['id']}").status_code == 404


def test_pull_back_while_unopened(world):
    clerk, officer = world("clerk"), world("officer")
    r = receipt(clerk, "डाक")
    clerk.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-SP"})
    back = clerk.post(f"/api/v1/receipts/{r['id']}/pull-back", {"remarks": "गलत डेस्क"})
    assert back.status_code == 200 and back.get_json()["holder"] == "SPO-HC"
    assert back.get_json()["movements"][-1]["kind"] == "pulled_back"
    clerk.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-SP"})
    officer.get(f"/api/v1/receipts/{r['id']}?desk=SPO-SP")  # opened
    late = clerk.post(f"/api/v1/receipts/{r['id']}/pull-back", {})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "already_opened"
    # only the sender pulls back
    assert (
        officer.post(f"/api/v1/receipts/{r['id']}/pull-back", {"desk": "SPO-SP"}).status_code == 409
    )


def test_bad_sends(world):
    clerk = world("clerk")
    r = receipt(clerk, "डाक")
    for body, code in [
        ({"to": []}, 422),
        ({"to": ["SPO-SP", "SPO-SP"]}, 422),
        ({"to": ["NOPE"]}, 422),
        ({"to": "SPO-SP", "priority": "urgent!"}, 422),
        ({"to": "SPO-SP", "due_on": "1969-12-31"}, 422),
        ({"to": ["SPO-SP", "RNG-INSP"]}, 422),  # an inspection desk takes no copies either
    ]:
        assert clerk.post(f"/api/v1/receipts/{r['id']}/send", body).status_code == code, body
    assert clerk.get("/api/v1/receipts?box=nope").status_code == 422


def test_files_go_with_copies(world):
    clerk, officer = world("clerk"), world("officer")
    f = new_file(clerk, "अवकाश स्वीकृति")
    sent = clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-SP", "copy_to": ["PS1-SHO"]})
    assert sent.status_code == 200, sent.get_json()
    copies = officer.get("/api/v1/copies?desk=PS1-SHO").get_json()
    assert [c["number"] for c in copies["items"]] == [f["number"]]
    assert officer.get(f"/api/v1/files/{f['id']}?desk=PS1-SHO").status_code == 200
    assert officer.get("/api/v1/copies?desk=PS1-SHO").get_json()["total"] == 0
    noted = officer.post(f"/api/v1/files/{f['id']}/notes", {"text": "x", "desk": "PS1-SHO"})
    assert noted.status_code == 409  # a copy is read-only
    bad = clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-HC", "copy_to": ["NOPE"]})
    assert bad.status_code in (409, 422)


def test_the_channel_of_submission(world):
    low = world("low.clerk")
    r = receipt(low, "डाक")
    # SPO-L0 -> L1 ... L6 -> SPO-SP: SPO-SP is 7 steps up, 6 levels skipped
    far = low.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-SP"})
    assert far.status_code == 422 and far.get_json()["error"]["code"] == "too_many_levels"
    quiet = low.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-SP", "urgent": True})
    assert quiet.status_code == 422
    ok_near = low.post(f"/api/v1/receipts/{r['id']}/send", {"to": "SPO-L5"})  # 4 skipped
    assert ok_near.status_code == 200, ok_near.get_json()
    f = new_file(low, "तत्काल")
    urgent = low.post(
        f"/api/v1/files/{f['id']}/send",
        {"to": "SPO-SP", "urgent": True, "remarks": "न्यायालय का आदेश: आज ही"},
    )
    assert urgent.status_code == 200, urgent.get_json()
    # the desk search a send form uses: by code, title or office, in Hindi and English
    found = low.get("/api/v1/desks", query_string={"q": "स्तर 3"}).get_json()["items"]
    assert [d["code"] for d in found] == ["SPO-L3"]
    by_office = low.get("/api/v1/desks", query_string={"q": "थाना एक"}).get_json()["items"]
    assert [d["code"] for d in by_office] == ["PS1-SHO"]


def test_the_send_form_offers_the_channel_first(world, client, auth):
    low = world("low.clerk")
    r = receipt(low, "डाक")
    assert auth.login("low.clerk").status_code == 302
    page = client.get(f"/receipts/{r['id']}").get_data(as_text=True)
    select = page.split('id="send-to"')[1].split("</select>")[0]
    options = [o.split('"')[0] for o in select.split('value="')[1:]]
    assert options[1] == "SPO-L1"  # reports_to first
    assert "OTHER-SP" not in options  # never a flat list of every desk
    searched = client.get(f"/receipts/{r['id']}?desk_q=Other").get_data(as_text=True)
    assert 'value="OTHER-SP"' in searched.split('id="send-to"')[1].split("</select>")[0]


def test_the_dak_register(world):
    clerk = world("clerk")
    for i in range(3):
        receipt(clerk, f"पत्र संख्या {i}", mode="post", sender={"name": "ग्राम प्रधान"})
    today = dt.date.today().isoformat()
    body = clerk.get(f"/api/v1/receipts/register?office=SPO&from={today}&to={today}").get_json()
    assert body["total"] == 3 and body["items"][0]["mode"] == "post"
    raw = clerk.get(f"/api/v1/receipts/register?office=SPO&from={today}&to={today}&format=csv")
    assert raw.mimetype == "text/csv" and raw.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    assert len(rows) == 4 and rows[1][0] == body["items"][0]["number"]
    assert rows[1][5] == "पत्र संख्या 0"  # Hindi round-trips
    pdf = clerk.get(f"/api/v1/receipts/register?office=SPO&from={today}&to={today}&format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert world("other").get("/api/v1/receipts/register?office=SPO").status_code == 404
    assert clerk.get("/api/v1/receipts/register?from=2026-13-01").status_code == 422
    assert clerk.get("/api/v1/receipts/register?from=2026-02-01&to=2026-01-01").status_code == 422
    assert clerk.get("/api/v1/receipts/register?format=xls").status_code == 422


def test_security_grading(world, app):
    clerk, officer = world("clerk"), world("officer")
    secret = receipt(clerk, "गोपनीय सूचना मुखबिर", security="confidential")
    plain = receipt(clerk, "सामान्य डाक")
    range_auditor, office_auditor = world("auditor"), world("office.auditor")
    # the range's auditor sees the office's plain dak, never its graded dak
    assert range_auditor.get(f"/api/v1/receipts/{plain['id']}").status_code == 200
    assert range_auditor.get(f"/api/v1/receipts/{secret['id']}").status_code == 404
    assert office_auditor.get(f"/api/v1/receipts/{secret['id']}").status_code == 200
    assert officer.get(f"/api/v1/receipts/{secret['id']}").status_code == 404
    clerk.post(f"/api/v1/receipts/{secret['id']}/send", {"to": "SPO-SP"})
    assert officer.get(f"/api/v1/receipts/{secret['id']}?desk=SPO-SP").status_code == 200
    # registers count only what one may see
    today = dt.date.today().isoformat()
    q = f"/api/v1/receipts/register?office=SPO&from={today}&to={today}"
    assert clerk.get(q).get_json()["total"] == 2
    assert range_auditor.get(q).get_json()["total"] == 1
    # graded files alike, in search and counts too
    f = new_file(clerk, "गोपनीय पत्रावली मुखबिर", security="secret")
    assert f["security"] == "secret"
    assert range_auditor.get(f"/api/v1/files/{f['id']}").status_code == 404
    assert office_auditor.get(f"/api/v1/files/{f['id']}").status_code == 200
    engine = app.extensions["eoffice.search"]
    engine.index()
    hits = range_auditor.get("/api/v1/search", query_string={"q": "मुखबिर"}).get_json()
    assert hits["total"] == 0 and hits["hits"] == []
    mine = clerk.get("/api/v1/search", query_string={"q": "मुखबिर"}).get_json()
    assert mine["total"] == 2
    listed = range_auditor.get("/api/v1/files", query_string={"page": 1})
    if listed.status_code == 200:
        assert f["number"] not in listed.get_data(as_text=True)
    bad = clerk.post(
        "/api/v1/receipts",
        {
            "subject": "x",
            "sender": {"name": "क"},
            "mode": "post",
            "received_on": today,
            "security": "top",
        },
    )
    assert bad.status_code == 422


def test_the_dak_pages(world, client, auth):
    clerk = world("clerk")
    r = receipt(clerk, "ग्राम सभा का पत्र")
    clerk.post(f"/api/v1/receipts/{r['id']}/send", {"to": ["SPO-SP", "PS1-SHO"]})
    assert auth.login("clerk").status_code == 302
    sent = client.get("/receipts/?box=sent").get_data(as_text=True)
    assert r["number"] in sent and 'data-box="sent"' in sent
    page = client.get(f"/receipts/{r['id']}").get_data(as_text=True)
    assert 'id="movement-register"' in page and 'data-kind="copy"' in page
    assert 'id="receipt-pull-back-form"' in page
    register = client.get("/receipts/register")
    assert register.status_code == 200 and r["number"] in register.get_data(as_text=True)
    assert client.get("/receipts/register?format=csv").mimetype == "text/csv"
    assert client.get("/receipts/register?from=nope").status_code == 422
    assert client.get("/files/copies").status_code == 200
