"""Dispatch and signatures (issue 11, item 3) and the dispatch register (item 2): issuing takes
addressees, copies and a mode; the letter is signed (PAdES, pyHanko) for the officer who
approved it with the office's key; by e-mail the signed PDF goes to every address through the
mail jobs; `GET /api/v1/attachments/{id}/signature` validates it with pyHanko's validator; the
register lists what an office issued, as JSON, CSV and PDF, to that office and its auditors."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import os
import re
import stat
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader

from eoffice.audit import stamps
from eoffice.cli import main
from eoffice.core.jobs import Job
from eoffice.notings.models import Draft
from eoffice.org.service import load_org
from eoffice.pdf import signing
from eoffice.storage.models import Attachment
from tests.conftest import PASSWORD, SMALL_ORG, Auth, csrf_from, start_app
from tests.factories import Caller, new_draft, new_file, upload
from tests.mailserver import smtp_server

__all__ = ["smtp_server"]  # the fixture

IST = ZoneInfo("Asia/Kolkata")
TITLE = "थानाध्यक्ष कोतवाली से आख्या"
BODY = "सेवा में,\nथानाध्यक्ष कोतवाली\n\nकृपया संलग्न शिकायत पर 7 दिवस में आख्या प्रस्तुत करें।"
SHO = {
    "name": "श्री अजय सिंह",
    "designation": "थानाध्यक्ष, थाना कोतवाली",
    "address": "थाना कोतवाली, कन्नौज",
    "email": "sho.kotwali@example.org",
}
CO = {"name": "क्षेत्राधिकारी नगर", "designation": "CO City"}  # no e-mail: goes by hand
SP_RANGE = {"name": "पुलिस उप महानिरीक्षक", "email": "dig.range@example.org"}


@pytest.fixture
def dapp(app_config, smtp_server):
    app = start_app({**app_config, **smtp_server.config()})
    with app.extensions["eoffice.db"].sessionmaker() as session:
        load_org(session, copy.deepcopy(SMALL_ORG))
        session.commit()
    yield app
    app.extensions["eoffice.db"].dispose()


@pytest.fixture
def ddb(dapp):
    session = dapp.extensions["eoffice.db"].sessionmaker()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def dclient(dapp):
    return dapp.test_client()


@pytest.fixture
def call(dclient):
    tokens: dict[str, Caller] = {}

    def caller(username: str) -> Caller:
        if username not in tokens:
            resp = dclient.post("/api/v1/token", json={"username": username, "password": PASSWORD})
            assert resp.status_code == 200, resp.get_json()
            headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
            tokens[username] = Caller(dclient, headers)
        return tokens[username]

    return caller


def approved(call, title=TITLE, body=BODY) -> tuple[int, int]:
    """A draft the clerk wrote, approved by the SP (the officer, at SPO-SP) and sent back to the
    clerk, who issues it: (file id, draft id)."""
    clerk, officer = call("clerk"), call("officer")
    fid = new_file(clerk, "शिकायत पर आख्या")["id"]
    did = new_draft(clerk, fid, title, body)["id"]
    assert clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"}).status_code == 200
    resp = officer.post(f"/api/v1/drafts/{did}/approve", {"desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    resp = officer.post(f"/api/v1/files/{fid}/send", {"to": "SPO-HC", "desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    return fid, did


def issue(call, did, username="clerk", **body):
    resp = call(username).post(f"/api/v1/drafts/{did}/issue", body)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def tampered(data: bytes) -> bytes:
    """The same PDF with one byte changed inside the signed range (in the letter's metadata,
    which the first byte range covers)."""
    contents = data.index(b"/Contents <")
    first_range = re.search(rb"/ByteRange \[0 (\d+) (\d+) (\d+)\]", data)
    at = data.index(b"WeasyPrint")
    assert at < int(first_range.group(1)) and at < contents  # inside the signed bytes
    bad = bytearray(data)
    bad[at] ^= 0x20  # W -> w
    return bytes(bad)


# --- signing -----------------------------------------------------------------------------------


def test_the_issued_letter_is_signed_for_the_approving_officer_and_validates(
    call, dapp, ddb, database_url, monkeypatch, tmp_path
):
    fid, did = approved(call)
    body = issue(call, did, addressees=[SHO], copy_to=[CO], mode="post")
    assert body["mode"] == "post" and body["addressees"] == [SHO] and body["copy_to"] == [CO]
    assert body["signature"] == body["pdf"] + "/signature"

    clerk = call("clerk")
    sig = clerk.get(body["signature"])
    assert sig.status_code == 200
    sig = sig.get_json()
    # the clerk pressed issue; the letter is signed for the officer who approved it, and her desk
    assert sig["valid"] is True and sig["signed"] is True
    assert sig["signer"] == "Meera"
    assert "SPO-SP" in sig["reason"] and body["dispatch_number"] in sig["reason"]
    signed_at = dt.datetime.fromisoformat(sig["signed_at"])
    ddb.rollback()
    draft = ddb.get(Draft, did)
    # a PDF signature's time is kept to the second
    assert signed_at.utcoffset() is not None
    assert signed_at >= draft.approved_at.replace(microsecond=0)
    assert draft.issued_by.username == "clerk" and draft.approved_by.username == "officer"

    # the key was made on first use in the instance folder, the owner's alone
    key_file = dapp.config["INSTANCE"] / "signing.p12"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = signing.office_key(dapp.config)
    assert "eOffice" in key.subject

    pdf = clerk.get(body["pdf"]).data
    # pyHanko's own validator, with the office's self-signed certificate as the trust root
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(embedded) == 1
    # (through the helper that keeps pyHanko's own event loop off a thread already running one)
    status = signing.outside_any_event_loop(
        validate_pdf_signature,
        embedded[0],
        ValidationContext(trust_roots=[key.certificate], allow_fetching=False),
    )
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert str(embedded[0].sig_object["/Name"]) == "Meera"
    # the PDF names the approving officer and her desk, not the clerk
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Meera" in text and "Ram Kumar" not in text

    # one byte changed inside the signed range: no longer valid
    bad = tampered(pdf)
    assert signing.check_signature(bad, key).valid is False
    status = signing.outside_any_event_loop(
        validate_pdf_signature,
        PdfFileReader(io.BytesIO(bad)).embedded_signatures[0],
        ValidationContext(trust_roots=[key.certificate], allow_fetching=False),
    )
    assert not status.intact and not status.bottom_line
    # ... and through the API, as an attachment of the file
    resp = upload(clerk, f"/api/v1/files/{fid}/attachments", bad, name="छेड़छाड़.pdf")
    assert resp.status_code == 201, resp.get_json()
    forged = clerk.get(f"/api/v1/attachments/{resp.get_json()['id']}/signature").get_json()
    assert forged["valid"] is False and forged["signed"] is True
    assert forged["problem"] == "the document was changed after it was signed"
    # a key that is not the office's does not make it valid either
    other = signing.office_key({"INSTANCE": tmp_path / "another-office"})
    assert signing.check_signature(pdf, other).valid is False

    # the audit stamp the letter carries still checks against the log (eoffice audit verify)
    stamp = stamps.read_stamp(pdf)
    assert stamp.seq is not None and stamps.check_stamp(ddb, stamp).ok
    monkeypatch.setenv("EOFFICE_DATABASE_URL", database_url)
    monkeypatch.setenv("EOFFICE_INSTANCE", str(tmp_path / "cli-instance"))
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    result = CliRunner().invoke(main, ["audit", "verify", "--pdf", str(path)])
    assert result.exit_code == 0, result.output
    assert f"matches: event {stamp.seq}" in result.output


def test_an_empty_body_still_issues_by_post_and_an_unsigned_pdf_says_so(call):
    fid, did = approved(call)
    body = issue(call, did)  # the old call: no addressees, by post
    assert body["mode"] == "post" and body["addressees"] == [] and body["copy_to"] == []
    clerk = call("clerk")
    assert clerk.get(body["signature"]).get_json()["valid"] is True
    plain = upload(clerk, f"/api/v1/files/{fid}/attachments", signing_test_pdf())
    assert plain.status_code == 201, plain.get_json()
    answer = clerk.get(f"/api/v1/attachments/{plain.get_json()['id']}/signature").get_json()
    assert answer["valid"] is False and answer["signed"] is False
    assert answer["signer"] is None and answer["signed_at"] is None
    assert clerk.get("/api/v1/attachments/99999/signature").status_code == 404


def signing_test_pdf() -> bytes:
    from eoffice.pdf.render import html_to_pdf

    return html_to_pdf("<p>बिना हस्ताक्षर का पत्र / an unsigned letter</p>")


def test_a_p12_from_the_settings_signs_and_its_passphrase_is_used(tmp_path):
    made = tmp_path / "made.p12"
    signing.generate_p12(made, "SP Office Kannauj")
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        pkcs12,
    )

    key, cert, _ = pkcs12.load_key_and_certificates(made.read_bytes(), None)
    office = tmp_path / "office.p12"
    office.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"office", key, cert, None, BestAvailableEncryption(b"guptshabd")
        )
    )
    config = {
        "INSTANCE": tmp_path / "instance",
        "SIGNING_P12": str(office),
        "SIGNING_P12_PASSWORD": "guptshabd",
    }
    loaded = signing.office_key(config)
    assert "SP Office Kannauj" in loaded.subject
    assert not (tmp_path / "instance" / "signing.p12").exists()  # nothing generated
    signed = signing.sign_pdf(signing_test_pdf(), loaded, name="मीरा", reason="परीक्षण")
    check = signing.check_signature(signed, loaded)
    assert check.valid and check.signer == "मीरा" and check.reason == "परीक्षण"
    with pytest.raises(ValueError):
        signing.office_key({**config, "SIGNING_P12_PASSWORD": "wrong"})


# --- e-mail dispatch ---------------------------------------------------------------------------


def test_by_email_the_signed_letter_goes_to_every_address(call, dapp, ddb, smtp_server):
    _fid, did = approved(call)
    body = issue(call, did, addressees=[SHO, CO], copy_to=[SP_RANGE], mode="email")
    assert body["mode"] == "email"
    ddb.rollback()
    assert ddb.scalar(sa.select(sa.func.count(Job.id)).where(Job.name == "mail.send")) == 2
    assert smtp_server.messages == []  # queued in the issue's transaction, sent by the worker
    dapp.extensions["eoffice.jobs"].run_due()
    messages = smtp_server.wait_for(2)
    assert sorted(to for _from, tos in smtp_server.envelopes for to in tos) == [
        "dig.range@example.org",
        "sho.kotwali@example.org",
    ]
    stored = call("clerk").get(body["pdf"]).data
    key = signing.office_key(dapp.config)
    for msg in messages:
        assert body["dispatch_number"] in msg["Subject"] and TITLE in msg["Subject"]
        assert "The digitally signed letter is attached." in msg.get_body().get_content()
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == body["dispatch_number"].replace("/", "-") + ".pdf"
        data = attachment.get_content()
        assert data == stored  # the very letter stored at issue
        check = signing.check_signature(data, key)
        assert check.valid and check.signer == "Meera"
    ddb.rollback()
    assert {j.status for j in ddb.scalars(sa.select(Job).where(Job.name == "mail.send"))} == {
        "done"
    }


def test_by_post_or_hand_nothing_is_mailed(call, dapp, smtp_server):
    for mode in ("post", "hand"):
        _fid, did = approved(call)
        issue(call, did, addressees=[SHO], mode=mode)
    dapp.extensions["eoffice.jobs"].run_due()
    assert smtp_server.messages == []


# --- bad input ---------------------------------------------------------------------------------


def test_addressees_are_checked(call, ddb):
    _fid, did = approved(call)
    clerk = call("clerk")
    url = f"/api/v1/drafts/{did}/issue"

    def refused(body, status=422):
        resp = clerk.post(url, body)
        assert resp.status_code == status, (body, resp.get_json())
        return resp.get_json()["error"]

    assert refused({"mode": "email", "addressees": [CO]})["code"] == "no_email"
    assert refused({"mode": "email"})["code"] == "no_email"
    assert refused({"mode": "fax", "addressees": [SHO]})["field"] == "mode"
    assert refused({"addressees": [{"name": "क", "email": "not-an-address"}]})["field"] == (
        "addressees.0.email"
    )
    assert refused({"addressees": [{"name": ""}]})["field"] == "addressees.0.name"
    assert refused({"addressees": [{"designation": "थानाध्यक्ष"}]})["field"] == "addressees.0.name"
    assert refused({"copy_to": [{"name": "क" * 201}]})["field"] == "copy_to.0.name"
    assert refused({"addressees": [{"name": "क"}] * 51})["field"] == "addressees"
    assert refused({"addressees": "थानाध्यक्ष"})["field"] == "addressees"
    # whitespace is not a name: the service says so
    assert refused({"addressees": [{"name": "   "}]})["code"] == "no_name"
    resp = clerk.post(url, data="mode=email", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415
    # nothing was issued by any of them
    ddb.rollback()
    draft = ddb.get(Draft, did)
    assert draft.status == "approved" and draft.dispatch_number is None
    # the service checks too, for the pages' sake
    from eoffice.core.errors import Invalid
    from eoffice.notings.dispatch import Dispatch

    with pytest.raises(Invalid) as exc:
        Dispatch.of("email", [{"name": "क", "email": "not an address"}])
    assert exc.value.code == "bad_email"
    assert Dispatch.of(None).mode == "post"


def test_wrong_desk_and_state(call):
    fid, did = approved(call)
    officer, other, auditor = call("officer"), call("other"), call("auditor")
    # the file is with the clerk now: the officer's desk does not hold it
    assert officer.post(f"/api/v1/drafts/{did}/issue", {"desk": "SPO-SP"}).status_code == 409
    assert other.post(f"/api/v1/drafts/{did}/issue", {}).status_code == 404
    assert auditor.post(f"/api/v1/drafts/{did}/issue", {}).status_code == 403
    issue(call, did)
    assert call("clerk").post(f"/api/v1/drafts/{did}/issue", {}).status_code == 409


# --- the register ------------------------------------------------------------------------------


def office_today(ddb, did) -> str:
    ddb.rollback()
    return ddb.get(Draft, did).issued_at.astimezone(IST).date().isoformat()


def test_the_register_json_csv_and_pdf_agree(call, ddb):
    _f1, d1 = approved(call, "अवकाश स्वीकृति पत्र")
    _f2, d2 = approved(call, '=HYPERLINK("x") अपराध समीक्षा')
    first = issue(call, d1, addressees=[SHO], copy_to=[CO], mode="hand")
    second = issue(call, d2, addressees=[SHO, SP_RANGE], mode="email")
    day = office_today(ddb, d2)
    clerk = call("clerk")
    q = f"/api/v1/dispatch?office=SPO&from={day}&to={day}"

    register = clerk.get(q)
    assert register.status_code == 200, register.get_json()
    register = register.get_json()
    assert register["office"] == "SPO" and register["total"] == 2
    items = register["items"]
    assert [i["dispatch_number"] for i in items] == [
        first["dispatch_number"],
        second["dispatch_number"],
    ]
    one = items[0]
    assert one["subject"] == "अवकाश स्वीकृति पत्र" and one["mode"] == "hand"
    assert one["addressees"] == [SHO] and one["copy_to"] == [CO]
    assert one["approved_by"] == "Meera" and one["approved_desk"] == "SPO-SP"
    assert one["date"] == day and one["pdf"] == first["pdf"]
    assert one["file_number"].startswith("11/")

    resp = clerk.get(q + "&format=csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert resp.headers["Content-Disposition"].startswith("attachment")
    raw = resp.data
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "पत्रांक / Dispatch number" and len(rows) == 3
    assert [r[0] for r in rows[1:]] == [i["dispatch_number"] for i in items]
    assert rows[1][2] == "अवकाश स्वीकृति पत्र"  # Hindi round-trips
    assert rows[2][2] == "'" + items[1]["subject"]  # never a formula in a spreadsheet
    assert rows[1][3] == "श्री अजय सिंह, थानाध्यक्ष, थाना कोतवाली, थाना कोतवाली, कन्नौज, " + (
        "sho.kotwali@example.org"
    )
    assert rows[1][4] == "क्षेत्राधिकारी नगर, CO City"
    assert [r[5] for r in rows[1:]] == ["hand", "email"]
    assert [r[7] for r in rows[1:]] == ["Meera", "Meera"]

    pdf = clerk.get(q + "&format=pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for i in items:
        assert i["dispatch_number"] in text
        assert i["file_number"] in text

    # a range without those days: nothing; a bad range: 422
    later = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    assert (
        clerk.get(f"/api/v1/dispatch?office=SPO&from={later}&to={later}").get_json()["total"] == 0
    )
    assert clerk.get(f"/api/v1/dispatch?office=SPO&from={later}&to={day}").status_code == 422
    assert clerk.get("/api/v1/dispatch?office=SPO&from=31-12-2026").status_code == 422
    assert clerk.get("/api/v1/dispatch?office=SPO&format=xls").status_code == 422
    # the clerk holds one desk, of one office: that is the default
    assert clerk.get(f"/api/v1/dispatch?from={day}&to={day}").get_json()["total"] == 2


def test_the_register_is_for_the_office_and_its_auditors_only(call, ddb):
    _fid, did = approved(call)
    body = issue(call, did, addressees=[SHO])
    day = office_today(ddb, did)
    q = f"/api/v1/dispatch?office=SPO&from={day}&to={day}"
    # the range's auditor sees the district's register and checks the signature
    auditor = call("auditor")
    assert auditor.get(q).get_json()["total"] == 1
    assert auditor.get(body["signature"]).get_json()["valid"] is True
    # the officer holds desks of two offices (SPO, PS1): he names the office
    officer = call("officer")
    assert officer.get(q).get_json()["total"] == 1
    refused = officer.get(f"/api/v1/dispatch?from={day}")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "office_required"
    assert officer.get(f"/api/v1/dispatch?office=PS1&from={day}").get_json()["total"] == 0
    # another district's officer and the administrator (no desk): no such register, no letter
    for outsider in ("other", "admin"):
        assert call(outsider).get(q).status_code == 404
        assert call(outsider).get(q + "&format=csv").status_code == 404
        assert call(outsider).get(body["signature"]).status_code == 404
    assert call("clerk").get("/api/v1/dispatch?office=NOPE").status_code == 404
    assert call("clerk").get("/api/v1/dispatch?office=OTHER").status_code == 404


# --- the pages ---------------------------------------------------------------------------------


def page_login(client, username):
    auth = Auth(client)
    assert auth.login(username).status_code == 302
    resp = client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf()})
    assert resp.status_code == 302
    return auth


def form_post(client, auth, url, prefix, data, page):
    token = csrf_from(client.get(page).get_data(as_text=True))
    body = {f"{prefix}-csrf_token": token}
    body.update({f"{prefix}-{k}": v for k, v in data.items()})
    return client.post(url, data=body)


def test_the_pages_ask_for_confirmation_and_take_addressees(call, dapp, ddb, smtp_server):
    clerk = call("clerk")
    fid = new_file(clerk, "शिकायत पर आख्या")["id"]
    did = new_draft(clerk, fid, TITLE, BODY)["id"]
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    page = f"/drafts/{did}"

    client = dapp.test_client()
    auth = page_login(client, "officer")
    client.post("/desk", data={"desk": "SPO-SP", "next": "/", "csrf_token": auth.csrf()})
    text = client.get(page).get_data(as_text=True)
    assert 'name="approve-confirm"' in text
    # approving without ticking the box: 422, still a draft
    resp = form_post(client, auth, f"{page}/approve", "approve", {"version": "1"}, page)
    assert resp.status_code == 422
    assert "Tick the confirmation to approve the draft." in resp.get_data(as_text=True)
    ddb.rollback()
    assert ddb.get(Draft, did).status == "draft"
    resp = form_post(
        client, auth, f"{page}/approve", "approve", {"version": "1", "confirm": "y"}, page
    )
    assert resp.status_code == 303
    ddb.rollback()
    assert ddb.get(Draft, did).status == "approved"

    text = client.get(page).get_data(as_text=True)
    assert 'id="issue-form"' in text and 'name="issue-addressees-0-email"' in text
    assert "Signed for Meera, SP, who approved it." in text
    row = {
        "mode": "email",
        "addressees-0-name": SHO["name"],
        "addressees-0-designation": SHO["designation"],
        "addressees-0-address": SHO["address"],
        "addressees-0-email": SHO["email"],
        "copy_to-0-name": CO["name"],
    }
    # no confirmation: 422, and what was typed stays
    resp = form_post(client, auth, f"{page}/issue", "issue", row, page)
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "Tick the confirmation to issue the letter." in text and SHO["email"] in text
    # a bad e-mail address is shown at its row
    bad = dict(row, confirm="y", **{"addressees-0-email": "कोई पता"})
    resp = form_post(client, auth, f"{page}/issue", "issue", bad, page)
    assert resp.status_code == 422
    assert "That is not an e-mail address." in resp.get_data(as_text=True)
    ddb.rollback()
    assert ddb.get(Draft, did).status == "approved"

    resp = form_post(client, auth, f"{page}/issue", "issue", dict(row, confirm="y"), page)
    assert resp.status_code == 303
    text = client.get(page).get_data(as_text=True)
    number = re.search(r'id="dispatch-number" class="dispatch">([^<]+)<', text).group(1)
    assert 'data-mode="email"' in text and SHO["name"] in text
    ddb.rollback()
    draft = ddb.get(Draft, did)
    assert draft.addressees == [SHO] and draft.copy_to == [{"name": CO["name"]}]
    dapp.extensions["eoffice.jobs"].run_due()
    (msg,) = smtp_server.wait_for(1)
    assert number in msg["Subject"]

    # the register page, in Hindi and English, with its downloads
    day = office_today(ddb, did)
    register = client.get(f"/dispatch?office=SPO&from={day}&to={day}")
    assert register.status_code == 200
    text = register.get_data(as_text=True)
    assert f'data-number="{number}"' in text and "Dispatch register" in text
    assert 'id="dispatch-csv"' in text and 'id="dispatch-pdf"' in text
    csv_page = client.get(f"/dispatch?office=SPO&from={day}&to={day}&format=csv")
    assert csv_page.status_code == 200 and number in csv_page.data.decode("utf-8-sig")
    pdf_page = client.get(f"/dispatch?office=SPO&from={day}&to={day}&format=pdf")
    assert pdf_page.headers["Content-Type"] == "application/pdf"
    assert client.get("/dispatch?office=SPO&from=kal").status_code == 422
    assert client.get(f"/dispatch?office=SPO&from={day}&to=2000-01-01").status_code == 422
    assert client.get("/dispatch?office=OTHER").status_code == 404
    client.post("/language", data={"lang": "hi", "next": "/", "csrf_token": auth.csrf()})
    hindi = client.get(f"/dispatch?office=SPO&from={day}&to={day}").get_data(as_text=True)
    assert number in hindi

    # another district's officer: no register, no draft
    outsider = dapp.test_client()
    page_login(outsider, "other")
    assert outsider.get("/dispatch?office=SPO").status_code == 404
    assert outsider.get("/dispatch").status_code == 200  # his own office's register
    assert outsider.get(page).status_code == 404


def test_attachments_of_the_letter_exist_once(call, ddb):
    """The signed bytes are what is stored: one attachment, its hash that of the PDF served."""
    import hashlib

    _fid, did = approved(call)
    body = issue(call, did)
    pdf = call("clerk").get(body["pdf"]).data
    ddb.rollback()
    att = ddb.get(Attachment, int(body["pdf"].rsplit("/", 1)[1]))
    assert att.sha256 == hashlib.sha256(pdf).hexdigest() and att.size == len(pdf)
