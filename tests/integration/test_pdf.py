"""PDFs made with the real WeasyPrint, stored in a real `weed mini`: the docket, an issued letter,
a receipt acknowledgement; hostile user text; who may see them; checking a PDF against the log.

Hindi is checked in the HTML that was rendered and by the fonts embedded, never by text pulled
back out of the PDF (WeasyPrint's PDFs give Devanagari back garbled)."""

import datetime as dt
import io
import re
import subprocess

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from eoffice import create_app
from eoffice.audit import stamps
from eoffice.audit.models import AuditEvent
from eoffice.cli import main
from eoffice.files.docket import docket_html
from eoffice.files.models import Correspondence, File
from eoffice.notings.letter import letter_html
from eoffice.notings.models import Draft
from eoffice.pdf.fetcher import LockedFetcher, Refused
from eoffice.pdf.render import html_to_pdf
from eoffice.receipts.acknowledgement import acknowledgement_html
from eoffice.receipts.models import Receipt
from eoffice.storage.models import Attachment
from tests.conftest import audit_count
from tests.factories import new_draft, new_file, note, png_bytes, receipt

NOTE_HI = "प्रार्थी का अवकाश खाता संलग्न है (देखें C/1)। आकस्मिक अवकाश शेष है। अवलोकनार्थ प्रस्तुत।"
BODY_HI = "सेवा में,\nथानाध्यक्ष कोतवाली\n\nकृपया संलग्न शिकायत पर 7 दिवस में आख्या प्रस्तुत करें।"
# pdffonts names them e.g. "VLZULQ+Noto-Sans-Devanagari": embedded, subset
DEVANAGARI_SANS = re.compile(r"^[A-Z]{6}\+Noto-?Sans-?Devanagari\S*\s.*\byes\b", re.M)
DEVANAGARI_SERIF = re.compile(r"^[A-Z]{6}\+Noto-?Serif-?Devanagari\S*\s.*\byes\b", re.M)
HOSTILE = (
    '<script>alert("x")</script> <img src="file:///etc/passwd"> '
    "<style>@import url(http://evil.example/x.css)</style>"
)


# the dak of these tests: a sender with a designation, enclosures listed
DAK = {"sender": {"name": "सुनीता देवी", "designation": "ग्राम प्रधान"}, "enclosures": "2 पृष्ठ"}


@pytest.fixture
def hindi_file(api):
    """A file with a receipt at C/1, two Hindi notes, sent to the SP's desk."""
    clerk = api("clerk")
    r = receipt(clerk, **DAK)
    f = new_file(clerk, receipt_ids=[r["id"]])
    note(clerk, f["id"], NOTE_HI)
    note(clerk, f["id"], "दूसरा अनुच्छेद: पुलिस अधीक्षक महोदय के आदेशार्थ।\nSecond line in English.")
    sent = clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-SP", "remarks": "आदेशार्थ"})
    assert sent.status_code == 200, sent.get_json()
    return f["id"]


def fonts_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return out.stdout


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def latest_hash(db, file_id) -> tuple[int, str]:
    db.rollback()
    ev = db.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "file", AuditEvent.object_id == str(file_id))
        .order_by(AuditEvent.seq.desc())
    ).first()
    return ev.seq, ev.hash


# --- the docket --------------------------------------------------------------------------------


def test_docket_pdf_embeds_devanagari_and_shows_the_whole_file(api, hindi_file, db, tmp_path):
    resp = api("officer").get(f"/api/v1/files/{hindi_file}/pdf")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.data.startswith(b"%PDF-")
    assert DEVANAGARI_SANS.search(fonts_of(resp.data, tmp_path))

    file = db.get(File, hindi_file)
    html, stamp = docket_html(db, file)
    assert file.number in html and "अवकाश प्रार्थना पत्र / leave application" in html
    assert "पुलिस अधीक्षक कार्यालय / SP Office" in html  # the office, bilingual
    # the noting side: paragraph numbers, text, author, desk; C/1 linked to the list below
    assert '<li id="n1">' in html and '<li id="n2">' in html
    assert "प्रार्थी का अवकाश खाता संलग्न है" in html
    assert '<a href="#c1" class="cite">C/1</a>' in html
    assert "दूसरा अनुच्छेद: पुलिस अधीक्षक महोदय के आदेशार्थ।<br>Second line" in html
    assert "राम कुमार / Ram Kumar" in html and "प्रधान लिपिक (SPO-HC)" in html
    # the correspondence list and the movement register
    assert '<tr id="c1">' in html and "सुनीता देवी" in html and "R/" in html
    assert "प्रेषित / sent" in html and "SPO-SP" in html and "आदेशार्थ" in html
    # bilingual labels, the footer naming the file, and the audit event it shows
    assert "टिप्पणी भाग" in html and "Noting side" in html and "Movement register" in html
    assert f"पत्रावली / File {file.number} —" in html
    assert (stamp.seq, stamp.hash) == latest_hash(db, hindi_file)
    assert stamp.hash in html
    assert stamps.read_stamp(resp.data) == stamp


def test_page_numbers_come_from_the_print_stylesheet(app):
    from eoffice.pdf.fetcher import STATIC_ROOT

    css = (STATIC_ROOT / "pdf" / "print.css").read_text(encoding="utf-8")
    assert 'content: "पृष्ठ " counter(page) " / " counter(pages);' in css
    assert "Noto Sans Devanagari" in css and "Noto Serif Devanagari" in css


def test_a_long_docket_runs_over_pages_numbered_x_of_y(api, hindi_file, db, tmp_path):
    officer = api("officer")
    for i in range(40):
        text = f"अनुच्छेद {i}: " + "प्रकरण की जाँच की गई। " * 12
        resp = officer.post(f"/api/v1/files/{hindi_file}/notes", {"text": text, "desk": "SPO-SP"})
        assert resp.status_code == 201
    pdf = officer.get(f"/api/v1/files/{hindi_file}/pdf").data
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 3
    # the page numbers are ASCII digits after the Hindi word: pdftotext gives those back
    text = text_of(pdf, tmp_path)
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text


def test_the_docket_is_404_for_those_who_may_not_see_the_file(api, client, hindi_file, auth):
    assert api("other").get(f"/api/v1/files/{hindi_file}/pdf").status_code == 404
    assert api("admin").get(f"/api/v1/files/{hindi_file}/pdf").status_code == 404
    assert api("auditor").get(f"/api/v1/files/{hindi_file}/pdf").status_code == 200
    assert client.get(f"/api/v1/files/{hindi_file}/pdf").status_code == 401
    assert api("clerk").get("/api/v1/files/999999/pdf").status_code == 404
    # the page twin, with a session login
    auth.login("other")
    assert client.get(f"/files/{hindi_file}/docket.pdf").status_code == 404
    auth.logout()
    auth.login("clerk")
    page = client.get(f"/files/{hindi_file}").get_data(as_text=True)
    assert f'href="/files/{hindi_file}/docket.pdf"' in page
    resp = client.get(f"/files/{hindi_file}/docket.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")


# --- hostile text ------------------------------------------------------------------------------


def test_a_hostile_note_is_harmless_text_in_the_page_and_the_pdf(api, hindi_file, db, tmp_path):
    officer = api("officer")
    resp = officer.post(f"/api/v1/files/{hindi_file}/notes", {"text": HOSTILE, "desk": "SPO-SP"})
    assert resp.status_code == 201
    file = db.get(File, hindi_file)
    html, _stamp = docket_html(db, file)
    assert "<script" not in html and "<img" not in html and "<style>@import" not in html
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in html  # text, as nh3 writes it out
    assert '&lt;img src="file:///etc/passwd"&gt;' in html
    assert "&lt;style&gt;@import url(http://evil.example/x.css)&lt;/style&gt;" in html
    # WeasyPrint asks for our stylesheet and nothing else
    fetcher = LockedFetcher()
    pdf = html_to_pdf(html, fetcher)
    assert fetcher.asked == ["eoffice:static/pdf/print.css"] and fetcher.refused == []
    text = text_of(pdf, tmp_path)  # ASCII: pdftotext gives it back faithfully
    assert '<script>alert("x")</script>' in text
    assert '<img src="file:///etc/passwd">' in text
    assert "<style>@import url(http://evil.example/" in text  # the line wraps after the /
    assert "root:x:0:0" not in text
    # and the same note is text on the file page too
    assert officer.get(f"/api/v1/files/{hindi_file}/pdf").status_code == 200


def test_the_fetcher_refuses_everything_but_static_files_and_named_objects(app, tmp_path):
    fetcher = LockedFetcher()
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="http://evil.example/x.css">'
        "<style>@import url(https://evil.example/y.css);</style></head><body>"
        '<img src="file:///etc/passwd"><img src="/etc/passwd">'
        '<img src="data:image/png;base64,iVBORw0KGgo=">'
        '<img src="eoffice:static/../pyproject.toml">'
        '<img src="eoffice:object/' + "a" * 64 + '">'
        "<p>x</p></body></html>"
    )
    pdf = html_to_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF-")
    assert set(fetcher.refused) == set(fetcher.asked)
    assert "http://evil.example/x.css" in fetcher.refused
    assert "https://evil.example/y.css" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert any(u.startswith("data:") for u in fetcher.refused)
    for url in (
        "file:///etc/passwd",
        "eoffice:static/../pyproject.toml",
        "eoffice:static/pdf/../../pyproject.toml",
        "eoffice:static/eoffice.css/../../../etc/passwd",
        "ftp://example.org/x",
    ):
        with pytest.raises(Refused):
            fetcher.fetch(url)
    assert fetcher.fetch("eoffice:static/pdf/print.css").read().startswith(b"/* Print styles")


def test_the_fetcher_serves_only_the_objects_it_was_given(app):
    import hashlib

    from eoffice.storage.models import object_key
    from eoffice.web.session import get_store

    png = png_bytes(1, 1)
    digest = hashlib.sha256(png).hexdigest()
    with app.app_context():
        store = get_store()
        store.put(object_key(digest), png, "image/png")
        fetcher = LockedFetcher(store=store, objects={digest: "image/png"})
        assert fetcher.fetch(f"eoffice:object/{digest}").read() == png
        with pytest.raises(Refused):
            LockedFetcher(store=store).fetch(f"eoffice:object/{digest}")
        html_to_pdf(f'<img src="eoffice:object/{digest}">', fetcher)
        assert fetcher.refused == []


# --- issued letters ----------------------------------------------------------------------------


def approved_draft(api, file_id) -> int:
    officer = api("officer")
    draft_id = new_draft(officer, file_id, "थानाध्यक्ष कोतवाली से आख्या", BODY_HI, desk="SPO-SP")["id"]
    resp = officer.post(f"/api/v1/drafts/{draft_id}/approve", {"desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    return draft_id


def test_issuing_stores_the_letter_on_the_letterhead(api, hindi_file, db, tmp_path):
    draft_id = approved_draft(api, hindi_file)
    officer = api("officer")
    resp = officer.post(f"/api/v1/drafts/{draft_id}/issue", {"desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "issued" and body["dispatch_number"].startswith("SPO/D/")
    assert body["pdf"].startswith("/api/v1/attachments/")
    pdf = officer.get(body["pdf"])
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert DEVANAGARI_SERIF.search(fonts_of(pdf.data, tmp_path))

    db.rollback()
    draft = db.get(Draft, draft_id)
    entry = db.scalars(sa.select(Correspondence).where(Correspondence.draft_id == draft_id)).one()
    att = db.get(Attachment, entry.attachment_id)
    assert entry.kind == "issued" and entry.page == 2
    assert body["pdf"] == f"/api/v1/attachments/{att.id}"
    assert (att.owner_kind, att.owner_id) == ("file", hindi_file)
    assert att.content_type == "application/pdf"
    # the letter shows the record up to its `draft.issued` event; the PDF's hash is logged next
    stamp = stamps.read_stamp(pdf.data)
    issued = db.scalars(sa.select(AuditEvent).where(AuditEvent.seq == stamp.seq)).one()
    assert issued.action == "draft.issued" and issued.hash == stamp.hash
    stored = db.scalars(sa.select(AuditEvent).where(AuditEvent.seq == stamp.seq + 1)).one()
    assert stored.action == "attachment.added" and stored.payload()["sha256"] == att.sha256

    file = db.get(File, hindi_file)
    html, again = letter_html(
        db, file, draft, entry.page, issued, signer=draft_signer(db), signer_desk=None
    )
    assert again == stamp
    assert "पुलिस अधीक्षक कार्यालय" in html and "SP Office" in html  # the letterhead
    assert "परिक्षेत्र कार्यालय / Range Office" in html  # the office above it
    assert f'<strong id="dispatch-number">{draft.dispatch_number}</strong>' in html
    issued_on = draft.issued_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert issued_on.strftime("%d-%m-%Y") in html
    assert "<p>सेवा में,<br>थानाध्यक्ष कोतवाली</p><p>कृपया संलग्न शिकायत" in html
    # the file's JSON and its docket list the letter at C/2
    file_json = officer.get(f"/api/v1/files/{hindi_file}").get_json()
    assert file_json["correspondence"][1]["kind"] == "issued"
    assert file_json["correspondence"][1]["pdf"] == body["pdf"]
    assert file_json["correspondence"][0]["pdf"] is None
    docket, _ = docket_html(db, file)
    assert draft.dispatch_number in docket


def draft_signer(db):
    from eoffice.auth.models import User

    return db.scalars(sa.select(User).where(User.username == "officer")).one()


def test_issuing_with_the_store_down_gives_503_and_issues_nothing(
    api, hindi_file, app_config, db, token_for
):
    draft_id = approved_draft(api, hindi_file)
    # log in before the second app exists: the limiter (one per process) counts logins in the
    # database of the app created last
    officer, headers = api("officer"), token_for("officer")
    before = audit_count(db)
    down = create_app(dict(app_config, S3_ENDPOINT="127.0.0.1:9"))
    try:
        client = down.test_client()
        resp = client.post(
            f"/api/v1/drafts/{draft_id}/issue", headers=headers, json={"desk": "SPO-SP"}
        )
        assert resp.status_code == 503
        assert resp.get_json()["error"]["code"] == "unavailable"
    finally:
        down.extensions["eoffice.db"].dispose()
    assert audit_count(db) == before
    draft = db.get(Draft, draft_id)
    assert draft.status == "approved" and draft.dispatch_number is None
    assert db.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    kinds = db.scalars(sa.select(Correspondence.kind).where(Correspondence.file_id == hindi_file))
    assert list(kinds) == ["receipt"]
    # once the store is back, it issues
    ok = officer.post(f"/api/v1/drafts/{draft_id}/issue", {"desk": "SPO-SP"})
    assert ok.status_code == 200 and ok.get_json()["pdf"]


# --- receipt acknowledgements ------------------------------------------------------------------


def test_acknowledgement_for_dak_received_by_hand(api, client, auth, db, tmp_path):
    clerk = api("clerk")
    by_hand = receipt(clerk, **DAK)
    by_post = receipt(clerk, **DAK, mode="post")
    resp = clerk.get(f"/api/v1/receipts/{by_hand['id']}/acknowledgement.pdf")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    assert DEVANAGARI_SANS.search(fonts_of(resp.data, tmp_path))
    r = db.get(Receipt, by_hand["id"])
    html, stamp = acknowledgement_html(db, r)
    assert f'<strong id="receipt-number">{r.number}</strong>' in html
    assert "सुनीता देवी, ग्राम प्रधान" in html and "2 पृष्ठ" in html
    assert "पावती" in html and "Acknowledgement" in html
    diarised = db.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.object_type == "receipt", AuditEvent.object_id == str(r.id)
        )
    ).one()
    assert (stamp.seq, stamp.hash) == (diarised.seq, diarised.hash)
    assert stamps.read_stamp(resp.data) == stamp
    assert clerk.get(f"/api/v1/receipts/{by_post['id']}/acknowledgement.pdf").status_code == 404
    outsider = api("other").get(f"/api/v1/receipts/{by_hand['id']}/acknowledgement.pdf")
    assert outsider.status_code == 404
    auth.login("clerk")
    page = client.get(f"/receipts/{by_hand['id']}").get_data(as_text=True)
    assert f'href="/receipts/{by_hand["id"]}/acknowledgement.pdf"' in page
    post_page = client.get(f"/receipts/{by_post['id']}").get_data(as_text=True)
    assert "acknowledgement.pdf" not in post_page
    assert client.get(f"/receipts/{by_hand['id']}/acknowledgement.pdf").status_code == 200


# --- eoffice audit verify --pdf ----------------------------------------------------------------


@pytest.fixture
def cli(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("EOFFICE_DATABASE_URL", database_url)
    monkeypatch.setenv("EOFFICE_INSTANCE", str(tmp_path / "cli-instance"))
    runner = CliRunner()

    def verify(pdf: bytes, name="docket.pdf"):
        path = tmp_path / name
        path.write_bytes(pdf)
        return runner.invoke(main, ["audit", "verify", "--pdf", str(path)])

    return verify


def with_metadata(pdf: bytes, **changes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata(changes)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_audit_verify_pdf_matches_a_fresh_docket_and_refuses_a_tampered_one(
    api, hindi_file, db, cli
):
    pdf = api("officer").get(f"/api/v1/files/{hindi_file}/pdf").data
    seq, digest = latest_hash(db, hindi_file)
    ok = cli(pdf)
    assert ok.exit_code == 0, ok.output
    assert f"matches: event {seq}" in ok.output and digest in ok.output

    # later events do not make an older printout wrong: it still shows the record up to then
    api("officer").post(
        f"/api/v1/files/{hindi_file}/notes", {"text": "नई टिप्पणी", "desk": "SPO-SP"}
    )
    assert cli(pdf).exit_code == 0

    wrong_hash = cli(with_metadata(pdf, **{stamps.META_HASH: "f" * 64}), "wrong-hash.pdf")
    assert wrong_hash.exit_code == 1 and "DOES NOT MATCH" in wrong_hash.output
    unknown = cli(with_metadata(pdf, **{stamps.META_SEQ: "999999"}), "unknown.pdf")
    assert unknown.exit_code == 1 and "no event 999999" in unknown.output
    no_stamp = cli(html_to_pdf("<p>plain</p>"), "plain.pdf")
    assert no_stamp.exit_code == 1 and "records no audit event" in no_stamp.output
    not_pdf = cli(b"not a pdf at all", "junk.pdf")
    assert not_pdf.exit_code == 1


def test_audit_verify_pdf_fails_when_the_log_before_it_was_altered(api, hindi_file, db, cli):
    pdf = api("officer").get(f"/api/v1/files/{hindi_file}/pdf").data
    db.rollback()
    first = db.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).first()
    db.execute(
        sa.update(AuditEvent).where(AuditEvent.id == first.id).values(data='{"forged": true}')
    )
    db.commit()
    result = cli(pdf)
    assert result.exit_code == 1
    assert "chain up to event" in result.output and "does not match its digest" in result.output
