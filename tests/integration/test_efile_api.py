"""The e-file JSON API exactly as API.md says: receipts, files, notes, movement, drafts."""

import datetime as dt

import pytest
import sqlalchemy as sa

from eoffice.audit import service as audit_service
from eoffice.audit.models import AuditEvent
from tests.factories import new_file, receipt, receipt_body

YEAR = dt.date.today().year


# --- receipts ----------------------------------------------------------------------------------


def test_diarise_gives_numbers_per_office_and_year(api):
    clerk = api("clerk")
    first = clerk.post("/api/v1/receipts", receipt_body(full=True))
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["number"] == f"R/{YEAR}/000001"
    assert body["sender"]["name"] == "सुनीता देवी"
    assert body["subject"] == receipt_body(full=True)["subject"]
    assert body["status"] == "open" and body["file_id"] is None and body["attachments"] == []
    assert clerk.post("/api/v1/receipts", receipt_body(full=True)).get_json()["number"] == (
        f"R/{YEAR}/000002"
    )
    # another office counts on its own
    other = api("other").post("/api/v1/receipts", receipt_body(full=True)).get_json()
    assert other["number"] == f"R/{YEAR}/000001"
    fetched = clerk.get(f"/api/v1/receipts/{body['id']}").get_json()
    assert fetched == body


@pytest.mark.parametrize(
    "change,field",
    [
        ({"sender": {"designation": "x"}}, "sender.name"),
        ({"mode": "pigeon"}, "mode"),
        ({"received_on": "31-12-2026"}, "received_on"),
        ({"subject": ""}, "subject"),
        ({"sender": {"name": "x", "email": "not-an-email"}}, "sender.email"),
    ],
)
def test_bad_receipt_input_names_the_field(api, change, field):
    resp = api("clerk").post("/api/v1/receipts", receipt_body(full=True, **change))
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == field


def test_receipt_dated_in_the_future_is_refused(api):
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    resp = api("clerk").post("/api/v1/receipts", receipt_body(full=True, received_on=future))
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == "received_on"


def test_receipts_of_another_office_do_not_exist(api):
    rid = receipt(api("clerk"), full=True)["id"]
    assert api("other").get(f"/api/v1/receipts/{rid}").status_code == 404
    assert api("auditor").get(f"/api/v1/receipts/{rid}").status_code == 200


def test_auditor_and_admin_cannot_diarise(api):
    assert api("auditor").post("/api/v1/receipts", receipt_body(full=True)).status_code == 403
    assert api("admin").post("/api/v1/receipts", receipt_body(full=True)).status_code == 403


def test_receipt_sent_to_a_desk_and_closed(api):
    clerk = api("clerk")
    rid = receipt(clerk, full=True)["id"]
    resp = clerk.post(f"/api/v1/receipts/{rid}/send", {"to": "SPO-SP"})
    assert resp.status_code == 200 and resp.get_json()["holder"] == "SPO-SP"
    # no longer the clerk's to move
    assert clerk.post(f"/api/v1/receipts/{rid}/close", {}).status_code == 409
    officer = api("officer")
    resp = officer.post(f"/api/v1/receipts/{rid}/close", {"desk": "SPO-SP", "remarks": "निस्तारित"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "closed"


# --- files and notes ---------------------------------------------------------------------------


def test_open_a_file_from_receipts(api):
    clerk = api("clerk")
    r1 = receipt(clerk, full=True)
    r2 = receipt(clerk, "दूसरा पत्र", full=True)
    file = new_file(clerk, receipt_ids=[r1["id"], r2["id"]], priority="immediate")
    assert file["number"] == f"11/1/{YEAR}-Estt"
    assert file["holder"] == "SPO-HC" and file["status"] == "open" and file["version"] >= 1
    assert [(c["page"], c["kind"], c["id"]) for c in file["correspondence"]] == [
        (1, "receipt", r1["id"]),
        (2, "receipt", r2["id"]),
    ]
    assert file["movements"][0]["kind"] == "created"
    assert clerk.get(f"/api/v1/receipts/{r1['id']}").get_json()["file_id"] == file["id"]
    # same head, next serial; another head starts again
    assert new_file(clerk)["number"] == f"11/2/{YEAR}-Estt"
    assert new_file(clerk, head="14")["number"] == f"14/1/{YEAR}-Estt"
    # a receipt already filed cannot go into another file
    resp = clerk.post(
        "/api/v1/files", {"subject": "x", "head": "11", "category": "C", "receipt_ids": [r1["id"]]}
    )
    assert resp.status_code == 409


@pytest.mark.parametrize(
    "change,field",
    [({"category": "D"}, "category"), ({"head": ""}, "head"), ({"priority": "urgent"}, "priority")],
)
def test_bad_file_input(api, change, field):
    body = {"subject": "विषय", "head": "11", "category": "A", **change}
    resp = api("clerk").post("/api/v1/files", body)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["field"] == field


def test_notes_number_on_and_become_final_when_the_file_moves(api):
    clerk = api("clerk")
    file = new_file(clerk)
    fid = file["id"]
    n1 = clerk.post(f"/api/v1/files/{fid}/notes", {"text": "प्रस्तुत है। कृपया C/1 देखें।"})
    assert n1.status_code == 201
    assert n1.get_json()["number"] == 1 and n1.get_json()["final"] is False
    assert (
        clerk.post(f"/api/v1/files/{fid}/notes", {"text": "Second para"}).get_json()["number"] == 2
    )
    edited = clerk.put(f"/api/v1/files/{fid}/notes/1", {"text": "संशोधित टिप्पणी"})
    assert edited.status_code == 200 and edited.get_json()["text"] == "संशोधित टिप्पणी"
    assert clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"}).status_code == 200
    final = clerk.put(f"/api/v1/files/{fid}/notes/1", {"text": "change after sending"})
    assert final.status_code == 409
    assert final.get_json()["error"]["code"] == "note_final"
    officer = api("officer")
    body = officer.get(f"/api/v1/files/{fid}?desk=SPO-SP").get_json()
    assert [(n["number"], n["text"], n["final"]) for n in body["notes"]] == [
        (1, "संशोधित टिप्पणी", True),
        (2, "Second para", True),
    ]
    # the officer continues the numbering, and cannot edit the clerk's notes
    n3 = officer.post(f"/api/v1/files/{fid}/notes", {"text": "स्वीकृत", "desk": "SPO-SP"})
    assert n3.get_json()["number"] == 3
    other = officer.put(f"/api/v1/files/{fid}/notes/2", {"text": "x", "desk": "SPO-SP"})
    assert other.status_code == 409
    # even an admin cannot change a final note: there is no route that could
    assert api("admin").put(f"/api/v1/files/{fid}/notes/1", {"text": "x"}).status_code == 404


def test_only_the_holding_desk_acts(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    for path, body in [
        (f"/api/v1/files/{fid}/notes", {"text": "x"}),
        (f"/api/v1/files/{fid}/send", {"to": "PS1-SHO"}),
        (f"/api/v1/files/{fid}/park", {}),
    ]:
        resp = clerk.post(path, body)
        assert resp.status_code == 409, path
        assert resp.get_json()["error"]["code"] == "not_holder"
    # the officer holds two desks and must say which one acts
    resp = officer.post(f"/api/v1/files/{fid}/notes", {"text": "x"})
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "desk_required"
    resp = officer.post(f"/api/v1/files/{fid}/notes", {"text": "x", "desk": "PS1-SHO"})
    assert resp.status_code == 409
    assert (
        officer.post(f"/api/v1/files/{fid}/notes", {"text": "x", "desk": "SPO-SP"}).status_code
        == 201
    )


def test_send_inbox_open_and_pull_back(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    sent = clerk.post(
        f"/api/v1/files/{fid}/send",
        {
            "to": "SPO-SP",
            "remarks": "अवलोकनार्थ",
            "priority": "most_immediate",
            "due_on": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert sent.status_code == 200
    assert sent.get_json()["holder"] == "SPO-SP" and sent.get_json()["priority"] == "most_immediate"
    inbox = officer.get("/api/v1/inbox?desk=SPO-SP").get_json()["items"]
    assert [(i["id"], i["from"], i["opened"], i["overdue"]) for i in inbox] == [
        (fid, "SPO-HC", False, False)
    ]
    assert inbox[0]["priority"] == "most_immediate"
    assert clerk.get("/api/v1/sent").get_json()["items"][0]["to"] == "SPO-SP"
    # pull back while unopened
    assert clerk.post(f"/api/v1/files/{fid}/pull-back", {}).status_code == 200
    assert officer.get("/api/v1/inbox?desk=SPO-SP").get_json()["items"] == []
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    # reading it at the holding desk opens it; then no pull back
    body = officer.get(f"/api/v1/files/{fid}?desk=SPO-SP").get_json()
    assert body["movements"][-1]["opened_at"] is not None
    assert officer.get("/api/v1/inbox?desk=SPO-SP").get_json()["items"][0]["opened"] is True
    late = clerk.post(f"/api/v1/files/{fid}/pull-back", {})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "already_opened"
    register = [(m["kind"], m["from"], m["to"], m["by"]) for m in body["movements"]]
    assert register == [
        ("created", None, "SPO-HC", "clerk"),
        ("sent", "SPO-HC", "SPO-SP", "clerk"),
        ("pulled_back", "SPO-SP", "SPO-HC", "clerk"),
        ("sent", "SPO-HC", "SPO-SP", "clerk"),
    ]


def test_a_file_read_by_someone_else_stays_unopened(api):
    clerk = api("clerk")
    fid = new_file(clerk)["id"]
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    api("auditor").get(f"/api/v1/files/{fid}")
    clerk.get(f"/api/v1/files/{fid}")
    assert clerk.post(f"/api/v1/files/{fid}/pull-back", {}).status_code == 200


def test_send_to_bad_desks(api):
    clerk = api("clerk")
    fid = new_file(clerk)["id"]
    assert (
        clerk.post(f"/api/v1/files/{fid}/send", {"to": "NOPE"}).get_json()["error"]["field"] == "to"
    )
    assert clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-HC"}).status_code == 422
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    resp = clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP", "due_on": past})
    assert resp.status_code == 422 and resp.get_json()["error"]["field"] == "due_on"


def test_park_close_reopen(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    assert clerk.post(f"/api/v1/files/{fid}/park", {}).get_json()["status"] == "parked"
    assert clerk.post(f"/api/v1/files/{fid}/park", {}).status_code == 409
    assert clerk.post(f"/api/v1/files/{fid}/close", {"remarks": "x"}).status_code == 403
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    o = {"desk": "SPO-SP"}
    assert officer.post(f"/api/v1/files/{fid}/close", o).status_code == 422  # remarks needed
    closed = officer.post(f"/api/v1/files/{fid}/close", {**o, "remarks": "कार्यवाही पूर्ण"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    for path in ("notes", "park", "close"):
        resp = officer.post(f"/api/v1/files/{fid}/{path}", {**o, "text": "x", "remarks": "x"})
        assert resp.status_code == 409, path
    assert (
        officer.post(f"/api/v1/files/{fid}/reopen", {**o, "remarks": "पुनः जांच"}).get_json()[
            "status"
        ]
        == "open"
    )
    assert officer.post(f"/api/v1/files/{fid}/reopen", {**o, "remarks": "again"}).status_code == 409


def test_stale_version_is_409(api):
    clerk = api("clerk")
    file = new_file(clerk)
    fid, version = file["id"], file["version"]
    assert (
        clerk.post(f"/api/v1/files/{fid}/notes", {"text": "एक", "version": version}).status_code
        == 201
    )
    stale = clerk.post(f"/api/v1/files/{fid}/notes", {"text": "दो", "version": version})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    fresh = clerk.get(f"/api/v1/files/{fid}").get_json()["version"]
    assert (
        clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP", "version": fresh}).status_code
        == 200
    )


def test_who_sees_a_file(api):
    clerk = api("clerk")
    fid = new_file(clerk)["id"]
    assert api("other").get(f"/api/v1/files/{fid}").status_code == 404
    assert api("officer").get(f"/api/v1/files/{fid}").status_code == 404  # not passed through yet
    assert api("auditor").get(f"/api/v1/files/{fid}").status_code == 200  # range contains SPO
    assert api("admin").get(f"/api/v1/files/{fid}").status_code == 404
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    assert api("officer").get(f"/api/v1/files/{fid}").status_code == 200
    assert api("other").post(f"/api/v1/files/{fid}/notes", {"text": "x"}).status_code == 404
    assert api("clerk").get("/api/v1/files/999999").status_code == 404


def test_overdue_is_flagged(api, db):
    from eoffice.files.models import File, Movement

    clerk, officer = api("clerk"), api("officer")
    f1, f2 = new_file(clerk)["id"], new_file(clerk)["id"]
    for fid in (f1, f2):
        clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    db.rollback()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=12)
    db.execute(
        sa.update(Movement)
        .where(Movement.file_id == f1, Movement.kind == "sent")
        .values(at=long_ago)
    )
    db.execute(
        sa.update(Movement)
        .where(Movement.file_id == f2, Movement.kind == "sent")
        .values(due_on=dt.date.today() - dt.timedelta(days=1))
    )
    # the desk's clock on each file (set when it arrived): as the sends would have left it
    db.execute(sa.update(File).where(File.id == f1).values(clock_from=long_ago))
    db.execute(
        sa.update(File).where(File.id == f2).values(due_on=dt.date.today() - dt.timedelta(days=1))
    )
    db.commit()
    f3 = new_file(clerk)["id"]
    clerk.post(f"/api/v1/files/{f3}/send", {"to": "SPO-SP"})
    items = {
        i["id"]: i["overdue"] for i in officer.get("/api/v1/inbox?desk=SPO-SP").get_json()["items"]
    }
    assert items == {f1: True, f2: True, f3: False}


def test_inbox_paginates_and_sorts(api):
    clerk, officer = api("clerk"), api("officer")
    ids = []
    for i, prio in enumerate(["normal", "most_immediate", "priority", "immediate", "normal"]):
        fid = new_file(clerk, subject=f"फ़ाइल {i}")["id"]
        clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP", "priority": prio})
        ids.append(fid)
    page1 = officer.get("/api/v1/inbox?desk=SPO-SP&per_page=2").get_json()
    assert page1["total"] == 5 and [i["id"] for i in page1["items"]] == [ids[4], ids[3]]
    page3 = officer.get("/api/v1/inbox?desk=SPO-SP&per_page=2&page=3").get_json()
    assert [i["id"] for i in page3["items"]] == [ids[0]]
    by_prio = officer.get("/api/v1/inbox?desk=SPO-SP&sort=priority").get_json()["items"]
    assert [i["priority"] for i in by_prio][:2] == ["most_immediate", "immediate"]
    assert officer.get("/api/v1/inbox?desk=SPO-SP&page=0").status_code == 422
    assert officer.get("/api/v1/inbox?desk=SPO-SP&page=x").status_code == 422


# --- drafts ------------------------------------------------------------------------------------


def test_draft_versions_approval_and_issue(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    draft = clerk.post(
        f"/api/v1/files/{fid}/drafts",
        {"title": "अवकाश स्वीकृति पत्र", "body": "महोदय,\nआपका अवकाश स्वीकृत।"},
    )
    assert draft.status_code == 201
    did = draft.get_json()["id"]
    assert draft.get_json()["version"] == 1 and draft.get_json()["status"] == "draft"
    v2 = clerk.put(f"/api/v1/drafts/{did}", {"body": "महोदय,\nआपका 3 दिन का अवकाश स्वीकृत।"})
    assert v2.get_json()["version"] == 2
    stale = clerk.put(f"/api/v1/drafts/{did}", {"body": "x", "version": 1})
    assert stale.status_code == 409
    versions = clerk.get(f"/api/v1/drafts/{did}/versions").get_json()
    assert [(v["version"], v["author"]) for v in versions] == [(1, "clerk"), (2, "clerk")]
    assert versions[0]["body"] == "महोदय,\nआपका अवकाश स्वीकृत।"
    assert clerk.post(f"/api/v1/drafts/{did}/approve", {}).status_code == 403
    assert clerk.post(f"/api/v1/drafts/{did}/issue", {}).status_code == 409  # not approved
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    o = {"desk": "SPO-SP"}
    approved = officer.post(f"/api/v1/drafts/{did}/approve", o)
    assert approved.status_code == 200
    assert approved.get_json() == {"id": did, "status": "approved", "version": 2}
    issued = officer.post(f"/api/v1/drafts/{did}/issue", o).get_json()
    assert issued["status"] == "issued"
    assert issued["dispatch_number"] == f"SPO/D/{YEAR}/00001"
    assert officer.post(f"/api/v1/drafts/{did}/issue", o).status_code == 409
    assert officer.put(f"/api/v1/drafts/{did}", {**o, "body": "late"}).status_code == 409
    file = officer.get(f"/api/v1/files/{fid}?desk=SPO-SP").get_json()
    assert file["correspondence"][-1] == {
        "page": 1,
        "label": "C/1",
        "kind": "issued",
        "id": did,
        "title": "अवकाश स्वीकृति पत्र",
        "pdf": issued["pdf"],  # the letter as issued, stored in the object store
    }
    assert issued["pdf"].startswith("/api/v1/attachments/")
    assert file["drafts"][0]["dispatch_number"] == issued["dispatch_number"]
    # the issued text is in the audit log
    assert api("auditor").get("/api/v1/audit/verify").get_json()["ok"] is True


def test_an_edit_after_approval_needs_a_new_approval(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    did = clerk.post(f"/api/v1/files/{fid}/drafts", {"title": "t", "body": "b1"}).get_json()["id"]
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    o = {"desk": "SPO-SP"}
    officer.post(f"/api/v1/drafts/{did}/approve", o)
    assert officer.put(f"/api/v1/drafts/{did}", {**o, "body": "b2"}).get_json()["status"] == "draft"
    assert officer.post(f"/api/v1/drafts/{did}/issue", o).status_code == 409


def test_every_action_is_in_the_audit_chain(api, db):
    clerk = api("clerk")
    rid = receipt(clerk, full=True)["id"]
    file = new_file(clerk, receipt_ids=[rid])
    clerk.post(f"/api/v1/files/{file['id']}/notes", {"text": "टिप्पणी"})
    clerk.post(f"/api/v1/files/{file['id']}/send", {"to": "SPO-SP"})
    db.rollback()
    actions = [
        e.action
        for e in db.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action.in_(
                    ["receipt.diarised", "file.created", "note.added", "file.sent"]
                )
            )
            .order_by(AuditEvent.seq)
        )
    ]
    assert actions == ["receipt.diarised", "file.created", "note.added", "file.sent"]
    assert audit_service.verify(db).ok


# --- parking and taking back into work ---------------------------------------------------------


def test_unpark_takes_a_parked_file_back_into_the_inbox(api, db):
    clerk = api("clerk")
    fid = new_file(clerk)["id"]
    parked = clerk.post(f"/api/v1/files/{fid}/park", {"remarks": "रिपोर्ट की प्रतीक्षा"}).get_json()
    assert parked["status"] == "parked"
    assert clerk.get("/api/v1/inbox").get_json()["items"] == []
    assert [i["id"] for i in clerk.get("/api/v1/inbox?status=parked").get_json()["items"]] == [fid]
    resp = clerk.post(
        f"/api/v1/files/{fid}/unpark", {"remarks": "रिपोर्ट मिली", "version": parked["version"]}
    )
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "open" and body["holder"] == "SPO-HC"
    assert body["version"] > parked["version"]
    assert [(m["kind"], m["from"], m["to"], m["remarks"]) for m in body["movements"]][1:] == [
        ("parked", "SPO-HC", "SPO-HC", "रिपोर्ट की प्रतीक्षा"),
        ("unparked", "SPO-HC", "SPO-HC", "रिपोर्ट मिली"),
    ]
    assert [i["id"] for i in clerk.get("/api/v1/inbox").get_json()["items"]] == [fid]
    # an open file is not parked: nothing to take back
    again = clerk.post(f"/api/v1/files/{fid}/unpark", {})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_parked"
    db.rollback()
    event = db.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "file.unpark").order_by(AuditEvent.seq)
    ).one()
    assert event.object_id == str(fid) and event.desk_code == "SPO-HC"
    assert audit_service.verify(db).ok


def test_unpark_only_by_the_holding_desk_and_at_the_current_version(api):
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    o = {"desk": "SPO-SP"}
    parked = officer.post(f"/api/v1/files/{fid}/park", o).get_json()
    # the clerk sees the file but does not hold it
    wrong = clerk.post(f"/api/v1/files/{fid}/unpark", {})
    assert wrong.status_code == 409 and wrong.get_json()["error"]["code"] == "not_holder"
    wrong_desk = officer.post(f"/api/v1/files/{fid}/unpark", {"desk": "PS1-SHO"})
    assert wrong_desk.status_code == 409
    assert wrong_desk.get_json()["error"]["code"] == "not_holder"
    # a note meanwhile moves the version on: the old version is stale
    assert officer.post(f"/api/v1/files/{fid}/notes", {**o, "text": "प्रतीक्षा"}).status_code == 201
    stale = officer.post(f"/api/v1/files/{fid}/unpark", {**o, "version": parked["version"]})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    assert stale.get_json()["error"]["message"].startswith(f"file {parked['number']} was changed")
    assert officer.get(f"/api/v1/files/{fid}?desk=SPO-SP").get_json()["status"] == "parked"
    assert officer.post(f"/api/v1/files/{fid}/unpark", o).get_json()["status"] == "open"


def test_a_parked_file_stays_on_the_desk_and_can_be_worked(api):
    """DOMAIN.md: parking only sets the file aside; its holder still notes, sends or closes it."""
    clerk, officer = api("clerk"), api("officer")
    fid = new_file(clerk)["id"]
    clerk.post(f"/api/v1/files/{fid}/park", {})
    assert clerk.post(f"/api/v1/files/{fid}/notes", {"text": "स्थगित रहते"}).status_code == 201
    assert clerk.get(f"/api/v1/files/{fid}").get_json()["status"] == "parked"
    sent = clerk.post(f"/api/v1/files/{fid}/send", {"to": "SPO-SP"})
    assert sent.status_code == 200 and sent.get_json()["status"] == "open"
    assert [i["id"] for i in officer.get("/api/v1/inbox?desk=SPO-SP").get_json()["items"]] == [fid]
    o = {"desk": "SPO-SP"}
    officer.post(f"/api/v1/files/{fid}/park", o)
    closed = officer.post(f"/api/v1/files/{fid}/close", {**o, "remarks": "निस्तारित"})
    assert closed.get_json()["status"] == "closed"
    resp = officer.post(f"/api/v1/files/{fid}/unpark", o)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "file_closed"


# --- where files and receipts may be sent ------------------------------------------------------


@pytest.fixture
def spare_desks(org, db):
    """A desk nobody holds at present and a desk no longer in use, both in the SP office."""
    from eoffice.org.models import Desk, Office

    spo = db.scalars(sa.select(Office).where(Office.code == "SPO")).one()
    db.add_all(
        [
            Desk(code="SPO-VACANT", title="Reader (vacant)", office_id=spo.id),
            Desk(code="SPO-OLD", title="Old desk", office_id=spo.id, active=False),
        ]
    )
    db.commit()


@pytest.mark.parametrize("kind", ["file", "receipt"])
def test_send_targets_are_checked_alike_for_files_and_receipts(api, spare_desks, kind):
    clerk = api("clerk")
    if kind == "file":
        path = f"/api/v1/files/{new_file(clerk)['id']}/send"
    else:
        rid = receipt(clerk, full=True)["id"]
        path = f"/api/v1/receipts/{rid}/send"
    for to, code in [
        ("NOPE", "unknown_desk"),
        ("SPO-OLD", "desk_inactive"),
        ("SPO-HC", "same_desk"),
    ]:
        resp = clerk.post(path, {"to": to})
        assert resp.status_code == 422, (to, resp.get_json())
        error = resp.get_json()["error"]
        assert (error["code"], error["field"]) == (code, "to"), to
        assert error["message"]  # the service's English text, unchanged for API clients
    assert "SPO-OLD" in clerk.post(path, {"to": "SPO-OLD"}).get_json()["error"]["message"]
    # desks, not people: a desk nobody holds now still receives, and waits for its holder
    resp = clerk.post(path, {"to": "SPO-VACANT"})
    assert resp.status_code == 200 and resp.get_json()["holder"] == "SPO-VACANT"
    # from there on the clerk no longer holds it: that is a conflict, not bad input
    resp = clerk.post(path, {"to": "SPO-SP"})
    assert resp.status_code == 409
