"""Concurrent requests: numbers never duplicate, and of two officers acting on one file at once
exactly one wins while the other gets 409. Real threads against the real server code."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from eoffice.files.models import Movement
from eoffice.notings.models import Note

YEAR = dt.date.today().year


def run_together(n, fn):
    """Start n threads at the same instant; return their results in order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # reported through the results, never lost in a thread
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def tokens(app, org, token_for):
    return {name: token_for(name) for name in ("clerk", "officer")}


def test_two_clerks_diarising_at_once_get_distinct_numbers(app, tokens):
    def diarise(i):
        client = app.test_client()
        resp = client.post(
            "/api/v1/receipts",
            headers=tokens["clerk"],
            json={
                "subject": f"डाक {i}",
                "sender": {"name": "प्रेषक"},
                "mode": "post",
                "received_on": dt.date.today().isoformat(),
            },
        )
        return resp.status_code, resp.get_json().get("number")

    results = run_together(12, diarise)
    assert all(status == 201 for status, _ in results), results
    numbers = sorted(number for _, number in results)
    assert numbers == [f"R/{YEAR}/{i:06d}" for i in range(1, 13)]


def test_files_opened_at_once_get_distinct_numbers(app, tokens):
    def create(i):
        resp = app.test_client().post(
            "/api/v1/files",
            headers=tokens["clerk"],
            json={"subject": f"पत्रावली {i}", "head": "11", "category": "C"},
        )
        return resp.status_code, resp.get_json().get("number")

    results = run_together(8, create)
    assert all(status == 201 for status, _ in results), results
    assert sorted(int(n.split("/")[1]) for _, n in results) == list(range(1, 9))


def _file_at_officer(app, tokens):
    client = app.test_client()
    file = client.post(
        "/api/v1/files",
        headers=tokens["clerk"],
        json={"subject": "समवर्ती", "head": "5", "category": "A"},
    ).get_json()
    client.post(f"/api/v1/files/{file['id']}/send", headers=tokens["clerk"], json={"to": "SPO-SP"})
    body = client.get(f"/api/v1/files/{file['id']}?desk=SPO-SP", headers=tokens["officer"])
    return body.get_json()


def test_two_sends_of_the_same_version_one_wins(app, tokens, db):
    file = _file_at_officer(app, tokens)
    targets = ["SPO-HC", "PS1-SHO"]

    def send(i):
        resp = app.test_client().post(
            f"/api/v1/files/{file['id']}/send",
            headers=tokens["officer"],
            json={
                "to": targets[i],
                "version": file["version"],
                "desk": "SPO-SP",
                "remarks": f"प्रेषित {i}",
            },
        )
        return resp.status_code, resp.get_json()

    results = run_together(2, send)
    statuses = sorted(s for s, _ in results)
    assert statuses == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["error"]["code"] in ("stale_version", "not_holder")
    db.rollback()
    sends = db.scalars(
        sa.select(Movement).where(Movement.file_id == file["id"], Movement.kind == "sent")
    ).all()
    assert len(sends) == 2  # the clerk's and the one winner's


def test_two_notes_at_once_on_one_version_one_wins(app, tokens, db):
    file = _file_at_officer(app, tokens)

    def note(i):
        resp = app.test_client().post(
            f"/api/v1/files/{file['id']}/notes",
            headers=tokens["officer"],
            json={"text": f"टिप्पणी {i}", "version": file["version"], "desk": "SPO-SP"},
        )
        return resp.status_code

    assert sorted(run_together(2, note)) == [201, 409]
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).where(Note.file_id == file["id"])) == 1


def test_notes_without_a_version_all_land_with_distinct_numbers(app, tokens, db):
    """Without a version the writes queue up (SQLite) or collide (PostgreSQL, then 409):
    never a duplicate paragraph number, never a 500."""
    file = _file_at_officer(app, tokens)

    def note(i):
        return (
            app.test_client()
            .post(
                f"/api/v1/files/{file['id']}/notes",
                headers=tokens["officer"],
                json={"text": f"टिप्पणी {i}", "desk": "SPO-SP"},
            )
            .status_code
        )

    statuses = run_together(6, note)
    assert set(statuses) <= {201, 409} and 201 in statuses
    db.rollback()
    numbers = db.scalars(
        sa.select(Note.number).where(Note.file_id == file["id"]).order_by(Note.number)
    ).all()
    assert numbers == list(range(1, statuses.count(201) + 1))


def test_opening_a_file_waits_for_a_writer_instead_of_failing(app, tokens, db):
    """Reading a file at its desk marks it opened: a read that becomes a write. While another
    request holds the write lock it waits its turn; it neither fails as busy nor loses the mark."""
    import time

    client = app.test_client()
    file = client.post(
        "/api/v1/files",
        headers=tokens["clerk"],
        json={"subject": "प्रतीक्षा", "head": "6", "category": "C"},
    ).get_json()
    client.post(f"/api/v1/files/{file['id']}/send", headers=tokens["clerk"], json={"to": "SPO-SP"})
    writer = app.extensions["eoffice.db"].write_sessionmaker()
    writer.execute(sa.text("UPDATE files SET subject = subject WHERE id = :id"), {"id": file["id"]})
    result = {}

    def read():
        resp = app.test_client().get(
            f"/api/v1/files/{file['id']}?desk=SPO-SP", headers=tokens["officer"]
        )
        result["status"] = resp.status_code

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.5)  # the reader is now waiting on the writer's lock
    writer.commit()
    writer.close()
    thread.join(timeout=60)
    assert result["status"] == 200
    db.rollback()
    last = db.scalars(
        sa.select(Movement).where(Movement.file_id == file["id"]).order_by(Movement.id.desc())
    ).first()
    assert last.opened_at is not None


def _receipt_on_clerks_desk(app, tokens) -> dict:
    return (
        app.test_client()
        .post(
            "/api/v1/receipts",
            headers=tokens["clerk"],
            json={
                "subject": "समवर्ती डाक",
                "sender": {"name": "प्रेषक"},
                "mode": "post",
                "received_on": dt.date.today().isoformat(),
            },
        )
        .get_json()
    )


def test_two_sends_of_one_receipt_at_once_one_wins(app, tokens, db):
    """The receipt's row is locked for the write and carries a version: of two desks' sends at
    the same instant exactly one lands; the other is told (409), and the audit log has one."""
    from eoffice.audit.models import AuditEvent
    from eoffice.receipts.models import Receipt

    receipt = _receipt_on_clerks_desk(app, tokens)
    targets = ["SPO-SP", "PS1-SHO"]

    def send(i):
        resp = app.test_client().post(
            f"/api/v1/receipts/{receipt['id']}/send",
            headers=tokens["clerk"],
            json={"to": targets[i], "remarks": f"प्रेषित {i}"},
        )
        return resp.status_code, resp.get_json()

    results = run_together(2, send)
    assert sorted(s for s, _ in results) == [200, 409], results
    loser = next(body for s, body in results if s == 409)
    assert loser["error"]["code"] in ("stale_version", "not_holder")
    winner = next(body for s, body in results if s == 200)
    db.rollback()
    row = db.get(Receipt, receipt["id"])
    assert row.holder_desk_id is not None and winner["holder"] in targets
    assert row.version == 2  # diarised, then sent once
    sent = db.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "receipt.sent", AuditEvent.object_id == str(receipt["id"])
        )
    ).all()
    assert len(sent) == 1


def test_a_receipt_changed_under_a_writer_is_a_409_not_a_lost_update(app, db, org):
    """Without waiting on the lock (a writer that read the receipt before the other committed),
    the version column refuses the stale write."""
    from eoffice.core import uow
    from eoffice.core.errors import Conflict
    from eoffice.receipts.models import Receipt
    from tests.factories import make_receipt

    receipt = make_receipt(db)
    database = app.extensions["eoffice.db"]
    first, second = database.sessionmaker(), database.sessionmaker()
    try:
        mine = first.get(Receipt, receipt.id)
        first.commit()  # what a page showed earlier: read, the request long over
        theirs = second.get(Receipt, receipt.id)
        theirs.remarks = "बदला"
        uow.commit(second)
        mine.remarks = "मेरा"
        with pytest.raises(Conflict) as refused:
            uow.commit(first)
        assert refused.value.code == "stale_version"
    finally:
        first.close()
        second.close()
    db.refresh(receipt)
    assert receipt.remarks == "बदला" and receipt.version == 2
