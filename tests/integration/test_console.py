"""Every `eoffice` command as a user runs it: the installed console script, a fresh process, the
instance folder and database from the environment (no test fixtures imported in the process)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_run import free_port, wait_healthy

BIN = Path(sys.executable).parent / "eoffice"
pytestmark = pytest.mark.skipif(not BIN.exists(), reason="the console script is not installed")


@pytest.fixture
def shell(tmp_path, database_url, s3_server):
    """eoffice(args...) -> CompletedProcess, against the test database and S3 server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env.update(
        EOFFICE_INSTANCE=str(tmp_path / "instance"),
        EOFFICE_DATABASE_URL=database_url,
        EOFFICE_S3_ENDPOINT=s3_server.endpoint,
        EOFFICE_S3_ACCESS_KEY=s3_server.access_key,
        EOFFICE_S3_SECRET_KEY=s3_server.secret_key,
        EOFFICE_S3_BUCKET="eoffice-console",
        EOFFICE_INDEX_DIR=str(tmp_path / "index"),
    )

    def run(*args, stdin: str | None = None, timeout: float = 300):
        return subprocess.run(
            [str(BIN), *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    run.env = env
    return run


def test_every_command_runs_from_the_shell(shell, tmp_path):
    assert "run" in shell("--help").stdout
    current = shell("db", "current")
    assert current.returncode == 0, current.stderr
    assert shell("db", "upgrade").returncode == 0
    demo = shell("demo")
    assert demo.returncode == 0, demo.stderr
    assert "sp.knj" in demo.stdout and "created 4 demo files" in demo.stdout
    again = shell("demo", "--if-empty")
    assert again.returncode == 0 and "already has users" in again.stdout
    org = tmp_path / "org.yaml"
    org.write_text(
        "offices: []\ndesks: [{code: NEW-1, title: नया डेस्क, office: SPKNJ}]\nusers: []\n",
        encoding="utf-8",
    )
    loaded = shell("org", "load", str(org))
    assert loaded.returncode == 0, loaded.stderr
    verify = shell("audit", "verify")
    assert verify.returncode == 0 and "chain intact" in verify.stdout
    for args in (("storage", "check"), ("storage", "sweep", "--dry-run")):
        done = shell(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    sweep = shell("storage", "sweep", "--yes")
    assert sweep.returncode == 0, sweep.stderr
    rebuilt = shell("search", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "indexed" in rebuilt.stdout
    status = shell("search", "status")
    assert status.returncode == 0 and "documents:" in status.stdout
    once = shell("worker", "--once")
    assert once.returncode == 0, once.stderr
    down = shell("db", "downgrade", "a0000000p006")  # through 0008 and 0007, with data
    assert down.returncode == 0, down.stderr
    up = shell("db", "upgrade")
    assert up.returncode == 0, up.stderr
    verify = shell("audit", "verify")
    assert verify.returncode == 0, verify.stderr


def test_a_bad_org_file_is_refused_with_a_message_not_a_traceback(shell, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("offices: [unclosed\n", encoding="utf-8")
    done = shell("org", "load", str(bad))
    assert done.returncode == 1
    assert "refused, nothing was loaded" in done.stderr and "Traceback" not in done.stderr


def test_kill_9_of_eoffice_run_takes_its_s3_server_along(tmp_path):
    """The embedded store dies with the process that started it, however that one dies, so the
    next start does not find the data folder taken."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env["EOFFICE_INSTANCE"] = str(tmp_path / "instance")
    data = tmp_path / "instance" / "s3" / "data"

    def start():
        port = free_port()
        proc = subprocess.Popen(
            [str(BIN), "run", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(port, proc)
        return proc

    def weeds() -> bytes:
        return subprocess.run(["pgrep", "-f", "--", f"-dir={data}"], capture_output=True).stdout

    first = start()
    assert weeds() != b""
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    deadline = time.monotonic() + 20
    while weeds() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert weeds() == b"", "weed mini outlived eoffice run"
    second = start()  # the folder is free again
    try:
        info = json.loads((tmp_path / "instance" / "s3" / "running.json").read_text())
        assert info["pid"] != first.pid
    finally:
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=30)
    assert second.returncode == 0


def test_jobs_status_and_retry_from_the_shell(shell, database_url):
    import sqlalchemy as sa

    from eoffice.core.db import utcnow
    from eoffice.core.jobs import Job

    empty = shell("jobs", "status")
    assert empty.returncode == 0, empty.stderr
    assert "oldest waiting: none" in empty.stdout and "dead: 0" in empty.stdout
    now = utcnow()
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            common = {"payload": {}, "max_attempts": 8, "run_at": now, "created_at": now}
            common.update(finished_at=None, last_error=None)
            conn.execute(
                sa.insert(Job.__table__),
                [
                    {
                        **common,
                        "id": 41,
                        "name": "mail.send",
                        "status": "dead",
                        "attempts": 8,
                        "finished_at": now,
                        "last_error": "ConnectionRefusedError: [Errno 111] Connection refused",
                    },
                    {**common, "id": 42, "name": "sms.send", "status": "queued", "attempts": 0},
                ],
            )
    finally:
        engine.dispose()
    status = shell("jobs", "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert any(line.split() == ["mail.send", "0", "0", "0", "1"] for line in lines), lines
    assert any(line.split() == ["sms.send", "1", "0", "0", "0"] for line in lines), lines
    assert "oldest waiting: job 42 sms.send" in status.stdout
    assert "job 41 mail.send after 8 attempts" in status.stdout
    assert "Connection refused" in status.stdout
    retried = shell("jobs", "retry", "41")
    assert retried.returncode == 0 and "job 41 (mail.send) is queued again" in retried.stdout
    again = shell("jobs", "retry", "42")
    assert again.returncode == 1 and "is queued, not dead" in again.stderr
    assert "Traceback" not in again.stderr
    after = shell("jobs", "status")
    assert "dead: 0" in after.stdout


def test_sla_sweep_as_of_from_the_shell(shell, tmp_path):
    """`eoffice sla sweep --as-of` escalates an overdue complaint and says what moved; a time
    without a zone is refused with a message."""
    import yaml

    from tests.integration.test_complaints import BODY, LADDER_ORG

    org = tmp_path / "ladder.yaml"
    org.write_text(yaml.safe_dump(LADDER_ORG, allow_unicode=True), encoding="utf-8")
    assert shell("org", "load", str(org)).returncode == 0
    import datetime as dt

    from eoffice.complaints import service
    from eoffice.core.db import Database
    from eoffice.core.uow import unit_of_work

    database = Database(shell.env["EOFFICE_DATABASE_URL"])
    settings = service.Settings(key="console-test-key")
    with unit_of_work(database) as session:
        reg = service.register(session, settings, dict(BODY))
        due = reg.complaint.due_on
    database.dispose()
    late = (due + dt.timedelta(days=1)).isoformat() + "T10:00+05:30"
    moved = shell("sla", "sweep", "--as-of", late)
    assert moved.returncode == 0, moved.stderr
    assert f"{reg.complaint.number}: sho -> circle (CIR)" in moved.stdout
    assert "1 escalation step(s)" in moved.stdout
    again = shell("sla", "sweep", "--as-of", late)
    assert again.returncode == 0 and "0 escalation step(s)" in again.stdout
    naive = shell("sla", "sweep", "--as-of", "2026-12-20T10:00")
    assert naive.returncode == 2 and "zone" in naive.stderr
