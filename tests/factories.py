"""Factories, in one place.

- Database level: records made through the real services, each in its own unit of work
  (committed, as a request would), so what a test arranges is what the app then sees.
- API level: records made through the JSON API by a `Caller` (conftest's `api("clerk")`, or
  `Caller(client, headers)` for a client of another app), each checked to have been made.
- Sample documents: the bytes tests upload, decided by their content as the app decides."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib

import sqlalchemy as sa

from eoffice.auth.models import User
from eoffice.files import service as files
from eoffice.org.models import Desk
from eoffice.receipts import service as receipts

SUBJECT = "थाना कोतवाली में भूमि विवाद की शिकायत"


# --- database level ----------------------------------------------------------------------------


def user(db, username: str) -> User:
    return db.scalars(sa.select(User).where(User.username == username)).one()


def desk(db, code: str) -> Desk:
    return db.scalars(sa.select(Desk).where(Desk.code == code)).one()


def act(db, use_case, username: str, desk_code: str, *args, **kwargs):
    """Run a use case as `username` at `desk_code` and commit it, as the request around it
    would; the rollback on failure is the request's too."""
    try:
        result = use_case(db, user(db, username), desk(db, desk_code), *args, **kwargs)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return result


def make_receipt(db, subject=SUBJECT, username="clerk", desk_code="SPO-HC", **values):
    values = {
        "subject": subject,
        "mode": "post",
        "sender_name": "सुरेश यादव",
        "sender_organisation": "ग्राम पंचायत",
        "received_on": dt.date.today(),
        **values,
    }
    return act(db, receipts.diarise, username, desk_code, values)


def make_file(db, subject=SUBJECT, receipt_ids=(), username="clerk", desk_code="SPO-HC", **kw):
    values = {"subject": subject, "head": "11", "category": "B", **kw}
    return act(db, files.create_file, username, desk_code, values, receipt_ids)


def fresh(db, model, id_):
    db.rollback()  # end the read snapshot: see what the app committed
    # and read the row again even if the session holds it unexpired (a rollback with no
    # transaction open expires nothing)
    return db.get(model, id_, populate_existing=True)


# --- API level ---------------------------------------------------------------------------------

RECEIPT_SUBJECT = "थाना कोतवाली में चोरी की शिकायत / complaint of theft"
FILE_SUBJECT = "अवकाश प्रार्थना पत्र / leave application"


class Caller:
    """One user's JSON calls with their Bearer token: `Caller(client, headers).post(path, json)`."""

    def __init__(self, client, headers: dict):
        self.client, self.headers = client, headers

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        if json is not None or not kw:
            kw["json"] = json or {}
        return self.client.post(path, headers=self.headers, **kw)

    def put(self, path, json=None):
        return self.client.put(path, headers=self.headers, json=json or {})


def receipt_body(subject=RECEIPT_SUBJECT, *, full=False, **over) -> dict:
    """A receipt as POST /api/v1/receipts takes it: what it needs, with `full` every other field
    API.md lists too, and `over` on top (a shallow update: `sender=` replaces the sender)."""
    today = dt.date.today().isoformat()
    body = {
        "subject": subject,
        "sender": {"name": "सुनीता देवी"},
        "mode": "hand",
        "received_on": today,
    }
    if full:
        body.update(
            sender={
                "name": "सुनीता देवी",
                "designation": "ग्राम प्रधान",
                "organisation": "ग्राम सभा",
                "address": "ग्राम तिर्वा, कन्नौज",
                "mobile": "+91 94150 12345",
                "email": "sunita@example.org",
            },
            letter_number="प्र/12/2026",
            letter_date=today,
            category="शिकायत",
            language="hi",
            enclosures="2 पृष्ठ",
            remarks="तुरंत",
        )
    body.update(over)
    return body


def receipt(caller, subject=RECEIPT_SUBJECT, *, full=False, **over) -> dict:
    """Diarise a receipt (see receipt_body); its JSON."""
    resp = caller.post("/api/v1/receipts", receipt_body(subject, full=full, **over))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def new_file(caller, subject=FILE_SUBJECT, **over) -> dict:
    """Open a file (head 11, category B unless `over` says otherwise); its JSON."""
    body = {"subject": subject, "head": "11", "category": "B", **over}
    resp = caller.post("/api/v1/files", body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def note(caller, file_id, text, **over) -> dict:
    """Add a note to a file (`desk=` for a user of several desks); its JSON."""
    resp = caller.post(f"/api/v1/files/{file_id}/notes", {"text": text, **over})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def new_draft(caller, file_id, title="पत्र", body="मसौदा", **over) -> dict:
    """Start a draft on a file; its JSON."""
    resp = caller.post(f"/api/v1/files/{file_id}/drafts", {"title": title, "body": body, **over})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def sent_files(caller, n, to="SPO-SP", notes=0) -> list[int]:
    """`n` files, each with `notes` notes, sent to `to`; their ids."""
    ids = []
    for i in range(n):
        fid = new_file(caller, f"विषय {i}", head="7")["id"]
        for j in range(notes):
            note(caller, fid, f"अनुच्छेद {j}")
        resp = caller.post(f"/api/v1/files/{fid}/send", {"to": to})
        assert resp.status_code == 200, resp.get_json()
        ids.append(fid)
    return ids


def upload(caller, path, data, name="पत्र.pdf", content_type="application/pdf"):
    """POST one file to an attachments route (`path`); the response, to check."""
    return caller.post(
        path,
        data={"file": (io.BytesIO(data), name, content_type)},
        content_type="multipart/form-data",
    )


# --- sample documents --------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# the PNG signature and nothing of a picture: enough for the type check, not for a browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\0" * 60  # a Windows program, whatever its name says


def png_bytes(width=4, height=3) -> bytes:
    """A real, decodable PNG (grey pixels)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def docx_bytes(text: str = "") -> bytes:
    """A Word document of one paragraph."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return buf.getvalue()


def odt_bytes() -> bytes:
    """An OpenDocument text, as far as its manifest goes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()
