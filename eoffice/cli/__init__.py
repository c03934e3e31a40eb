"""The `eoffice` command."""

from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path

import click
import yaml

from eoffice.core.config import load_config


def _app(**overrides):
    from eoffice import create_app

    return create_app(overrides or None)


@click.group()
def main() -> None:
    """eoffice: electronic files for police offices."""


# --- database ----------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    from eoffice import migrate

    cfg = load_config()
    migrate.upgrade(cfg["DATABASE_URL"], revision, audit_key=cfg["AUDIT_KEY"])
    click.echo("database is up to date")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database back to REVISION."""
    from eoffice import migrate

    migrate.downgrade(load_config()["DATABASE_URL"], revision)


@db.command("current")
def db_current() -> None:
    """Show the database's revision."""
    from eoffice import migrate

    migrate.current(load_config()["DATABASE_URL"])


# --- organisation ------------------------------------------------------------------------------


def load_org_file(path: Path) -> str:
    """Load an organisation YAML file; returns the summary or raises OrgFileError."""
    from eoffice.core.db import Database
    from eoffice.core.uow import unit_of_work
    from eoffice.org.service import OrgFileError, load_org

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise OrgFileError([f"not valid YAML: {exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise OrgFileError(["the file is not UTF-8 text"]) from exc
    database = Database.from_config(load_config())
    try:
        with unit_of_work(database) as session:  # the whole file, or nothing
            return load_org(session, data).summary()
    finally:
        database.dispose()


@main.group()
def org() -> None:
    """Offices, sections, desks and users."""


@org.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def org_load(file: Path) -> None:
    """Create or update the organisation from FILE.yaml (all or nothing; idempotent)."""
    from eoffice.org.service import OrgFileError

    try:
        click.echo(load_org_file(file))
    except OrgFileError as exc:
        click.echo(f"{file}: refused, nothing was loaded:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)


DEMO_FILE = Path(__file__).parent.parent / "demo" / "district.yaml"


def demo_logins() -> list[tuple[str, str, str]]:
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    return [(u["username"], u["password"], ", ".join(u["roles"])) for u in data["users"]]


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo(if_empty: bool) -> None:
    """Load the bilingual demo district and print its logins."""
    import sqlalchemy as sa

    from eoffice.auth.models import User
    from eoffice.core.db import Database

    if if_empty:
        database = Database.from_config(load_config())
        with database.sessionmaker() as session:
            has_users = session.scalar(sa.select(sa.func.count(User.id)))
        database.dispose()
        if has_users:
            click.echo("the database already has users; the demo district was not loaded")
            return
    click.echo(load_org_file(DEMO_FILE))
    from eoffice.core.uow import unit_of_work
    from eoffice.demo import load_demo_files
    from eoffice.storage import get_store_factory

    cfg = load_config()
    database = Database.from_config(cfg)
    # the demo issues a letter, whose PDF goes to the object store (embedded unless configured)
    with object_store(cfg) as overrides, unit_of_work(database) as session:
        store = get_store_factory({**cfg, **overrides})()
        store.ensure_bucket()
        made = load_demo_files(session, store)
    database.dispose()
    click.echo(f"created {made} demo files" if made else "demo files already there")
    click.echo("Demo logins (username / password / roles):")
    for username, password, roles in demo_logins():
        click.echo(f"  {username:14} {password:16} {roles}")


# --- audit -------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check a PDF made by eoffice: does the audit event it records match the log?",
)
def audit_verify(pdf_path: Path | None) -> None:
    """Recompute the chain; exit 1 and name the first bad event if it is broken."""
    import sqlalchemy as sa

    from eoffice.audit import service
    from eoffice.audit.models import AuditEvent
    from eoffice.core.db import Database

    if pdf_path is not None:
        _verify_pdf(pdf_path)
        return
    database = Database.from_config(load_config())
    with database.sessionmaker() as session:
        total = session.scalar(sa.select(sa.func.count(AuditEvent.id)))
        with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
            result = service.verify(session, progress=bar.update)
    database.dispose()
    if result.ok:
        click.echo(f"ok: {result.events} events, chain intact")
        return
    click.echo(f"BROKEN: {result.reason}", err=True)
    sys.exit(1)


def _verify_pdf(path: Path) -> None:
    from eoffice.audit.stamps import check_stamp, read_stamp
    from eoffice.core.db import Database

    try:
        stamp = read_stamp(path.read_bytes())
    except Exception as exc:  # pypdf raises many kinds on a file that is not a PDF
        click.echo(f"{path}: not a readable PDF ({exc})", err=True)
        sys.exit(1)
    database = Database.from_config(load_config())
    with database.sessionmaker() as session:
        result = check_stamp(session, stamp)
    database.dispose()
    if result.ok:
        click.echo(f"{path}: {result.message}")
        return
    click.echo(f"{path}: DOES NOT MATCH: {result.message}", err=True)
    sys.exit(1)


# --- object store: `eoffice storage sweep` and `eoffice storage check` ----------------------------


def _add_storage_commands() -> None:
    from eoffice.cli.sla import sla
    from eoffice.cli.storage import storage

    main.add_command(storage)
    main.add_command(sla)  # `eoffice sla sweep`: the complaints' clock


_add_storage_commands()


# --- search ------------------------------------------------------------------------------------


@main.group()
def search() -> None:
    """The full-text index (Whoosh)."""


@search.command("rebuild")
def search_rebuild() -> None:
    """Build a fresh index from the database and swap it in; the old one serves until then."""
    app = _app()
    engine = app.extensions["eoffice.search"]
    bar_holder: dict = {}

    def total(n: int) -> None:
        bar_holder["bar"] = click.progressbar(length=n, label="indexing", file=sys.stderr)
        bar_holder["bar"].__enter__()

    try:
        report = engine.rebuild(progress=lambda n: bar_holder["bar"].update(n), total=total)
    except Exception as exc:
        click.echo(f"rebuild failed, the old index is still in use: {exc}", err=True)
        sys.exit(1)
    finally:
        if "bar" in bar_holder:
            bar_holder["bar"].__exit__(None, None, None)
        app.extensions["eoffice.db"].dispose()
    click.echo(f"indexed {report.documents} documents into {report.folder}")


@search.command("status")
def search_status() -> None:
    """Documents in the index, changes waiting in the outbox, and when the index last changed."""
    app = _app()
    st = app.extensions["eoffice.search"].status()
    app.extensions["eoffice.db"].dispose()
    click.echo(f"index folder:   {st['folder'] or '(none yet)'}")
    click.echo(f"schema version: {st['version']} (this program: {st['expected_version']})")
    click.echo(f"documents:      {st['documents']}")
    click.echo(f"outbox backlog: {st['backlog']}")
    click.echo(f"set aside:      {st['dead_letters']} (documents the index could not take)")
    for dead in st["dead_letter_list"]:
        click.echo(f"  {dead['kind']} {dead['id']}: {dead['error']}")
    click.echo(f"last indexed:   {st['last_indexed'] or 'never'}")
    running = f"running (pid {st['indexer_pid']})" if st["indexer_running"] else "not running"
    click.echo(f"indexer:        {running}")


@main.command()
@click.option("--once", is_flag=True, help="Drain the outbox and run the due jobs once, then exit.")
@click.option(
    "--wait/--no-wait",
    default=False,
    help="If another indexer is running: wait for it to stop (--wait) or exit (default). "
    "Jobs run meanwhile, so more workers may run with --wait.",
)
def worker(once: bool, wait: bool) -> None:
    """The search indexer and the job runner, as their own process (production; `eoffice run`
    has both built in)."""
    import threading

    from eoffice.search.index import Busy

    app = _app()
    engine = app.extensions["eoffice.search"]
    runner = app.extensions["eoffice.jobs"]
    if engine.name == "postgres":  # its index is written with each change: no indexer lock
        _pg_worker(app, engine, runner, once, wait)
        return
    indexer = engine.indexer
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    jobs_thread = stop_jobs = None
    try:
        if once:
            with indexer.home.lock("indexer", wait=wait):
                click.echo(f"indexed {indexer.drain_all()} changes")
            click.echo(f"ran {runner.run_due()} jobs")
            return
        if not wait:  # refuse before starting anything, as a second indexer would
            with indexer.home.lock("indexer", wait=False):
                pass
        jobs_thread, stop_jobs = runner.start_thread()
        click.echo("indexer and job runner running (Ctrl-C stops them)")
        engine.run(stop, wait_turn=wait)
    except Busy:
        pid = indexer.home.holder_pid("indexer")
        click.echo(f"another indexer is running (pid {pid}); not starting a second one", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        if jobs_thread is not None:
            stop_jobs.set()
            jobs_thread.join(timeout=60)
        app.extensions["eoffice.db"].dispose()


def _pg_worker(app, engine, runner, once: bool, wait: bool) -> None:
    """`eoffice worker` with the PostgreSQL search backend: the job runner, and the loop that
    reads attachments' text (and applies outbox rows other processes left)."""
    import threading

    from eoffice.search.index import Busy

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    jobs_thread = stop_jobs = None
    try:
        if once:
            click.echo(f"indexed {engine.index()} changes")
            click.echo(f"ran {runner.run_due()} jobs")
            return
        if not wait and engine.status()["indexer_running"]:
            raise Busy("another search loop is running")
        jobs_thread, stop_jobs = runner.start_thread()
        click.echo("search texts and job runner running (Ctrl-C stops them)")
        engine.run(stop, wait_turn=wait)
    except Busy:
        click.echo("another search loop is running; not starting a second one", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        if jobs_thread is not None:
            stop_jobs.set()
            jobs_thread.join(timeout=60)
        app.extensions["eoffice.db"].dispose()


# --- jobs --------------------------------------------------------------------------------------


@main.group()
def jobs() -> None:
    """The jobs queue (mail, SMS, sweeps) the worker runs."""


def _age(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "0s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    if days or hours or minutes:
        parts.append(f"{minutes}m")
    parts.append(f"{seconds}s")
    return " ".join(parts[:2])


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else "-"


@jobs.command("status")
def jobs_status() -> None:
    """Jobs per name and status, the oldest one waiting, dead jobs with their errors, and the
    schedule of periodic jobs."""
    from eoffice.core import jobs as queue
    from eoffice.core.db import Database

    database = Database.from_config(load_config())
    try:
        with database.sessionmaker() as session:
            st = queue.status(session)
    finally:
        database.dispose()
    if not st["counts"]:
        click.echo("jobs: none")
    else:
        by_name: dict[str, dict[str, int]] = {}
        for row in st["counts"]:
            by_name.setdefault(row["name"], {})[row["status"]] = row["count"]
        width = max(12, *(len(n) for n in by_name))
        click.echo(f"{'job':<{width}}  " + "  ".join(f"{s:>7}" for s in queue.STATUSES))
        for name, counts in by_name.items():
            cells = "  ".join(f"{counts.get(s, 0):>7}" for s in queue.STATUSES)
            click.echo(f"{name:<{width}}  {cells}")
    click.echo(f"due now: {st['due']}")
    oldest = st["oldest_waiting"]
    if oldest is None:
        click.echo("oldest waiting: none")
    else:
        click.echo(
            f"oldest waiting: job {oldest['id']} {oldest['name']}, queued {_age(oldest['age'])} "
            f"ago, attempts {oldest['attempts']}, next try {_when(oldest['run_at'])}"
        )
    click.echo(f"dead: {len(st['dead'])}" + ("  (eoffice jobs retry ID)" if st["dead"] else ""))
    for dead in st["dead"]:
        error = (dead["last_error"] or "").strip().splitlines() or [""]
        tries = f"{dead['attempts']} attempt" + ("" if dead["attempts"] == 1 else "s")
        click.echo(
            f"  job {dead['id']} {dead['name']} after {tries}, "
            f"{_when(dead['finished_at'])}: {error[-1]}"
        )
    click.echo("schedule:" + ("" if st["schedule"] else " none"))
    for row in st["schedule"]:
        gone = "" if row["registered"] else "  (no longer registered)"
        click.echo(
            f"  {row['name']}: next {_when(row['next_at'])}, last {_when(row['last_at'])}{gone}"
        )


@jobs.command("retry")
@click.argument("job_id", type=int)
def jobs_retry(job_id: int) -> None:
    """Put a dead job back in the queue, due now."""
    from eoffice.core import jobs as queue
    from eoffice.core.db import Database
    from eoffice.core.errors import DomainError
    from eoffice.core.uow import unit_of_work

    database = Database.from_config(load_config())
    try:
        with unit_of_work(database) as session:
            job = queue.retry(session, job_id)
            name = job.name
    except DomainError as exc:
        click.echo(f"not retried: {exc}", err=True)
        sys.exit(1)
    finally:
        database.dispose()
    click.echo(f"job {job_id} ({name}) is queued again")


# --- serving -----------------------------------------------------------------------------------


@contextlib.contextmanager
def object_store(cfg: dict):
    """Yield the S3 endpoint: the configured one, or an embedded `weed mini` we start and stop."""
    if cfg["S3_ENDPOINT"]:
        yield {}
        return
    from eoffice.storage.embedded import EmbeddedS3

    server = EmbeddedS3(cfg["INSTANCE"] / "s3", cfg["S3_ACCESS_KEY"], cfg["S3_SECRET_KEY"])
    click.echo("starting the embedded S3 server (SeaweedFS weed mini) ...")
    server.start()
    click.echo(f"embedded S3 server on http://{server.endpoint}")
    try:
        yield {"S3_ENDPOINT": server.endpoint}
    finally:
        click.echo("stopping the embedded S3 server ...")
        server.stop()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes sharing the port (about one per core); the indexer and the job runner "
    "run once, in the first process.",
)
def run(host: str, port: int, threads: int, workers: int) -> None:
    """Migrate, start the embedded S3 server if needed, and serve the app."""
    import waitress

    from eoffice import migrate
    from eoffice.cli import serving

    cfg = load_config()
    migrate.upgrade(cfg["DATABASE_URL"], audit_key=cfg["AUDIT_KEY"])

    def _stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    status = 0
    with object_store(cfg) as overrides:
        app = _app(**overrides)
        app.extensions["eoffice.store"]().ensure_bucket()
        click.echo(f"instance folder: {cfg['INSTANCE']}")
        # the search indexer runs beside the web server; with `eoffice worker` running
        # elsewhere, this one waits its turn
        indexer, stop_indexer = app.extensions["eoffice.search"].start_thread()
        # and the job runner (mail, SMS, sweeps); more may run in `eoffice worker` processes
        jobs_thread, stop_jobs = app.extensions["eoffice.jobs"].start_thread()
        sock = serving.listen(host, port) if workers > 1 else None
        click.echo(f"eoffice is serving on http://{host}:{port}/  (Ctrl-C stops it)")
        try:
            if sock is None:
                waitress.serve(
                    app, host=host, port=port, threads=threads, ident="eoffice", _quiet=True
                )
            else:  # this process keeps the indexer and the jobs; the workers serve
                status = serving.supervise(
                    sock,
                    workers,
                    serving.worker_command(threads),
                    _worker_env(cfg, overrides),
                    click.echo,
                )
        except KeyboardInterrupt:
            pass
        finally:
            stop_indexer.set()
            stop_jobs.set()
            indexer.join(timeout=30)
            jobs_thread.join(timeout=30)
    if status:
        sys.exit(status)


def _worker_env(cfg: dict, overrides: dict) -> dict[str, str]:
    """What a web worker needs to build the same app: this instance, and the object store
    started here (its endpoint and keys)."""
    import os

    env = {**os.environ, "EOFFICE_INSTANCE": str(cfg["INSTANCE"])}
    if "S3_ENDPOINT" in overrides:
        env["EOFFICE_S3_ENDPOINT"] = overrides["S3_ENDPOINT"]
        env["EOFFICE_S3_ACCESS_KEY"] = cfg["S3_ACCESS_KEY"]
        env["EOFFICE_S3_SECRET_KEY"] = cfg["S3_SECRET_KEY"]
    return env


@main.command("web-worker", hidden=True)
@click.option("--threads", default=8, type=int)
def web_worker(threads: int) -> None:
    """One web process of `eoffice run --workers N` (started by it, on the socket it passes)."""
    from eoffice.cli import serving

    serving.serve_worker(_app(), threads)


if __name__ == "__main__":
    main()
