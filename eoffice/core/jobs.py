"""The jobs queue: work (mail, SMS, sweeps) written in the same transaction as the change that
causes it, and run afterwards by a worker, retried with backoff.

- `enqueue(session, name, payload)` only adds a row to the caller's session: a rolled-back change
  queues nothing, a committed one is never lost.
- A module says what a job does with `@handler("mail.send")`, at import time; the runner looks
  the name up when it runs the job (an unknown name: the job is set aside as dead, with why).
- `@periodic`/`periodic(...)` names a job the runner queues on a schedule; a `job_schedule` row
  per name, claimed by a conditional UPDATE, so several workers queue it once per interval.
- `Runner.run_due()` claims due jobs one at a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
  SQLite: a conditional UPDATE checked by its row count), commits the claim (running, a lease
  until `now + JOB_LEASE_SECONDS`, one more attempt), then runs the handler in a unit of work of
  its own that also marks the job done. A handler that raises is rolled back; the job goes back
  to the queue for later (30 s, 1 min, 2 min, ... up to an hour, with a little jitter) or, after
  `max_attempts`, is dead (`eoffice jobs status` lists it, `eoffice jobs retry ID` revives it).
- A worker killed mid-job leaves the job running with a lease that runs out; another run claims
  it again. So a job runs at least once: handlers make their effects safe to repeat (mail keeps
  its Message-ID and records the sending once; see eoffice.core.mail).

Fault injection for the crash test: EOFFICE_JOBS_FAULT=after_handler kills the process (SIGKILL)
after a handler returned, before its work and the job's end are committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core.db import Base, utcnow
from eoffice.core.errors import Conflict, NotFound
from eoffice.core.uow import unit_of_work

log = logging.getLogger(__name__)

FAULT_ENV = "EOFFICE_JOBS_FAULT"
STATUSES = ("queued", "running", "done", "dead")
DEFAULT_MAX_ATTEMPTS = 8
BACKOFF_FIRST = 30  # seconds before the first retry; doubled at each one after
BACKOFF_MAX = 3600
ERROR_LIMIT = 4000  # characters of an error kept on the job


class Job(Base):
    """One piece of work. `key`, when given, makes enqueueing idempotent (one job per key)."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_status_run_at", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=DEFAULT_MAX_ATTEMPTS)
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(sa.String(120))
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name} {self.status} attempt {self.attempts}>"


class JobSchedule(Base):
    """When a periodic job is next due. Whoever moves `next_at` on (a conditional UPDATE) queues
    the job; the others see that it moved and queue nothing."""

    __tablename__ = "job_schedule"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    next_at: Mapped[dt.datetime]
    last_at: Mapped[dt.datetime | None]
    last_job_id: Mapped[int | None]


class Permanent(Exception):  # noqa: N818 - it names the kind of failure, as Conflict does
    """A handler raises this when trying again cannot help (a bad payload, nothing configured
    to send through): the job is dead at once, with this message as its error."""


# --- the registry ------------------------------------------------------------------------------


@dataclass
class JobContext:
    """What a handler gets. Writes through `session` commit together with the job being marked
    done; if the handler raises, they are rolled back."""

    session: Session
    config: dict
    database: Any
    store_factory: Callable | None
    now: dt.datetime
    job: Job


Handler = Callable[[JobContext, dict], None]
Every = dt.timedelta | Callable[[dict], dt.timedelta]


@dataclass
class Periodic:
    name: str
    every: Every
    payload: dict

    def interval(self, config: dict) -> dt.timedelta:
        every = self.every(config) if callable(self.every) else self.every
        if every <= dt.timedelta(0):
            raise ValueError(f"periodic job {self.name}: the interval must be positive")
        return every


_handlers: dict[str, Handler] = {}
_periodics: dict[str, Periodic] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    """`@jobs.handler("mail.send") def send(ctx: JobContext, payload: dict) -> None`."""
    if len(name) > 60:
        raise ValueError(f"job name {name!r} is longer than 60 characters")

    def register(fn: Handler) -> Handler:
        if name in _handlers and _handlers[name] is not fn:
            existing = _handlers[name]
            # the same function imported again (a module reloaded) may take its place
            if (existing.__module__, existing.__qualname__) != (fn.__module__, fn.__qualname__):
                raise ValueError(f"job {name!r} already has a handler")
        _handlers[name] = fn
        return fn

    return register


def periodic(name: str, every: Every, payload: dict | None = None) -> Periodic:
    """Queue job `name` every `every` (a timedelta, or a function of the settings giving one).
    The first run is due as soon as a runner sees the schedule. Returns the registration."""
    if len(name) > 60:
        raise ValueError(f"job name {name!r} is longer than 60 characters")
    entry = Periodic(name, every, dict(payload or {}))
    _periodics[name] = entry
    return entry


def forget(name: str) -> None:
    """Take a handler and its schedule out of the registry (tests that register throw-away jobs).
    The schedule's row in the database stays; it is harmless without a registration."""
    _handlers.pop(name, None)
    _periodics.pop(name, None)


def handler_for(name: str) -> Handler | None:
    return _handlers.get(name)


def periodics() -> list[Periodic]:
    return [_periodics[n] for n in sorted(_periodics)]


# --- queueing ----------------------------------------------------------------------------------


def enqueue(
    session: Session,
    name: str,
    payload: dict,
    *,
    run_at: dt.datetime | None = None,
    key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Add a job to the caller's session (and so to the caller's transaction; nothing is
    committed here). With a `key`, a job already queued under that key is returned instead of a
    second one (two transactions racing with the same key: the second one's commit fails as a
    conflict)."""
    if key is not None:
        existing = session.scalar(sa.select(Job).where(Job.key == key))
        if existing is not None:
            return existing
        for obj in session.new:  # not flushed yet (autoflush off)
            if isinstance(obj, Job) and obj.key == key:
                return obj
    now = utcnow()
    job = Job(
        name=name,
        payload=dict(payload),
        status="queued",
        attempts=0,
        max_attempts=max_attempts or DEFAULT_MAX_ATTEMPTS,
        run_at=run_at or now,
        created_at=now,
        key=key,
    )
    session.add(job)
    return job


def backoff(attempts: int) -> dt.timedelta:
    """How long a job that failed its `attempts`-th try waits: 30 s, 1 min, 2 min, ... 1 h, plus
    up to a tenth more, so that jobs failing together do not come back together."""
    seconds = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)
    return dt.timedelta(seconds=seconds * (1 + random.random() / 10))


def retry(session: Session, job_id: int, now: dt.datetime | None = None) -> Job:
    """Put a dead job back in the queue, due now, with its attempts counted afresh."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"there is no job {job_id}")
    if job.status != "dead":
        raise Conflict(f"job {job_id} is {job.status}, not dead: only a dead job can be retried")
    job.status = "queued"
    job.attempts = 0
    job.run_at = now or utcnow()
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    return job


# --- status ------------------------------------------------------------------------------------


def status(session: Session, now: dt.datetime | None = None) -> dict:
    """What the queue holds: counts per job name and status, the oldest job still waiting, dead
    jobs with their errors, and the schedule of periodic jobs."""
    now = now or utcnow()
    counts = [
        {"name": name, "status": st, "count": n}
        for name, st, n in session.execute(
            sa.select(Job.name, Job.status, sa.func.count(Job.id))
            .group_by(Job.name, Job.status)
            .order_by(Job.name, Job.status)
        )
    ]
    oldest = session.execute(
        sa.select(Job.id, Job.name, Job.created_at, Job.run_at, Job.attempts)
        .where(Job.status == "queued")
        .order_by(Job.created_at, Job.id)
        .limit(1)
    ).first()
    due = session.scalar(
        sa.select(sa.func.count(Job.id)).where(Job.status == "queued", Job.run_at <= now)
    )
    dead = [
        {
            "id": r.id,
            "name": r.name,
            "attempts": r.attempts,
            "finished_at": r.finished_at,
            "last_error": r.last_error,
        }
        for r in session.execute(
            sa.select(Job.id, Job.name, Job.attempts, Job.finished_at, Job.last_error)
            .where(Job.status == "dead")
            .order_by(Job.id)
        )
    ]
    rows = {r.name: r for r in session.scalars(sa.select(JobSchedule))}
    schedule = []
    for name in sorted(set(rows) | set(_periodics)):
        row = rows.get(name)
        schedule.append(
            {
                "name": name,
                "registered": name in _periodics,
                "next_at": row.next_at if row else None,
                "last_at": row.last_at if row else None,
                "last_job_id": row.last_job_id if row else None,
            }
        )
    return {
        "counts": counts,
        "due": due or 0,
        "oldest_waiting": None
        if oldest is None
        else {
            "id": oldest.id,
            "name": oldest.name,
            "created_at": oldest.created_at,
            "run_at": oldest.run_at,
            "attempts": oldest.attempts,
            "age": now - oldest.created_at,
        },
        "dead": dead,
        "schedule": schedule,
    }


# --- the runner --------------------------------------------------------------------------------


def _due(now: dt.datetime):
    return sa.or_(
        sa.and_(Job.status == "queued", Job.run_at <= now),
        # taken by a worker that did not finish in time (killed, or stuck): taken again
        sa.and_(Job.status == "running", Job.locked_until < now),
    )


class LeaseLost(Exception):  # noqa: N818
    """The job's lease ran out while its handler ran, and another worker took it."""


class Runner:
    """Runs due jobs. Several runners (threads or processes) may share one database."""

    def __init__(
        self,
        database,
        config: dict,
        store_factory: Callable | None = None,
        worker_id: str | None = None,
    ):
        self.database = database
        self.config = config
        self.store_factory = store_factory
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:120]

    @property
    def lease(self) -> dt.timedelta:
        return dt.timedelta(seconds=int(self.config.get("JOB_LEASE_SECONDS") or 300))

    # --- scheduling ----------------------------------------------------------------------------

    def schedule_due(self, now: dt.datetime | None = None) -> int:
        """Queue the periodic jobs that are due; returns how many this runner queued."""
        now = now or utcnow()
        entries = periodics()
        if not entries:
            return 0
        table = JobSchedule.__table__
        with self.database.sessionmaker() as session:
            seen = {r.name: r.next_at for r in session.scalars(sa.select(JobSchedule))}
        queued = 0
        for entry in entries:
            if entry.name not in seen:
                with unit_of_work(self.database) as session:
                    session.execute(
                        _insert(session, table)
                        .values(name=entry.name, next_at=now)
                        .on_conflict_do_nothing()
                    )
                with self.database.sessionmaker() as session:
                    seen[entry.name] = session.scalar(
                        sa.select(JobSchedule.next_at).where(JobSchedule.name == entry.name)
                    )
            next_at = seen[entry.name]
            if next_at is None or next_at > now:
                continue
            every = entry.interval(self.config)
            following = next_at + every
            if following <= now:  # the workers were away for a while: no burst of catch-ups
                following = now + every
            with unit_of_work(self.database) as session:
                moved = session.execute(
                    sa.update(table)
                    .where(table.c.name == entry.name, table.c.next_at == next_at)
                    .values(next_at=following, last_at=now)
                )
                if moved.rowcount != 1:  # another runner queued it
                    continue
                job = enqueue(
                    session,
                    entry.name,
                    entry.payload,
                    run_at=now,
                    key=f"periodic:{entry.name}:{next_at.isoformat()}",
                )
                session.flush()
                session.execute(
                    sa.update(table).where(table.c.name == entry.name).values(last_job_id=job.id)
                )
            queued += 1
        return queued

    # --- claiming ------------------------------------------------------------------------------

    def claim(self, now: dt.datetime | None = None) -> Job | None:
        """Take one due job for this runner, committed before it runs; None when none is due."""
        now = now or utcnow()
        if self.database.is_sqlite:
            return self._claim_sqlite(now)
        return self._claim_locking(now)

    def _claimed_values(self, now: dt.datetime) -> dict:
        return {
            "status": "running",
            "locked_by": self.worker_id,
            "locked_until": now + self.lease,
            "attempts": Job.attempts + 1,
        }

    def _claim_locking(self, now: dt.datetime) -> Job | None:
        # PostgreSQL: rows another worker is claiming are skipped, not waited for
        with unit_of_work(self.database) as session:
            job_id = session.scalar(
                sa.select(Job.id)
                .where(_due(now))
                .order_by(Job.run_at, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job_id is None:
                return None
            session.execute(
                sa.update(Job)
                .where(Job.id == job_id)
                .values(**self._claimed_values(now))
                .execution_options(synchronize_session=False)
            )
        return self._after_claim(job_id, now)

    def _claim_sqlite(self, now: dt.datetime) -> Job | None:
        # a plain read first (no write lock while the queue is empty), then a conditional UPDATE
        # under the write lock: only one runner's UPDATE finds the job still due
        with self.database.sessionmaker() as session:
            candidates = session.scalars(
                sa.select(Job.id).where(_due(now)).order_by(Job.run_at, Job.id).limit(10)
            ).all()
        for job_id in candidates:
            with unit_of_work(self.database) as session:
                taken = session.execute(
                    sa.update(Job)
                    .where(Job.id == job_id, _due(now))
                    .values(**self._claimed_values(now))
                    .execution_options(synchronize_session=False)
                )
            if taken.rowcount == 1:
                return self._after_claim(job_id, now)
        return None

    def _after_claim(self, job_id: int, now: dt.datetime) -> Job | None:
        """The claimed job, loaded; or None if it has had its attempts (it kept killing the
        workers that ran it, or kept outliving its lease), in which case it is now dead."""
        with self.database.sessionmaker() as session:
            job = session.get(Job, job_id)
            session.expunge(job)
        if job.attempts > job.max_attempts:
            self._finish_failed(
                job,
                now,
                f"{job.max_attempts} attempts ended without an answer: the worker running it "
                "stopped, or it ran longer than its lease (JOB_LEASE_SECONDS)",
                dead=True,
            )
            return None
        return job

    # --- running -------------------------------------------------------------------------------

    def run_job(self, job: Job, now: dt.datetime) -> bool:
        """Run a claimed job; True when it is done."""
        fn = _handlers.get(job.name)
        if fn is None:
            self._finish_failed(job, now, f"no handler for job {job.name!r}", dead=True)
            return False
        try:
            with unit_of_work(self.database) as session:
                ctx = JobContext(
                    session=session,
                    config=self.config,
                    database=self.database,
                    store_factory=self.store_factory,
                    now=now,
                    job=job,
                )
                fn(ctx, dict(job.payload or {}))
                if os.environ.get(FAULT_ENV) == "after_handler":
                    os.kill(os.getpid(), signal.SIGKILL)
                done = session.execute(
                    sa.update(Job)
                    .where(
                        Job.id == job.id,
                        Job.status == "running",
                        Job.locked_by == self.worker_id,
                        Job.attempts == job.attempts,
                    )
                    .values(
                        status="done",
                        finished_at=utcnow(),
                        locked_by=None,
                        locked_until=None,
                    )
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount != 1:
                    raise LeaseLost(f"job {job.id}: another worker took it; its work is undone")
        except LeaseLost as exc:
            log.warning("%s", exc)
            return False
        except Permanent as exc:
            log.warning("job %s %s failed for good: %s", job.id, job.name, exc)
            self._finish_failed(job, now, f"{exc}", dead=True)
            return False
        except Exception as exc:  # noqa: BLE001 - any failure of a handler is retried
            log.warning("job %s %s failed (attempt %s): %s", job.id, job.name, job.attempts, exc)
            error = "".join(traceback.format_exception_only(exc)).strip()
            self._finish_failed(job, now, error)
            return False
        return True

    def _finish_failed(self, job: Job, now: dt.datetime, error: str, *, dead: bool = False):
        """Give a job that failed back to the queue for later, or set it aside as dead."""
        dead = dead or job.attempts >= job.max_attempts
        values: dict = {"locked_by": None, "locked_until": None, "last_error": error[:ERROR_LIMIT]}
        if dead:
            values.update(status="dead", finished_at=utcnow())
        else:
            values.update(status="queued", run_at=now + backoff(job.attempts))
        with unit_of_work(self.database) as session:
            session.execute(
                sa.update(Job)
                .where(Job.id == job.id, Job.attempts == job.attempts, Job.status == "running")
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if dead:
            log.error("job %s %s is dead: %s", job.id, job.name, error)

    def run_due(self, now: dt.datetime | None = None, limit: int | None = None) -> int:
        """Queue due periodic jobs, then claim and run due jobs until none is due (or `limit`
        have run). Returns how many jobs were run (done or not)."""
        fixed_now = now
        self.schedule_due(fixed_now or utcnow())
        ran = 0
        while limit is None or ran < limit:
            at = fixed_now or utcnow()
            job = self.claim(at)
            if job is None:
                break
            self.run_job(job, at)
            ran += 1
        return ran

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Run jobs as they fall due until `stop` is set."""
        while not stop.is_set():
            try:
                ran = self.run_due(limit=100)
            except Exception:
                log.exception("running jobs failed; trying again shortly")
                stop.wait(5)
                continue
            if ran == 0:
                stop.wait(interval)

    def start_thread(self, interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
        """The runner thread `eoffice run` (and `eoffice worker`) start."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run,
            args=(stop,),
            kwargs={"interval": interval},
            name="eoffice-jobs",
            daemon=True,
        )
        thread.start()
        return thread, stop


def _insert(session: Session, table: sa.Table):
    if session.get_bind().dialect.name == "postgresql":
        return sa.dialects.postgresql.insert(table)
    return sa.dialects.sqlite.insert(table)
