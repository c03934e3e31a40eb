"""The hash-chained audit log catches rows changed or deleted behind the app's back."""

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eoffice.audit import service
from eoffice.audit.models import AuditEvent
from eoffice.cli import main


def events(db):
    db.rollback()
    return db.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()


def raw(db, sql, **params):
    db.rollback()
    db.execute(sa.text(sql), params)
    db.commit()


def test_every_organisation_change_and_login_is_an_event(org, db, auth):
    auth.login("clerk", "wrong password")
    auth.login("clerk")
    actions = [e.action for e in events(db)]
    assert actions.count("office.created") == 4
    assert actions.count("user.created") == 5
    assert actions.count("desk.handover") == 5  # one per desk given in the file
    assert "auth.login" in actions and "auth.login_failed" in actions
    assert service.verify(db).ok


def test_intact_chain_verifies(org, db, client, token_for):
    headers = token_for("auditor")
    resp = client.get("/api/v1/audit/verify", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["ok"] is True and body["events"] == len(events(db))
    assert "first_bad" not in body


@pytest.mark.parametrize(
    "column,value",
    [
        ("data", '{"code": "FORGED"}'),
        ("username", "someone-else"),
        ("action", "office.deleted"),
        ("at", "2020-01-01 00:00:00"),
    ],
)
def test_a_changed_row_is_caught(org, db, client, token_for, column, value):
    victim = events(db)[5]
    raw(db, f"UPDATE audit_events SET {column} = :v WHERE id = :id", v=value, id=victim.id)
    body = client.get("/api/v1/audit/verify", headers=token_for("admin")).get_json()
    assert body["ok"] is False
    assert body["first_bad"] == victim.id


def test_a_changed_row_with_recomputed_hash_breaks_the_next_link(org, db):
    evs = events(db)
    victim = evs[3]
    victim.username = "forger"
    victim.hash = victim.compute_hash()
    db.commit()
    # with the audit key, the changed row itself is caught: its seal no longer matches
    result = service.verify(db)
    assert not result.ok
    assert result.first_bad == victim.id and "seal" in result.reason
    # and the unkeyed chain still breaks at the next link, as before keys
    key, db.info["audit_key"] = db.info["audit_key"], None
    try:
        unkeyed = service.verify(db)
    finally:
        db.info["audit_key"] = key
    assert not unkeyed.ok
    assert unkeyed.first_bad == evs[4].id


def test_a_deleted_row_is_caught(org, db):
    evs = events(db)
    raw(db, "DELETE FROM audit_events WHERE id = :id", id=evs[2].id)
    result = service.verify(db)
    assert not result.ok
    assert result.first_bad == evs[3].id
    assert "missing" in result.reason


def test_deleting_the_newest_rows_is_caught(org, db):
    evs = events(db)
    raw(db, "DELETE FROM audit_events WHERE seq > :s", s=evs[-3].seq)
    result = service.verify(db)
    assert not result.ok
    assert "deleted" in result.reason


def test_cli_verify_reports_and_exits_nonzero(org, db, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("EOFFICE_DATABASE_URL", database_url)
    monkeypatch.setenv("EOFFICE_INSTANCE", str(tmp_path / "i"))
    runner = CliRunner()
    ok = runner.invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "chain intact" in ok.output
    victim = events(db)[1]
    raw(db, "UPDATE audit_events SET object_id = '999' WHERE id = :id", id=victim.id)
    bad = runner.invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"event {victim.id}" in bad.output


def test_only_auditors_and_admins_verify(org, client, token_for):
    assert client.get("/api/v1/audit/verify", headers=token_for("clerk")).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=token_for("officer")).status_code == 403
    assert client.get("/api/v1/audit/verify").status_code == 401


def test_audit_page_lists_and_verifies(org, client, auth):
    auth.login("auditor")
    page = client.get("/audit/?action=office.")
    assert page.status_code == 200
    assert "office.created" in page.get_data(as_text=True)
    resp = client.post("/audit/verify", data={"csrf_token": auth.csrf("/audit/")})
    assert resp.status_code == 200
    assert "flash-info" in resp.get_data(as_text=True)


@pytest.mark.postgres_only
def test_concurrent_writers_never_fork_the_chain(app, org):
    """Many threads append at once; the head row lock keeps one line of hashes."""
    maker = app.extensions["eoffice.db"].write_sessionmaker
    errors = []

    def writer(n):
        try:
            for i in range(10):
                with maker() as session:
                    service.record(session, "test.concurrent", username=f"t{n}", data={"i": i})
                    session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with maker() as session:
        result = service.verify(session)
        assert result.ok, result.reason
        count = session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "test.concurrent")
        )
        assert count == 60
