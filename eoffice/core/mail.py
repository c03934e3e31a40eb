"""Mail: queued as a job in the caller's transaction, sent over SMTP by the worker.

`queue_mail(session, to=..., subject=..., text=...)` adds a "mail.send" job. Its Message-ID is
fixed when it is queued (a token in the payload; the id is `<token@domain of MAIL_FROM>`), so a
message sent again after a crash carries the same Message-ID, and `sent_messages` records it
once: the row is written in the job's own transaction, with the job marked done.

Attachments are named, not carried: `{"maker": "complaint.acknowledgement", "args": {...}}` calls
the function registered with `@attachment_maker("complaint.acknowledgement")` at send time, with
the job's session, to build `(filename, bytes, mime type)` from the database.

With no EOFFICE_SMTP_HOST, mail is written as .eml files into INSTANCE/mail/ instead.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import inspect
import os
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable, Iterable, Sequence
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core import jobs
from eoffice.core.db import Base, utcnow

SMTP_TIMEOUT = 20  # seconds; on SQLite the job holds the write lock while it sends

Attachment = tuple[str, bytes, str]  # (filename, content, mime type)
Maker = Callable[..., Attachment]


class SentMessage(Base):
    """A mail or SMS that went out, recorded once however often a crash made it go out."""

    __tablename__ = "sent_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10))  # mail | sms
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str | None] = mapped_column(sa.Text)
    job_id: Mapped[int | None]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def record_sent(
    session: Session,
    *,
    channel: str,
    message_id: str,
    recipient: str,
    subject: str | None,
    job_id: int | None,
) -> SentMessage:
    """Record a message as sent, unless it already is (a job run again)."""
    existing = session.scalar(sa.select(SentMessage).where(SentMessage.message_id == message_id))
    if existing is not None:
        return existing
    row = SentMessage(
        channel=channel,
        message_id=message_id,
        recipient=recipient[:500],
        subject=subject,
        job_id=job_id,
        sent_at=utcnow(),
    )
    session.add(row)
    return row


# --- attachments built at send time ------------------------------------------------------------

_makers: dict[str, Maker] = {}


def attachment_maker(name: str) -> Callable[[Maker], Maker]:
    """`@attachment_maker("complaint.acknowledgement") def ack(session, complaint_id) ->
    (filename, bytes, mime)`: a mail job's payload names it, and it runs when the mail is sent."""

    def register(fn: Maker) -> Maker:
        _makers[name] = fn
        return fn

    return register


def forget_maker(name: str) -> None:
    _makers.pop(name, None)


# --- the message -------------------------------------------------------------------------------


def mail_domain(config: dict) -> str:
    address = email.utils.parseaddr(config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def message_id_for(config: dict, token: str) -> str:
    return f"<{token}@{mail_domain(config)}>"


def _one_line(value: str) -> str:
    return " ".join(value.split())


def build_message(
    config: dict,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    message_id: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.get("MAIL_FROM") or "eoffice@localhost"
    msg["To"] = ", ".join(to)
    msg["Subject"] = _one_line(subject)
    msg["Date"] = email.utils.format_datetime(utcnow())
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain=mail_domain(config))
    # Hindi text goes as base64: 8-bit bodies need a server that says 8BITMIME
    msg.set_content(text, cte=None if text.isascii() else "base64")
    if html is not None:
        msg.add_alternative(html, subtype="html", cte=None if html.isascii() else "base64")
    for filename, data, mime in attachments:
        maintype, _, subtype = (mime or "application/octet-stream").partition("/")
        msg.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return msg


def _write_eml(config: dict, msg: EmailMessage) -> Path:
    folder = Path(config["INSTANCE"]) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    local = re.sub(r"[^A-Za-z0-9._-]", "_", msg["Message-ID"].strip("<>").partition("@")[0])
    path = folder / f"{stamp}-{local[:80]}.eml"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(msg.as_bytes())
    tmp.replace(path)
    return path


def send_mail(
    config: dict,
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    message_id: str | None = None,
) -> str:
    """Send one message now (SMTP, or an .eml file with no SMTP_HOST); returns its Message-ID.
    Raises OSError / smtplib.SMTPException when the server is not reachable or refuses it."""
    if isinstance(to, str):
        to = [to]
    if not to:
        raise ValueError("a mail needs at least one recipient")
    msg = build_message(
        config,
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        message_id=message_id,
    )
    host = config.get("SMTP_HOST")
    if not host:
        _write_eml(config, msg)
        return msg["Message-ID"]
    port = int(config.get("SMTP_PORT") or 25)
    sender = email.utils.parseaddr(msg["From"])[1]
    context = ssl.create_default_context()
    if port == 465:  # implicit TLS
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    with smtp:
        if config.get("SMTP_STARTTLS") and port != 465:
            smtp.starttls(context=context)
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(msg, from_addr=sender, to_addrs=list(to))
    return msg["Message-ID"]


# --- the queue ---------------------------------------------------------------------------------


def queue_mail(
    session: Session,
    *,
    to: list[str] | str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[dict] = (),
    key: str | None = None,
) -> jobs.Job:
    """Queue a mail in the caller's transaction. `attachments`: `[{"maker": name, "args":
    {...}}]`, built when the mail is sent. The Message-ID is fixed now (see message_id_for)."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
        raise ValueError(f"not a list of mail addresses: {to!r}")
    named = []
    for item in attachments:
        maker = item.get("maker")
        if maker not in _makers:
            raise ValueError(f"no attachment maker {maker!r}")
        named.append({"maker": maker, "args": dict(item.get("args") or {})})
    payload = {
        "to": recipients,
        "subject": _one_line(subject),
        "text": text,
        "html": html,
        "attachments": named,
        "message_token": uuid.uuid4().hex,
    }
    return jobs.enqueue(session, "mail.send", payload, key=key)


@jobs.handler("mail.send")
def _send(ctx: jobs.JobContext, payload: dict) -> None:
    token = payload.get("message_token")
    to = payload.get("to")
    if not token or not to:
        raise jobs.Permanent("a mail job needs a message_token and recipients")
    built: list[Attachment] = []
    # Documents are made and the mail sent before the job's own session is touched: on SQLite
    # that session holds the write lock from its first statement, and nobody should wait for a
    # PDF or an SMTP server. The makers read in a session of their own.
    with ctx.database.sessionmaker() as reading:
        for item in payload.get("attachments") or ():
            maker = _makers.get(item.get("maker"))
            if maker is None:
                raise jobs.Permanent(f"no attachment maker {item.get('maker')!r}")
            args = dict(item.get("args") or {})
            if "config" in inspect.signature(maker).parameters:
                args["config"] = ctx.config  # what a document needs of the settings
            built.append(maker(reading, **args))
    message_id = send_mail(
        ctx.config,
        to=to,
        subject=payload.get("subject") or "",
        text=payload.get("text") or "",
        html=payload.get("html"),
        attachments=built,
        message_id=message_id_for(ctx.config, token),
    )
    record_sent(
        ctx.session,
        channel="mail",
        message_id=message_id,
        recipient=", ".join(to),
        subject=payload.get("subject"),
        job_id=ctx.job.id,
    )
