"""Use cases of attachments: upload (object first, then the row), download, sweep and check."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.db import utcnow
from eoffice.errors import DomainError, NotFound
from eoffice.files.models import File
from eoffice.receipts.models import Receipt
from eoffice.receipts.service import require_desk
from eoffice.storage.models import Attachment, object_key
from eoffice.storage.sniff import sniff
from eoffice.storage.store import ObjectMissing, ObjectStore


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedType(DomainError):
    status = 415
    code = "unsupported_type"


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
    *,
    file: File | None = None,
    receipt: Receipt | None = None,
    name: str,
    data: bytes,
    limit: int,
) -> Attachment:
    """Store the bytes (once per content), then record the row. The holding desk uploads."""
    desk = require_desk(desk)
    if file is not None:
        file.ensure_holder(desk)
    else:
        receipt.ensure_movable_by(desk)
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
    key = object_key(digest)
    if not store.exists(key):  # the object store first: a failure here writes no row
        store.put(key, data, content_type.split(";")[0])
    attachment = Attachment(
        file_id=file.id if file else None,
        receipt_id=receipt.id if receipt else None,
        name=clean_name(name),
        size=len(data),
        content_type=content_type,
        sha256=digest,
        key=key,
        uploaded_by_id=user.id,
        desk_id=desk.id,
    )
    session.add(attachment)
    if file is not None:
        file.touch()
    session.flush()
    target = ("file", file.id) if file else ("receipt", receipt.id)
    audit.record(
        session,
        "attachment.added",
        user=user,
        desk=desk,
        obj_type=target[0],
        obj_id=target[1],
        data={
            "attachment": attachment.id,
            "name": attachment.name,
            "sha256": digest,
            "size": len(data),
        },
    )
    session.commit()
    return attachment


def get_attachment(session: Session, user, attachment_id: int) -> Attachment:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound("no such attachment")
    owner = session.get(File, att.file_id) if att.file_id else session.get(Receipt, att.receipt_id)
    action = "file.view" if att.file_id else "receipt.view"
    if not can(user, action, owner):
        raise NotFound("no such attachment")
    return att


def attachments_of(session: Session, *, file_id=None, receipt_id=None) -> list[Attachment]:
    column = Attachment.file_id if file_id is not None else Attachment.receipt_id
    return list(
        session.scalars(
            sa.select(Attachment)
            .where(column == (file_id if file_id is not None else receipt_id))
            .order_by(Attachment.id)
        )
    )


def sweep(
    session: Session,
    store: ObjectStore,
    grace: dt.timedelta,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Remove objects no row points to, if older than the grace period (an upload whose row is
    still being committed is younger than that)."""
    referenced = set(session.scalars(sa.select(Attachment.key).distinct()))
    cutoff = utcnow() - grace
    seen = removed = kept_young = 0
    for obj in store.list("sha256/"):
        seen += 1
        if obj.object_name in referenced:
            pass
        elif obj.last_modified and obj.last_modified > cutoff:
            kept_young += 1
        else:
            store.delete(obj.object_name)
            removed += 1
        if progress:
            progress(1)
    return {"objects": seen, "removed": removed, "kept_in_grace": kept_young}


def check(session: Session, store: ObjectStore, progress=None) -> list[Attachment]:
    """Rows whose object is missing from the store."""
    missing = []
    for att in session.scalars(sa.select(Attachment).order_by(Attachment.id)):
        try:
            store.stat(att.key)
        except ObjectMissing:
            missing.append(att)
        if progress:
            progress(1)
    return missing
