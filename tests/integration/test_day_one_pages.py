"""What a head clerk and an SP hit on their first day in the pages (the day-one pages issue),
each kept fixed by a test."""

from __future__ import annotations

import datetime as dt

from eoffice.files.models import File
from tests.integration.test_hardening import new_file

# --- 1. the office's time (Indian Standard Time), the zone named once --------------------------


def test_pages_show_indian_time_and_name_the_zone_once(api, auth, client, db):
    f = new_file(api)
    db.rollback()
    created = db.get(File, f["id"]).created_at
    ist = (created + dt.timedelta(hours=5, minutes=30)).strftime("%d-%m-%Y %H:%M")
    utc = created.strftime("%d-%m-%Y %H:%M")
    auth.login("clerk")
    for lang, footer in (("en", "Times are shown in IST."), ("hi", "IST")):
        client.post("/language", data={"lang": lang, "csrf_token": auth.csrf()})
        page = client.get(f"/files/{f['id']}").get_data(as_text=True)
        assert ist in page and "UTC" not in page
        if ist != utc:
            assert f">{utc}<" not in page
        assert page.count(footer) >= 1 and page.count("site-footer") == 1


# --- 2. the inbox says from whom and what they wrote ------------------------------------------


def test_the_inbox_shows_the_sender_and_the_first_line_of_the_remarks(api, auth, client):
    f = new_file(api)
    due = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    sent = api("clerk").post(
        f"/api/v1/files/{f['id']}/send",
        {"to": "SPO-SP", "remarks": "कृपया अवलोकन करें\nदूसरी पंक्ति", "due_on": due},
    )
    assert sent.status_code == 200
    item = api("officer").get("/api/v1/inbox?desk=SPO-SP").get_json()["items"][0]
    assert item["from_desk"]["code"] == "SPO-HC" and item["from_person"]["name"] == "Ram Kumar"
    assert item["remarks"] == "कृपया अवलोकन करें" and item["due_on"] == due
    auth.login("officer")
    client.post("/desk", data={"desk": "SPO-SP", "csrf_token": auth.csrf()})
    client.post("/language", data={"lang": "hi", "csrf_token": auth.csrf()})
    page = client.get("/files/inbox").get_data(as_text=True)
    assert "राम कुमार" in page and "प्रधान लिपिक" in page and "कृपया अवलोकन करें" in page
    assert "दूसरी पंक्ति" not in page
    assert 'data-label="' in page  # phone cards label each value


# --- 9. states that do not mislead ------------------------------------------------------------


def test_a_pulled_back_send_says_so_in_the_sent_list(api, auth, client):
    f = new_file(api)
    clerk = api("clerk")
    clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-SP"})
    back = clerk.post(f"/api/v1/files/{f['id']}/pull-back", {})
    assert back.status_code == 200
    g = new_file(api, subject="दूसरी पत्रावली")
    clerk.post(f"/api/v1/files/{g['id']}/send", {"to": "SPO-SP"})
    items = {i["id"]: i for i in clerk.get("/api/v1/sent").get_json()["items"]}
    assert items[f["id"]]["pulled_back"] is True and items[f["id"]]["opened"] is False
    assert items[g["id"]]["pulled_back"] is False
    auth.login("clerk")
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    page = client.get("/files/sent").get_data(as_text=True)
    assert page.count("Pulled back") == 1 and page.count("Not yet opened") == 1


# --- also: जाँच finds जांच; an empty result is not a numbered hit ---------------------------------


def test_candrabindu_finds_anusvara_and_an_empty_result_reads_as_a_sentence(api, app, auth, client):
    f = new_file(api, subject="भूमि विवाद की जांच")
    app.extensions["eoffice.search"].index()
    hits = api("clerk").get("/api/v1/search?q=जाँच").get_json()["hits"]
    assert [h["file_id"] for h in hits] == [f["id"]]
    auth.login("clerk")
    page = client.get("/search/?q=कुछनहींमिलेगा").get_data(as_text=True)
    assert 'class="empty-result"' in page and "<ol" not in page.split('id="result-count"')[1]


def test_the_handover_list_starts_blank_and_leaves_out_the_holder_and_the_admin(
    auth, client, db, org
):
    import re

    import sqlalchemy as sa

    from eoffice.org.models import Desk

    desk_id = db.scalar(sa.select(Desk.id).where(Desk.code == "SPO-HC"))
    auth.login("admin")
    page = client.get(f"/admin/desks/{desk_id}").get_data(as_text=True)
    select = page[page.index('name="handover-user_id"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options[0] == "—"
    names = " ".join(options)
    assert "clerk —" not in names and "admin —" not in names  # the holder; the admin
    assert "officer —" in names and "auditor —" in names
    from tests.conftest import csrf_from

    refused = client.post(
        f"/admin/desks/{desk_id}/handover",
        data={
            "handover-csrf_token": csrf_from(page),
            "handover-user_id": "",
            "handover-kind": "regular",
            "handover-confirm": "y",
        },
        follow_redirects=True,
    )
    assert refused.status_code == 200
    db.expire_all()
    assert [u.username for u in db.get(Desk, desk_id).current_holders()] == ["clerk"]


# --- 8. the start page: what waits at each of one's desks --------------------------------------


def test_the_start_page_counts_what_waits_at_each_desk(api, auth, client, db):
    clerk = api("clerk")
    today = dt.date.today().isoformat()
    a, b = new_file(api), new_file(api, subject="दूसरी")
    clerk.post(f"/api/v1/files/{a['id']}/send", {"to": "SPO-SP", "due_on": today})
    clerk.post(f"/api/v1/files/{b['id']}/send", {"to": "PS1-SHO"})
    old = new_file(api, subject="पुरानी")
    clerk.post(f"/api/v1/files/{old['id']}/send", {"to": "SPO-SP"})
    row = db.get(File, old["id"])
    row.clock_from = row.clock_from - dt.timedelta(days=30)
    db.commit()
    auth.login("officer")  # holds PS1-SHO (first, acting) and SPO-SP
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    page = client.get("/").get_data(as_text=True)

    def counts(code):
        row = page[page.index(f'data-desk="{code}"') :]
        row = row[: row.index("</tr>")]
        return [
            int(row.split(f'class="count-{k}">')[1].split("<")[0])
            for k in ("unread", "overdue", "due")
        ]

    assert counts("SPO-SP") == [2, 1, 1]
    assert counts("PS1-SHO") == [1, 0, 0]
    assert "2 unread files wait at your other desk" in page


# --- 7. a refused form says so at the top and puts the cursor where to correct ------------------


def test_a_refused_form_says_so_at_the_top_and_focuses_the_first_wrong_field(auth, client, org):
    from tests.conftest import csrf_from

    auth.login("clerk")
    client.post("/language", data={"lang": "en", "csrf_token": auth.csrf()})
    page = client.get("/receipts/new").get_data(as_text=True)
    assert 'id="form-refused"' not in page
    resp = client.post(
        "/receipts/new",
        data={"csrf_token": csrf_from(page), "subject": "", "sender_name": "सुनीता", "mode": "post"},
    )
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    banner = text.index('id="form-refused"')
    main = text.index("<main>")
    assert main < banner < text.index("<form", main)  # at the top of the page, before the form
    assert text.count('id="first-error"') == 1 and text.count("autofocus") == 1
    first = text[text.index('id="first-error"') :]
    assert "autofocus" in first[: first.index("</div>")]
    assert 'value="सुनीता"' in text  # what was typed is kept


# --- also: the login page speaks the language last used on the device -------------------------


def test_the_login_page_keeps_the_devices_last_language_after_logout(auth, client, org):
    headers = {"Accept-Language": "en"}
    assert 'lang="en"' in client.get("/login", headers=headers).get_data(as_text=True)
    auth.login("clerk")
    client.post("/language", data={"lang": "hi", "csrf_token": auth.csrf()})
    auth.logout()
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert 'lang="hi"' in page


# --- 4. a document attached to a file has its page on the correspondence side ----------------


def test_an_attached_document_gets_its_page_and_is_in_the_docket(api, db):
    import io

    from eoffice.files.docket import docket_html

    f = new_file(api)
    clerk = api("clerk")
    receipt = clerk.post(
        "/api/v1/receipts",
        {
            "subject": "शिकायत पत्र",
            "sender": {"name": "सुनीता देवी"},
            "mode": "post",
            "received_on": dt.date.today().isoformat(),
        },
    ).get_json()
    clerk.post(f"/api/v1/files/{f['id']}/receipts", {"receipt_id": receipt["id"]})
    att = clerk.post(
        f"/api/v1/files/{f['id']}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "जांच रिपोर्ट.pdf")},
        content_type="multipart/form-data",
    ).get_json()
    corr = clerk.get(f"/api/v1/files/{f['id']}").get_json()["correspondence"]
    assert [(c["label"], c["kind"]) for c in corr] == [("C/1", "receipt"), ("C/2", "document")]
    assert corr[1]["id"] == att["id"] and corr[1]["title"] == "जांच रिपोर्ट.pdf"
    db.rollback()
    html, _stamp = docket_html(db, db.get(File, f["id"]))
    assert "C/2" in html and "जांच रिपोर्ट.pdf" in html and "Document" in html


# --- 10. one set of words on the screens and in the PDFs; the pale green noting sheet ----------


def test_the_screens_and_the_pdfs_use_the_same_words():
    from pathlib import Path

    from eoffice.web.glossary import GLOSSARY

    root = Path(__file__).resolve().parent.parent.parent
    catalogue = (root / "eoffice/translations/hi/LC_MESSAGES/messages.po").read_text()
    strings = "\n".join(line for line in catalogue.splitlines() if line.startswith(("msgstr", '"')))
    pdfs = "\n".join(p.read_text() for p in (root / "templates/pdf").glob("*.html"))
    pages = "\n".join(p.read_text() for p in (root / "templates").rglob("*.html"))
    for term, (word, others) in GLOSSARY.items():
        for other in others:
            for where, text in (("catalogue", strings), ("PDFs", pdfs), ("pages", pages)):
                assert other not in text, f"{term}: {other!r} in the {where}; say {word!r}"
    for word in ("अति तत्काल", "खुली", "डेस्क", "टिप्पणी भाग"):
        assert word in strings and word in pdfs, word
    css = (root / "static/eoffice.css").read_text() + (root / "static/pdf/print.css").read_text()
    assert css.count("#eef7e6") == 2  # the noting sheet's green, on screen and on paper


# --- 5. the letter: subject, reference, body, the approving officer's signature; its PDF linked --


def test_the_issued_letter_reads_as_a_letter_and_its_page_links_the_pdf(api, auth, client, db):
    from eoffice.notings.letter import letter_html
    from eoffice.notings.models import Draft

    f = new_file(api)
    clerk, officer = api("clerk"), api("officer")
    d = clerk.post(
        f"/api/v1/files/{f['id']}/drafts", {"title": "रात्रि गश्त", "body": "गश्त बढ़ाई जाए।"}
    ).get_json()
    clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-SP"})
    officer.post(f"/api/v1/drafts/{d['id']}/approve", {"desk": "SPO-SP"})
    issued = officer.post(f"/api/v1/drafts/{d['id']}/issue", {"desk": "SPO-SP"}).get_json()
    db.rollback()
    draft = db.get(Draft, d["id"])
    html, _ = letter_html(
        db,
        db.get(File, f["id"]),
        draft,
        1,
        None,
        signer=draft.approved_by,
        signer_desk=draft.approved_desk,
    )
    subject, reference, body = (
        html.index('id="letter-title"'),
        html.index('id="letter-reference"'),
        html.index('id="letter-body"'),
    )
    assert subject < reference < body < html.index('id="signature"')
    assert f["number"] in html[reference:body]
    auth.login("officer")
    page = client.get(f"/drafts/{d['id']}").get_data(as_text=True)
    assert f'href="{issued["pdf"].replace("/api/v1", "")}"' in page and 'id="letter-pdf"' in page
