"""Use cases of the noting side: notes (add, edit while the file is on the author's desk) and
drafts for approval (write, revise: a new version each time, approve, issue). None commits: the
request, command or job around it does."""

from __future__ import annotations

import difflib

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from eoffice.audit import service as audit
from eoffice.auth.permissions import can
from eoffice.core import uow
from eoffice.core.db import office_today
from eoffice.core.errors import Conflict, Forbidden, Hidden, Invalid, NotFound
from eoffice.core.numbering import next_serial
from eoffice.files.models import Correspondence, File
from eoffice.files.service import get_file, next_page
from eoffice.notings.dispatch import Dispatch, queue_letter_mails
from eoffice.notings.letter import store_letter
from eoffice.notings.models import Draft, DraftStatus, DraftVersion, Note
from eoffice.org.desks import require_desk


def _text(value, field: str, max_len: int = 100_000) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(f"{field} is required", field=field)
    if len(value) > max_len:
        raise Invalid(f"{field} is too long", field=field)
    return value


def add_note(session, user, desk, file_id: int, text: str, version: int | None = None) -> Note:
    text = (text or "").strip()
    if not text:
        raise Invalid("text is required", field="text")
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    file.ensure_holder(desk)
    number = (
        session.scalar(sa.select(sa.func.max(Note.number)).where(Note.file_id == file.id)) or 0
    ) + 1
    note = Note(file_id=file.id, number=number, text=text, author_id=user.id, desk_id=desk.id)
    session.add(note)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "note.added",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"number": number, "text": text},
    )
    uow.flush(session)
    return note


def edit_note(session, user, desk, file_id: int, number: int, text: str, version=None) -> Note:
    text = (text or "").strip()
    if not text:
        raise Invalid("text is required", field="text")
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    note = session.scalars(
        sa.select(Note).where(Note.file_id == file.id, Note.number == number)
    ).one_or_none()
    if note is None:
        raise NotFound(f"no note {number} in this file")
    file.check_version(version)
    note.edit(user, desk, file, text)
    file.mark_changed()
    audit.record(
        session,
        "note.edited",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"number": number, "text": text},
    )
    uow.flush(session)
    return note


def get_draft(
    session: Session, user, draft_id: int, for_update: bool = False
) -> tuple[Draft, File]:
    draft = session.scalars(
        sa.select(Draft).where(Draft.id == draft_id).options(selectinload(Draft.versions))
    ).one_or_none()
    if draft is None:
        raise NotFound("no such draft")
    # 404 when the file is not visible, worded as for a missing draft (nothing to tell apart);
    # writers lock the file first, then reread the draft
    try:
        file = get_file(session, user, draft.file_id, for_update=for_update)
    except Hidden:
        raise Hidden("no such draft", "draft", draft.id) from None
    except NotFound:
        raise NotFound("no such draft") from None
    if for_update:
        session.refresh(draft)
    return draft, file


def create_draft(
    session, user, desk, file_id: int, title: str, body: str, version: int | None = None
) -> Draft:
    """Start a draft letter in the file (version 1). `version` is the file version the writer
    saw: a stale one is refused (409), as for a note."""
    title, body = _text(title, "title", 500), _text(body, "body")
    file = get_file(session, user, file_id, for_update=True)
    desk = require_desk(desk, user)
    file.check_version(version)
    file.ensure_holder(desk)
    draft = Draft(file_id=file.id, title=title, version=1)
    draft.versions.append(DraftVersion(version=1, body=body, author_id=user.id, desk_id=desk.id))
    session.add(draft)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "draft.created",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"draft": draft.id, "title": title, "version": 1, "body": body},
    )
    uow.flush(session)
    return draft


def revise_draft(session, user, desk, draft_id: int, body: str, version: int | None = None):
    body = _text(body, "body")
    draft, file = get_draft(session, user, draft_id, for_update=True)
    desk = require_desk(desk, user)
    file.ensure_holder(desk)
    if version is not None and version != draft.version:
        raise Conflict(
            f"the draft is at version {draft.version}, you edited version {version}; reload it",
            code="stale_version",
        )
    session.add(draft.revise(body, user, desk))
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "draft.revised",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"draft": draft.id, "version": draft.version, "body": body},
    )
    uow.flush(session)
    return draft


def check_approvable(session, user, desk, draft_id: int) -> tuple[Draft, File]:
    """What approving would refuse (404, 403, 409), without approving: a page asks for a
    confirmation only of what it could do."""
    draft, file = get_draft(session, user, draft_id)
    desk = require_desk(desk, user)
    if not can(user, "draft.approve"):
        raise Forbidden("only an officer may approve a draft")
    file.ensure_holder(desk)
    draft.ensure_editable()
    return draft, file


def approve_draft(session, user, desk, draft_id: int, version: int | None = None) -> Draft:
    draft, file = get_draft(session, user, draft_id, for_update=True)
    desk = require_desk(desk, user)
    if not can(user, "draft.approve"):
        raise Forbidden("only an officer may approve a draft")
    file.ensure_holder(desk)
    draft.approve(user, version, desk)
    file.mark_changed()
    audit.record(
        session,
        "draft.approved",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={"draft": draft.id, "version": draft.approved_version},
    )
    uow.flush(session)
    return draft


def check_issuable(session, user, desk, draft_id: int) -> tuple[Draft, File]:
    """What issuing would refuse (404, 409), without issuing."""
    draft, file = get_draft(session, user, draft_id)
    desk = require_desk(desk, user)
    file.ensure_holder(desk)
    if draft.status != DraftStatus.approved:
        raise Conflict("only an approved draft can be issued", code="not_approved")
    return draft, file


def issue_draft(
    session,
    user,
    desk,
    draft_id: int,
    *,
    store,
    signing_key,
    mode: str | None = None,
    addressees=None,
    copy_to=None,
) -> Draft:
    """Give the approved letter a dispatch number and place it in the correspondence, with the
    letter rendered on the office's letterhead, signed (PAdES) for the officer who approved it
    with the office's key (`signing_key`, eoffice.pdf.signing) and stored in the object store
    (object first, then its row, in this transaction): when the store is down nothing is issued
    (503). `mode` (email, post — the default — or hand), `addressees` and `copy_to`
    ([{name, designation?, address?, email?}]) say how and to whom it goes; by e-mail, a mail
    with the signed letter is queued for every address among them."""
    draft, file = get_draft(session, user, draft_id, for_update=True)
    desk = require_desk(desk, user)
    file.ensure_holder(desk)
    if draft.status != "approved":
        raise Conflict("only an approved draft can be issued", code="not_approved")
    dispatch = Dispatch.of(mode, addressees, copy_to)  # 422 for a bad addressee or mode
    year = office_today().year
    serial = next_serial(session, file.office_id, "dispatch", year)
    draft.issue(
        user,
        f"{file.office.code}/D/{year}/{serial:05d}",
        mode=dispatch.mode,
        addressees=dispatch.addressees,
        copy_to=dispatch.copy_to,
    )
    page = next_page(session, file)
    entry = Correspondence(
        file_id=file.id, page=page, kind="issued", draft_id=draft.id, title=draft.title
    )
    session.add(entry)
    file.mark_changed()
    session.flush()
    audit.record(
        session,
        "draft.issued",
        user=user,
        desk=desk,
        obj_type="file",
        obj_id=file.id,
        data={
            "draft": draft.id,
            "dispatch_number": draft.dispatch_number,
            "version": draft.approved_version,
            "body": draft.approved_body(),
            "page": page,
            "mode": dispatch.mode,
            "addressees": dispatch.addressees,
            "copy_to": dispatch.copy_to,
            "approved_by": draft.approved_by_id,
        },
    )
    # the letter shows the record up to the event just written
    letter = store_letter(session, store, user, desk, file, draft, page, signing_key=signing_key)
    entry.attachment_id = letter.id
    queue_letter_mails(session, draft, file, letter)
    uow.flush(session)
    return draft


def letter_attachment_id(session: Session, draft: Draft) -> int | None:
    """The stored PDF of an issued letter."""
    return session.scalar(
        sa.select(Correspondence.attachment_id).where(
            Correspondence.draft_id == draft.id, Correspondence.kind == "issued"
        )
    )


def diff_versions(draft: Draft, a: int, b: int) -> list[tuple[str, str]]:
    """Line by line: (' ' | '-' | '+', text) from version a to version b."""
    bodies = {v.version: v.body for v in draft.versions}
    if a not in bodies or b not in bodies:
        raise NotFound("no such version")
    out = []
    for line in difflib.ndiff(bodies[a].splitlines(), bodies[b].splitlines()):
        tag = line[:1]
        if tag in (" ", "-", "+"):
            out.append((tag, line[2:]))
    return out
