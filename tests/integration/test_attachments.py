"""Attachments against a real `weed mini`: round trip, dedup, size, type by content, access,
store down, sweep and check."""

import datetime as dt
import io
import zipfile

import pytest
import sqlalchemy as sa

from eoffice import create_app
from eoffice.storage.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def odt_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


@pytest.fixture
def setup(client, org, token_for):
    clerk = token_for("clerk")
    fid = client.post(
        "/api/v1/files", headers=clerk, json={"subject": "संलग्नक", "head": "9", "category": "A"}
    ).get_json()["id"]
    rid = client.post(
        "/api/v1/receipts",
        headers=clerk,
        json={
            "subject": "स्कैन",
            "sender": {"name": "क"},
            "mode": "post",
            "received_on": dt.date.today().isoformat(),
        },
    ).get_json()["id"]
    return {"clerk": clerk, "file": fid, "receipt": rid}


def upload(client, headers, path, data, name="पत्र.pdf", content_type="application/pdf"):
    return client.post(
        path,
        headers=headers,
        data={"file": (io.BytesIO(data), name, content_type)},
        content_type="multipart/form-data",
    )


def test_round_trip_with_a_hindi_name(client, setup):
    resp = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "पत्र.pdf" and body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf" and len(body["sha256"]) == 64
    got = client.get(f"/api/v1/attachments/{body['id']}", headers=setup["clerk"])
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E0%A4%AA" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    file = client.get(f"/api/v1/files/{setup['file']}", headers=setup["clerk"]).get_json()
    assert [a["id"] for a in file["attachments"]] == [body["id"]]
    signed = client.get(f"/api/v1/attachments/{body['id']}?redirect=1", headers=setup["clerk"])
    assert signed.status_code == 302 and "X-Amz-Signature" in signed.headers["Location"]


def test_duplicate_upload_is_stored_once(client, setup, app):
    path = f"/api/v1/files/{setup['file']}/attachments"
    a = upload(client, setup["clerk"], path, PDF, "one.pdf").get_json()
    b = upload(client, setup["clerk"], path, PDF, "two.pdf").get_json()
    assert a["id"] != b["id"] and a["sha256"] == b["sha256"]
    with app.app_context():
        from eoffice.web.session import get_store

        keys = [o.object_name for o in get_store().list("sha256/")]
    assert keys.count(f"sha256/{a['sha256'][:2]}/{a['sha256'][2:4]}/{a['sha256']}") == 1


@pytest.mark.parametrize(
    "data,ctype",
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 32, "image/jpeg"),
        (b"II*\x00" + b"\0" * 32, "image/tiff"),
        (docx_bytes(), "wordprocessingml"),
        (odt_bytes(), "opendocument.text"),
        ("साधारण पाठ / plain text\n".encode(), "text/plain"),
    ],
)
def test_accepted_types_are_decided_by_content(client, setup, data, ctype):
    resp = upload(
        client,
        setup["clerk"],
        f"/api/v1/receipts/{setup['receipt']}/attachments",
        data,
        "whatever.bin",
        "application/octet-stream",
    )
    assert resp.status_code == 201, resp.get_json()
    assert ctype in resp.get_json()["content_type"]


@pytest.mark.parametrize(
    "data,name",
    [
        (b"MZ\x90\x00" + b"\0" * 60, "report.pdf"),  # an .exe renamed .pdf
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "note.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "map.png"),
        (b"PK\x03\x04" + b"\0" * 40, "letter.docx"),  # a broken zip
        (b"\x00\x01\x02binary", "data.txt"),
        (b"", "empty.pdf"),
    ],
)
def test_refused_types_give_415_and_no_row(client, setup, db, data, name):
    resp = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", data, name)
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_type"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_size_limit_gives_413(app_config, setup, s3_server):
    app = create_app(dict(app_config, UPLOAD_LIMIT=1024, MAX_CONTENT_LENGTH=4096))
    client = app.test_client()
    path = f"/api/v1/files/{setup['file']}/attachments"
    just_over = PDF + b"0" * 1024
    assert upload(client, setup["clerk"], path, just_over).status_code == 413
    way_over = PDF + b"0" * 10_000  # refused while the request is read
    resp = upload(client, setup["clerk"], path, way_over)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
    assert upload(client, setup["clerk"], path, PDF).status_code == 201
    app.extensions["eoffice.db"].dispose()


def test_missing_file_field_names_it(client, setup):
    resp = client.post(
        f"/api/v1/files/{setup['file']}/attachments",
        headers=setup["clerk"],
        data={"other": "x"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "file"


def test_who_may_upload_and_download(client, setup, token_for):
    att = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    aid = att.get_json()["id"]
    other = token_for("other")
    assert client.get(f"/api/v1/attachments/{aid}", headers=other).status_code == 404
    assert (
        upload(client, other, f"/api/v1/files/{setup['file']}/attachments", PDF).status_code == 404
    )
    assert client.get(f"/api/v1/attachments/{aid}", headers=token_for("auditor")).status_code == 200
    # seeing is not holding: the auditor may not attach
    resp = upload(client, token_for("auditor"), f"/api/v1/files/{setup['file']}/attachments", PDF)
    assert resp.status_code == 409
    assert client.get("/api/v1/attachments/99999", headers=setup["clerk"]).status_code == 404


def test_object_store_down_gives_503_and_no_row(app_config, setup, db):
    app = create_app(dict(app_config, S3_ENDPOINT="127.0.0.1:9"))
    client = app.test_client()
    resp = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "unavailable"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    app.extensions["eoffice.db"].dispose()


def test_sweep_removes_orphans_after_grace_and_check_finds_missing(app, client, setup, db):
    from eoffice.storage import service
    from eoffice.web.session import get_store

    att = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    with app.app_context():
        store = get_store()
        store.put("sha256/ff/ff/orphan", b"left behind by a crashed upload", "text/plain")
        db.rollback()
        kept = service.sweep(db, store, grace=dt.timedelta(hours=1))
        assert kept.removed == [] and kept.kept_in_grace >= 1
        swept = service.sweep(db, store, grace=dt.timedelta(seconds=-5))
        assert "sha256/ff/ff/orphan" in swept.removed
        assert not store.exists("sha256/ff/ff/orphan")
        assert service.check(db, store) == []
        key = db.get(Attachment, att.get_json()["id"]).key
        store.delete(key)
        assert [a.key for a in service.check(db, store)] == [key]


def test_a_row_whose_object_is_gone_gives_a_clear_503(client, setup, app, auth):
    resp = upload(client, setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    att = resp.get_json()
    with app.app_context():
        from eoffice.storage.models import object_key
        from eoffice.web.session import get_store

        get_store().delete(object_key(att["sha256"]))
    got = client.get(f"/api/v1/attachments/{att['id']}", headers=setup["clerk"])
    assert got.status_code == 503
    assert got.get_json()["error"]["code"] == "object_missing"
    auth.login("clerk")
    page = client.get(f"/attachments/{att['id']}")
    assert page.status_code == 503 and "प्रशासक" in page.get_data(as_text=True)  # in Hindi
