"""Visit tokens: printed on every acknowledgement an office gives a visitor (a complaint's copy,
a dak acknowledgement, a lost report), they mark that visitor's feedback on the office as from a
real visit, once. Only a keyed hash of the token is kept."""

from __future__ import annotations

import datetime as dt
import hmac

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core.citizen import ALPHABET, normalise_secret
from eoffice.core.db import Base, utcnow


class VisitToken(Base):
    __tablename__ = "visit_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    source: Mapped[str] = mapped_column(sa.String(40))  # complaint, receipt, lost, ...
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None]


def _digest(key: str, token: str) -> str:
    return hmac.new(
        key.encode(), b"visit:" + normalise_secret(token).encode(), "sha256"
    ).hexdigest()


def visit_token_for(key: str, seed: str) -> str:
    """The 12-character token (60 bits) of the document `seed` names (its public number): every
    copy of that document prints the same token, and only its keyed hash is stored."""
    mac = hmac.new(key.encode(), b"visit-token:" + seed.encode(), "sha256").digest()
    raw = "".join(ALPHABET[b % 32] for b in mac[:12])
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def issue_visit_token(session: Session, key: str, office_id: int, source: str, seed: str) -> str:
    """Record the token of document `seed` for a visit to `office_id`; returns it to print."""
    token = visit_token_for(key, seed)
    session.add(VisitToken(office_id=office_id, digest=_digest(key, token), source=source))
    return token


def redeem_visit_token(session: Session, key: str, office_id: int, token: str | None) -> bool:
    """True once for a token issued for this office; a second use, or a token of another office,
    is not a verified visit. The row is claimed by a conditional update (no race)."""
    if not token:
        return False
    result = session.execute(
        sa.update(VisitToken)
        .where(
            VisitToken.digest == _digest(key, token),
            VisitToken.office_id == office_id,
            VisitToken.used_at.is_(None),
        )
        .values(used_at=_day_of(utcnow()))
    )
    return result.rowcount == 1


def _day_of(moment: dt.datetime) -> dt.datetime:
    """A token records the day it was used, not the moment, so it cannot be matched to the
    moment a feedback response arrived (and so to the visitor it was printed for)."""
    return dt.datetime.combine(moment.date(), dt.time(), tzinfo=dt.UTC)


def token_digest_exists(session: Session, key: str, token: str) -> bool:
    return (
        session.scalar(sa.select(VisitToken.id).where(VisitToken.digest == _digest(key, token)))
        is not None
    )
