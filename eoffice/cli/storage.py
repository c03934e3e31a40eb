"""`eoffice storage sweep` and `eoffice storage check`: housekeeping of the object store."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys

import click

from eoffice.core.config import load_config

# Below this many objects the commands finish in a moment: no progress unless someone watches.
LARGE_STORE = 5000


class Progress:
    """Progress on stderr: a bar on a terminal; in a log, a line at every tenth of the work and
    only when there is a lot to do. Called with the number of objects just handled."""

    def __init__(self, total: int, label: str, stream=None):
        self.stream = stream or sys.stderr
        self.total = total
        self.label = label
        self.done = 0
        self.bar = None
        self.lines = total >= LARGE_STORE and not self.stream.isatty()
        self.next_line = max(total // 10, 1)

    def __enter__(self) -> Progress:
        if self.stream.isatty():
            self.bar = click.progressbar(
                length=max(self.total, 1), label=self.label, file=self.stream
            )
            self.bar.__enter__()
        return self

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.lines and self.done >= self.next_line:
            click.echo(f"{self.label}: {self.done:,} of about {self.total:,}", file=self.stream)
            self.next_line += max(self.total // 10, 1)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return f"{n} bytes"  # pragma: no cover


@contextlib.contextmanager
def _store_and_session():
    """The configured object store (or the embedded one, started for the command) and a
    database session."""
    from eoffice.cli import object_store
    from eoffice.core.db import Database
    from eoffice.core.errors import Unavailable
    from eoffice.storage import get_store_factory
    from eoffice.storage.embedded import running

    cfg = load_config()
    if not cfg["S3_ENDPOINT"]:  # `eoffice run` may be serving the embedded store: use it
        cfg["S3_ENDPOINT"] = running(cfg["INSTANCE"] / "s3")
    with object_store(cfg) as overrides:
        store = get_store_factory({**cfg, **overrides})()
        database = Database.from_config(cfg)
        try:
            store.ensure_bucket()
            with database.sessionmaker() as session:
                yield store, session
        except Unavailable as exc:
            click.echo(f"{exc.message}: stopped", err=True)
            sys.exit(2)
        finally:
            database.dispose()


@click.group()
def storage() -> None:
    """The object store of attachments.

    With no EOFFICE_S3_ENDPOINT they use the embedded store of the instance folder: the one
    `eoffice run` serves, or, when it is stopped, one they start for the moment.
    """


@storage.command("sweep")
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=24,
    show_default=True,
    metavar="HOURS",
    help="Spare objects younger than this (an upload may still be committing its row).",
)
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@click.option("--yes", "-y", is_flag=True, help="Remove without asking.")
def sweep(grace: float, dry_run: bool, yes: bool) -> None:
    """Remove objects that no attachment points to, once older than the grace period."""
    from eoffice.storage import service

    def confirm(keys: list[str], size: int) -> bool:
        if yes:
            return True
        for key in keys:
            click.echo(f"orphan: {key}", err=True)
        return click.confirm(
            f"Remove these {len(keys)} objects ({human_size(size)})?", default=False, err=True
        )

    with _store_and_session() as (store, session):
        with Progress(service.expected_objects(session), "listing objects") as progress:
            report = service.sweep(
                session,
                store,
                dt.timedelta(hours=grace),
                dry_run=dry_run,
                progress=progress,
                confirm=confirm,
            )
    for key in report.removed:
        click.echo(f"{'would remove' if report.dry_run else 'removed'}: {key}")
    verb = "would remove" if report.dry_run else "removed"
    click.echo(
        f"looked at {report.objects:,} objects: {verb} {len(report.removed):,} "
        f"({human_size(report.bytes_removed)}); kept {report.kept_in_grace:,} unreferenced "
        f"younger than {grace:g} hours"
    )
    if report.cancelled:
        click.echo("nothing was removed", err=True)
        sys.exit(1)


@storage.command("check")
def check() -> None:
    """List attachments whose object is missing from the store; exit 1 if there are any."""
    import sqlalchemy as sa

    from eoffice.storage import service
    from eoffice.storage.models import Attachment

    with _store_and_session() as (store, session):
        rows = session.scalar(sa.select(sa.func.count(Attachment.id))) or 0
        with Progress(service.expected_objects(session), "listing objects") as progress:
            missing = service.check(session, store, progress=progress)
        for att in missing:
            owner = f"{att.owner_kind} {att.owner_id}"
            click.echo(f"missing: attachment {att.id} ({owner}) {att.name!r} {att.key}")
    if missing:
        click.echo(
            f"{len(missing):,} of {rows:,} attachments have no object in the store", err=True
        )
        sys.exit(1)
    click.echo(f"ok: all {rows:,} attachments have their object")
