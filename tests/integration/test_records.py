"""Retention and the record room: C files carry a retention period and a review date, A and B
are permanent; a review list per office; an officer weeds a file due for review, which leaves a
tombstone and an audit event, and its content is gone."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from eoffice.audit.models import AuditEvent
from eoffice.core.outbox import SearchOutbox
from eoffice.files.models import File, Movement
from eoffice.files.records import WeededFile
from eoffice.notings.models import Draft, DraftVersion, Note
from eoffice.storage.models import Attachment
from tests.conftest import csrf_from
from tests.factories import PDF, new_draft, new_file, note, upload

SUBJECT = "पुराने शस्त्र लाइसेंस नवीनीकरण / renewal of old arms licences"
SP = {"desk": "SPO-SP"}


def kolkata_today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Kolkata")).date()


def closed_c_file(api, db, *, years=2, due=True, content=False) -> dict:
    """A C file opened and closed by the SP; `due`: its review date moved into the past (as
    if it had been closed long ago)."""
    sp = api("officer")
    f = new_file(sp, SUBJECT, category="C", retention_years=years, **SP)
    if content:
        note(sp, f["id"], "अभिलेख कक्ष में भेजें। C/1", **SP)
        new_draft(sp, f["id"], title="उत्तर", body="मसौदा पत्र", **SP)
        resp = upload(sp, f"/api/v1/files/{f['id']}/attachments?desk=SPO-SP", PDF)
        assert resp.status_code == 201, resp.get_json()
    resp = sp.post(f"/api/v1/files/{f['id']}/close", {"remarks": "कार्यवाही पूर्ण", **SP})
    assert resp.status_code == 200, resp.get_json()
    if due:
        db.rollback()
        db.execute(
            sa.update(File)
            .where(File.id == f["id"])
            .values(review_on=kolkata_today() - dt.timedelta(days=1))
        )
        db.commit()
    return resp.get_json()


def test_retention_on_creation_and_closing(api):
    sp = api("officer")
    c = new_file(sp, SUBJECT, category="C", retention_years=5, **SP)
    assert (c["retention_years"], c["review_on"]) == (5, None)
    assert new_file(sp, category="C", **SP)["retention_years"] == 3  # the default
    b = new_file(sp, category="B", **SP)
    assert (b["retention_years"], b["review_on"]) == (None, None)
    resp = sp.post("/api/v1/files/" + str(c["id"]) + "/close", {"remarks": "पूर्ण", **SP})
    closed = resp.get_json()
    today = kolkata_today()
    assert closed["review_on"] == today.replace(year=today.year + 5).isoformat()
    reopened = sp.post(f"/api/v1/files/{c['id']}/reopen", {"remarks": "फिर से", **SP})
    assert reopened.get_json()["review_on"] is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"category": "A", "retention_years": 3}, "permanent_record"),
        ({"category": "B", "retention_years": 1}, "permanent_record"),
        ({"category": "C", "retention_years": 11}, None),
        ({"category": "C", "retention_years": 0}, None),
        ({"category": "C", "retention_years": "3"}, None),
        ({"category": "C", "retention_years": True}, None),
    ],
)
def test_bad_retention_is_refused(api, body, code):
    resp = api("officer").post("/api/v1/files", {"subject": SUBJECT, "head": "11", **body, **SP})
    assert resp.status_code == 422, resp.get_json()
    err = resp.get_json()["error"]
    assert err.get("field") == "retention_years"
    if code:
        assert err["code"] == code


def test_an_officer_changes_the_retention_of_an_open_file(api):
    sp = api("officer")
    f = new_file(sp, category="C", **SP)
    resp = sp.put(f"/api/v1/files/{f['id']}/retention", {"retention_years": 7, **SP})
    assert resp.status_code == 200 and resp.get_json()["retention_years"] == 7
    b = new_file(sp, category="B", **SP)
    resp = sp.put(f"/api/v1/files/{b['id']}/retention", {"retention_years": 7, **SP})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "permanent_record"
    clerk_file = new_file(api("clerk"), category="C")
    resp = api("clerk").put(f"/api/v1/files/{clerk_file['id']}/retention", {"retention_years": 2})
    assert resp.status_code == 403


def test_the_review_list_and_who_may_see_it(api, db):
    due = closed_c_file(api, db)
    later = closed_c_file(api, db, due=False)
    resp = api("officer").get("/api/v1/records/review?office=SPO")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert [i["id"] for i in body["items"]] == [due["id"]]
    assert body["items"][0]["subject"] == SUBJECT and body["total"] == 1
    assert later["id"] not in [i["id"] for i in body["items"]]
    # the range's auditor sees the district's record room; a clerk may not; outsiders: 404
    assert api("auditor").get("/api/v1/records/review?office=SPO").status_code == 200
    assert api("clerk").get("/api/v1/records/review?office=SPO").status_code == 403
    assert api("other").get("/api/v1/records/review?office=SPO").status_code == 404
    assert api("officer").get("/api/v1/records/review?office=NOPE").status_code == 404
    assert api("officer").get("/api/v1/records/review?office=SPO&page=0").status_code == 422


def test_weeding_is_refused_where_it_must_be(api, db):
    due = closed_c_file(api, db)
    body = {"remarks": "अवधि पूर्ण"}
    path = f"/api/v1/records/{due['id']}/weed"
    assert api("clerk").post(path, body).status_code == 403
    resp = api("auditor").post(path, body)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "read_only"
    assert api("other").post(path, body).status_code == 404
    assert api("officer").post("/api/v1/records/999999/weed", body).status_code == 404
    assert api("officer").post(path, {"remarks": "  "}).status_code == 422
    sp = api("officer")
    a = new_file(sp, category="A", **SP)
    sp.post(f"/api/v1/files/{a['id']}/close", {"remarks": "पूर्ण", **SP})
    resp = sp.post(f"/api/v1/records/{a['id']}/weed", body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "permanent_record"
    open_c = new_file(sp, category="C", **SP)
    resp = sp.post(f"/api/v1/records/{open_c['id']}/weed", body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_closed"
    not_due = closed_c_file(api, db, due=False)
    resp = sp.post(f"/api/v1/records/{not_due['id']}/weed", body)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_due_for_review"


def test_weeding_leaves_a_tombstone_and_removes_the_content(api, db):
    f = closed_c_file(api, db, content=True)
    fid = f["id"]
    sp = api("officer")
    resp = sp.post(f"/api/v1/records/{fid}/weed", {"remarks": "तीन वर्ष पूर्ण; नष्ट करें"})
    assert resp.status_code == 200, resp.get_json()
    stone = resp.get_json()
    assert (stone["number"], stone["subject"], stone["category"]) == (f["number"], SUBJECT, "C")
    assert stone["approved_by"] == "officer" and stone["desk"] == "SPO-SP"
    assert stone["removed"] == {"correspondence": 1, "notes": 1, "drafts": 1, "attachments": 1}
    # the file is gone from its page, the lists and the search index
    resp = sp.get(f"/api/v1/files/{fid}?desk=SPO-SP")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "file_weeded"
    closed = sp.get("/api/v1/inbox?status=closed&desk=SPO-SP").get_json()["items"]
    assert fid not in [i["id"] for i in closed]
    assert sp.post(f"/api/v1/records/{fid}/weed", {"remarks": "फिर"}).status_code == 409
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).where(Note.file_id == fid)) == 0
    assert db.scalar(sa.select(sa.func.count()).where(Draft.file_id == fid)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(DraftVersion)) == 0
    assert (
        db.scalar(
            sa.select(sa.func.count()).where(
                Attachment.owner_kind == "file", Attachment.owner_id == fid
            )
        )
        == 0
    )
    queued = {(k, i) for k, i in db.execute(sa.select(SearchOutbox.kind, SearchOutbox.obj_id))}
    assert ("file", fid) in queued and any(k == "note" for k, _ in queued)
    # the row, its number and its movement register stay; the tombstone and the audit event
    file = db.get(File, fid)
    assert file.status == "weeded" and file.number == f["number"]
    assert db.scalar(sa.select(sa.func.count()).where(Movement.file_id == fid)) >= 2
    stone_row = db.scalars(sa.select(WeededFile).where(WeededFile.file_id == fid)).one()
    assert stone_row.remarks == "तीन वर्ष पूर्ण; नष्ट करें"
    event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "file.weeded")).one()
    assert event.object_id == str(fid) and f["number"] in event.data
    verify = api("auditor").get("/api/v1/audit/verify").get_json()
    assert verify["ok"] is True
    weeded = api("auditor").get("/api/v1/records/weeded?office=SPO").get_json()
    assert [t["number"] for t in weeded["items"]] == [f["number"]]
    # the number is never given again
    again = new_file(sp, SUBJECT, category="C", **SP)
    assert again["number"] != f["number"]


def test_the_record_room_pages(client, auth, api, db):
    due = closed_c_file(api, db)
    auth.login("clerk")
    assert client.get("/records/review").status_code == 403
    auth.logout()
    auth.login("officer")
    page = client.get("/records/review?office=SPO")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert due["number"] in html and SUBJECT in html
    confirm = client.get(f"/records/{due['id']}/weed")
    assert confirm.status_code == 200
    token = csrf_from(confirm.get_data(as_text=True))
    # without the tick nothing happens
    resp = client.post(
        f"/records/{due['id']}/weed", data={"csrf_token": token, "remarks": "अवधि पूर्ण"}
    )
    assert resp.status_code == 422
    db.rollback()
    assert db.get(File, due["id"]).status == "closed"
    resp = client.post(
        f"/records/{due['id']}/weed",
        data={"csrf_token": token, "remarks": "अवधि पूर्ण", "confirm": "y"},
    )
    assert resp.status_code == 303
    weeded = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert due["number"] in weeded and "अवधि पूर्ण" in weeded
    assert client.get(f"/files/{due['id']}").status_code == 404
    auth.logout()
    auth.login("other")
    assert client.get(f"/records/{due['id']}/weed").status_code == 404


def test_the_file_page_shows_retention_and_review_date(client, auth, api, db):
    f = closed_c_file(api, db, due=False)
    auth.login("officer")
    html = client.get(f"/files/{f['id']}").get_data(as_text=True)
    assert 'id="file-retention" data-years="2"' in html and 'id="file-review-on"' in html
    new_page = client.get("/files/new").get_data(as_text=True)
    assert 'name="retention_years"' in new_page


def test_every_table_pointing_at_weeded_rows_is_handled():
    """Weeding deletes notes, drafts and their versions, correspondence entries and
    attachments (with their texts): a new table pointing at one of those must be handled by
    eoffice.files.records, or weeding would fail on its foreign key."""
    from eoffice.core.db import Base

    deleted = {"notes", "drafts", "draft_versions", "correspondence", "attachments"}
    handled = {"draft_versions", "correspondence", "attachment_texts"}
    pointing = {
        t.name
        for t in Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name in deleted and t.name not in deleted | {"attachment_texts"}
    }
    assert pointing <= handled, f"tables weeding does not handle: {pointing - handled}"
