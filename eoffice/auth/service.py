"""Use cases of authentication: log in and out, API tokens."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from eoffice.audit import service as audit
from eoffice.auth.models import ApiToken, User, UserSession, token_digest, verify_password
from eoffice.core import kinds
from eoffice.core.db import utcnow
from eoffice.core.errors import NotFound, Unauthorized


def authenticate(session: Session, username: str, password: str, ip: str | None) -> User:
    """Check a username and password; record the attempt either way."""
    user = session.scalars(sa.select(User).where(User.username == username)).one_or_none()
    ok = user is not None and user.check_password(password) and user.active
    # a timing-equal check runs even for unknown users (see verify_password)
    if user is None:
        verify_password(None, password)
    if not ok:
        audit.record(
            session,
            "auth.login_failed",
            username=username[:80],
            data={
                "ip": ip,
                "reason": "disabled" if user and not user.active else "bad_credentials",
            },
        )
        # the refused attempt is kept: the request commits it before answering 401
        raise Unauthorized("wrong username or password", code="bad_credentials")
    return user


def start_session(session: Session, user: User, ip: str | None, hours: int) -> str:
    key = UserSession.new_key()
    session.add(
        UserSession(
            key_hash=token_digest(key),
            user=user,
            expires_at=utcnow() + dt.timedelta(hours=hours),
            ip=ip,
        )
    )
    audit.record(session, "auth.login", user=user, obj_type="user", obj_id=user.id, data={"ip": ip})
    return key


@functools.cache
def _login_query(model, desks_loader):
    """The statement that finds a login by its digest, with its user and what every request
    asks next (the desks the user holds, and their offices: the org module says how, as auth
    sits below it) in the same statement. Built once: building it, and the key SQLAlchemy
    caches its SQL under, costs more than running it."""
    digest = model.key_hash if model is UserSession else model.token_hash
    user = joinedload(model.user)
    if desks_loader is not None:
        user = user.options(desks_loader())
    return sa.select(model).where(digest == sa.bindparam("digest")).options(user)


def _login(session: Session, model, secret: str):
    query = _login_query(model, kinds.hook("user.desks_loader"))
    return session.scalars(query, {"digest": token_digest(secret)}).unique().one_or_none()


def load_session_user(session: Session, key: str) -> User | None:
    row = _login(session, UserSession, key)
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def end_session(session: Session, key: str | None, user: User | None) -> None:
    if key:
        session.execute(sa.delete(UserSession).where(UserSession.key_hash == token_digest(key)))
    if user is not None:
        audit.record(session, "auth.logout", user=user, obj_type="user", obj_id=user.id)


def issue_token(session: Session, user: User, label: str | None = None, days: int = 30) -> str:
    token = ApiToken.new_token()
    row = ApiToken(
        token_hash=token_digest(token),
        user=user,
        label=label,
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    session.add(row)
    session.flush()
    audit.record(session, "auth.token_issued", user=user, obj_type="api_token", obj_id=row.id)
    return token


def load_token_user(session: Session, token: str) -> User | None:
    row = _login(session, ApiToken, token)
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    return row.user


def revoke_token(session: Session, user: User, token: str) -> None:
    row = session.scalars(
        sa.select(ApiToken).where(
            ApiToken.token_hash == token_digest(token), ApiToken.user_id == user.id
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise NotFound("no such token")
    row.revoked_at = utcnow()
    audit.record(session, "auth.token_revoked", user=user, obj_type="api_token", obj_id=row.id)


def cut_off(session: Session, user: User) -> None:
    """Disabled users lose every login and token at once (caller commits)."""
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens still in force, newest first (to see and revoke them)."""
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token_id(session: Session, user: User, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("no such token")
    row.revoked_at = utcnow()
    audit.record(session, "auth.token_revoked", user=user, obj_type="api_token", obj_id=row.id)
