"""Use cases of attachments: upload (object first, then the row), download, sweep and check."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.core import kinds
from eoffice.core.db import utcnow
from eoffice.core.errors import Hidden, NotFound, ObjectMissing, TooLarge, UnsupportedType
from eoffice.org.desks import require_desk
from eoffice.storage import ocr
from eoffice.storage.models import Attachment, AttachmentText, object_key
from eoffice.storage.sniff import name_for, sniff
from eoffice.storage.store import ObjectStore

PREFIX = "sha256/"  # every attachment's key starts so (models.object_key)


def clean_name(name: str | None) -> str:
    """A display name: the last path part, no control characters, NFC, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    return (name or "attachment")[:200]


def upload(
    session: Session,
    store: ObjectStore,
    user,
    desk,
    owner,
    *,
    name: str,
    data: bytes,
    limit: int,
) -> Attachment:
    """Store the bytes (once per content), then add the row. `owner` is a record of a kind that
    owns attachments (a file, a receipt, ...); its own rule says who may attach (the holding
    desk). The caller commits."""
    kind = kinds.kind_of(owner)
    if kind.attachments is None:
        raise NotFound(f"a {kind.name} has no attachments")
    desk = require_desk(desk, user)
    kind.attachments.check(owner, desk)
    name, digest, content_type = _put_checked(store, name, data, limit)
    return add_row(session, user, desk, owner, name, data, digest, content_type)


def upload_from_citizen(
    session: Session, store: ObjectStore, owner, desk, *, name: str, data: bytes, limit: int
) -> Attachment:
    """A citizen adds a document to their own record (a complaint): no user, checked by
    content like every upload, and shown to the office at `desk` (where the record lies). The
    caller has checked the citizen's secret."""
    if kinds.kind_of(owner).attachments is None:
        raise NotFound("this record takes no attachments")
    name, digest, content_type = _put_checked(store, name, data, limit)
    return add_row(session, None, desk, owner, name, data, digest, content_type)


def _put_checked(store: ObjectStore, name: str, data: bytes, limit: int):
    """Refuse what is too large, empty or not a kind we take (by its content); store the bytes
    (once per content); return the clean name, the hash and the type."""
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit // (1024 * 1024)} MB")
    if not data:
        raise UnsupportedType("the file is empty")
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedType(
            "this kind of file is not accepted: PDF, JPEG, PNG, TIFF, DOCX, ODT or plain text"
        )
    digest = hashlib.sha256(data).hexdigest()
    if _needs_put(store, object_key(digest)):  # the object store first: a failure writes no row
        store.put(object_key(digest), data, content_type.split(";")[0])
    return name_for(clean_name(name), content_type), digest, content_type  # extension: what it is


def store_generated(
    session: Session,
    store: ObjectStore,
    user,
    desk,
    owner,
    *,
    name: str,
    data: bytes,
    content_type: str,
    text: str,
    event: dict | None = None,
) -> Attachment:
    """A document the office made itself (an issued letter), stored with its source text: the
    index takes that text, since text pulled out of our own PDFs garbles Hindi."""
    digest = hashlib.sha256(data).hexdigest()
    store.put(object_key(digest), data, content_type)  # the object first: a failure leaves no row
    attachment = add_row(
        session, user, desk, owner, name, data, digest, content_type, event, announce=False
    )
    session.add(AttachmentText(attachment_id=attachment.id, text=text))
    session.flush()
    return attachment


def add_row(
    session, user, desk, owner, name, data, digest, content_type, event=None, announce=True
):
    """The attachment's row and its audit event (`event`: more to record in it). `announce`
    tells the owner (a file gives the document its page); a letter the office issues has its
    page from the issue already."""
    kind = kinds.kind_of(owner)
    attachment = Attachment(
        owner_kind=kind.name,
        owner_id=owner.id,
        name=name,
        size=len(data),
        content_type=content_type,
        sha256=digest,
        key=object_key(digest),
        uploaded_by_id=user.id if user is not None else None,  # none: the citizen
        desk_id=desk.id,
        ocr=ocr.status_at_upload(data, content_type),  # a scan: its text is read in a job
    )
    session.add(attachment)
    session.flush()
    if attachment.ocr == ocr.PENDING:
        ocr.queue(session, attachment)  # in this transaction: no upload without its OCR
    if announce and kind.attachments.attached is not None:
        kind.attachments.attached(session, owner, attachment)
        session.flush()
    audit.record(
        session,
        "attachment.added",
        user=user,
        desk=desk,
        obj_type=kind.audit_name,
        obj_id=owner.id,
        data={
            "attachment": attachment.id,
            "name": attachment.name,
            "sha256": digest,
            "size": len(data),
            **(event or {}),
        },
    )
    return attachment


# A sweep spares objects younger than its grace period; an old copy that a new row is about to
# point to is written again, so a sweep running meanwhile sees it as young (grace >= 1 hour).
REFRESH_AFTER = dt.timedelta(hours=1)


def _needs_put(store: ObjectStore, key: str) -> bool:
    try:
        info = store.stat(key)
    except ObjectMissing:
        return True
    return info.last_modified is not None and info.last_modified < utcnow() - REFRESH_AFTER


def get_attachment(session: Session, user, attachment_id: int) -> Attachment:
    """The attachment if the user may see its owner; otherwise it does not exist (404)."""
    att = session.get(Attachment, attachment_id)
    kind = kinds.find(att.owner_kind) if att is not None else None
    owner = session.get(kind.model, att.owner_id) if kind is not None else None
    if owner is None:
        raise NotFound("no such attachment")
    if not can(user, f"{kind.name}.view", owner):
        raise Hidden("no such attachment", "attachment", att.id)
    return att


def attachments_of(session: Session, owner) -> list[Attachment]:
    return list(
        session.scalars(
            sa.select(Attachment)
            .where(
                Attachment.owner_kind == kinds.kind_of(owner).name,
                Attachment.owner_id == owner.id,
            )
            .order_by(Attachment.id)
            .options(joinedload(Attachment.uploaded_by))
        )
    )


def load_owner_for_update(session: Session, user, kind_name: str, owner_id: int):
    """The owner an upload goes to, row-locked for the write (404 when not visible)."""
    kind = kinds.find(kind_name)
    if kind is None or kind.attachments is None:
        raise NotFound(f"no such {kind_name}")
    return kind.attachments.load_for_update(session, user, owner_id)


# Columns that hold object-store keys. A module that keeps objects of its own under "sha256/"
# without an Attachment row appends its column here, or the sweep would take them for orphans.
KEY_COLUMNS: list = [Attachment.key]

# Progress callbacks are told of every object listed: progress(1), like a click progress bar.
Progress = Callable[[int], None]


@dataclass
class SweepReport:
    objects: int = 0  # objects looked at
    kept_in_grace: int = 0  # unreferenced, but younger than the grace period
    removed: list[str] = field(default_factory=list)  # keys removed (or, on a dry run, to remove)
    bytes_removed: int = 0
    dry_run: bool = False
    cancelled: bool = False  # the orphans were found but `confirm` said no


def expected_objects(session: Session) -> int:
    """About how many objects the store holds: the keys the rows point to (plus any orphans)."""
    return sum(
        session.scalar(sa.select(sa.func.count(sa.distinct(column)))) or 0 for column in KEY_COLUMNS
    )


def _referenced(session: Session, key: str) -> bool:
    digest = key.rsplit("/", 1)[-1]
    session.rollback()  # a fresh snapshot: rows committed since the sweep began count
    for column in KEY_COLUMNS:
        stmt = sa.select(column).where(column == key).limit(1)
        if column is Attachment.key:
            stmt = stmt.where(Attachment.sha256 == digest)  # the indexed column
        if session.scalar(stmt) is not None:
            return True
    return False


def _older_than(store: ObjectStore, key: str, cutoff: dt.datetime) -> bool:
    try:
        modified = store.stat(key).last_modified
    except ObjectMissing:
        return False  # already gone
    return modified is None or modified <= cutoff


def sweep(
    session: Session,
    store: ObjectStore,
    grace: dt.timedelta,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    confirm: Callable[[list[str], int], bool] | None = None,
) -> SweepReport:
    """Remove objects no row points to, if older than the grace period (an upload whose row is
    still being committed is younger than that). The rows are read before the store is listed,
    and each orphan is looked up once more just before it goes. `confirm(keys, bytes)` may
    still say no once the orphans are known."""
    referenced: set[str] = set()
    for column in KEY_COLUMNS:
        referenced.update(session.scalars(sa.select(column).distinct()))
    session.rollback()
    cutoff = utcnow() - grace
    report = SweepReport(dry_run=dry_run)
    orphans = []
    for obj in store.list(PREFIX):
        report.objects += 1
        if obj.object_name in referenced:
            pass
        elif obj.last_modified is not None and obj.last_modified > cutoff:
            report.kept_in_grace += 1
        else:
            orphans.append((obj.object_name, obj.size or 0))
        if progress:
            progress(1)
    if not dry_run and orphans and confirm is not None:
        if not confirm([key for key, _ in orphans], sum(size for _, size in orphans)):
            report.cancelled = True
            return report
    for key, size in orphans:  # few, and deleted only once the listing is done
        if _referenced(session, key):
            continue
        if not _older_than(store, key, cutoff):  # written again by an upload meanwhile
            report.kept_in_grace += 1
            continue
        if not dry_run:
            store.delete(key)
        report.removed.append(key)
        report.bytes_removed += size
    session.rollback()
    return report


def check(
    session: Session, store: ObjectStore, progress: Progress | None = None
) -> list[Attachment]:
    """Rows whose object is missing from the store. The rows are read first (an object is
    always stored before its row), then the store is listed once instead of asked per row."""
    rows = list(session.scalars(sa.select(Attachment).order_by(Attachment.id)))
    present: set[str] = set()
    for obj in store.list(PREFIX):
        present.add(obj.object_name)
        if progress:
            progress(1)
    # a key the listing did not show is asked for directly before it is reported
    return [att for att in rows if att.key not in present and not store.exists(att.key)]
