"""The jobs queue against a real database (SQLite, or PostgreSQL with EOFFICE_TEST_DATABASE_URL),
a real SMTP server (aiosmtpd) and a local HTTP SMS gateway: jobs are written in the caller's
transaction, run at least once (exactly once in the record), retried with backoff, set aside
when they keep failing, and survive a worker killed mid-job. Time is passed in (`now`), never
waited for, except for the one real lease the crash test lets run out."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from eoffice.cli import main as cli_main
from eoffice.core import jobs
from eoffice.core.db import utcnow
from eoffice.core.jobs import Job, JobSchedule, Runner
from eoffice.core.mail import SentMessage, attachment_maker, forget_maker, queue_mail
from eoffice.core.sms import queue_sms
from eoffice.core.uow import unit_of_work
from tests.mailserver import sms_gateway, smtp_server

__all__ = ["sms_gateway", "smtp_server"]  # fixtures, used by pytest

BIN = Path(sys.executable).parent / "eoffice"
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def only_our_periodic_jobs(monkeypatch):
    """Periodic jobs other modules register (the SLA sweep) stay out of these counts."""
    monkeypatch.setattr(jobs, "_periodics", {})


@pytest.fixture
def database(app):
    return app.extensions["eoffice.db"]


@pytest.fixture
def runner_for(app):
    def make(worker_id: str = "test", **overrides) -> Runner:
        config = dict(app.config)
        config.update(overrides)
        return Runner(
            app.extensions["eoffice.db"], config, app.extensions["eoffice.store"], worker_id
        )

    return make


@pytest.fixture
def throwaway():
    """Handlers and makers a test registers, taken out again afterwards."""
    names: list[str] = []
    makers: list[str] = []
    yield names, makers
    for name in names:
        jobs.forget(name)
    for name in makers:
        forget_maker(name)


def get_job(database, job_id: int) -> Job:
    with database.sessionmaker() as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def sent_rows(database) -> list[SentMessage]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(SentMessage).order_by(SentMessage.id)))


def job_count(database) -> int:
    with database.sessionmaker() as session:
        return session.scalar(sa.select(sa.func.count(Job.id)))


def a_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def mail(database, **kw) -> int:
    with unit_of_work(database) as session:
        job = queue_mail(
            session,
            to=kw.pop("to", ["complainant@example.in"]),
            subject=kw.pop("subject", "शिकायत दर्ज हुई"),
            text=kw.pop("text", "आपकी शिकायत दर्ज कर ली गई है।"),
            **kw,
        )
        session.flush()
        return job.id


# --- the transaction ---------------------------------------------------------------------------


def test_a_job_queued_in_a_rolled_back_transaction_never_runs(database, runner_for, smtp_server):
    with pytest.raises(RuntimeError), unit_of_work(database) as session:
        queue_mail(session, to=["a@example.in"], subject="नहीं", text="never sent")
        session.flush()  # written, but the change around it fails
        raise RuntimeError("the use case failed")
    session = database.write_sessionmaker()
    queue_mail(session, to=["b@example.in"], subject="नहीं", text="never sent either")
    session.rollback()
    session.close()
    assert runner_for(**smtp_server.config()).run_due() == 0
    assert job_count(database) == 0
    assert smtp_server.messages == []


def test_the_same_key_queues_one_job(database):
    with unit_of_work(database) as session:
        first = jobs.enqueue(session, "mail.send", {"n": 1}, key="ack:7")
        second = jobs.enqueue(session, "mail.send", {"n": 2}, key="ack:7")
        assert first is second
    with unit_of_work(database) as session:
        again = jobs.enqueue(session, "mail.send", {"n": 3}, key="ack:7")
        assert again.id == first.id and again.payload == {"n": 1}
    assert job_count(database) == 1


# --- mail --------------------------------------------------------------------------------------


def test_a_committed_mail_is_delivered_with_hindi_text_and_a_pdf_built_at_send_time(
    database, runner_for, smtp_server, throwaway
):
    _, makers = throwaway

    @attachment_maker("test.acknowledgement")
    def acknowledgement(session, number: str):
        # built from the database when the mail goes out: it sees the job that sends it
        running = session.scalar(sa.select(sa.func.count(Job.id)).where(Job.status == "running"))
        pdf = a_pdf(f"acknowledgement {number} ({running})")
        return f"पावती-{number.replace('/', '-')}.pdf", pdf, "application/pdf"

    makers.append("test.acknowledgement")
    job_id = mail(
        database,
        to=["complainant@example.in", "sho@police.example.in"],
        subject="शिकायत संख्या 12/2026 दर्ज",
        text="प्रिय नागरिक,\nआपकी शिकायत दर्ज कर ली गई है। पावती संलग्न है।",
        html="<p>आपकी शिकायत <b>दर्ज</b> कर ली गई है।</p>",
        attachments=[{"maker": "test.acknowledgement", "args": {"number": "12/2026"}}],
    )
    assert smtp_server.messages == []  # queued, not sent
    runner = runner_for(**smtp_server.config(), MAIL_FROM="SP Office <sp@police.example.in>")
    assert runner.run_due() == 1

    [msg] = smtp_server.messages
    assert msg["Subject"] == "शिकायत संख्या 12/2026 दर्ज"
    assert msg["From"] == "SP Office <sp@police.example.in>"
    assert smtp_server.envelopes == [
        ("sp@police.example.in", ["complainant@example.in", "sho@police.example.in"])
    ]
    assert msg.get_body(("plain",)).get_content().startswith("प्रिय नागरिक,\nआपकी शिकायत")
    assert "<b>दर्ज</b>" in msg.get_body(("html",)).get_content()
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "पावती-12-2026.pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.get_content()))
    assert reader.metadata.title == "acknowledgement 12/2026 (1)"

    job = get_job(database, job_id)
    assert (job.status, job.attempts, job.finished_at is not None) == ("done", 1, True)
    [row] = sent_rows(database)
    assert (row.channel, row.job_id, row.message_id) == ("mail", job_id, msg["Message-ID"])
    token = job.payload["message_token"]
    assert msg["Message-ID"] == f"<{token}@police.example.in>"
    assert runner.run_due() == 0  # done is done


def test_without_an_smtp_host_mail_is_written_into_the_instance_folder(app, database, runner_for):
    job_id = mail(database, subject="बिना सर्वर", text="फ़ाइल में लिखा गया")
    assert runner_for(SMTP_HOST=None).run_due() == 1
    [eml] = list((Path(app.config["INSTANCE"]) / "mail").glob("*.eml"))
    import email
    import email.policy

    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "बिना सर्वर"
    assert msg.get_content().strip() == "फ़ाइल में लिखा गया"
    assert get_job(database, job_id).status == "done"
    assert [r.message_id for r in sent_rows(database)] == [msg["Message-ID"]]


def test_the_smtp_server_down_the_job_is_retried_with_backoff_then_delivered(
    database, runner_for, smtp_server
):
    smtp_server.stop()
    job_id = mail(database, subject="दोबारा", text="server down at first")
    runner = runner_for(**smtp_server.config())
    t0 = utcnow()
    assert runner.run_due(now=t0) == 1
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("queued", 1)
    assert "refused" in job.last_error.lower()
    assert t0 + dt.timedelta(seconds=30) <= job.run_at <= t0 + dt.timedelta(seconds=33)
    assert runner.run_due(now=t0 + dt.timedelta(seconds=10)) == 0  # not due yet
    # still down at the second try: the wait doubles
    t1 = job.run_at + dt.timedelta(seconds=1)
    assert runner.run_due(now=t1) == 1
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("queued", 2)
    assert t1 + MINUTE <= job.run_at <= t1 + dt.timedelta(seconds=66)
    assert smtp_server.messages == [] and sent_rows(database) == []

    smtp_server.start()
    assert runner.run_due(now=job.run_at + dt.timedelta(seconds=1)) == 1
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("done", 3)
    assert "refused" in job.last_error.lower()  # what happened on the way is kept
    [msg] = smtp_server.messages
    assert msg["Subject"] == "दोबारा"
    assert len(sent_rows(database)) == 1


def test_after_max_attempts_the_job_is_dead_and_jobs_retry_revives_it(
    app, database, runner_for, smtp_server
):
    smtp_server.stop()
    with unit_of_work(database) as session:
        job = queue_mail(session, to=["x@example.in"], subject="मृत", text="dead letter")
        job.max_attempts = 3
        session.flush()
        job_id = job.id
    runner = runner_for(**smtp_server.config())
    now = utcnow()
    for _ in range(3):
        assert runner.run_due(now=now) == 1
        now += 2 * HOUR  # past any backoff
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("dead", 3)
    assert runner.run_due(now=now + 24 * HOUR) == 0  # dead jobs stay put

    cli = CliRunner()
    env = {"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"]}
    env["EOFFICE_INSTANCE"] = str(app.config["INSTANCE"])
    shown = cli.invoke(cli_main, ["jobs", "status"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "mail.send" in shown.output and "dead: 1" in shown.output
    assert f"job {job_id} mail.send after 3 attempts" in shown.output
    assert "refused" in shown.output.lower()

    revived = cli.invoke(cli_main, ["jobs", "retry", str(job_id)], env=env)
    assert revived.exit_code == 0, revived.output
    assert f"job {job_id} (mail.send) is queued again" in revived.output
    job = get_job(database, job_id)
    assert (job.status, job.attempts, job.finished_at) == ("queued", 0, None)
    refused = cli.invoke(cli_main, ["jobs", "retry", str(job_id)], env=env)
    assert refused.exit_code == 1
    assert "queued, not dead" in refused.stderr
    missing = cli.invoke(cli_main, ["jobs", "retry", "999999"], env=env)
    assert missing.exit_code == 1 and "there is no job 999999" in missing.stderr

    smtp_server.start()
    assert runner.run_due() == 1
    assert get_job(database, job_id).status == "done"
    assert [m["Subject"] for m in smtp_server.messages] == ["मृत"]


# --- runners side by side ----------------------------------------------------------------------


def test_two_runners_run_each_of_50_jobs_exactly_once(database, runner_for, throwaway):
    names, _ = throwaway
    ran: list[tuple[int, str]] = []
    lock = threading.Lock()

    @jobs.handler("test.count")
    def count(ctx, payload):
        time.sleep(0.005)  # long enough for the other runner to claim meanwhile
        with lock:
            ran.append((payload["n"], ctx.job.locked_by))

    names.append("test.count")
    with unit_of_work(database) as session:
        for n in range(50):
            jobs.enqueue(session, "test.count", {"n": n})
    runners = [runner_for("runner-a"), runner_for("runner-b")]
    start = threading.Barrier(2)
    totals: dict[str, int] = {}

    def work(runner):
        start.wait()
        totals[runner.worker_id] = runner.run_due()

    threads = [threading.Thread(target=work, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(n for n, _ in ran) == list(range(50))  # each one, once
    assert sum(totals.values()) == 50
    assert {by for _, by in ran} == {"runner-a", "runner-b"}  # both took part
    with database.sessionmaker() as session:
        statuses = session.execute(sa.select(Job.status, Job.attempts).distinct()).all()
    assert statuses == [("done", 1)]


def test_a_periodic_job_is_queued_once_per_interval_even_with_two_runners(
    database, runner_for, throwaway
):
    names, _ = throwaway
    ticks: list[dt.datetime] = []

    @jobs.handler("test.tick")
    def tick(ctx, payload):
        assert payload == {"scope": "all"}
        ticks.append(ctx.now)

    names.append("test.tick")
    # the interval from the settings, as the SLA sweep takes it
    jobs.periodic(
        "test.tick", lambda cfg: dt.timedelta(minutes=cfg["SLA_SWEEP_MINUTES"]), {"scope": "all"}
    )
    runners = [runner_for(w, SLA_SWEEP_MINUTES=5) for w in ("runner-a", "runner-b")]

    def both(now):
        start = threading.Barrier(2)

        def work(runner):
            start.wait()
            runner.run_due(now=now)

        threads = [threading.Thread(target=work, args=(r,)) for r in runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

    t0 = utcnow()
    both(t0)
    assert len(ticks) == 1  # due at once, queued by one of the two
    both(t0 + MINUTE)
    both(t0 + 4 * MINUTE)
    assert len(ticks) == 1
    both(t0 + 5 * MINUTE)
    assert len(ticks) == 2
    both(t0 + 7 * MINUTE)
    assert len(ticks) == 2
    both(t0 + 60 * MINUTE)  # the workers were away: one run, not eleven
    assert len(ticks) == 3
    with database.sessionmaker() as session:
        row = session.get(JobSchedule, "test.tick")
        assert row.next_at == t0 + 65 * MINUTE and row.last_at == t0 + 60 * MINUTE
        assert session.scalar(sa.select(sa.func.count(Job.id))) == 3
        st = jobs.status(session, now=t0 + 60 * MINUTE)
    assert {"name": "test.tick", "status": "done", "count": 3} in st["counts"]
    assert [s["name"] for s in st["schedule"]] == ["test.tick"]


def test_a_job_whose_lease_ran_out_is_taken_again_and_the_first_run_is_undone(
    database, runner_for, throwaway
):
    names, _ = throwaway
    runs: list[str] = []

    @jobs.handler("test.slow")
    def slow(ctx, payload):
        runs.append(ctx.job.locked_by)
        ctx.session.add(
            SentMessage(channel="test", message_id=f"slow:{ctx.job.locked_by}", recipient="-")
        )

    names.append("test.slow")
    with unit_of_work(database) as session:
        job = jobs.enqueue(session, "test.slow", {})
        session.flush()
        job_id = job.id
    stuck, other = runner_for("stuck", JOB_LEASE_SECONDS=60), runner_for("other")
    t0 = utcnow()
    claimed = stuck.claim(t0)  # taken, and then the worker hangs
    assert claimed.id == job_id and get_job(database, job_id).locked_by == "stuck"
    assert other.run_due(now=t0 + dt.timedelta(seconds=30)) == 0  # the lease still holds
    assert other.run_due(now=t0 + dt.timedelta(seconds=61)) == 1
    assert stuck.run_job(claimed, t0) is False  # it wakes up: too late, its work is undone
    job = get_job(database, job_id)
    assert (job.status, job.attempts, job.locked_by) == ("done", 2, None)
    assert runs == ["other", "stuck"]
    assert [r.message_id for r in sent_rows(database)] == ["slow:other"]


def test_an_unknown_job_is_set_aside_and_the_runner_goes_on(database, runner_for, throwaway):
    names, _ = throwaway
    done: list[int] = []
    jobs.handler("test.fine")(lambda ctx, payload: done.append(payload["n"]))
    names.append("test.fine")
    with unit_of_work(database) as session:
        unknown = jobs.enqueue(session, "test.nobody.handles.this", {})
        jobs.enqueue(session, "test.fine", {"n": 1})
        session.flush()
        unknown_id = unknown.id
    assert runner_for().run_due() == 2
    job = get_job(database, unknown_id)
    assert job.status == "dead" and "no handler" in job.last_error
    assert done == [1]


# --- SMS ---------------------------------------------------------------------------------------


def test_sms_is_posted_to_the_gateway_with_its_token_and_a_500_is_retried(
    app, database, runner_for, sms_gateway
):
    config = dict(app.config)
    with unit_of_work(database) as session:
        assert queue_sms(session, config, to="9876543210", text="नहीं भेजा") is None  # no gateway
    assert job_count(database) == 0

    config.update(sms_gateway.config())
    with unit_of_work(database) as session:
        job = queue_sms(session, config, to="9876543210", text="शिकायत 12/2026 दर्ज हुई")
        session.flush()
        job_id = job.id
    runner = runner_for(**sms_gateway.config())
    sms_gateway.fail(1, status=500)
    t0 = utcnow()
    assert runner.run_due(now=t0) == 1
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("queued", 1) and "500" in job.last_error
    assert sms_gateway.posts == [] and sent_rows(database) == []

    assert runner.run_due(now=job.run_at + dt.timedelta(seconds=1)) == 1
    assert sms_gateway.posts == [
        {"to": "9876543210", "text": "शिकायत 12/2026 दर्ज हुई", "id": job.payload["id"]}
    ]
    assert sms_gateway.headers[0]["Authorization"] == f"Bearer {sms_gateway.token}"
    assert get_job(database, job_id).status == "done"
    [row] = sent_rows(database)
    assert (row.channel, row.recipient, row.message_id) == (
        "sms",
        "9876543210",
        f"sms:{job.payload['id']}",
    )


def test_an_sms_job_with_no_gateway_left_is_dead_at_once(app, database, runner_for, sms_gateway):
    with unit_of_work(database) as session:
        job = queue_sms(session, sms_gateway.config(), to="9876543210", text="x")
        session.flush()
        job_id = job.id
    assert runner_for(SMS_URL=None).run_due() == 1
    job = get_job(database, job_id)
    assert job.status == "dead" and "EOFFICE_SMS_URL" in job.last_error
    assert sms_gateway.attempts == 0


# --- a worker killed mid-job -------------------------------------------------------------------


@pytest.mark.skipif(not BIN.exists(), reason="the console script is not installed")
def test_a_worker_killed_after_sending_sends_again_and_records_once(
    app, database, smtp_server, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env.update(
        EOFFICE_INSTANCE=str(tmp_path / "worker-instance"),
        EOFFICE_DATABASE_URL=app.config["DATABASE_URL"],
        EOFFICE_S3_ENDPOINT=app.config["S3_ENDPOINT"],
        EOFFICE_S3_ACCESS_KEY=app.config["S3_ACCESS_KEY"],
        EOFFICE_S3_SECRET_KEY=app.config["S3_SECRET_KEY"],
        EOFFICE_S3_BUCKET=app.config["S3_BUCKET"],
        EOFFICE_INDEX_DIR=str(tmp_path / "worker-index"),
        EOFFICE_SMTP_HOST=smtp_server.host,
        EOFFICE_SMTP_PORT=str(smtp_server.port),
        EOFFICE_MAIL_FROM="eoffice@police.example.in",
        EOFFICE_JOB_LEASE_SECONDS="1",
    )

    def worker(**extra):
        return subprocess.run(
            [str(BIN), "worker", "--once"],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    job_id = mail(database, subject="क्रैश के बाद", text="sent before the crash, and after")
    crash = worker(EOFFICE_JOBS_FAULT="after_handler")
    assert crash.returncode == -9, crash.stderr  # SIGKILL, as a crash would be
    assert len(smtp_server.messages) == 1  # it went out ...
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("running", 1)  # ... but was never marked done
    assert sent_rows(database) == []

    while utcnow() <= job.locked_until:  # the one real wait: a lease of one second
        time.sleep(0.05)
    done = worker()
    assert done.returncode == 0, done.stderr
    assert "ran " in done.stdout
    first, second = smtp_server.messages  # at least once: here, twice
    assert first["Message-ID"] == second["Message-ID"]
    assert second["Subject"] == "क्रैश के बाद"
    [row] = sent_rows(database)  # and recorded once
    assert row.message_id == first["Message-ID"] and row.job_id == job_id
    job = get_job(database, job_id)
    assert (job.status, job.attempts) == ("done", 2)
