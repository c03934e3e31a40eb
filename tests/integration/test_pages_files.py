"""The HTML pages of files, notes, drafts and dak: rendering in both languages, the forms, 409
and 422 answers that keep what the user typed, escaping, lists, and 404 for outsiders."""

import datetime as dt
import html
import re

import pytest
import sqlalchemy as sa

from eoffice.files import service as files
from eoffice.files.models import File, Movement
from eoffice.notings import service as notings
from eoffice.notings.models import Note
from eoffice.receipts import service as receipts
from eoffice.receipts.models import Receipt
from tests.factories import SUBJECT, act, fresh, make_file, make_receipt

NOTE = "प्रकरण की जांच आवश्यक है, कृपया C/1 देखें।"


def csrf_fields(auth, prefix=None, path="/"):
    token = auth.csrf(path)
    return {f"{prefix}-csrf_token" if prefix else "csrf_token": token}


def post_form(client, auth, url, prefix, data, follow=False):
    body = csrf_fields(auth, prefix)
    body.update({f"{prefix}-{k}" if prefix else k: v for k, v in data.items()})
    return client.post(url, data=body, follow_redirects=follow)


def set_language(client, auth, lang):
    resp = client.post("/language", data={"lang": lang, "next": "/", **csrf_fields(auth)})
    assert resp.status_code == 302


def login(client, auth, username, lang="en"):
    """Log in through the form; the pages answer in `lang` (the default locale is Hindi)."""
    assert auth.login(username).status_code == 302
    set_language(client, auth, lang)


def act_as(client, auth, code):
    resp = client.post("/desk", data={"desk": code, "next": "/", **csrf_fields(auth)})
    assert resp.status_code == 302


def page_version(text):
    return int(re.search(r'id="file" data-file-id="\d+" data-version="(\d+)"', text).group(1))


def textarea(text, field_id):
    m = re.search(rf'<textarea[^>]*id="{re.escape(field_id)}"[^>]*>\s*(.*?)</textarea>', text, re.S)
    assert m, f"no textarea #{field_id}"
    return html.unescape(m.group(1))


def file_rows(text):
    return re.findall(r'<tr class="([^"]*)" data-file-id="(\d+)"', text)


@pytest.fixture
def paper(org, db):
    """A receipt put into a file with a Hindi note, a second open receipt and a 2-version draft."""
    r1 = make_receipt(db)
    r2 = make_receipt(db, subject="सड़क दुर्घटना की सूचना")
    f = make_file(db, receipt_ids=[r1.id])
    act(db, notings.add_note, "clerk", "SPO-HC", f.id, NOTE)
    d = act(db, notings.create_draft, "clerk", "SPO-HC", f.id, "थानाध्यक्ष को पत्र", "पहली पंक्ति\nदूसरी")
    act(db, notings.revise_draft, "clerk", "SPO-HC", d.id, "पहली पंक्ति\nनई दूसरी पंक्ति", 1)
    return {"r1": r1.id, "r2": r2.id, "file": f.id, "number": f.number, "draft": d.id}


# --- every page, in Hindi and in English -------------------------------------------------------


@pytest.mark.parametrize(
    "lang,words",
    [("hi", ["आवक", "टिप्पणी", "पत्राचार", "मसौदा"]), ("en", ["Inbox", "Noting", "Corresp"])],
)
def test_every_page_renders_in_both_languages(client, auth, paper, lang, words):
    login(client, auth, "clerk")
    set_language(client, auth, lang)
    f, d, r1, r2 = paper["file"], paper["draft"], paper["r1"], paper["r2"]
    pages = {
        "/files/inbox": [SUBJECT, paper["number"]],
        "/files/inbox?sort=priority&page=1": [SUBJECT],
        "/files/inbox?sort=subject": [SUBJECT],
        "/files/inbox?sort=number": [SUBJECT],
        "/files/parked": [],
        "/files/closed": [],
        "/files/sent": [],
        "/files/": [SUBJECT],
        "/files/new": ["सड़क दुर्घटना की सूचना"],
        f"/files/new?receipt={r2}": ["सड़क दुर्घटना की सूचना"],
        f"/files/{f}": [SUBJECT, "प्रकरण की जांच आवश्यक है", "थानाध्यक्ष को पत्र", "C/1"],
        "/receipts/": ["सड़क दुर्घटना की सूचना", "सुरेश यादव"],
        "/receipts/new": [],
        f"/receipts/{r1}": [SUBJECT, "सुरेश यादव", "ग्राम पंचायत", paper["number"]],
        f"/receipts/{r2}": ["सड़क दुर्घटना की सूचना"],
        f"/drafts/{d}": ["थानाध्यक्ष को पत्र", "नई दूसरी पंक्ति"],
        f"/drafts/{d}?v=1": ["पहली पंक्ति\nदूसरी"],
        f"/drafts/{d}/compare?a=1&b=2": ["नई दूसरी पंक्ति", "diff-del", "diff-add"],
    }
    seen = ""
    for path, expected in pages.items():
        resp = client.get(path)
        assert resp.status_code == 200, path
        text = resp.get_data(as_text=True)
        assert f'<html lang="{lang}">' in text, path
        for piece in expected:
            assert piece in text, (path, piece)
        seen += text
    for word in words:
        assert word in seen
    # the new-file form comes with the receipt ticked and its subject taken
    text = client.get(f"/files/new?receipt={r2}").get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*value="{r2}"|value="{r2}"[^>]*checked', text)
    assert textarea(text, "subject") == "सड़क दुर्घटना की सूचना"


# --- the file page -----------------------------------------------------------------------------


def test_stale_version_keeps_the_typed_note(client, auth, paper, db):
    login(client, auth, "clerk")
    f = paper["file"]
    seen = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    # someone else at the desk adds a note meanwhile
    act(db, notings.add_note, "clerk", "SPO-HC", f, "बीच में जोड़ी गई टिप्पणी")
    typed = "यह टिप्पणी खोनी नहीं चाहिए <b>ध्यान दें</b>\nदूसरी पंक्ति"
    resp = post_form(
        client, auth, f"/files/{f}/notes", "note", {"text": typed, "version": str(seen)}
    )
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert textarea(text, "note-text") == typed
    assert "&lt;b&gt;ध्यान दें&lt;/b&gt;" in text  # kept, and escaped
    assert "flash-error" in text and "This file was changed since this page was loaded" in text
    assert "बीच में जोड़ी गई टिप्पणी" in text  # the page shows the file as it is now
    # the form now carries the version shown, so submitting again goes through
    new_version = page_version(text)
    assert new_version > seen
    assert re.search(rf'name="note-version" type="hidden" value="{new_version}"', text)
    resp = post_form(
        client, auth, f"/files/{f}/notes", "note", {"text": typed, "version": str(new_version)}
    )
    assert resp.status_code == 303
    db.rollback()
    assert db.scalar(sa.select(Note.text).where(Note.file_id == f, Note.number == 3)) == typed


def test_invalid_send_keeps_the_input(client, auth, paper):
    login(client, auth, "clerk")
    f = paper["file"]
    version = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    resp = post_form(
        client,
        auth,
        f"/files/{f}/send",
        "send",
        {"to": "", "remarks": "कृपया अवलोकनार्थ", "version": str(version)},
    )
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert textarea(text, "send-remarks") == "कृपया अवलोकनार्थ"
    assert 'class="field  has-error"' in text
    # a due date in the past is refused by the service: 422, input kept
    resp = post_form(
        client,
        auth,
        f"/files/{f}/send",
        "send",
        {
            "to": "SPO-SP",
            "remarks": "शीघ्र",
            "due_on": "2001-01-01",
            "version": str(version),
        },
    )
    assert resp.status_code == 422
    assert textarea(resp.get_data(as_text=True), "send-remarks") == "शीघ्र"


def test_note_text_is_escaped_and_citations_become_links(client, auth, paper):
    login(client, auth, "clerk")
    f = paper["file"]
    version = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    resp = post_form(
        client,
        auth,
        f"/files/{f}/notes",
        "note",
        {"text": '<script>alert(1)</script> see C/1 "q" & C/12x', "version": str(version)},
    )
    assert resp.status_code == 303
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert (
        '&lt;script&gt;alert(1)&lt;/script&gt; see <a href="#c1" class="cite">C/1</a> '
        "&#34;q&#34; &amp; C/12x"
    ) in text
    assert 'id="c1"' in text  # the anchor the link points at
    # an earlier note's citation is a link too
    assert 'कृपया <a href="#c1" class="cite">C/1</a> देखें' in text


def test_author_edits_own_note_until_the_file_leaves(client, auth, paper, db):
    login(client, auth, "clerk")
    f = paper["file"]
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="edit-note-1"' in text
    resp = post_form(
        client,
        auth,
        f"/files/{f}/notes/1",
        "edit-1",
        {"text": "सुधारी गई टिप्पणी", "version": str(page_version(text))},
    )
    assert resp.status_code == 303
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert "सुधारी गई टिप्पणी" in text
    # sent: the note is final, no edit form, and an edit is refused with 409 (input kept)
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="edit-note-1"' not in text and 'id="note-form"' not in text
    assert "final-badge" in text
    resp = post_form(
        client, auth, f"/files/{f}/notes/1", "edit-1", {"text": "फिर से बदलाव", "version": ""}
    )
    assert resp.status_code == 409
    assert textarea(resp.get_data(as_text=True), "edit-1-text") == "फिर से बदलाव"


def test_send_open_unread_and_pull_back(client, auth, paper, db):
    login(client, auth, "clerk")
    f = paper["file"]
    version = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    resp = post_form(
        client,
        auth,
        f"/files/{f}/send",
        "send",
        {
            "to": "SPO-SP",
            "remarks": "अवलोकनार्थ प्रस्तुत",
            "priority": "immediate",
            "due_on": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
            "version": str(version),
        },
    )
    assert resp.status_code == 303
    assert fresh(db, File, f).holder.code == "SPO-SP"
    # the sender may pull back while unopened
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="pull-back-form"' in text and 'id="send-form"' not in text
    resp = post_form(
        client, auth, f"/files/{f}/pull-back", "pull", {"version": str(page_version(text))}
    )
    assert resp.status_code == 303
    assert fresh(db, File, f).holder.code == "SPO-HC"
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    stale = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    sent = client.get("/files/sent").get_data(as_text=True)
    assert "unread-badge" in sent  # not yet opened by the receiver
    auth.logout()

    # the officer: at PS1-SHO (the default) the file is shown but not opened
    login(client, auth, "officer")
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="switch-to-holder"' in text and 'id="note-form"' not in text
    assert fresh(db, File, f).last_movement.opened_at is None
    act_as(client, auth, "SPO-SP")
    inbox = client.get("/files/inbox").get_data(as_text=True)
    assert ("unread", str(f)) in file_rows(inbox)
    assert "badge priority-immediate" in inbox
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="note-form"' in text and 'id="send-form"' in text
    assert fresh(db, File, f).last_movement.opened_at is not None
    inbox = client.get("/files/inbox").get_data(as_text=True)
    assert ("", str(f)) in file_rows(inbox)
    auth.logout()

    # too late to pull back now: 409 with a clear message
    login(client, auth, "clerk")
    resp = post_form(client, auth, f"/files/{f}/pull-back", "pull", {"version": str(stale)})
    assert resp.status_code == 409
    assert "already opened the file" in resp.get_data(as_text=True)
    # and the pull-back button, which can no longer work, is gone from the page
    assert 'id="pull-back-form"' not in resp.get_data(as_text=True)


def test_park_close_and_reopen(client, auth, paper, db):
    f = paper["file"]
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    login(client, auth, "clerk")
    # a clerk may not close at all
    assert (
        post_form(client, auth, f"/files/{f}/close", "close", {"remarks": "x"}).status_code == 403
    )
    auth.logout()
    login(client, auth, "officer")
    act_as(client, auth, "SPO-SP")
    text = client.get(f"/files/{f}").get_data(as_text=True)
    resp = post_form(
        client,
        auth,
        f"/files/{f}/park",
        "park",
        {"remarks": "रिपोर्ट की प्रतीक्षा", "version": str(page_version(text))},
    )
    assert resp.status_code == 303
    assert str(f) in client.get("/files/parked").get_data(as_text=True)
    assert 'data-file-id="' + str(f) not in client.get("/files/inbox").get_data(as_text=True)
    text = client.get(f"/files/{f}").get_data(as_text=True)
    version = str(page_version(text))
    # closing needs remarks: 422 and nothing lost
    resp = post_form(
        client, auth, f"/files/{f}/close", "close", {"remarks": " ", "version": version}
    )
    assert resp.status_code == 422
    assert fresh(db, File, f).status == "parked"
    resp = post_form(
        client, auth, f"/files/{f}/close", "close", {"remarks": "निस्तारित", "version": version}
    )
    assert resp.status_code == 303
    closed = client.get("/files/closed").get_data(as_text=True)
    assert str(f) in closed
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="note-form"' not in text and 'id="reopen-form"' in text
    assert "निस्तारित" in text  # the remarks, in the movement register
    # a closed file takes no notes, even posted by hand: 409
    resp = post_form(client, auth, f"/files/{f}/notes", "note", {"text": "बंद के बाद", "version": ""})
    assert resp.status_code == 409
    assert textarea(resp.get_data(as_text=True), "note-text") == "बंद के बाद"
    resp = post_form(
        client,
        auth,
        f"/files/{f}/reopen",
        "reopen",
        {"remarks": "नए तथ्य", "version": str(page_version(text))},
    )
    assert resp.status_code == 303
    assert fresh(db, File, f).status == "open"


def test_put_a_receipt_into_the_file(client, auth, paper, db):
    login(client, auth, "clerk")
    f = paper["file"]
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="receipt-form"' in text
    resp = post_form(
        client,
        auth,
        f"/files/{f}/receipts",
        "receipt",
        {"receipt_id": str(paper["r2"]), "version": str(page_version(text))},
    )
    assert resp.status_code == 303
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="c2"' in text and "सड़क दुर्घटना की सूचना" in text
    assert fresh(db, Receipt, paper["r2"]).status == "filed"
    assert 'id="receipt-form"' not in text  # no open receipts left on the desk


# --- drafts ------------------------------------------------------------------------------------


def test_draft_create_revise_conflict_approve_issue(client, auth, paper, db):
    f = paper["file"]
    login(client, auth, "clerk")
    text = client.get(f"/files/{f}").get_data(as_text=True)
    resp = post_form(
        client,
        auth,
        f"/files/{f}/drafts",
        "draft",
        {"title": "उत्तर", "body": "महोदय,\nआपका पत्र मिला।", "version": str(page_version(text))},
    )
    assert resp.status_code == 303
    draft_url = resp.headers["Location"]
    d = int(draft_url.rsplit("/", 1)[1])
    text = client.get(draft_url).get_data(as_text=True)
    assert textarea(text, "revise-body") == "महोदय,\nआपका पत्र मिला।"
    assert 'id="approve-form"' not in text  # a clerk does not approve
    resp = post_form(
        client, auth, draft_url, "revise", {"body": "महोदय,\nआपका पत्र प्राप्त हुआ।", "version": "1"}
    )
    assert resp.status_code == 303
    # an edit of version 1 again is stale: 409 and the text stays
    resp = post_form(client, auth, draft_url, "revise", {"body": "पुराना संपादन", "version": "1"})
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert textarea(text, "revise-body") == "पुराना संपादन"
    assert 'name="revise-version" type="hidden" value="2"' in text
    compare = client.get(f"/drafts/{d}/compare?a=1&b=2").get_data(as_text=True)
    assert '<tr class="diff-del">' in compare and "<del>आपका पत्र मिला।</del>" in compare
    assert "<ins>आपका पत्र प्राप्त हुआ।</ins>" in compare
    assert client.get(f"/drafts/{d}/compare?a=1&b=9").status_code == 404
    assert post_form(client, auth, f"/drafts/{d}/approve", "approve", {}).status_code == 403
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    auth.logout()

    login(client, auth, "officer")
    act_as(client, auth, "SPO-SP")
    text = client.get(draft_url).get_data(as_text=True)
    assert 'id="approve-form"' in text
    # approving and issuing ask for a ticked confirmation (tests/integration/test_dispatch.py)
    resp = post_form(client, auth, f"/drafts/{d}/approve", "approve", {"version": "2"})
    assert resp.status_code == 422
    resp = post_form(
        client, auth, f"/drafts/{d}/approve", "approve", {"version": "2", "confirm": "y"}
    )
    assert resp.status_code == 303
    text = client.get(draft_url).get_data(as_text=True)
    assert 'id="issue-form"' in text and 'id="approved-version"' in text
    resp = post_form(client, auth, f"/drafts/{d}/issue", "issue", {"confirm": "y"}, follow=True)
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    number = re.search(r'id="dispatch-number" class="dispatch">([^<]+)<', text).group(1)
    assert re.fullmatch(r"SPO/D/\d{4}/\d{5}", number)
    assert 'id="revise-form"' not in text  # issued: read-only
    file_page = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'class="corr-issued"' in file_page and number in file_page


# --- lists -------------------------------------------------------------------------------------


def test_lists_paginate_and_sort(client, auth, org, db):
    for i in range(27):
        make_file(db, subject=f"विषय {i:02d}", priority="most_immediate" if i == 5 else "normal")
    login(client, auth, "clerk")
    first = client.get("/files/inbox").get_data(as_text=True)
    assert len(file_rows(first)) == 25
    assert "?page=2" in first and "27" in first
    second = client.get("/files/inbox?page=2").get_data(as_text=True)
    assert len(file_rows(second)) == 2
    assert {r[1] for r in file_rows(first)}.isdisjoint({r[1] for r in file_rows(second)})
    by_subject = client.get("/files/inbox?sort=subject").get_data(as_text=True)
    subjects = re.findall(r"<td[^>]*>(विषय \d\d)</td>", by_subject)
    assert subjects == sorted(subjects) and subjects[0] == "विषय 00"
    assert "page=2&amp;sort=subject" in by_subject or "sort=subject&amp;page=2" in by_subject
    by_priority = client.get("/files/inbox?sort=priority").get_data(as_text=True)
    assert re.findall(r"<td[^>]*>(विषय \d\d)</td>", by_priority)[0] == "विषय 05"
    # an unknown sort falls back to newest first; a page past the end is just empty
    assert client.get("/files/inbox?sort=nonsense").status_code == 200
    assert "inbox is empty" in client.get("/files/inbox?page=9").get_data(as_text=True)
    assert client.get("/files/?page=2").get_data(as_text=True).count("data-file-id=") == 2


def test_overdue_files_are_flagged(client, auth, org, db):
    f = make_file(db)
    # twenty days at the desk: the desk's clock on the file (since it arrived there)
    movement = db.get(Movement, f.last_movement_id)
    movement.at = movement.at - dt.timedelta(days=20)
    f.clock_from = movement.at
    db.commit()
    login(client, auth, "clerk")
    assert "badge overdue" in client.get("/files/inbox").get_data(as_text=True)
    assert "badge overdue" in client.get(f"/files/{f.id}").get_data(as_text=True)


def test_empty_states_and_a_user_without_a_desk(client, auth, org):
    login(client, auth, "clerk")
    for path, words in [
        ("/files/inbox", "inbox is empty"),
        ("/files/parked", "No parked files"),
        ("/files/closed", "No closed files"),
        ("/files/sent", "has not sent any file"),
        ("/receipts/", "No open dak"),
    ]:
        assert words in client.get(path).get_data(as_text=True), path
    auth.logout()
    login(client, auth, "admin")  # holds no desk
    for path in ("/files/inbox", "/files/sent", "/receipts/"):
        resp = client.get(path)
        assert resp.status_code == 200
        assert "You hold no desk" in resp.get_data(as_text=True)
    assert client.get("/files/new").status_code == 403


# --- who may see what --------------------------------------------------------------------------


def test_outsider_gets_404_everywhere(client, auth, paper):
    login(client, auth, "other")
    f, d = paper["file"], paper["draft"]
    for path in (
        f"/files/{f}",
        f"/drafts/{d}",
        f"/drafts/{d}/compare?a=1&b=2",
        f"/receipts/{paper['r1']}",
        "/files/999999",
    ):
        assert client.get(path).status_code == 404, path
    resp = post_form(client, auth, f"/files/{f}/notes", "note", {"text": "घुसपैठ", "version": ""})
    assert resp.status_code == 404
    resp = post_form(client, auth, f"/files/{f}/send", "send", {"to": "OTHER-SP"})
    assert resp.status_code == 404
    assert paper["number"] not in client.get("/files/").get_data(as_text=True)


def test_auditor_reads_the_whole_history_but_cannot_act(client, auth, paper, db):
    act(db, files.send_file, "clerk", "SPO-HC", paper["file"], "SPO-SP", "जांच")
    login(client, auth, "auditor")
    assert paper["number"] in client.get("/files/").get_data(as_text=True)
    text = client.get(f"/files/{paper['file']}").get_data(as_text=True)
    assert "प्रकरण की जांच आवश्यक है" in text and 'data-kind="sent"' in text
    for form in ("note-form", "send-form", "close-form", "draft-form", "pull-back-form"):
        assert f'id="{form}"' not in text
    assert client.get("/files/new").status_code == 403
    assert client.get("/receipts/new").status_code == 403


# --- dak ---------------------------------------------------------------------------------------

RECEIPT_FORM = {
    "received_on": dt.date.today().isoformat(),
    "mode": "hand",
    "sender_name": "श्रीमती कमला देवी",
    "sender_designation": "प्रधान",
    "sender_organisation": "ग्राम पंचायत रामपुर",
    "sender_address": "ग्राम रामपुर,\nजनपद कन्नौज",
    "sender_mobile": "9876543210",
    "sender_email": "kamla@example.org",
    "letter_number": "ग्रा.पं./12/2026",
    "letter_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
    "subject": "गांव में रात्रि गश्त बढ़ाने हेतु",
    "category": "शिकायत",
    "language": "hi",
    "enclosures": "प्रार्थना पत्र की प्रति",
    "remarks": "तत्काल",
}


def test_diarise_a_receipt_and_open_a_file_from_it(client, auth, org, db):
    login(client, auth, "clerk")
    bad = dict(RECEIPT_FORM, sender_mobile="abc", sender_name="  ")
    resp = post_form(client, auth, "/receipts/new", None, bad)
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert textarea(text, "subject") == RECEIPT_FORM["subject"]
    assert 'value="ग्राम पंचायत रामपुर"' in text
    resp = post_form(client, auth, "/receipts/new", None, RECEIPT_FORM)
    assert resp.status_code == 303
    receipt_url = resp.headers["Location"]
    r = int(receipt_url.rsplit("/", 1)[1])
    text = client.get(receipt_url).get_data(as_text=True)
    for value in ("R/", "श्रीमती कमला देवी", "kamla@example.org", "ग्रा.पं./12/2026", "तत्काल"):
        assert value in text
    assert f'href="/files/new?receipt={r}"' in text
    stored = fresh(db, Receipt, r)
    assert stored.mode == "hand" and stored.language == "hi"
    assert stored.letter_date == dt.date.today() - dt.timedelta(days=2)
    # the new-file form, from the receipt
    resp = post_form(
        client,
        auth,
        "/files/new",
        None,
        {
            "subject": RECEIPT_FORM["subject"],
            "head": "11",
            "category": "C",
            "priority": "priority",
            "receipt_ids": str(r),
        },
    )
    assert resp.status_code == 303
    f = int(resp.headers["Location"].rsplit("/", 1)[1])
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="c1"' in text and f'href="/receipts/{r}"' in text
    assert re.search(r"11/1/\d{4}-Estt", text)
    # a bad head is refused, and the form keeps the rest
    resp = post_form(
        client, auth, "/files/new", None, {"subject": "दूसरी", "head": "1/2", "category": "A"}
    )
    assert resp.status_code == 422
    assert textarea(resp.get_data(as_text=True), "subject") == "दूसरी"


def test_send_and_close_receipts(client, auth, org, db):
    r1 = make_receipt(db).id
    r2 = make_receipt(db, subject="दूसरी डाक").id
    login(client, auth, "clerk")
    text = client.get(f"/receipts/{r1}").get_data(as_text=True)
    assert 'id="receipt-send-form"' in text
    resp = post_form(client, auth, f"/receipts/{r1}/send", "send", {"to": "NOPE"})
    assert resp.status_code == 422
    resp = post_form(client, auth, f"/receipts/{r1}/send", "send", {"to": "SPO-SP"})
    assert resp.status_code == 303
    assert fresh(db, Receipt, r1).holder.code == "SPO-SP"
    # no longer on this desk: no actions, and acting again is a 409
    text = client.get(f"/receipts/{r1}").get_data(as_text=True)
    assert 'id="receipt-send-form"' not in text
    resp = post_form(client, auth, f"/receipts/{r1}/close", "close", {"remarks": "x"})
    assert resp.status_code == 409
    resp = post_form(client, auth, f"/receipts/{r2}/close", "close", {"remarks": "अनावश्यक"})
    assert resp.status_code == 303
    assert fresh(db, Receipt, r2).status == "closed"
    assert "No open dak" in client.get("/receipts/").get_data(as_text=True)


# --- parked files ------------------------------------------------------------------------------


def test_unpark_from_the_parked_list_and_from_the_file_page(client, auth, paper, db):
    f = paper["file"]
    act(db, files.park, "clerk", "SPO-HC", f, "रिपोर्ट की प्रतीक्षा")
    login(client, auth, "clerk")
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="unpark-form"' in text and 'id="park-form"' not in text
    # the parked list carries a button per file, with the version it shows
    parked = client.get("/files/parked").get_data(as_text=True)
    form = re.search(
        rf'<form method="post" action="/files/{f}/unpark".*?name="unpark-csrf_token" '
        r'value="([^"]+)".*?name="unpark-version" value="(\d+)"',
        parked,
        re.S,
    )
    assert form, "no unpark button on the parked list"
    resp = client.post(
        f"/files/{f}/unpark",
        data={"unpark-csrf_token": form.group(1), "unpark-version": form.group(2)},
    )
    assert resp.status_code == 303
    assert fresh(db, File, f).status == "open"
    assert ("", str(f)) in file_rows(client.get("/files/inbox").get_data(as_text=True))
    assert "No parked files" in client.get("/files/parked").get_data(as_text=True)
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'data-kind="unparked"' in text and "Taken back into work" in text
    assert 'id="unpark-form"' not in text and 'id="park-form"' in text

    # parked again meanwhile by someone else at the desk: the old version is stale, 409, the
    # remarks typed are kept
    seen = page_version(text)
    act(db, files.park, "clerk", "SPO-HC", f)
    resp = post_form(
        client,
        auth,
        f"/files/{f}/unpark",
        "unpark",
        {"remarks": "उत्तर आ गया", "version": str(seen)},
    )
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert "This file was changed since this page was loaded" in text
    assert textarea(text, "unpark-remarks") == "उत्तर आ गया"
    assert fresh(db, File, f).status == "parked"

    # on another desk now: the clerk may not take it back (409, and no button)
    act(db, files.unpark, "clerk", "SPO-HC", f)
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    act(db, files.park, "officer", "SPO-SP", f)
    text = client.get(f"/files/{f}").get_data(as_text=True)
    assert 'id="unpark-form"' not in text
    resp = post_form(
        client, auth, f"/files/{f}/unpark", "unpark", {"version": str(page_version(text))}
    )
    assert resp.status_code == 409
    assert "This file is not on your desk" in resp.get_data(as_text=True)
    assert fresh(db, File, f).status == "parked"


# --- service errors in the page's language -----------------------------------------------------

STALE_HI = "यह पृष्ठ खुलने के बाद इस पत्रावली में परिवर्तन हुआ है"
NOT_HOLDER_HI = "यह पत्रावली आपके डेस्क पर नहीं है, अतः आप इस पर कार्रवाई नहीं कर सकते।"


def test_service_errors_are_shown_in_hindi_on_pages(client, auth, paper, db, token_for):
    login(client, auth, "clerk", lang="hi")
    f = paper["file"]
    seen = page_version(client.get(f"/files/{f}").get_data(as_text=True))
    act(db, notings.add_note, "clerk", "SPO-HC", f, "बीच में जोड़ी गई टिप्पणी")
    # a stale version: the flash is Hindi, the typed note is kept
    resp = post_form(
        client, auth, f"/files/{f}/notes", "note", {"text": "मेरी टिप्पणी", "version": str(seen)}
    )
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert STALE_HI in text and "Someone else changed" not in text
    assert textarea(text, "note-text") == "मेरी टिप्पणी"
    # a date in the past, refused by the service: the field says so in Hindi
    version = str(page_version(text))
    resp = post_form(
        client,
        auth,
        f"/files/{f}/send",
        "send",
        {"to": "SPO-SP", "due_on": "2001-01-01", "version": version},
    )
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "नियत तिथि बीत चुकी है।" in text and "due_on is in the past" not in text
    # not the holder any more
    act(db, files.send_file, "clerk", "SPO-HC", f, "SPO-SP")
    resp = post_form(client, auth, f"/files/{f}/park", "park", {"version": ""})
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert NOT_HOLDER_HI in text and "is not on your desk" not in text
    # an error page of its own: a file that is not there
    resp = client.get("/files/999999")
    assert resp.status_code == 404
    assert "नहीं मिला" in resp.get_data(as_text=True)
    assert "no such file" not in resp.get_data(as_text=True)
    # the JSON API keeps its English messages, whatever the user's language
    headers = {**token_for("clerk"), "Accept-Language": "hi"}
    resp = client.post(f"/api/v1/files/{f}/park", headers=headers, json={})
    assert resp.status_code == 409
    assert resp.get_json()["error"] == {
        "code": "not_holder",
        "message": f"file {paper['number']} is not on your desk",
    }


def test_a_refused_receipt_form_comes_back_filled(client, auth, org, db):
    r = make_receipt(db).id
    login(client, auth, "clerk")
    assert 'id="receipt-send-form"' in client.get(f"/receipts/{r}").get_data(as_text=True)
    # meanwhile another hand at the desk sends it on: the clerk's form is refused, not lost
    act(db, receipts.send_receipt, "clerk", "SPO-HC", r, "SPO-SP")
    resp = post_form(
        client, auth, f"/receipts/{r}/send", "send", {"to": "PS1-SHO", "remarks": "थाने को जांच हेतु"}
    )
    assert resp.status_code == 409
    text = resp.get_data(as_text=True)
    assert "This receipt is not on your desk any more." in text
    assert textarea(text, "send-remarks") == "थाने को जांच हेतु"
    assert 'id="receipt-close-form"' not in text  # only the refused form is shown again
    resp = post_form(client, auth, f"/receipts/{r}/close", "close", {"remarks": "अनावश्यक डाक"})
    assert resp.status_code == 409
    assert textarea(resp.get_data(as_text=True), "close-remarks") == "अनावश्यक डाक"
