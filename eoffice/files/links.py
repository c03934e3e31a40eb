"""Part files, links between files, and copies of filed receipts (the use cases).

- A part file is opened on the desk that holds the main file: its number is the main file's
  number + "/Part-1" (then Part-2, ...), it has notes of its own (notes are numbered per file)
  and it is linked to its main file. A closed file gets no parts; a part gets no parts of its own.
- Two files are linked both ways (a row each way), once: linking again changes nothing. A file
  the caller may not see cannot be linked and is never shown among the links.
- A receipt put into file A can be copied into file B held by the acting desk: a "copy" entry
  on B's correspondence side (the next page C/n), with the same receipt; the receipt stays in A.

Like every use case these take the session, the acting user and desk and plain values, check the
rules, record the audit event and never commit (eoffice.core.uow).
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.core import uow
from eoffice.core.errors import Conflict, Forbidden, Invalid
from eoffice.files import access
from eoffice.files.models import Correspondence, File, FileLink, FileStatus
from eoffice.files.service import get_file, next_page
from eoffice.org.desks import require_desk
from eoffice.receipts.models import Receipt, ReceiptStatus
from eoffice.receipts.service import get_receipt

MAX_SUBJECT = 5000


# --- part files --------------------------------------------------------------------------------


def open_part(
    session: Session, user, desk, file_id: int, subject: str | None = None, version=None
) -> File:
    """Open the next part file of `file_id` on the acting desk, which must hold the main file."""
    main = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    if not can(user, "file.create"):
        raise Forbidden("only clerks and officers open files")
    main.check_version(version)
    if main.status == FileStatus.closed:
        raise Conflict(
            f"file {main.number} is closed: no part file can be opened on it", code="file_closed"
        )
    main.ensure_holder(desk)
    if main.part_of_id is not None:
        raise Invalid(
            f"file {main.number} is itself a part file: open a part of its main file",
            field="file_id",
            code="part_of_part",
        )
    subject = (subject or "").strip() or main.subject
    if len(subject) > MAX_SUBJECT:
        raise Invalid(f"subject is longer than {MAX_SUBJECT} characters", field="subject")
    last = session.scalar(
        sa.select(sa.func.max(File.part_number)).where(File.part_of_id == main.id)
    )
    n = (last or 0) + 1
    number = f"{main.number}/Part-{n}"
    if len(number) > File.number.type.length:
        raise Invalid(f"the part's number {number} is too long", field="file_id")
    part = File(
        office_id=main.office_id,
        section_id=main.section_id,
        number=number,
        head=main.head,
        serial=main.serial,
        year=main.year,
        subject=subject,
        category=main.category,
        priority=main.priority,
        holder_desk_id=desk.id,
        holder=desk,
        created_by_id=user.id,
        part_of_id=main.id,
        part_number=n,
    )
    # a part is graded and kept like its main file (the grading and the retention columns)
    for inherited in ("security", "retention_years"):
        if hasattr(main, inherited):
            setattr(part, inherited, getattr(main, inherited))
    session.add(part)
    session.flush()
    part.start(desk, user)
    access.grant(session, part, desk.id)
    _add_link(session, main, part, user)
    main.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.created",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=part.id,
        data={"number": number, "subject": subject, "part_of": main.number},
    )
    audit.record(
        session,
        "file.part_opened",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=main.id,
        data={"part": number, "part_id": part.id},
    )
    uow.flush(session)
    return part


# --- links -------------------------------------------------------------------------------------


def _add_link(session: Session, a: File, b: File, user) -> bool:
    """Link a and b both ways; False when they already were."""
    added = False
    for one, other in ((a, b), (b, a)):
        if session.get(FileLink, (one.id, other.id)) is None:
            session.add(FileLink(file_id=one.id, linked_id=other.id, by_user_id=user.id))
            added = True
    return added


def link_files(
    session: Session, user, desk, file_id: int, other_id: int, version=None
) -> tuple[File, bool]:
    """Link the file on the acting desk with another file the user may see, both ways.
    Returns the file and whether a link was made (False: they were linked already)."""
    get_file(session, user, file_id)  # a file one may not see stays a 404, whatever is asked
    desk = require_desk(desk, user)
    if other_id == file_id:
        raise Invalid("a file cannot be linked to itself", field="file_id", code="self_link")
    # both rows are locked, lower id first: two desks linking the pair at once queue
    first, second = sorted((file_id, other_id))
    locked = {fid: get_file(session, user, fid, for_update=True) for fid in (first, second)}
    file, other = locked[file_id], locked[other_id]
    file.check_version(version)
    file.ensure_holder(desk)
    if not _add_link(session, file, other, user):
        return file, False
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.linked",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"file": other.number, "file_id": other.id},
    )
    uow.flush(session)
    return file, True


def find_file_by_number(session: Session, user, number: str, office_id: int | None) -> File:
    """The file with this number that the user may see (numbers are unique in an office: the
    acting desk's office first). 422 when there is none the user sees."""
    number = (number or "").strip()
    if not number:
        raise Invalid("a file number is required", field="number")
    found = session.scalars(
        sa.select(File)
        .where(File.number == number, access.visible_files_clause(session, user))
        .order_by(File.id)
    ).all()
    if not found:
        raise Invalid(f"no file {number} that you may see", field="number", code="unknown_file")
    return next((f for f in found if f.office_id == office_id), found[0])


# --- copies of filed receipts ------------------------------------------------------------------


def copy_receipt(
    session: Session, user, desk, file_id: int, receipt_id: int, version=None
) -> tuple[File, Correspondence]:
    """Put a copy of a receipt already filed in another file into this one (held by the acting
    desk): the next page of its correspondence side. The receipt stays where it was filed."""
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    file.ensure_holder(desk)
    receipt = get_receipt(session, user, receipt_id)
    if receipt.status != ReceiptStatus.filed or receipt.file_id is None:
        raise Conflict(
            f"receipt {receipt.number} is not in a file: put it into this file instead",
            code="receipt_not_filed",
        )
    if getattr(receipt, "graded", False):
        # a graded receipt is seen only by the desks it was marked to: no copy spreads it
        raise Conflict(
            f"receipt {receipt.number} is graded: it cannot be copied into another file",
            code="receipt_graded",
        )
    already = receipt.file_id == file.id or session.scalar(
        sa.select(sa.func.count())
        .select_from(Correspondence)
        .where(Correspondence.file_id == file.id, Correspondence.receipt_id == receipt.id)
    )
    if already:
        raise Conflict(
            f"receipt {receipt.number} is already in file {file.number}", code="already_in_file"
        )
    entry = Correspondence(
        file_id=file.id,
        page=next_page(session, file),
        kind="copy",
        receipt_id=receipt.id,
        title=receipt.subject,
    )
    session.add(entry)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.receipt_copied",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"receipt": receipt.number, "page": entry.page, "from_file_id": receipt.file_id},
    )
    uow.flush(session)
    return file, entry


def find_receipt_by_number(session: Session, user, number: str, office_id: int | None) -> Receipt:
    """The receipt with this number that the user may see (the acting desk's office first).
    422 when there is none the user sees."""
    number = (number or "").strip()
    if not number:
        raise Invalid("a receipt number is required", field="number")
    found = session.scalars(
        sa.select(Receipt).where(Receipt.number == number).order_by(Receipt.id).limit(50)
    ).all()
    visible = [r for r in found if can(user, "receipt.view", r)]
    if not visible:
        raise Invalid(
            f"no receipt {number} that you may see", field="number", code="unknown_receipt"
        )
    return next((r for r in visible if r.office_id == office_id), visible[0])


def copied_into(session: Session, receipt_ids: Collection[int]) -> dict[int, set[int]]:
    """The files each of these receipts was copied into (for the receipt's own visibility:
    whoever may see such a file may read the receipt)."""
    out: dict[int, set[int]] = {}
    ids = list(receipt_ids)
    if not ids:
        return out
    rows = session.execute(
        sa.select(Correspondence.receipt_id, Correspondence.file_id).where(
            Correspondence.kind == "copy", Correspondence.receipt_id.in_(ids)
        )
    )
    for rid, fid in rows:
        out.setdefault(rid, set()).add(fid)
    return out


# --- what the file page and JSON show ----------------------------------------------------------


def related(session: Session, user, file: File, correspondence=()) -> dict:
    """The file's parts, its main file and its linked files, only those the user may see; and,
    for its copy entries, the receipts and the files they were filed in (if visible). A few
    queries, whatever the numbers."""
    part_ids = list(session.scalars(sa.select(File.id).where(File.part_of_id == file.id)))
    link_ids = list(
        session.scalars(sa.select(FileLink.linked_id).where(FileLink.file_id == file.id))
    )
    copies = [c for c in correspondence if c.kind == "copy" and c.receipt_id]
    receipts = {}
    if copies:
        receipts = {
            r.id: r
            for r in session.scalars(
                sa.select(Receipt).where(Receipt.id.in_({c.receipt_id for c in copies}))
            )
        }
    sources = {r.file_id for r in receipts.values() if r.file_id}
    wanted = set(part_ids) | set(link_ids) | sources
    if file.part_of_id:
        wanted.add(file.part_of_id)
    seen: dict[int, File] = {}
    if wanted:
        seen = {
            f.id: f
            for f in session.scalars(
                sa.select(File)
                .where(File.id.in_(wanted), access.visible_files_clause(session, user))
                .options(joinedload(File.holder))
            )
        }
    parts = sorted((seen[i] for i in part_ids if i in seen), key=lambda f: f.part_number or 0)
    links = sorted((seen[i] for i in link_ids if i in seen), key=lambda f: (f.number, f.id))
    return {
        "parts": parts,
        "part_of": seen.get(file.part_of_id) if file.part_of_id else None,
        "links": links,
        # page of a copy entry -> (the receipt, the file it was filed in if the user sees it)
        "copies": {
            c.page: (
                receipts.get(c.receipt_id),
                seen.get(getattr(receipts.get(c.receipt_id), "file_id", None)),
            )
            for c in copies
        },
    }
