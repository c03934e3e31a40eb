"""Use cases of the File: open, put receipts in, send, pull back, park, unpark, close, reopen,
and the lists (inbox, sent, parked, closed). Each takes the session, the acting user and desk,
and plain values; checks the rules; records the audit event. None commits: the request, command
or job around it does (eoffice.core.uow). Notes and drafts are the notings module's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased, joinedload

from eoffice.audit import service as audit
from eoffice.auth.models import User
from eoffice.auth.permissions import can
from eoffice.core import kinds, uow
from eoffice.core.db import begin_writing, office_today, utcnow
from eoffice.core.errors import Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.core.pagination import Page, paginate
from eoffice.files import access
from eoffice.files.models import (
    DEFAULT_SCHEME,
    PRIORITY_RANK,
    Category,
    Correspondence,
    File,
    FileCopy,
    FileStatus,
    Movement,
    Priority,
    calendar_of,
    check_retention,
)
from eoffice.org.desks import (
    check_channel,
    check_destination,
    find_desk,
    read_only,
    require_desk,
)
from eoffice.org.models import Desk
from eoffice.receipts.models import Receipt
from eoffice.receipts.service import get_receipt
from eoffice.storage.service import attachments_of


def get_file(session: Session, user, file_id: int, *, for_update: bool = False) -> File:
    """The file if the user may see it; otherwise it does not exist (404)."""
    stmt = sa.select(File).where(File.id == file_id).options(joinedload(File.holder))
    if for_update:
        # writers queue on the file's row (PostgreSQL), then see the version the winner left
        stmt = stmt.with_for_update(of=File).execution_options(populate_existing=True)
    file = session.scalars(stmt).one_or_none()
    if file is None:
        raise NotFound("no such file")
    if not can(user, "file.view", file):
        raise Hidden("no such file", "file", file.id)
    if file.status == FileStatus.weeded:
        # its content is gone; the record room keeps what it was (eoffice.files.records)
        raise NotFound(f"file {file.number} was weeded", code="file_weeded")
    return file


def _file_number(desk: Desk, head: str, serial: int, year: int) -> str:
    scheme = desk.office.file_scheme or DEFAULT_SCHEME
    section = desk.section.code if desk.section else desk.office.code
    try:
        return scheme.format(
            head=head, serial=serial, year=year, section=section, office=desk.office.code
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise Invalid(f"the office's file number scheme is broken: {scheme}") from exc


def next_page(session: Session, file: File) -> int:
    """The next page of the correspondence side (C/1, C/2, ...); the caller holds the file."""
    last = session.scalar(
        sa.select(sa.func.max(Correspondence.page)).where(Correspondence.file_id == file.id)
    )
    return (last or 0) + 1


def add_document_page(session: Session, file: File, attachment) -> Correspondence:
    """A document attached to the file takes the next page of its correspondence side (C/n),
    like a receipt put into it; the docket lists it."""
    entry = Correspondence(
        file_id=file.id,
        page=next_page(session, file),
        kind="document",
        attachment_id=attachment.id,
        title=attachment.name,
    )
    session.add(entry)
    file.mark_changed()
    return entry


def _receipt_to_file(session: Session, user, receipt_id: int, field: str) -> Receipt:
    """A receipt about to go into a file, row-locked; 422 when there is none the user sees."""
    try:
        return get_receipt(session, user, receipt_id, for_update=True)
    except NotFound:
        raise Invalid(f"no such receipt {receipt_id}", field=field) from None


def _add_receipt(session: Session, file: File, receipt: Receipt, desk: Desk) -> Correspondence:
    receipt.put_in_file(desk, file)
    entry = Correspondence(
        file_id=file.id,
        page=next_page(session, file),
        kind="receipt",
        receipt_id=receipt.id,
        title=receipt.subject,
    )
    session.add(entry)
    return entry


def create_file(session: Session, user, desk, values: dict, receipt_ids=()) -> File:
    desk = require_desk(desk, user)
    if not can(user, "file.create"):
        raise Forbidden("only clerks and officers open files")
    head = (values.get("head") or "").strip()
    subject = (values.get("subject") or "").strip()
    if not head:
        raise Invalid("head is required", field="head")
    if "/" in head or len(head) > 40:
        raise Invalid("head must be short and contain no '/'", field="head")
    if not subject:
        raise Invalid("subject is required", field="subject")
    category = values.get("category")
    if category not in set(Category):
        raise Invalid("category must be A, B or C", field="category")
    security = values.get("security") or "normal"
    if security not in ("normal", "confidential", "secret"):
        raise Invalid("security must be normal, confidential or secret", field="security")
    priority = values.get("priority") or Priority.normal.value
    if priority not in set(Priority):
        raise Invalid(f"priority must be one of {', '.join(Priority)}", field="priority")
    retention_years = check_retention(category, values.get("retention_years"))
    receipts = [_receipt_to_file(session, user, rid, "receipt_ids") for rid in receipt_ids or ()]
    year = office_today().year
    serial = next_serial(session, desk.office_id, f"file:{head}", year)
    file = File(
        office_id=desk.office_id,
        section_id=desk.section_id,
        number=_file_number(desk, head, serial, year),
        head=head,
        serial=serial,
        year=year,
        subject=subject,
        category=category,
        priority=priority,
        retention_years=retention_years,
        holder_desk_id=desk.id,
        holder=desk,
        created_by_id=user.id,
        security=security,
    )
    session.add(file)
    session.flush()
    file.start(desk, user)
    access.grant(session, file, desk.id)
    session.flush()
    for receipt in receipts:
        _add_receipt(session, file, receipt, desk)
    audit.record(
        session,
        "file.created",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={
            "number": file.number,
            "subject": subject,
            "receipts": [r.number for r in receipts],
            "retention_years": retention_years,
        },
    )
    uow.flush(session)
    return file


def open_enquiry_file(
    session: Session, user, by_desk: Desk, receipt: Receipt, subject: str, io: Desk
) -> File:
    """An enquiry file for a citizen's item: opened at the desk holding its receipt (the
    station's), with the receipt as C/1, and sent to the enquiry officer's desk. The officer who
    orders it (`by_desk`, the station's or a higher one) acts for the station here; the caller
    has checked that they may, and their desk may see the file from now on."""
    holder = receipt.holder
    if holder is None:
        raise Invalid("the receipt lies on no desk", field="receipt_id")
    year = office_today().year
    head = "Enquiry"
    serial = next_serial(session, holder.office_id, f"file:{head}", year)
    file = File(
        office_id=holder.office_id,
        section_id=holder.section_id,
        number=_file_number(holder, head, serial, year),
        head=head,
        serial=serial,
        year=year,
        subject=subject,
        category=Category.C.value,
        priority=Priority.normal.value,
        retention_years=check_retention(Category.C.value, None),
        holder_desk_id=holder.id,
        holder=holder,
        created_by_id=user.id,
    )
    session.add(file)
    session.flush()
    file.start(holder, user)
    for desk_id in {holder.id, by_desk.id, io.id}:
        access.grant(session, file, desk_id)
    session.flush()
    _add_receipt(session, file, receipt, holder)
    if io.id != holder.id:
        file.send(holder, io, user, remarks=subject)
    audit.record(
        session,
        "file.created",
        user=user,
        desk=by_desk,
        obj_type="file",
        obj_id=file.id,
        data={
            "number": file.number,
            "subject": subject,
            "receipts": [receipt.number],
            "to": io.code,
        },
    )
    uow.flush(session)
    return file


def open_file(session: Session, user, desk: Desk | None, file_id: int) -> File:
    """Read a file; when its holding desk reads it, the last movement becomes opened."""
    file = get_file(session, user, file_id)
    if (
        desk is not None
        and file.holder_desk_id != desk.id
        and _has_unseen_copy(session, file, desk)
    ):
        if not read_only(user):
            begin_writing(session)
            mark_copies_seen(session, user, desk, file)
            uow.flush(session)
        return file
    if desk is None or file.holder_desk_id != desk.id or not file.unopened_for(desk):
        return file
    if read_only(user):  # an auditor's reading is no receipt of the file
        return file
    # a read turns into a write: take the write lock first, then look again under it
    begin_writing(session)
    file = get_file(session, user, file_id, for_update=True)
    if file.holder_desk_id == desk.id and file.mark_opened(desk, user):
        audit.record(session, "file.opened", user=user, desk=desk, obj_type="file", obj_id=file.id)
        uow.flush(session)
    return file


def put_receipt_in_file(session, user, desk, file_id: int, receipt_id: int, version=None):
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    file.ensure_holder(desk)
    receipt = _receipt_to_file(session, user, receipt_id, "receipt_id")
    entry = _add_receipt(session, file, receipt, desk)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.receipt_added",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"receipt": receipt.number, "page": entry.page},
    )
    uow.flush(session)
    return file


def send_file(
    session,
    user,
    desk,
    file_id: int,
    to_code: str,
    remarks=None,
    priority=None,
    due_on=None,
    version=None,
    copy_to=(),
    urgent: bool = False,
) -> File:
    """Send the file to a desk (`to`), with read-only copies to `copy_to`. A send up the channel
    of submission that skips more than 4 levels needs `urgent` and remarks."""
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    to = find_desk(session, to_code)
    if priority is not None and priority not in set(Priority):
        raise Invalid(f"priority must be one of {', '.join(Priority)}", field="priority")
    if due_on is not None and due_on < office_today():
        raise Invalid("due_on is in the past", field="due_on", code="due_in_past")
    check_channel(desk, to, urgent, remarks)
    copies = [find_desk(session, c, "copy_to") for c in copy_to or ()]
    if len({c.id for c in copies} | {to.id}) != len(copies) + 1:
        raise Invalid("a desk is named twice", field="copy_to")
    for copy in copies:
        check_destination(copy, desk.id, "file")
    file.send(desk, to, user, remarks, priority, due_on)
    left_desk(session, file)
    access.grant(session, file, to.id)
    for copy in copies:
        access.grant(session, file, copy.id)
        session.add(
            FileCopy(
                file_id=file.id,
                desk_id=copy.id,
                from_desk_id=desk.id,
                by_user_id=user.id,
                remarks=remarks,
            )
        )
    session.flush()
    audit.record(
        session,
        "file.sent",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={
            "to": to.code,
            "remarks": remarks,
            "priority": file.priority,
            "due_on": due_on.isoformat() if due_on else None,
            "copies": [c.code for c in copies],
            "urgent": bool(urgent),
        },
    )
    uow.flush(session)
    return file


def file_copies(session: Session, desk: Desk, page: int = 1, per_page: int = 25) -> Page:
    """Files marked to the desk for information and not yet seen there, newest first."""
    stmt = (
        sa.select(FileCopy)
        .join(File, File.id == FileCopy.file_id)
        .where(
            FileCopy.desk_id == desk.id,
            FileCopy.seen_at.is_(None),
            File.status != "weeded",
        )
        .options(joinedload(FileCopy.file), joinedload(FileCopy.from_desk))
        .order_by(FileCopy.id.desc())
    )
    return paginate(session, stmt, page, per_page)


def _has_unseen_copy(session: Session, file: File, desk: Desk) -> bool:
    return (
        session.scalar(
            sa.select(FileCopy.id)
            .where(
                FileCopy.file_id == file.id, FileCopy.desk_id == desk.id, FileCopy.seen_at.is_(None)
            )
            .limit(1)
        )
        is not None
    )


def mark_copies_seen(session: Session, user, desk: Desk | None, file: File) -> None:
    """A copy leaves the desk's list of copies once the desk has read the file."""
    if desk is None or read_only(user):
        return
    unseen = session.scalars(
        sa.select(FileCopy).where(
            FileCopy.file_id == file.id, FileCopy.desk_id == desk.id, FileCopy.seen_at.is_(None)
        )
    ).all()
    for copy in unseen:
        copy.seen_at = utcnow()


def left_desk(session: Session, file: File) -> None:
    """The file left the desk: its parts say what that means for them (notes become final)."""
    for part in kinds.parts("file"):
        if part.on_left_desk is not None:
            part.on_left_desk(session, file)


def _simple_move(action: str, method: Callable, *, officer: bool = False, needs_remarks=False):
    def use_case(session, user, desk, file_id: int, remarks=None, version=None) -> File:
        file = get_file(session, user, file_id, for_update=True)
        desk = require_desk(desk, user)
        file.check_version(version)
        if officer and not can(user, "file.close"):
            raise Forbidden(f"only an officer may {action} a file")
        remarks = (remarks or "").strip() or None
        if needs_remarks and not remarks:
            raise Invalid("remarks are required", field="remarks")
        if action == "pull back":
            method(file, desk, user)
        else:
            method(file, desk, user, remarks)
        if action == "close":
            left_desk(session, file)  # closing makes every note on the file final
        session.flush()
        audit.record(
            session,
            f"file.{action.replace(' ', '_')}",
            user=user,
            desk=desk,
            obj_type="file",
            obj_id=file.id,
            data={"remarks": remarks},
        )
        uow.flush(session)
        return file

    return use_case


pull_back = _simple_move("pull back", File.pull_back)
park = _simple_move("park", File.park)
unpark = _simple_move("unpark", File.unpark)
close = _simple_move("close", File.close, officer=True, needs_remarks=True)
reopen = _simple_move("reopen", File.reopen, officer=True, needs_remarks=True)


def file_detail(session: Session, file: File) -> dict:
    """Everything the file page, its JSON and its docket show, in a fixed handful of queries:
    the correspondence side, the movement register, the attachments, and its parts (notes,
    drafts: each part's module loads its own)."""
    correspondence = session.scalars(
        sa.select(Correspondence)
        .where(Correspondence.file_id == file.id)
        .order_by(Correspondence.page)
    ).all()
    movements = session.scalars(
        sa.select(Movement)
        .where(Movement.file_id == file.id)
        .order_by(Movement.id)
        .options(
            joinedload(Movement.from_desk), joinedload(Movement.to_desk), joinedload(Movement.by)
        )
    ).all()
    detail = {
        "attachments": attachments_of(session, file),
        "correspondence": correspondence,
        "movements": movements,
    }
    for part in kinds.parts("file"):
        detail[part.name] = part.load(session, file)
    return detail


# --- lists -------------------------------------------------------------------------------------

SORTS = {"received", "priority", "number", "subject"}
# built once: an alias made per call costs more Python than the indexed query itself, and so do
# the statements and the keys SQLAlchemy caches their SQL under (the desk, status and page go in
# as bound parameters)
_SENDER = aliased(Desk, name="sender")
_SENT_BY = aliased(User, name="sent_by")
_PRIORITY_RANK = sa.case(PRIORITY_RANK, value=File.priority, else_=len(PRIORITY_RANK))
_ORDERS = {
    "received": [File.last_movement_id.desc()],
    "priority": [_PRIORITY_RANK, File.last_movement_id.desc()],
    "number": [File.number, File.id],
    "subject": [File.subject, File.id],
}
_ON_DESK = (
    File.holder_desk_id == sa.bindparam("desk_id"),
    File.status == sa.bindparam("status"),
    File.last_movement_id.is_not(None),
)
# every such file has its last movement: the count needs `files` alone (index only)
_DESK_COUNT = sa.select(sa.func.count()).select_from(File).where(*_ON_DESK)


class ListedFile(NamedTuple):
    """A file as the desk lists show it: the columns they read, not the whole row (building
    25 full File and Movement objects was most of the inbox's time)."""

    id: int
    number: str
    subject: str
    priority: str
    status: str
    due_on: dt.date | None
    version: int
    clock_from: dt.datetime | None

    def is_overdue(self, today: dt.date, calendar=None) -> bool:
        return File.is_overdue(self, today, calendar)  # the same rule as the File's


class ListedMovement(NamedTuple):
    """The file's last movement, as the desk lists show it."""

    at: dt.datetime
    remarks: str | None
    opened_at: dt.datetime | None
    kind: str


_LISTED_FILE = [getattr(File, name) for name in ListedFile._fields]
_LISTED_MOVEMENT = [getattr(Movement, name) for name in ListedMovement._fields]
_DESK_ROWS = (
    sa.select(
        *_LISTED_FILE,
        *_LISTED_MOVEMENT,
        _SENDER.code,
        _SENDER.title,
        _SENDER.title_hi,
        _SENT_BY.name,
        _SENT_BY.name_hi,
    )
    .join(Movement, Movement.id == File.last_movement_id)
    .outerjoin(_SENDER, _SENDER.id == Movement.from_desk_id)
    .outerjoin(_SENT_BY, _SENT_BY.id == Movement.by_user_id)
    .where(*_ON_DESK)
)
_DESK_PAGES = {
    sort: _DESK_ROWS.order_by(*order)
    .limit(sa.bindparam("limit", type_=sa.Integer))
    .offset(sa.bindparam("offset", type_=sa.Integer))
    for sort, order in _ORDERS.items()
}


def desk_files(
    session: Session,
    desk: Desk,
    status: str = "open",
    sort: str = "received",
    page: int = 1,
    per_page: int = 25,
    today: dt.date | None = None,
) -> Page:
    """Inbox (open), parked or closed files of a desk with their last movement: two queries.

    Newest first is `last_movement_id` descending: movement ids grow with time, and the index
    (holder_desk_id, status, last_movement_id) then hands over one page without a sort.
    Overdue counts the working days of the desk's office (its state's holidays, its zone)."""
    calendar = calendar_of(desk.office)
    today = today or calendar.today()
    # plain rows (no entities): through the session's connection, past the ORM's result
    # machinery, after writing what the session holds, as its own autoflush would
    if session.autoflush:
        session.flush()
    conn = session.connection()
    params = {"desk_id": desk.id, "status": status}
    total = conn.execute(_DESK_COUNT, params).scalar_one()
    params |= {"limit": per_page, "offset": (page - 1) * per_page}
    rows = conn.execute(_DESK_PAGES[sort if sort in SORTS else "received"], params)
    n_file, n_moved = len(ListedFile._fields), len(ListedFile._fields) + len(ListedMovement._fields)
    items = []
    for row in rows:
        f, m = ListedFile(*row[:n_file]), ListedMovement(*row[n_file:n_moved])
        code, title, title_hi, name, name_hi = row[n_moved:]
        items.append(
            {
                "file": f,
                "movement": m,
                "from": code,
                # who sent it, and what they wrote: what a desk triages by
                "from_desk": {"code": code, "title": title, "title_hi": title_hi} if code else None,
                "from_person": {"name": name, "name_hi": name_hi} if code and name else None,
                "remarks": (m.remarks or "").strip().splitlines()[0][:200] if m.remarks else None,
                "opened": m.opened_at is not None or m.kind != "sent",
                "overdue": f.is_overdue(today, calendar),
            }
        )
    return Page(items, total, page, per_page)


def sent_files(session: Session, desk: Desk, page: int = 1, per_page: int = 25) -> Page:
    receiver = aliased(Desk)
    stmt = (
        sa.select(Movement, File, receiver.code)
        .join(File, File.id == Movement.file_id)
        .join(receiver, receiver.id == Movement.to_desk_id)
        .where(Movement.from_desk_id == desk.id, Movement.kind == "sent")
        .order_by(Movement.at.desc(), Movement.id.desc())
    )
    result = paginate(session, stmt, page, per_page, rows=True)
    pulled = _pulled_back(session, [m for m, _f, _to in result.items])
    result.items = [
        {"movement": m, "file": f, "to": to_code, "pulled_back": m.id in pulled}
        for m, f, to_code in result.items
    ]
    return result


def _pulled_back(session: Session, sends: list[Movement]) -> set[int]:
    """Which of these sends the sender took back (a pull-back can only follow its send
    directly): one query for the page."""
    if not sends:
        return set()
    later = session.execute(
        sa.select(Movement.file_id, Movement.id, Movement.kind)
        .where(
            Movement.file_id.in_({m.file_id for m in sends}),
            Movement.id > min(m.id for m in sends),
        )
        .order_by(Movement.file_id, Movement.id)
    ).all()
    by_file: dict[int, list[tuple[int, str]]] = {}
    for file_id, move_id, kind in later:
        by_file.setdefault(file_id, []).append((move_id, kind))
    pulled = set()
    for m in sends:
        after = [kind for move_id, kind in by_file.get(m.file_id, ()) if move_id > m.id]
        if after and after[0] == "pulled_back":
            pulled.add(m.id)
    return pulled


def visible_files(session: Session, user, page: int = 1, per_page: int = 25) -> Page:
    stmt = (
        sa.select(File)
        .where(access.visible_files_clause(session, user), File.status != FileStatus.weeded)
        .options(joinedload(File.holder))
        .order_by(File.updated_at.desc())
    )
    return paginate(session, stmt, page, per_page)


def desk_summary(session: Session, desks, today: dt.date | None = None) -> dict[int, dict]:
    """For each desk: files unread there, files overdue (open or parked) and files due today,
    for the start page. A query for the unread and one for the clocks, whatever the desks.
    Each desk counts by its office's calendar (its state's holidays, its zone)."""
    calendars = {d.id: calendar_of(d.office) for d in desks}
    ids = [d.id for d in desks]
    out = {i: {"unread": 0, "overdue": 0, "due_today": 0} for i in ids}
    if not ids:
        return out
    unread = session.execute(
        sa.select(File.holder_desk_id, sa.func.count())
        .join(Movement, Movement.id == File.last_movement_id)
        .where(
            File.holder_desk_id.in_(ids),
            File.status == "open",
            Movement.kind == "sent",
            Movement.to_desk_id == File.holder_desk_id,
            Movement.opened_at.is_(None),
        )
        .group_by(File.holder_desk_id)
    )
    for desk_id, n in unread:
        out[desk_id]["unread"] = n
    clocks = session.execute(
        sa.select(File.holder_desk_id, File.clock_from, File.due_on, File.status).where(
            File.holder_desk_id.in_(ids), File.status.in_(("open", "parked"))
        )
    )
    days = {i: today or cal.today() for i, cal in calendars.items()}
    for desk_id, clock_from, due_on, _status in clocks:
        if calendars[desk_id].is_overdue(clock_from, due_on, days[desk_id]):
            out[desk_id]["overdue"] += 1
        if due_on == days[desk_id]:
            out[desk_id]["due_today"] += 1
    return out
