"""Attachments against a real `weed mini`: round trip, dedup, size, type by content, access,
store down, sweep and check."""

import datetime as dt

import pytest
import sqlalchemy as sa

from eoffice import create_app
from eoffice.storage.models import Attachment
from tests.factories import (
    EXE,
    PDF,
    PNG,
    Caller,
    docx_bytes,
    new_file,
    odt_bytes,
    receipt,
    upload,
)


@pytest.fixture
def setup(api):
    clerk = api("clerk")
    fid = new_file(clerk, "संलग्नक", head="9", category="A")["id"]
    rid = receipt(clerk, "स्कैन", sender={"name": "क"}, mode="post")["id"]
    return {"clerk": clerk, "file": fid, "receipt": rid}


def test_round_trip_with_a_hindi_name(setup):
    resp = upload(setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["name"] == "पत्र.pdf" and body["size"] == len(PDF)
    assert body["content_type"] == "application/pdf" and len(body["sha256"]) == 64
    got = setup["clerk"].get(f"/api/v1/attachments/{body['id']}")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E0%A4%AA" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    file = setup["clerk"].get(f"/api/v1/files/{setup['file']}").get_json()
    assert [a["id"] for a in file["attachments"]] == [body["id"]]
    signed = setup["clerk"].get(f"/api/v1/attachments/{body['id']}?redirect=1")
    # no public address of the store is configured here: the link is the app's own download
    # (never the loopback address of the store; test_hardening signs one for a public address)
    assert signed.status_code == 302
    assert signed.headers["Location"] == f"/api/v1/attachments/{body['id']}"


def test_duplicate_upload_is_stored_once(setup, app):
    path = f"/api/v1/files/{setup['file']}/attachments"
    a = upload(setup["clerk"], path, PDF, "one.pdf").get_json()
    b = upload(setup["clerk"], path, PDF, "two.pdf").get_json()
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
def test_accepted_types_are_decided_by_content(setup, data, ctype):
    resp = upload(
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
        (EXE, "report.pdf"),  # an .exe renamed .pdf
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "note.txt"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "map.png"),
        (b"PK\x03\x04" + b"\0" * 40, "letter.docx"),  # a broken zip
        (b"\x00\x01\x02binary", "data.txt"),
        (b"", "empty.pdf"),
    ],
)
def test_refused_types_give_415_and_no_row(setup, db, data, name):
    resp = upload(setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", data, name)
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_type"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_size_limit_gives_413(app_config, setup, s3_server):
    app = create_app(dict(app_config, UPLOAD_LIMIT=1024, MAX_CONTENT_LENGTH=4096))
    clerk = Caller(app.test_client(), setup["clerk"].headers)
    path = f"/api/v1/files/{setup['file']}/attachments"
    just_over = PDF + b"0" * 1024
    assert upload(clerk, path, just_over).status_code == 413
    way_over = PDF + b"0" * 10_000  # refused while the request is read
    resp = upload(clerk, path, way_over)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "too_large"
    assert upload(clerk, path, PDF).status_code == 201
    app.extensions["eoffice.db"].dispose()


def test_missing_file_field_names_it(setup):
    resp = setup["clerk"].post(
        f"/api/v1/files/{setup['file']}/attachments",
        data={"other": "x"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "file"


def test_who_may_upload_and_download(setup, api):
    path = f"/api/v1/files/{setup['file']}/attachments"
    aid = upload(setup["clerk"], path, PDF).get_json()["id"]
    other, auditor = api("other"), api("auditor")
    assert other.get(f"/api/v1/attachments/{aid}").status_code == 404
    assert upload(other, path, PDF).status_code == 404
    assert auditor.get(f"/api/v1/attachments/{aid}").status_code == 200
    # seeing is not holding: the auditor may not attach (auditors never write)
    resp = upload(auditor, path, PDF)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "read_only"
    assert setup["clerk"].get("/api/v1/attachments/99999").status_code == 404


def test_object_store_down_gives_503_and_no_row(app_config, setup, db):
    app = create_app(dict(app_config, S3_ENDPOINT="127.0.0.1:9"))
    clerk = Caller(app.test_client(), setup["clerk"].headers)
    resp = upload(clerk, f"/api/v1/files/{setup['file']}/attachments", PDF)
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "unavailable"
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    app.extensions["eoffice.db"].dispose()


def test_sweep_removes_orphans_after_grace_and_check_finds_missing(app, setup, db):
    from eoffice.storage import service
    from eoffice.web.session import get_store

    att = upload(setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
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
    resp = upload(setup["clerk"], f"/api/v1/files/{setup['file']}/attachments", PDF)
    att = resp.get_json()
    with app.app_context():
        from eoffice.storage.models import object_key
        from eoffice.web.session import get_store

        get_store().delete(object_key(att["sha256"]))
    got = setup["clerk"].get(f"/api/v1/attachments/{att['id']}")
    assert got.status_code == 503
    assert got.get_json()["error"]["code"] == "object_missing"
    auth.login("clerk")
    page = client.get(f"/attachments/{att['id']}")
    assert page.status_code == 503 and "प्रशासक" in page.get_data(as_text=True)  # in Hindi
