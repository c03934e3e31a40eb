"""OCR of scanned dak with the real OCRmyPDF and Tesseract (Hindi and English): a scan made
here (Hindi rendered by WeasyPrint, rasterised by pdftoppm, wrapped as a PDF of one image) is
uploaded to a receipt, read in the jobs queue, and found by search by whoever may see the
receipt, and by no one else. A picture is read too; a file OCR cannot read is marked failed and
the upload stays as it was; a rebuild of the index keeps the text OCR read."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from eoffice.core.db import utcnow
from eoffice.core.jobs import Job
from eoffice.pdf.render import html_to_pdf
from eoffice.storage.models import Attachment, AttachmentText
from tests.factories import PDF, receipt, upload


@pytest.fixture(autouse=True, scope="module")
def _ocr_tools():
    """The real OCR stack, or a failure that says what is missing (never a quiet skip)."""
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        pytest.fail("needs tesseract-ocr (hin, eng) and poppler-utils (make test installs them)")


SENTENCE = "पुलिस अधीक्षक को प्रार्थना पत्र भेजा गया है।"
WORD = "प्रार्थना"  # a long word Tesseract reads reliably from a 200 dpi scan
OCTETS = "application/octet-stream"


@pytest.fixture(scope="module")
def scan_png(tmp_path_factory) -> bytes:
    """One line of Hindi on a small page, rendered to PDF and rasterised at 200 dpi."""
    folder = tmp_path_factory.mktemp("scan")
    html = (
        "<html><head><style>@page { size: 130mm 40mm; margin: 6mm }"
        " body { font-family: 'Noto Sans Devanagari'; font-size: 16pt }</style></head>"
        f"<body><p>{SENTENCE}</p></body></html>"
    )
    (folder / "letter.pdf").write_bytes(html_to_pdf(html))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", "letter.pdf", "page"],
        cwd=folder,
        check=True,
        timeout=60,
    )
    return (folder / "page.png").read_bytes()


@pytest.fixture(scope="module")
def scan_pdf(scan_png) -> bytes:
    """The page as a scanner gives it: a PDF holding one picture and no text."""
    import img2pdf

    return img2pdf.convert(scan_png)


def run_jobs(app, now=None) -> int:
    """Run what is due (the OCR, and any periodic sweep); returns how many OCR jobs are done."""
    app.extensions["eoffice.jobs"].run_due(now=now)
    with app.extensions["eoffice.db"].sessionmaker() as session:
        return session.scalar(
            sa.select(sa.func.count(Job.id)).where(Job.name == "storage.ocr", Job.status == "done")
        )


def find(caller, q, **params) -> dict:
    resp = caller.get("/api/v1/search", query_string={"q": q, **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def receipt_attachments(caller, receipt_id) -> list[dict]:
    resp = caller.get(f"/api/v1/receipts/{receipt_id}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["attachments"]


def test_a_scanned_pdf_is_read_and_found_by_search(api, app, db, client, auth, scan_pdf):
    clerk = api("clerk")
    r = receipt(clerk, "पुलिस अधीक्षक को प्रेषित डाक")
    resp = upload(clerk, f"/api/v1/receipts/{r['id']}/attachments", scan_pdf, "डाक.pdf", OCTETS)
    assert resp.status_code == 201, resp.get_json()
    att = resp.get_json()
    assert att["ocr"] == "pending"
    assert [a["ocr"] for a in receipt_attachments(clerk, r["id"])] == ["pending"]
    auth.login("clerk")
    page = client.get(f"/receipts/{r['id']}").get_data(as_text=True)
    assert 'data-ocr="pending"' in page
    # the indexer may come first: the scan is found by its name, not yet by its words
    app.extensions["eoffice.search"].index()
    assert find(clerk, WORD, kind="attachment")["total"] == 0

    assert run_jobs(app) == 1
    app.extensions["eoffice.search"].index()
    assert [a["ocr"] for a in receipt_attachments(clerk, r["id"])] == ["done"]
    db.rollback()
    text = db.scalar(
        sa.select(AttachmentText.text).where(AttachmentText.attachment_id == att["id"])
    )
    assert WORD in text and "पुलिस" in text
    hits = find(clerk, WORD, kind="attachment")["hits"]
    assert [(h["kind"], h["receipt_id"], h["title"]) for h in hits] == [
        ("attachment", r["id"], "डाक.pdf")
    ]
    assert f"{WORD}</mark>" in hits[0]["snippet"]
    assert find(api("other"), WORD)["total"] == 0  # another district's SP sees nothing of it
    page = client.get(f"/receipts/{r['id']}").get_data(as_text=True)
    assert 'data-ocr="done"' in page
    # the scan itself is kept as it came
    assert clerk.get(att["url"]).data == scan_pdf
    assert run_jobs(app) == 1  # read once


@pytest.mark.once  # the OCR engine, not the database: the SQLite pass
def test_a_picture_is_read_and_a_pdf_with_text_needs_no_ocr(api, app, scan_png):
    clerk = api("clerk")
    r = receipt(clerk)
    path = f"/api/v1/receipts/{r['id']}/attachments"
    png = upload(clerk, path, scan_png, "scan.png", OCTETS)
    assert png.status_code == 201 and png.get_json()["ocr"] == "pending"
    letter = html_to_pdf(f"<p>{SENTENCE}</p>")  # a PDF with text of its own
    typed = upload(clerk, path, letter, "letter.pdf", OCTETS)
    assert typed.status_code == 201 and typed.get_json()["ocr"] is None
    note = upload(clerk, path, "गश्त रजिस्टर".encode(), "note.txt", OCTETS)
    assert note.status_code == 201 and note.get_json()["ocr"] is None
    assert run_jobs(app) == 1  # the picture's OCR only
    app.extensions["eoffice.search"].index()
    by_name = {a["name"]: a["ocr"] for a in receipt_attachments(clerk, r["id"])}
    assert by_name == {"scan.png": "done", "letter.pdf": None, "note.txt": None}
    hits = find(clerk, WORD, kind="attachment")["hits"]
    assert "scan.png" in {h["title"] for h in hits}


@pytest.mark.once  # the OCR engine, not the database: the SQLite pass
def test_a_file_ocr_cannot_read_fails_and_nothing_is_lost(api, app, db, client, auth):
    clerk = api("clerk")
    r = receipt(clerk)
    # a PDF by its first bytes and nothing readable after them
    resp = upload(clerk, f"/api/v1/receipts/{r['id']}/attachments", PDF, "टूटा.pdf", OCTETS)
    assert resp.status_code == 201, resp.get_json()
    att = resp.get_json()
    assert att["ocr"] == "pending"
    assert run_jobs(app) == 1
    assert [a["ocr"] for a in receipt_attachments(clerk, r["id"])] == ["failed"]
    db.rollback()
    row = db.get(Attachment, att["id"])
    assert row.ocr == "failed" and "could not be read" in row.ocr_error
    assert row.size == len(PDF) and row.sha256 == att["sha256"]
    assert clerk.get(att["url"]).data == PDF  # the upload is kept as it came
    job = db.scalars(sa.select(Job).where(Job.name == "storage.ocr")).one()
    assert job.status == "done" and job.attempts == 1  # retrying cannot help a broken file
    auth.login("clerk")
    assert 'data-ocr="failed"' in client.get(f"/receipts/{r['id']}").get_data(as_text=True)
    app.extensions["eoffice.search"].index()
    assert find(clerk, "टूटा", kind="attachment")["total"] == 1  # still found by its name


@pytest.mark.once  # the OCR engine, not the database: the SQLite pass
def test_ocr_that_times_out_is_retried_then_failed(api, app, db, scan_pdf):
    app.config["OCR_TIMEOUT_SECONDS"] = 0.1  # no OCR finishes in this time
    clerk = api("clerk")
    r = receipt(clerk)
    resp = upload(clerk, f"/api/v1/receipts/{r['id']}/attachments", scan_pdf, "scan.pdf", OCTETS)
    att_id = resp.get_json()["id"]
    assert run_jobs(app) == 0
    db.rollback()
    job = db.scalars(sa.select(Job).where(Job.name == "storage.ocr")).one()
    assert job.status == "queued" and "longer than" in job.last_error  # back in the queue
    assert db.get(Attachment, att_id).ocr == "pending"
    later = utcnow()
    for _ in range(job.max_attempts - 1):
        later += dt.timedelta(hours=2)  # past any backoff
        run_jobs(app, now=later)
    db.rollback()
    row = db.get(Attachment, att_id)
    assert row.ocr == "failed" and "longer than" in row.ocr_error
    assert db.get(Job, job.id).status == "done"
    assert clerk.get(f"/api/v1/attachments/{att_id}").data == scan_pdf


@pytest.mark.once  # the OCR engine, not the database: the SQLite pass
def test_search_rebuild_keeps_the_text_ocr_read(api, app, app_config, scan_pdf):
    clerk = api("clerk")
    r = receipt(clerk)
    resp = upload(clerk, f"/api/v1/receipts/{r['id']}/attachments", scan_pdf, "scan.pdf", OCTETS)
    assert resp.status_code == 201
    assert run_jobs(app) == 1
    app.extensions["eoffice.search"].index()
    assert find(clerk, WORD, kind="attachment")["total"] == 1
    env = {
        **os.environ,
        "EOFFICE_INSTANCE": str(app_config["INSTANCE"]),
        "EOFFICE_DATABASE_URL": app_config["DATABASE_URL"],
        "EOFFICE_INDEX_DIR": str(app_config["INDEX_DIR"]),
        "EOFFICE_S3_ENDPOINT": app_config["S3_ENDPOINT"],
        "EOFFICE_S3_ACCESS_KEY": app_config["S3_ACCESS_KEY"],
        "EOFFICE_S3_SECRET_KEY": app_config["S3_SECRET_KEY"],
        "EOFFICE_S3_BUCKET": app_config["S3_BUCKET"],
    }
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "eoffice"), "search", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    hits = find(clerk, WORD, kind="attachment")["hits"]
    assert [h["receipt_id"] for h in hits] == [r["id"]]
    assert find(api("other"), WORD)["total"] == 0


@pytest.mark.once  # the OCR engine, not the database: the SQLite pass
def test_images_of_every_kind_become_pages(scan_png):
    """What scanners and phones give: transparency, palettes, grey, JPEG without a resolution,
    a TIFF of two pages. Each is made a PDF OCRmyPDF takes, at a believable resolution."""
    from PIL import Image
    from pypdf import PdfReader

    from eoffice.storage.ocr import image_to_pdf

    page = Image.open(io.BytesIO(scan_png))
    samples = {}
    for mode in ("RGBA", "P", "L", "1", "CMYK"):
        out = io.BytesIO()
        page.convert(mode).save(out, "TIFF" if mode == "CMYK" else "PNG")
        samples[mode] = out.getvalue()
    out = io.BytesIO()
    page.save(out, "JPEG", quality=85)  # no dpi stated: 200 is assumed
    samples["jpeg"] = out.getvalue()
    out = io.BytesIO()
    page.convert("L").save(out, "TIFF", save_all=True, append_images=[page.convert("L")])
    samples["tiff"] = out.getvalue()
    for name, data in samples.items():
        reader = PdfReader(io.BytesIO(image_to_pdf(data)))
        assert len(reader.pages) == (2 if name == "tiff" else 1), name
        width_in = float(reader.pages[0].mediabox.width) / 72
        assert abs(width_in - page.width / 200) < 0.05, name  # at 200 dpi
