"""Factories: records made through the real services, each in its own unit of work (committed,
as a request would), so what a test arranges is what the app then sees."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from eoffice.auth.models import User
from eoffice.files import service as files
from eoffice.org.models import Desk
from eoffice.receipts import service as receipts

SUBJECT = "थाना कोतवाली में भूमि विवाद की शिकायत"


def user(db, username: str) -> User:
    return db.scalars(sa.select(User).where(User.username == username)).one()


def desk(db, code: str) -> Desk:
    return db.scalars(sa.select(Desk).where(Desk.code == code)).one()


def act(db, use_case, username: str, desk_code: str, *args, **kwargs):
    """Run a use case as `username` at `desk_code` and commit it, as the request around it
    would; the rollback on failure is the request's too."""
    try:
        result = use_case(db, user(db, username), desk(db, desk_code), *args, **kwargs)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    return result


def make_receipt(db, subject=SUBJECT, username="clerk", desk_code="SPO-HC", **values):
    values = {
        "subject": subject,
        "mode": "post",
        "sender_name": "सुरेश यादव",
        "sender_organisation": "ग्राम पंचायत",
        "received_on": dt.date.today(),
        **values,
    }
    return act(db, receipts.diarise, username, desk_code, values)


def make_file(db, subject=SUBJECT, receipt_ids=(), username="clerk", desk_code="SPO-HC", **kw):
    values = {"subject": subject, "head": "11", "category": "B", **kw}
    return act(db, files.create_file, username, desk_code, values, receipt_ids)


def fresh(db, model, id_):
    db.rollback()  # end the read snapshot: see what the app committed
    return db.get(model, id_)
