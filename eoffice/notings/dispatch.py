"""Dispatch: who an issued letter goes to and how (addressees, copies, mode), mailing the signed
letter, and the office's dispatch register (letters issued, by date), as rows, CSV and PDF.

The register of an office is seen by the desks of that office and by auditors whose jurisdiction
covers it; to anyone else the office has no register (404). Letters of a graded (confidential or
secret) file are listed only to those who may see the file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session, joinedload

from eoffice.core import jobs, mail
from eoffice.core.errors import Invalid, NotFound
from eoffice.files.access import visible_files_clause
from eoffice.files.models import Correspondence, File
from eoffice.notings.models import DispatchMode, Draft, DraftStatus
from eoffice.org.models import Office
from eoffice.org.service import audited_office_ids

MAX_ADDRESSEES = 50
LIMITS = {"name": 200, "designation": 200, "address": 2000, "email": 254}
LETTER_MAKER = "notings.letter"
MODE_LABELS = {"email": "ई-मेल / e-mail", "post": "डाक / post", "hand": "दस्ती / by hand"}


# --- addressees --------------------------------------------------------------------------------


def clean_addressees(items, field: str = "addressees") -> list[dict]:
    """[{name, designation?, address?, email?}] as given, each checked (422 naming the field);
    e-mail addresses normalised."""
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        raise Invalid(f"{field} must be a list", field=field)
    if len(items) > MAX_ADDRESSEES:
        raise Invalid(f"{field}: at most {MAX_ADDRESSEES} addressees", field=field)
    out = []
    for i, item in enumerate(items):
        where = f"{field}[{i}]"
        if hasattr(item, "model_dump"):
            item = item.model_dump()
        if not isinstance(item, dict):
            raise Invalid(f"{where} must be an object", field=where)
        clean: dict = {}
        for key, limit in LIMITS.items():
            value = item.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise Invalid(f"{where}.{key} must be text", field=f"{where}.{key}")
            value = " ".join(value.split()) if key != "address" else value.strip()
            if len(value) > limit:
                raise Invalid(f"{where}.{key} is too long", field=f"{where}.{key}")
            if value:
                clean[key] = value
        if "name" not in clean:
            raise Invalid(f"{where}.name is required", field=f"{where}.name", code="no_name")
        if "email" in clean:
            try:
                clean["email"] = validate_email(
                    clean["email"], check_deliverability=False
                ).normalized
            except EmailNotValidError as exc:
                raise Invalid(
                    f"{where}.email is not an e-mail address: {exc}",
                    field=f"{where}.email",
                    code="bad_email",
                ) from None
        out.append(clean)
    return out


@dataclass(frozen=True)
class Dispatch:
    """How a letter goes out, checked."""

    mode: str
    addressees: list[dict]
    copy_to: list[dict]

    @classmethod
    def of(cls, mode, addressees=None, copy_to=None) -> Dispatch:
        mode = mode or DispatchMode.post.value
        if mode not in {m.value for m in DispatchMode}:
            raise Invalid("mode must be email, post or hand", field="mode", code="bad_mode")
        to, copies = clean_addressees(addressees), clean_addressees(copy_to, "copy_to")
        if mode == DispatchMode.email and not any("email" in a for a in (*to, *copies)):
            raise Invalid(
                "mode email needs an addressee (or a copy) with an e-mail address",
                field="addressees",
                code="no_email",
            )
        return cls(mode, to, copies)

    def emails(self) -> list[str]:
        """Every e-mail address of the addressees and copies, each once, in order."""
        seen, out = set(), []
        for a in (*self.addressees, *self.copy_to):
            address = a.get("email")
            if address and address.lower() not in seen:
                seen.add(address.lower())
                out.append(address)
        return out


# --- e-mail dispatch ---------------------------------------------------------------------------


def queue_letter_mails(session: Session, draft: Draft, file: File, letter) -> list[jobs.Job]:
    """For a letter issued by e-mail: one mail to each address, the signed PDF attached (read
    from the object store when the mail is sent). Queued in the issue's transaction."""
    dispatch = Dispatch(draft.mode, draft.addressees or [], draft.copy_to or [])
    if draft.mode != DispatchMode.email:
        return []
    office = file.office
    subject = f"{draft.dispatch_number}: {draft.title}"
    text = "\n".join(
        [
            f"{office.name_hi or office.name}" + (f" / {office.name}" if office.name_hi else ""),
            "",
            f"पत्रांक / No.: {draft.dispatch_number}",
            f"विषय / Subject: {draft.title}",
            "",
            "डिजिटल हस्ताक्षरित पत्र संलग्न है। / The digitally signed letter is attached.",
        ]
    )
    attachment = [{"maker": LETTER_MAKER, "args": {"attachment_id": letter.id}}]
    return [
        mail.queue_mail(session, to=[address], subject=subject, text=text, attachments=attachment)
        for address in dispatch.emails()
    ]


@mail.attachment_maker(LETTER_MAKER)
def letter_attachment(session: Session, attachment_id: int, config: dict):
    """The stored, signed letter: its bytes from the object store, as issued."""
    from eoffice.storage import get_store_factory
    from eoffice.storage.models import Attachment

    att = session.get(Attachment, attachment_id)
    if att is None:
        raise jobs.Permanent(f"no attachment {attachment_id}")
    data = get_store_factory(config)().get(att.key)
    return att.download_name, data, att.content_type


# --- the register ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DispatchRow:
    draft_id: int
    dispatch_number: str
    issued_at: dt.datetime
    date: dt.date  # in the office's time zone
    subject: str
    addressees: list[dict]
    copy_to: list[dict]
    mode: str
    file_id: int
    file_number: str
    approved_by: str | None
    approved_by_hi: str | None
    approved_desk: str | None
    letter_id: int | None


@dataclass(frozen=True)
class Register:
    office: Office
    date_from: dt.date
    date_to: dt.date
    rows: list[DispatchRow]


def register_offices(session: Session, user) -> list[Office]:
    """The offices whose dispatch register the user may read, by code."""
    ids = {d.office_id for d in user.current_desks()} | audited_office_ids(session, user)
    if not ids:
        return []
    return list(session.scalars(sa.select(Office).where(Office.id.in_(ids)).order_by(Office.code)))


def register_office(session: Session, user, code: str | None) -> Office:
    """The office named (or the user's only one): 404 for an office the user may not read."""
    offices = register_offices(session, user)
    if not code:
        if len(offices) == 1:
            return offices[0]
        if not offices:
            raise NotFound("you may read no office's dispatch register")
        raise Invalid("name the office (office=CODE)", field="office", code="office_required")
    for office in offices:
        if office.code == code:
            return office
    raise NotFound("no such office")


def default_range(office: Office, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This month so far, in the office's time."""
    today = today or dt.datetime.now(ZoneInfo(office.zone_name)).date()
    return today.replace(day=1), today


def dispatch_register(
    session: Session,
    user,
    office: Office,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Register:
    """Letters the office issued between the dates (both included, in the office's time),
    in dispatch order."""
    first, last = default_range(office)
    date_from, date_to = date_from or first, date_to or last
    if date_from > date_to:
        raise Invalid("from is after to", field="from", code="bad_range")
    zone = ZoneInfo(office.zone_name)
    start = dt.datetime.combine(date_from, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    query = (
        sa.select(Draft, File, Correspondence.attachment_id)
        .join(File, File.id == Draft.file_id)
        .outerjoin(
            Correspondence,
            sa.and_(Correspondence.draft_id == Draft.id, Correspondence.kind == "issued"),
        )
        .where(
            File.office_id == office.id,
            Draft.status == DraftStatus.issued.value,
            Draft.issued_at >= start,
            Draft.issued_at < end,
        )
        .options(joinedload(Draft.approved_by), joinedload(Draft.approved_desk))
        .order_by(Draft.issued_at, Draft.id)
    )
    security = getattr(File, "security", None)  # the grading of files (confidential, secret)
    if security is not None:
        query = query.where(sa.or_(security == "normal", visible_files_clause(session, user)))
    rows = []
    for draft, file, letter_id in session.execute(query).unique():
        officer = draft.approved_by
        rows.append(
            DispatchRow(
                draft_id=draft.id,
                dispatch_number=draft.dispatch_number,
                issued_at=draft.issued_at,
                date=draft.issued_at.astimezone(zone).date(),
                subject=draft.title,
                addressees=list(draft.addressees or []),
                copy_to=list(draft.copy_to or []),
                mode=draft.mode or DispatchMode.post.value,
                file_id=file.id,
                file_number=file.number,
                approved_by=officer.name if officer is not None else None,
                approved_by_hi=getattr(officer, "name_hi", None) if officer is not None else None,
                approved_desk=draft.approved_desk.code if draft.approved_desk else None,
                letter_id=letter_id,
            )
        )
    return Register(office, date_from, date_to, rows)


def addressee_line(a: dict) -> str:
    return ", ".join(a[k] for k in ("name", "designation", "address", "email") if a.get(k))


def addressees_text(items: list[dict]) -> str:
    return "; ".join(addressee_line(a) for a in items)


CSV_HEADER = [
    "पत्रांक / Dispatch number",
    "दिनांक / Date",
    "विषय / Subject",
    "प्रेषिती / Addressees",
    "प्रतिलिपि / Copy to",
    "माध्यम / Mode",
    "पत्रावली / File number",
    "अनुमोदनकर्ता / Approved by",
]


def register_csv(register: Register) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Hindi right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in register.rows:
        writer.writerow(
            [
                r.dispatch_number,
                r.date.isoformat(),
                _cell(r.subject),
                _cell(addressees_text(r.addressees)),
                _cell(addressees_text(r.copy_to)),
                r.mode,
                _cell(r.file_number),
                _cell(r.approved_by or ""),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def register_pdf(register: Register) -> bytes:
    from eoffice.audit.stamps import Stamp
    from eoffice.pdf.fetcher import LockedFetcher
    from eoffice.pdf.render import check_printable, html_to_pdf, render_html

    chars = sum(
        len(r.subject) + len(addressees_text(r.addressees)) + len(addressees_text(r.copy_to))
        for r in register.rows
    )
    check_printable(chars, "this register")
    html = render_html(
        "dispatch_register.html",
        register=register,
        office=register.office,
        modes=MODE_LABELS,
        addressees_text=addressees_text,
        stamp=Stamp(None, None),
    )
    return html_to_pdf(html, LockedFetcher())
