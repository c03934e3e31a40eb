"""The record room: category C files due for review, weeding them, and the tombstones left.

A category C file is kept `retention_years` (1 to 10) after it is closed; on `review_on` it is
due for review. An officer of its office (or of an office above) may then approve weeding it.
What "weeded" means here:

- the file's row stays, with status `weeded`: its number is never given again, its movement
  register (kept forever) and the audit events that name it stay; it leaves every list, the
  search index and its own page (404 `file_weeded`);
- its content is deleted: the notes, the drafts with every version, the correspondence entries
  and the attachments (documents, issued letters' PDFs) of the file and of its parts. Through the
  ORM, so the search outbox queues their removal from the index. The stored objects are left to
  `eoffice storage sweep`, which removes objects no row points to after its grace period (an
  object another row still points to stays);
- the receipts put into it are dak of their own and stay in the dak register, scans included;
- a tombstone (`WeededFile`) keeps what was weeded: number, subject, category, retention, the
  dates, who approved it from which desk, when, the remarks, what was removed, and the dispatch
  numbers of the letters issued from it; the same goes into the audit event `file.weeded`.

Who may: the review list and the tombstones, officers and auditors whose desks' offices contain
the office; weeding, officers only (auditors never write, clerks may not); to anyone else the
office or the file does not exist (404). Nothing here commits (eoffice.core.uow)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.interfaces import ONETOMANY

from eoffice.audit import service as audit
from eoffice.auth.models import User
from eoffice.auth.permissions import can
from eoffice.core import kinds, uow
from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.pagination import Page, paginate
from eoffice.files.access import can_view_file, visible_files_clause
from eoffice.files.models import (
    PERMANENT,
    Correspondence,
    File,
    FileStatus,
    MoveKind,
    Movement,
    calendar_of,
    local_date,
)
from eoffice.files.service import get_file
from eoffice.org.desks import read_only, require_desk
from eoffice.org.models import Desk, Office
from eoffice.org.service import offices_within
from eoffice.storage.models import Attachment, AttachmentText

RECORD_ROLES = frozenset({"officer", "auditor"})


class WeededFile(Base):
    """The tombstone of a weeded file: what it was, who approved its weeding, when and why."""

    __tablename__ = "weeded_files"
    __table_args__ = (sa.Index("ix_weeded_files_office_id_weeded_at", "office_id", "weeded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("files.id"), unique=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    number: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(1))
    retention_years: Mapped[int | None]
    closed_on: Mapped[dt.date | None]
    review_on: Mapped[dt.date | None]
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    desk_id: Mapped[int] = mapped_column(sa.ForeignKey("desks.id"))
    weeded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    remarks: Mapped[str] = mapped_column(sa.Text)
    # what was removed ({"notes": 4, "drafts": 1, "correspondence": 3, "attachments": 2}) and
    # the letters issued from the file ([{"dispatch_number", "title", "issued_at"}])
    removed: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    letters: Mapped[list] = mapped_column(sa.JSON, default=list)

    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id])
    desk: Mapped[Desk] = relationship(foreign_keys=[desk_id])
    office: Mapped[Office] = relationship(foreign_keys=[office_id])


# --- who may ----------------------------------------------------------------------------------


def jurisdiction(session: Session, user) -> set[int]:
    """The offices of the user's desks and every office below them."""
    return offices_within(session, {d.office_id for d in user.current_desks()})


def record_room_office(session: Session, user, office_code: str | None, default=None) -> Office:
    """The office whose record room `user` opens: 404 unless it lies in their jurisdiction,
    403 unless they are an officer or an auditor."""
    if not user.current_desks():
        raise Forbidden("you hold no desk", code="no_desk")
    code = (office_code or "").strip()
    if code:
        office = session.scalars(sa.select(Office).where(Office.code == code)).one_or_none()
    else:
        office = default or user.current_desks()[0].office
    if office is None or office.id not in jurisdiction(session, user):
        raise NotFound(f"no office {code[:40]} in your jurisdiction", field="office")
    if not set(user.roles) & RECORD_ROLES:
        raise Forbidden("only officers and auditors open the record room", code="record_room_only")
    return office


def _weeding_desk(
    session: Session, user, desk: Desk | None, office_id: int, strict: bool = True
) -> Desk:
    """The officer's desk that approves: the one named, or the first of theirs whose office
    contains the file's office (also instead of a preferred one that does not, not `strict`:
    the desk a page acts from)."""
    covering = [
        d for d in user.current_desks() if office_id in offices_within(session, {d.office_id})
    ]
    if desk is None or (not strict and desk not in covering):
        desk = covering[0] if covering else None
    desk = require_desk(desk, user)
    if desk not in covering:
        raise Forbidden(
            f"desk {desk.code} is not of the file's office or one above it",
            code="not_your_office",
        )
    return desk


# --- the lists --------------------------------------------------------------------------------


def due_clause(office_id: int, today: dt.date):
    return sa.and_(
        File.office_id == office_id,
        File.status == FileStatus.closed.value,
        File.category.not_in(sorted(PERMANENT)),
        File.review_on.is_not(None),
        File.review_on <= today,
    )


def review_list(
    session: Session,
    user,
    office_code: str | None,
    page: int = 1,
    per_page: int = 25,
    *,
    default_office=None,
    today: dt.date | None = None,
) -> tuple[Office, Page, dt.date]:
    """The office's closed category C files whose review date has come, oldest review first."""
    office = record_room_office(session, user, office_code, default_office)
    today = today or calendar_of(office).today()
    stmt = (
        sa.select(File)
        .where(
            due_clause(office.id, today),
            # a graded file is listed only for those who may see it
            sa.or_(File.security == "normal", visible_files_clause(session, user)),
        )
        .order_by(File.review_on, File.number, File.id)
    )
    return office, paginate(session, stmt, page, per_page), today


def weeded_list(
    session: Session,
    user,
    office_code: str | None,
    page: int = 1,
    per_page: int = 25,
    *,
    default_office=None,
) -> tuple[Office, Page]:
    """The tombstones of the office's weeded files, newest first."""
    office = record_room_office(session, user, office_code, default_office)
    stmt = (
        sa.select(WeededFile)
        .where(WeededFile.office_id == office.id)
        .order_by(WeededFile.weeded_at.desc(), WeededFile.id.desc())
    )
    return office, paginate(session, stmt, page, per_page)


def get_for_review(session: Session, user, file_id: int, *, for_update: bool = False) -> File:
    """A file of an office in the user's jurisdiction (the record room's view of it), or 404."""
    stmt = sa.select(File).where(File.id == file_id)
    if for_update:
        stmt = stmt.with_for_update(of=File).execution_options(populate_existing=True)
    file = session.scalars(stmt).one_or_none()
    if file is None:
        raise NotFound("no such file")
    if file.office_id not in jurisdiction(session, user):
        raise Hidden("no such file", "file", file.id)
    if file.security != "normal" and not can_view_file(session, user, file):
        raise Hidden("no such file", "file", file.id)
    return file


# --- weeding ----------------------------------------------------------------------------------


def check_may_weed(user) -> None:
    """Officers approve weeding; auditors never write, clerks may not (403)."""
    if read_only(user):
        raise Forbidden("auditors only read: they cannot weed files", code="read_only")
    if not can(user, "file.close"):
        raise Forbidden("only an officer may approve weeding a file", code="officer_only")


def _closed_on(session: Session, file: File) -> dt.date | None:
    at = session.scalar(
        sa.select(sa.func.max(Movement.at)).where(
            Movement.file_id == file.id, Movement.kind == MoveKind.closed.value
        )
    )
    if at is None:
        return None
    return local_date(at, file.office.zone_name)


def _delete_with_children(session: Session, obj) -> None:
    """Delete a part and the rows it owns through its one-to-many relationships (a draft's
    versions), children first."""
    for rel in sa.inspect(type(obj)).relationships:
        if rel.direction is ONETOMANY:
            for child in list(getattr(obj, rel.key) or ()):
                session.delete(child)
    session.delete(obj)


def _weed_content(session: Session, file: File) -> tuple[dict, list]:
    """Delete what the file holds, through the ORM (the outbox queues the index removals)."""
    removed: dict[str, int] = {}
    letters: list[dict] = []
    correspondence = session.scalars(
        sa.select(Correspondence).where(Correspondence.file_id == file.id)
    ).all()
    for entry in correspondence:
        session.delete(entry)
    removed["correspondence"] = len(correspondence)
    session.flush()  # the entries point at drafts and attachments: they go first
    owners: list[tuple[str, list[int]]] = [("file", [file.id])]
    for part in kinds.parts("file"):
        rows = part.load(session, file)
        owners.append((part.kind, [r.id for r in rows]))
        for row in rows:
            if getattr(row, "dispatch_number", None):
                letters.append(
                    {
                        "dispatch_number": row.dispatch_number,
                        "title": getattr(row, "title", None),
                        "issued_at": getattr(row, "issued_at", None),
                    }
                )
            _delete_with_children(session, row)
        removed[part.name] = len(rows)
    session.flush()
    conditions = [
        sa.and_(Attachment.owner_kind == kind, Attachment.owner_id.in_(ids))
        for kind, ids in owners
        if ids
    ]
    attachments = session.scalars(sa.select(Attachment).where(sa.or_(*conditions))).all()
    ids = [a.id for a in attachments]
    if ids:
        session.execute(sa.delete(AttachmentText).where(AttachmentText.attachment_id.in_(ids)))
    for attachment in attachments:
        session.delete(attachment)
    removed["attachments"] = len(attachments)
    session.flush()
    return removed, letters


def weed(
    session: Session,
    user,
    desk: Desk | None,
    file_id: int,
    remarks: str | None,
    *,
    strict_desk: bool = True,
    today: dt.date | None = None,
) -> WeededFile:
    """An officer approves weeding a closed category C file due for review."""
    file = get_for_review(session, user, file_id, for_update=True)
    check_may_weed(user)
    desk = _weeding_desk(session, user, desk, file.office_id, strict_desk)
    remarks = (remarks or "").strip()
    if not remarks:
        raise Invalid("remarks are required", field="remarks")
    if file.status == FileStatus.weeded:
        raise Conflict(f"file {file.number} has already been weeded", code="already_weeded")
    if file.permanent:
        raise Conflict(
            f"file {file.number} is of category {file.category}: a permanent record is never "
            "weeded",
            code="permanent_record",
        )
    if file.status != FileStatus.closed:
        raise Conflict(f"file {file.number} is not closed", code="not_closed")
    today = today or calendar_of(file.office).today()
    if not file.due_for_review(today):
        raise Conflict(
            f"file {file.number} is not due for review until {file.review_on}",
            code="not_due_for_review",
        )
    closed_on = _closed_on(session, file)
    removed, letters = _weed_content(session, file)
    tombstone = WeededFile(
        file_id=file.id,
        office_id=file.office_id,
        number=file.number,
        subject=file.subject,
        category=file.category,
        retention_years=file.retention_years,
        closed_on=closed_on,
        review_on=file.review_on,
        approved_by_id=user.id,
        desk_id=desk.id,
        weeded_at=utcnow(),
        remarks=remarks,
        removed=removed,
        letters=[{**x, "issued_at": _iso(x["issued_at"])} for x in letters],
    )
    session.add(tombstone)
    file.status = FileStatus.weeded.value
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.weeded",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={
            "number": file.number,
            "subject": file.subject,
            "category": file.category,
            "retention_years": file.retention_years,
            "closed_on": _iso(closed_on),
            "review_on": _iso(file.review_on),
            "remarks": remarks,
            "removed": removed,
            "letters": tombstone.letters,
        },
    )
    uow.flush(session)
    return tombstone


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- the retention of an open file ------------------------------------------------------------


def set_retention(
    session: Session, user, desk: Desk | None, file_id: int, years, version=None
) -> File:
    """An officer at the holding desk changes the retention period of an open C file."""
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    if not can(user, "file.close"):
        raise Forbidden("only an officer may change a file's retention period")
    file.ensure_holder(desk)
    if file.permanent:
        raise Invalid(
            f"category {file.category} files are permanent: they take no retention period",
            field="retention_years",
            code="permanent_record",
        )
    old = file.retention_years
    file.set_retention(years)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "file.retention_changed",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"retention_years": [old, file.retention_years]},
    )
    uow.flush(session)
    return file
