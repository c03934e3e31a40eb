"""`eoffice sla sweep`: the complaints' escalation sweep the worker runs every few minutes, run
by hand for a given moment (tests use it instead of waiting days)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from eoffice.core.config import load_config


def _moment(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date and time (for example 2026-12-20T10:00+05:30)"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time with its zone, for example +05:30")
    return moment.astimezone(dt.UTC)


@click.group()
def sla() -> None:
    """The clock of citizens' complaints."""


@sla.command("sweep")
@click.option("--as-of", "as_of", help="Sweep as of this moment (ISO 8601 with a zone).")
def sweep(as_of: str | None) -> None:
    """Escalate overdue complaints one level for each step due; print what moved."""
    from eoffice.complaints import service
    from eoffice.core.db import Database
    from eoffice.core.uow import unit_of_work

    moment = _moment(as_of)
    cfg = load_config()
    database = Database.from_config(cfg)
    try:
        with unit_of_work(database) as session:
            moves = service.sweep(session, service.Settings.of(cfg), moment)
    except Exception as exc:  # a lost race with a user's change: nothing moved, run it again
        click.echo(f"the sweep did not finish, nothing was changed: {exc}", err=True)
        sys.exit(1)
    finally:
        database.dispose()
    for m in moves:
        click.echo(f"{m.number}: {m.from_level} -> {m.to_level} ({m.to_office})")
    click.echo(f"{len(moves)} escalation step(s)")
