"""Users, their roles, server-side login sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eoffice.core.db import Base, utcnow

if TYPE_CHECKING:  # users hold desks; the org module is above this one
    from eoffice.org.models import Desk, DeskHolding


class Role(enum.StrEnum):
    clerk = "clerk"
    officer = "officer"
    auditor = "auditor"
    admin = "admin"
    tips = "tips"  # reads and answers the district's confidential tips (the SP, named ASPs)


ROLES = tuple(r.value for r in Role)

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verified against when the username is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")


def configure_hasher(**params) -> None:
    """Change the argon2id cost (the test suite lowers it; hashes stay argon2id)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(**params)
    _DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


MIN_PASSWORD = 8
MIN_STRENGTH = 3  # zxcvbn's score, 0-4: 3 is "safely unguessable" for an online attack


def password_problem(password, username: str | None = None) -> str | None:
    """Why a password will not do (too short, the username in it, common or a pattern zxcvbn
    guesses quickly), or None."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        return f"password must have at least {MIN_PASSWORD} characters"
    if username and username.lower() in password.lower():
        return "password must not contain the username"
    from zxcvbn import zxcvbn

    # zxcvbn only looks at the first 72 characters; longer passwords are not weaker
    if zxcvbn(password[:72], user_inputs=[username] if username else [])["score"] < MIN_STRENGTH:
        return "password is too easy to guess: use a longer phrase of unrelated words"
    return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_hi: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    roles_text: Mapped[str] = mapped_column("roles", sa.String(100), default="")
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    holdings: Mapped[list[DeskHolding]] = relationship(
        back_populates="user", order_by="DeskHolding.since"
    )

    # Flask-Login asks these; the id it stores is the server-side session key, see auth/login.py
    is_anonymous = False
    session_key = None

    def get_id(self):
        return self.session_key

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> list[str]:
        return [r for r in (self.roles_text or "").split(",") if r]

    @roles.setter
    def roles(self, value) -> None:
        unknown = set(value) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.roles_text = ",".join(r for r in ROLES if r in set(value))

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def set_password(self, password: str) -> None:
        problem = password_problem(password, self.username)
        if problem:
            raise ValueError(problem)
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    def current_desks(self) -> list[Desk]:
        return sorted((h.desk for h in self.holdings if h.until is None), key=lambda d: d.code)

    def display_name(self, locale: str) -> str:
        return self.name_hi if locale == "hi" and self.name_hi else self.name


class UserSession(Base):
    """A browser login. The cookie names this row; deleting it ends the login everywhere."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    ip: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class ApiToken(Base):
    """A Bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]  # a token lives so long (EOFFICE_TOKEN_DAYS)
    label: Mapped[str | None] = mapped_column(sa.String(100))

    user: Mapped[User] = relationship()

    @staticmethod
    def new_token() -> str:
        return "eo_" + secrets.token_urlsafe(32)


class RateLimitCounter(Base):
    """Fixed-window counters for Flask-Limiter, shared by every web process through the database."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(sa.Float)
