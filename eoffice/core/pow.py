"""Proof-of-work on the anonymous public forms: ALTCHA (v1), self-hosted, no third party.

- `new_challenge(config)` gives what `GET /api/v1/public/challenge` answers: the browser (or an
  app) finds the number whose SHA-256 with the salt is the challenge, and sends back the
  base64 payload in the form's `altcha` field. The challenge is signed with an HMAC of the
  instance's citizen key and expires after `EOFFICE_POW_EXPIRES_SECONDS`; its work is set by
  `EOFFICE_POW_MAX_NUMBER` (about 50,000 hashes on average at the default: a fraction of a second
  for a phone, a real cost for a script that posts thousands).
- A page that must work without JavaScript carries a **form token** in the same field instead: an
  HMAC of the moment the page was served, accepted only `EOFFICE_POW_FORM_SECONDS` after it (no
  person fills a form in less) and within the challenge's lifetime. It costs a sender time
  rather than work; the per-address limit and single use bound what that allows.
- Either is spent once: its digest goes into `pow_spent` in the caller's unit of work, so a
  replayed solution is refused even by another web process. Spent rows are dropped once
  expired. Nothing in that table says who sent it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import time

import altcha
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core.db import Base
from eoffice.core.errors import Invalid

FIELD = "altcha"
_FORM_PREFIX = "t."
_MAX_VALUE = 4096  # a payload is a few hundred characters


class PowSpent(Base):
    """Digests of proof-of-work solutions already used, until they expire."""

    __tablename__ = "pow_spent"

    digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)


def _key(config) -> bytes:
    return hmac.new(config["CITIZEN_KEY"].encode(), b"pow", hashlib.sha256).digest()


def _lifetime(config) -> int:
    return int(config.get("POW_EXPIRES_SECONDS", 900))


def new_challenge(config, now: float | None = None) -> dict:
    """A fresh signed challenge, as the ALTCHA widget expects it."""
    now = time.time() if now is None else now
    challenge = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            hmac_key=_key(config),
            max_number=int(config.get("POW_MAX_NUMBER", 50_000)),
            expires=dt.datetime.fromtimestamp(now + _lifetime(config), dt.UTC),
        )
    )
    return {
        "algorithm": challenge.algorithm,
        "challenge": challenge.challenge,
        "maxnumber": challenge.max_number,
        "salt": challenge.salt,
        "signature": challenge.signature,
    }


def form_token(config, now: float | None = None) -> str:
    """The no-JavaScript stand-in: the moment the form was served, signed."""
    issued = str(int(time.time() if now is None else now))
    mac = hmac.new(_key(config), f"form:{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{_FORM_PREFIX}{issued}.{mac}"


def _invalid(message: str = "the proof-of-work is not valid; load the form again") -> Invalid:
    return Invalid(message, field=FIELD, code="altcha_invalid")


def _check_form_token(config, value: str, now: float) -> float:
    issued_text, _, mac = value[len(_FORM_PREFIX) :].partition(".")
    if not issued_text.isdigit() or len(issued_text) > 12:
        raise _invalid()
    expected = hmac.new(_key(config), f"form:{issued_text}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        raise _invalid()
    issued = int(issued_text)
    if now - issued < float(config.get("POW_FORM_SECONDS", 3)):
        raise Invalid(
            "the form was sent too quickly; wait a moment and send it again",
            field=FIELD,
            code="altcha_too_fast",
        )
    expires = issued + _lifetime(config)
    if now > expires:
        raise _invalid("the form has expired; load it again")
    return expires


def _check_solution(config, value: str) -> float:
    try:
        payload = altcha.PayloadV1.from_base64(value)
        ok, _error = altcha.verify_solution_v1(payload, _key(config), check_expires=True)
        _nonce, expires, _params = payload.parse_salt()
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError, AttributeError):
        raise _invalid() from None
    if not ok or expires is None:
        raise _invalid()
    return expires


def check(session: Session, config, value: str | None, now: float | None = None) -> None:
    """Accept a solved challenge or an aged form token once, in the caller's unit of work
    (422 `altcha_required` / `altcha_invalid` / `altcha_too_fast` otherwise)."""
    if not value or not isinstance(value, str):
        raise Invalid(
            "a proof-of-work solution is required (GET /api/v1/public/challenge)",
            field=FIELD,
            code="altcha_required",
        )
    if len(value) > _MAX_VALUE:
        raise _invalid()
    now = time.time() if now is None else now
    if value.startswith(_FORM_PREFIX):
        expires = _check_form_token(config, value, now)
        spent = value
    else:
        expires = _check_solution(config, value)
        try:  # spent by its challenge, not its encoding: one challenge, one use
            spent = json.loads(base64.b64decode(value))["challenge"]
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise _invalid() from None
    digest = hashlib.sha256(str(spent).encode()).hexdigest()
    session.execute(sa.delete(PowSpent).where(PowSpent.expires_at < now))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(PowSpent)
        .values(digest=digest, expires_at=expires)
        .on_conflict_do_nothing(index_elements=["digest"])
        .returning(PowSpent.digest)
    ).first()
    if inserted is None:
        raise _invalid("this proof-of-work was used already; load the form again")
