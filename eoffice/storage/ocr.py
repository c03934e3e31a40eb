"""OCR of scanned dak: the text of a picture (JPEG, PNG, TIFF) or of a PDF without a text layer,
read by OCRmyPDF and Tesseract (Hindi and English) in a job, so that search finds the scan.

- At upload (storage.service.add_row: `status_at_upload`, then `queue`) a scan is marked
  `ocr = "pending"` and a job "storage.ocr" is queued in the same transaction: a rolled-back
  upload queues nothing.
- The job fetches the bytes from the store, runs `ocrmypdf` as a child process (a process group
  of its own, killed at the timeout, its temporary files in a folder removed afterwards), takes
  the text Tesseract read (the sidecar file) and stores it as the attachment's text
  (AttachmentText, which the index and its snippets read); `ocr` becomes "done", and the change
  to the attachment queues it for the index again (the outbox's flush hook).
- The scan itself is never replaced: OCR only adds text. A file OCR cannot read (damaged, not
  really a picture, encrypted) is "failed" at once, its error in `ocr_error`; any other failure
  (a timeout, Tesseract missing) is retried with the queue's backoff, and after the job's last
  attempt the attachment is "failed" too. Either way the upload stays as it was.

Settings (the app's config, else the environment): OCR_LANGUAGES / EOFFICE_OCR_LANGUAGES
("hin+eng"), OCR_TIMEOUT_SECONDS / EOFFICE_OCR_TIMEOUT_SECONDS (kept below the job lease),
OCR_MAX_PAGES / EOFFICE_OCR_MAX_PAGES (100), OCR_JOBS / EOFFICE_OCR_JOBS (CPU cores, 2) and
OCR_IMAGE_DPI / EOFFICE_OCR_IMAGE_DPI (200: the resolution assumed for a picture that gives
none).
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from eoffice.core import jobs
from eoffice.core.errors import ObjectMissing
from eoffice.storage import sniff
from eoffice.storage.models import Attachment, AttachmentText

log = logging.getLogger(__name__)

JOB = "storage.ocr"
PENDING, DONE, FAILED = "pending", "done", "failed"
IMAGES = (sniff.JPEG, sniff.PNG, sniff.TIFF)
MAX_ATTEMPTS = 4  # a timeout or a missing Tesseract: tried again after 30 s, 1 min, 2 min
MAX_CHARS = 1_000_000  # as much text as the index takes from any attachment
ERROR_CHARS = 2000
MAX_FRAME_PIXELS = 120_000_000  # a picture larger than this is not a scan of a letter
CREDIBLE_DPI = 96  # at or below this, a picture's stated resolution is a default, not a scan's

# ocrmypdf's exit codes that say the file itself is the problem: trying again cannot help
_INPUT_FILE, _ALREADY_DONE, _ENCRYPTED = 2, 6, 8
_BAD_INPUT = {
    _INPUT_FILE: "the file could not be read as a scan",
    _ALREADY_DONE: "the PDF already has text of its own",
    _ENCRYPTED: "the PDF is encrypted",
}


class OcrFailed(Exception):
    """OCR did not give text. `permanent`: the file itself is the problem."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# --- at upload ---------------------------------------------------------------------------------


def needs_ocr(data: bytes, content_type: str) -> bool:
    """A picture, or a PDF with a page that has no text of its own (no font) but something on it.
    A PDF that cannot even be parsed is sent to OCR too: the job says why it failed."""
    if content_type in IMAGES:
        return True
    if content_type != sniff.PDF:
        return False
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return True  # OCR fails, and says why
        return any(_untexted(page) for page in reader.pages[: _max_pages({})])
    except Exception as exc:  # noqa: BLE001 - damaged: OCR tries and reports
        log.info("a PDF that could not be looked into goes to OCR: %s", exc)
        return True


def _untexted(page) -> bool:
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    if _has_fonts(resources):
        return False
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            sub = xobj.get("/Resources")
            if xobj.get("/Subtype") == "/Form" and sub is not None and _has_fonts(sub.get_object()):
                return False  # text in a form (a stamp, a letterhead drawn as one)
        return True
    return page.get("/Contents") is not None  # a page with nothing on it has nothing to read


def _has_fonts(resources) -> bool:
    fonts = resources.get("/Font") if resources else None
    return fonts is not None and len(fonts.get_object()) > 0


def status_at_upload(data: bytes, content_type: str) -> str | None:
    """The `ocr` of a new attachment: "pending" for a scan (its OCR is to be queued), none for
    what needs no OCR."""
    return PENDING if needs_ocr(data, content_type) else None


def queue(session: Session, attachment: Attachment) -> None:
    """Queue the OCR of a pending scan in the caller's transaction (after the row's flush: the
    job names its id)."""
    jobs.enqueue(
        session,
        JOB,
        {"attachment": attachment.id},
        key=f"{JOB}:{attachment.id}",
        max_attempts=MAX_ATTEMPTS,
    )


# --- settings ----------------------------------------------------------------------------------


def _setting(config: dict, name: str, default):
    value = config.get(name)
    if value in (None, ""):
        value = os.environ.get(f"EOFFICE_{name}")
    if value in (None, ""):
        return default
    return type(default)(value)


def _max_pages(config: dict) -> int:
    return max(1, _setting(config, "OCR_MAX_PAGES", 100))


def _timeout(config: dict) -> float:
    """OCR ends before the job's lease does (or another worker would take the job meanwhile)."""
    lease = int(config.get("JOB_LEASE_SECONDS") or 300)
    wanted = _setting(config, "OCR_TIMEOUT_SECONDS", 240.0)
    return max(0.1, min(wanted, lease - 15))


# --- the job -----------------------------------------------------------------------------------


@jobs.handler(JOB)
def run_job(ctx: jobs.JobContext, payload: dict) -> None:
    attachment_id = payload.get("attachment")
    if not isinstance(attachment_id, int):
        raise jobs.Permanent(f"storage.ocr needs an attachment id, not {attachment_id!r}")
    # The slow part (fetching and reading the scan) runs before the job's own session is
    # touched: on SQLite that session holds the write lock from its first statement, and web
    # requests must not wait minutes for OCR. What it reads first comes from a short read.
    with ctx.database.sessionmaker() as peek:
        seen = peek.get(Attachment, attachment_id)
        if seen is None or seen.ocr != PENDING:  # deleted, or read already (at least once)
            return
        key, content_type = seen.key, seen.content_type
    if ctx.store_factory is None:
        raise RuntimeError("no object store in this process to read the scan from")
    failure = None
    try:
        data = ctx.store_factory().get(key)
    except ObjectMissing:
        data, failure = None, "the scan is missing from the object store"
    text = None
    if data is not None:
        try:
            text = ocr_text(data, content_type, ctx.config)
        except OcrFailed as exc:
            last = ctx.job.attempts >= ctx.job.max_attempts
            if not (exc.permanent or last):
                raise  # the queue tries again later; the attachment stays pending
            failure = str(exc)
    att = ctx.session.get(Attachment, attachment_id)
    if att is None or att.ocr != PENDING:  # changed meanwhile: nothing to record
        return
    if failure is not None:
        _failed(att, failure)
        return
    row = ctx.session.get(AttachmentText, att.id)
    if row is None:
        ctx.session.add(AttachmentText(attachment_id=att.id, text=text))
    else:  # the indexer may have stored what little the file had before OCR ran
        row.text = text
        row.extracted_at = ctx.now
    att.ocr = DONE
    att.ocr_error = None  # and, the attachment changed, the index takes it (and its text) again


def _failed(att: Attachment, error: str) -> None:
    log.warning("OCR of attachment %s failed: %s", att.id, error)
    att.ocr = FAILED
    att.ocr_error = error[:ERROR_CHARS]


# --- OCR ---------------------------------------------------------------------------------------


def ocr_text(data: bytes, content_type: str, config: dict | None = None) -> str:
    """The text OCRmyPDF reads from a scan (a PDF, or a picture made into one first), plus any
    text a PDF's other pages have of their own. Raises OcrFailed."""
    config = config or {}
    with tempfile.TemporaryDirectory(prefix="eoffice-ocr-") as folder:
        work = Path(folder)
        source = work / "scan.pdf"
        if content_type in IMAGES:
            source.write_bytes(image_to_pdf(data, _setting(config, "OCR_IMAGE_DPI", 200)))
            own_text = ""
        elif content_type == sniff.PDF:
            source.write_bytes(data)
            own_text = _pdf_text(data)
        else:
            raise OcrFailed(f"OCR does not read {content_type}", permanent=True)
        sidecar = work / "text.txt"
        _run_ocrmypdf(source, sidecar, work, config)
        read = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
    # pages with text of their own are skipped by OCR, and marked so in the sidecar
    read = re.sub(r"\[OCR skipped on page\(s\) [^\]]*\]", "", read).replace("\f", "\n")
    text = "\n".join(part.strip() for part in (own_text, read) if part.strip())
    return text[:MAX_CHARS]


def _pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages[:300])[:MAX_CHARS]
    except Exception:  # noqa: BLE001 - OCR says what is wrong with the file
        return ""


def image_to_pdf(data: bytes, default_dpi: int = 200) -> bytes:
    """A picture (every page of a TIFF) as a PDF of images, at the resolution the picture
    states, or `default_dpi` when it states none believable. Colours and transparency are made
    plain (RGB or grey on white), which Tesseract and img2pdf take. Raises OcrFailed."""
    import img2pdf
    from PIL import Image, ImageSequence, UnidentifiedImageError

    pages = []
    try:
        with Image.open(io.BytesIO(data)) as im:
            for n, frame in enumerate(ImageSequence.Iterator(im)):
                if n >= 300:
                    break
                if frame.width * frame.height > MAX_FRAME_PIXELS:
                    raise OcrFailed("the picture is too large to read", permanent=True)
                dpi = frame.info.get("dpi") or im.info.get("dpi") or (0, 0)
                x, y = (float(dpi[0] or 0), float(dpi[1] or 0))
                if min(x, y) <= CREDIBLE_DPI:
                    x = y = float(default_dpi)
                out = io.BytesIO()
                _plain(frame).save(out, "PNG", dpi=(round(x), round(y)))
                pages.append(out.getvalue())
        return img2pdf.convert(pages, rotation=img2pdf.Rotation.ifvalid)
    except OcrFailed:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise OcrFailed(f"the picture could not be read: {exc}", permanent=True) from exc
    except Exception as exc:  # noqa: BLE001 - Pillow and img2pdf raise many kinds
        raise OcrFailed(f"the picture could not be made a page: {exc}", permanent=True) from exc


def _plain(frame):
    from PIL import Image

    if frame.mode in ("1", "L", "RGB"):
        return frame.copy()
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        page = Image.new("RGB", rgba.size, "white")
        page.paste(rgba, mask=rgba.getchannel("A"))
        return page
    if frame.mode.startswith("I") or frame.mode == "F":  # 16/32-bit grey
        return frame.convert("I").point(lambda v: v / 256).convert("L")
    return frame.convert("RGB")  # palette, CMYK, YCbCr, LAB


def _run_ocrmypdf(source: Path, sidecar: Path, work: Path, config: dict) -> None:
    languages = _setting(config, "OCR_LANGUAGES", "hin+eng")
    cmd = [
        sys.executable,
        "-m",
        "ocrmypdf",
        "--language",
        languages,
        "--skip-text",  # pages with text of their own keep it
        "--rotate-pages",  # dak scanned sideways or upside down
        "--invalidate-digital-signatures",  # only a copy is OCRed; the signed original stays
        "--output-type",
        "none",  # only the text is kept
        "--sidecar",
        str(sidecar),
        "--pages",
        f"1-{_max_pages(config)}",
        "--jobs",
        str(_setting(config, "OCR_JOBS", 2)),
        "--quiet",
        str(source),
        "-",
    ]
    timeout = _timeout(config)
    env = {**os.environ, "TMPDIR": str(work)}  # its work folders go with ours
    proc = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=work,
        env=env,
        start_new_session=True,  # a group of its own: Tesseract and Ghostscript end with it
    )
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise OcrFailed(f"OCR took longer than {timeout:g} s and was stopped") from None
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    if proc.returncode != 0:
        detail = _tail(err)
        reason = _BAD_INPUT.get(proc.returncode)
        if reason is not None:
            raise OcrFailed(f"{reason} ({detail})" if detail else reason, permanent=True)
        raise OcrFailed(f"ocrmypdf ended with code {proc.returncode}: {detail or 'no message'}")


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _tail(err: bytes | None) -> str:
    lines = [
        line.strip()
        for line in (err or b"").decode("utf-8", errors="replace").splitlines()
        if line.strip() and "[tesseract] Error during processing" not in line
    ]
    return " / ".join(lines[-6:])[-ERROR_CHARS:]
