"""A new kind of record is one folder plus a migration: this module registers a throw-away kind
("memo", with a table of its own) exactly as a module's `module.py` would, and it gets the
permission check, the search index and attachments without a line of shared code changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eoffice.auth.permissions import can
from eoffice.core import kinds
from eoffice.core.errors import Conflict
from eoffice.core.kinds import AttachmentOwner, DocScope, HitText, Kind, SearchDoc, SearchSpec
from eoffice.org.service import desk_ids
from eoffice.storage import service as storage
from eoffice.storage.models import Attachment
from tests.factories import desk, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class MemoBase(DeclarativeBase):
    """Its own metadata: the throw-away table is made and dropped by this test alone."""

    metadata = sa.MetaData()


class Memo(MemoBase):
    __tablename__ = "test_memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int]
    desk_id: Mapped[int]  # the desk the memo lies on: only its holders see it
    text: Mapped[str] = mapped_column(sa.Text)


# --- what the memo module's module.py would say ------------------------------------------------


def visible_ids(session, user, ids):
    mine = desk_ids(user)
    rows = session.execute(sa.select(Memo.id, Memo.desk_id).where(Memo.id.in_(list(ids))))
    return {r.id for r in rows if r.desk_id in mine}


def can_view(session, user, memo):
    return memo.desk_id in desk_ids(user)


def documents(session, ids):
    for m in kinds.stream_rows(session, sa.select(Memo), Memo.id, ids):
        memo = m[0]
        yield SearchDoc(
            obj_id=memo.id, office_id=memo.office_id, desks=(memo.desk_id, None), body=memo.text
        )


def texts(session, ids):
    memos = session.scalars(sa.select(Memo).where(Memo.id.in_(ids)))
    return {m.id: HitText(number=f"M/{m.id}", title="ज्ञापन", body=m.text) for m in memos}


def check(memo, desk):
    if memo.desk_id != desk.id:
        raise Conflict("the memo is not on your desk", code="not_holder")


def scope(session, ids):
    memos = session.scalars(sa.select(Memo).where(Memo.id.in_(ids)))
    return {m.id: DocScope(office_id=m.office_id, desks=(m.desk_id, None)) for m in memos}


MEMO = Kind(
    name="memo",
    model=Memo,
    can_view=can_view,
    visible_ids=visible_ids,
    search=SearchSpec(code=99, documents=documents, texts=texts),
    attachments=AttachmentOwner(load_for_update=None, check=check, scope=scope),
)


@pytest.fixture
def memo_kind(app):
    engine = app.extensions["eoffice.db"].engine
    MemoBase.metadata.create_all(engine)
    kinds.register(MEMO)
    try:
        yield MEMO
    finally:
        kinds.unregister("memo")
        MemoBase.metadata.drop_all(engine)


@pytest.fixture
def memo(memo_kind, org, db):
    hc = desk(db, "SPO-HC")
    row = Memo(office_id=hc.office_id, desk_id=hc.id, text="मालखाना निरीक्षण का ज्ञापन")
    db.add(row)
    db.commit()
    return row


def test_the_permission_check_asks_the_kinds_own_rule(memo, db):
    assert can(user(db, "clerk"), "memo.view", memo)
    assert not can(user(db, "other"), "memo.view", memo)
    assert not can(user(db, "officer"), "memo.view", memo)
    assert kinds.get("memo").visible_ids(db, user(db, "clerk"), [memo.id]) == {memo.id}


def test_a_memo_is_indexed_found_by_whoever_may_see_it_and_hidden_from_others(app, memo, db, api):
    from eoffice.core.outbox import SearchOutbox

    db.rollback()
    queued = db.scalars(sa.select(SearchOutbox).where(SearchOutbox.kind == "memo")).all()
    assert [q.obj_id for q in queued] == [memo.id]  # the flush hook read the registry
    app.extensions["eoffice.search"].index()
    clerk = api("clerk").get("/api/v1/search?q=मालखाना").get_json()
    assert [(h["kind"], h["memo_id"], h["number"]) for h in clerk["hits"]] == [
        ("memo", memo.id, f"M/{memo.id}")
    ]
    assert "<mark" in clerk["hits"][0]["snippet"]
    # a record with no date sorts and filters like any other (last, and outside any range)
    by_date = api("clerk").get("/api/v1/search?q=मालखाना&sort=date").get_json()
    assert by_date["total"] == 1
    dated = api("clerk").get("/api/v1/search?q=मालखाना&from=2026-01-01").get_json()
    assert dated["total"] == 0
    other = api("other").get("/api/v1/search?q=मालखाना").get_json()
    assert other["total"] == 0 and other["hits"] == []


def test_a_memo_owns_attachments_its_holder_may_add_and_see(app, memo, db, api):
    store = app.extensions["eoffice.store"]()
    clerk, hc = user(db, "clerk"), desk(db, "SPO-HC")
    att = storage.upload(db, store, clerk, hc, memo, name="ज्ञापन.pdf", data=PDF, limit=10**6)
    db.commit()
    assert (att.owner_kind, att.owner_id) == ("memo", memo.id)
    assert [a.id for a in storage.attachments_of(db, memo)] == [att.id]
    got = api("clerk").get(f"/api/v1/attachments/{att.id}")
    assert got.status_code == 200 and got.data == PDF
    assert api("other").get(f"/api/v1/attachments/{att.id}").status_code == 404
    # the kind's own rule decides who may attach
    with pytest.raises(Conflict):
        storage.upload(
            db,
            store,
            user(db, "other"),
            desk(db, "OTHER-SP"),
            memo,
            name="x.pdf",
            data=PDF,
            limit=10**6,
        )
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 1
    # the attachment is indexed with the memo's place, and found only by those who see the memo
    app.extensions["eoffice.search"].index()
    hits = api("clerk").get("/api/v1/search?q=ज्ञापन").get_json()["hits"]
    assert ("attachment", att.id) in {(h["kind"], h.get("attachment_id")) for h in hits}
    assert api("other").get("/api/v1/search?q=ज्ञापन").get_json()["total"] == 0


def test_the_registry_refuses_a_kind_that_would_clash(memo_kind):
    clash = Kind(
        name="memo2",
        model=type("Other", (), {}),
        can_view=can_view,
        visible_ids=visible_ids,
        search=SearchSpec(code=99, documents=documents, texts=texts),
    )
    with pytest.raises(kinds.RegistryError):
        kinds.register(clash)
    status_clash = Kind(
        name="memo3",
        model=type("Third", (), {}),
        can_view=can_view,
        visible_ids=visible_ids,
        search=SearchSpec(code=98, documents=documents, texts=texts, statuses={"open": 7}),
    )
    with pytest.raises(kinds.RegistryError):
        kinds.register(status_clash)
    assert kinds.find("memo2") is None and kinds.find("memo3") is None
