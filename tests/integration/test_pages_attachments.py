"""Attachments on the file and receipt pages: several files through the form (with and without
JavaScript), refusals reported per file without losing the others, who may upload, downloads,
and the inline preview of PDFs and pictures, against the real `weed mini`."""

import io
import re

import pytest
import sqlalchemy as sa

from eoffice import create_app
from eoffice.storage.models import Attachment
from tests.conftest import Auth
from tests.factories import EXE, PDF, PNG, docx_bytes, make_file, make_receipt
from tests.integration.test_pages_files import login

HINDI_NAME = "प्राथमिकी की प्रति.pdf"


@pytest.fixture
def file_id(org, db):
    return make_file(db).id


def rows(db, **owner):
    """Attachments: all, or one owner's (rows(db, file_id=3), rows(db, receipt_id=7))."""
    db.rollback()  # see what the app committed
    stmt = sa.select(Attachment).order_by(Attachment.id)
    for column, value in owner.items():
        stmt = stmt.where(
            Attachment.owner_kind == column.removesuffix("_id"), Attachment.owner_id == value
        )
    return list(db.scalars(stmt))


def form_token(client, page):
    text = client.get(page).get_data(as_text=True)
    form = re.search(r'<form[^>]*id="attachment-form".*?</form>', text, re.S)
    assert form, f"no upload form on {page}"
    return re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)


def post_files(client, url, files, token, xhr=False):
    headers = {"X-Requested-With": "XMLHttpRequest"} if xhr else {}
    return client.post(
        url,
        data={"csrf_token": token, "files": [(io.BytesIO(d), n) for n, d in files]},
        content_type="multipart/form-data",
        headers=headers,
    )


def attachment_names(text):
    return re.findall(r'class="attachment-name"[^>]*>([^<]+)</a>', text)


# --- uploading through the form ----------------------------------------------------------------


def test_two_files_through_the_form_show_on_the_file_page(client, auth, file_id, db):
    login(client, auth, "clerk")
    page = f"/files/{file_id}"
    text = client.get(page).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text and "multiple" in text
    assert "attachments.js" in text and 'id="upload-progress"' in text

    resp = post_files(
        client,
        f"/files/{file_id}/attachments",
        [(HINDI_NAME, PDF), ("photo.png", PNG)],
        form_token(client, page),
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/files/{file_id}#attachments")
    text = client.get(page).get_data(as_text=True)
    assert attachment_names(text) == [HINDI_NAME, "photo.png"]
    assert f"Attached: {HINDI_NAME}, photo.png" in text
    saved = rows(db, file_id=file_id)
    assert [a.name for a in saved] == [HINDI_NAME, "photo.png"]
    assert {a.content_type for a in saved} == {"application/pdf", "image/png"}
    # the bytes came through whole
    assert client.get(f"/attachments/{saved[0].id}").data == PDF


def test_a_refused_file_is_reported_and_the_good_one_kept(client, auth, file_id, db):
    login(client, auth, "clerk")
    page = f"/files/{file_id}"
    resp = post_files(
        client,
        f"/files/{file_id}/attachments",
        [("setup.pdf", EXE), ("आदेश.pdf", PDF), ("empty.txt", b"")],
        form_token(client, page),
    )
    assert resp.status_code == 303
    text = client.get(page).get_data(as_text=True)
    assert attachment_names(text) == ["आदेश.pdf"]
    assert "Attached: आदेश.pdf" in text
    assert "setup.pdf was not attached: this kind of file is not accepted" in text
    assert "empty.txt was not attached: the file is empty" in text
    assert [a.name for a in rows(db)] == ["आदेश.pdf"]


def test_messages_are_in_hindi_too(client, auth, file_id):
    login(client, auth, "clerk", lang="hi")
    page = f"/files/{file_id}"
    post_files(
        client,
        f"/files/{file_id}/attachments",
        [("setup.pdf", EXE), ("आदेश.pdf", PDF)],
        form_token(client, page),
    )
    text = client.get(page).get_data(as_text=True)
    assert "संलग्न" in text  # the section, the button and the message
    assert "setup.pdf" in text and "was not attached" not in text


def test_with_javascript_each_file_is_its_own_request(client, auth, file_id, db):
    login(client, auth, "clerk")
    url, token = f"/files/{file_id}/attachments", form_token(client, f"/files/{file_id}")
    good = post_files(client, url, [("पत्र.pdf", PDF)], token, xhr=True)
    assert good.status_code == 201
    body = good.get_json()
    assert body["results"][0]["ok"] is True and body["results"][0]["name"] == "पत्र.pdf"
    assert attachment_names(body["html"]) == ["पत्र.pdf"]

    bad = post_files(
        client, url, [("map.png", b"<svg><script>alert(1)</script></svg>")], token, True
    )
    assert bad.status_code == 415
    result = bad.get_json()["results"][0]
    assert result["ok"] is False and "not accepted" in result["message"]
    assert attachment_names(bad.get_json()["html"]) == ["पत्र.pdf"]
    assert [a.name for a in rows(db)] == ["पत्र.pdf"]
    # nothing was flashed for the script's requests: the page shows no stale messages later
    assert "was not attached" not in client.get(f"/files/{file_id}").get_data(as_text=True)


def test_too_large_files(app_config, org, db):
    app = create_app(dict(app_config, UPLOAD_LIMIT=1024, UPLOAD_FORM_LIMIT=8192))
    client = app.test_client()
    auth = Auth(client)
    login(client, auth, "clerk")
    fid = make_file(db).id
    page, url = f"/files/{fid}", f"/files/{fid}/attachments"
    token = form_token(client, page)
    # one file over the limit, one fine: the fine one is kept
    resp = post_files(client, url, [("big.pdf", PDF + b"0" * 2000), ("small.pdf", PDF)], token)
    assert resp.status_code == 303
    text = client.get(page).get_data(as_text=True)
    assert re.search(r"big.pdf was not attached: it is larger than [0-9.]+ MB", text)
    assert attachment_names(text) == ["small.pdf"]
    # the whole POST over the form's limit: a clear message on the page, no error page
    resp = post_files(client, url, [(f"{i}.pdf", PDF + b"0" * 900) for i in range(12)], token)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("#attachments")
    text = client.get(page).get_data(as_text=True)
    assert "The files were not attached: together they are larger than" in text
    xhr = post_files(client, url, [("huge.pdf", PDF + b"0" * 10_000)], token, xhr=True)
    assert xhr.status_code == 413 and xhr.get_json()["error"]["code"] == "too_large"
    assert [a.name for a in rows(db)] == ["small.pdf"]
    app.extensions["eoffice.db"].dispose()


def test_store_down_is_a_message_not_an_error_page(app_config, org, db):
    app = create_app(dict(app_config, S3_ENDPOINT="127.0.0.1:9"))
    client = app.test_client()
    auth = Auth(client)
    login(client, auth, "clerk")
    fid = make_file(db).id
    page = f"/files/{fid}"
    resp = post_files(
        client,
        f"/files/{fid}/attachments",
        [("a.pdf", PDF), ("b.png", PNG)],
        form_token(client, page),
    )
    assert resp.status_code == 303
    text = client.get(page).get_data(as_text=True)
    assert "a.pdf was not attached: the document store cannot be reached" in text
    assert "b.png was not attached: the document store cannot be reached" in text
    assert rows(db) == []
    xhr = post_files(
        client, f"/files/{fid}/attachments", [("a.pdf", PDF)], form_token(client, page), xhr=True
    )
    assert xhr.status_code == 503 and "cannot be reached" in xhr.get_json()["results"][0]["message"]
    app.extensions["eoffice.db"].dispose()


def test_only_the_holding_desk_uploads(client, auth, file_id, db):
    url = f"/files/{file_id}/attachments"
    # the auditor sees the file but does not hold it, and auditors never write: no form, and
    # a POST is refused
    login(client, auth, "auditor")
    text = client.get(f"/files/{file_id}").get_data(as_text=True)
    assert 'id="attachment-form"' not in text
    resp = post_files(client, url, [("a.pdf", PDF)], auth.csrf())
    assert resp.status_code == 303
    assert "a.pdf was not attached: auditors read files and dak" in client.get(
        f"/files/{file_id}"
    ).get_data(as_text=True)
    auth.logout()
    # an officer of another district may not even see it
    login(client, auth, "other")
    assert post_files(client, url, [("a.pdf", PDF)], auth.csrf()).status_code == 404
    assert rows(db) == []


def test_the_form_needs_its_csrf_token(client, auth, file_id, db):
    login(client, auth, "clerk")
    resp = client.post(
        f"/files/{file_id}/attachments",
        data={"files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400
    assert rows(db) == []


def test_no_file_chosen(client, auth, file_id):
    login(client, auth, "clerk")
    resp = client.post(
        f"/files/{file_id}/attachments",
        data={"csrf_token": form_token(client, f"/files/{file_id}")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Choose one or more files to attach." in resp.get_data(as_text=True)


def test_receipt_page_takes_scans(client, auth, org, db):
    receipt = make_receipt(db)
    login(client, auth, "clerk")
    page = f"/receipts/{receipt.id}"
    resp = post_files(
        client,
        f"/receipts/{receipt.id}/attachments",
        [("स्कैन.png", PNG), ("bad.pdf", EXE)],
        form_token(client, page),
    )
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/receipts/{receipt.id}#attachments")
    text = client.get(page).get_data(as_text=True)
    assert attachment_names(text) == ["स्कैन.png"]
    assert "bad.pdf was not attached" in text
    assert [a.name for a in rows(db, receipt_id=receipt.id)] == ["स्कैन.png"]


# --- previews and downloads --------------------------------------------------------------------


@pytest.fixture
def attached(client, auth, file_id, db):
    login(client, auth, "clerk")
    post_files(
        client,
        f"/files/{file_id}/attachments",
        [
            ("पत्र.pdf", PDF),
            ("photo.png", PNG),
            ("note.txt", "साधारण पाठ".encode()),
            ("letter.docx", docx_bytes()),
        ],
        form_token(client, f"/files/{file_id}"),
    )
    return {a.name: a.id for a in rows(db)}


def test_the_file_page_previews_pdfs_and_pictures_only(client, attached, file_id):
    text = client.get(f"/files/{file_id}").get_data(as_text=True)
    pdf, png = attached["पत्र.pdf"], attached["photo.png"]
    assert f'<iframe src="/attachments/{pdf}/preview"' in text
    assert f'<img src="/attachments/{png}/preview"' in text
    for name in ("note.txt", "letter.docx"):
        assert f"/attachments/{attached[name]}/preview" not in text
        assert f'href="/attachments/{attached[name]}"' in text  # a download link only


def test_preview_headers(client, attached, app):
    resp = client.get(f"/attachments/{attached['पत्र.pdf']}/preview")
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''%E0%A4%AA" in resp.headers["Content-Disposition"]
    assert 'filename="attachment.pdf"' in resp.headers["Content-Disposition"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    csp = resp.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    png = client.get(f"/attachments/{attached['photo.png']}/preview")
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert png.headers["Content-Security-Policy"].startswith("sandbox;")
    # never inline for anything else, text included
    assert client.get(f"/attachments/{attached['note.txt']}/preview").status_code == 404
    assert client.get(f"/attachments/{attached['letter.docx']}/preview").status_code == 404
    # the pages themselves still refuse every frame
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_download_from_the_page(client, attached):
    resp = client.get(f"/attachments/{attached['note.txt']}")
    assert resp.status_code == 200 and resp.data == "साधारण पाठ".encode()
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_preview_and_download_are_for_those_who_may_see_the_file(client, auth, attached):
    pdf = attached["पत्र.pdf"]
    auth.logout()
    anon = client.get(f"/attachments/{pdf}/preview")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]
    login(client, auth, "other")
    assert client.get(f"/attachments/{pdf}/preview").status_code == 404
    assert client.get(f"/attachments/{pdf}").status_code == 404
    assert client.get("/attachments/99999/preview").status_code == 404
    auth.logout()
    login(client, auth, "auditor")  # sees the whole jurisdiction
    assert client.get(f"/attachments/{pdf}/preview").status_code == 200
    assert client.get(f"/attachments/{pdf}").status_code == 200
