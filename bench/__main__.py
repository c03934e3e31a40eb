"""`.venv/bin/python -m bench`: make the district database once, then measure the e-file, then
the PDF docket of a 200-note file (bench.docket, on a throw-away database of its own).

The database goes to bench/out/efile-<files>.sqlite3 (git-ignored) and is generated only when it
is not there yet; it is written under a temporary name first, so an interrupted run never leaves
a half-filled database that a later run would mistake for a finished one.
"""

from __future__ import annotations

from pathlib import Path

import click

from .docket import main_bench as docket_bench
from .efile import main_bench
from .generate import generate

OUT = Path(__file__).resolve().parent / "out"


def ensure_database(n_files: int) -> Path:
    path = OUT / f"efile-{n_files}.sqlite3"
    if path.exists():
        click.echo(f"using {path} ({path.stat().st_size / 2**20:,.0f} MiB)", err=True)
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    click.echo(f"generating {path} with {n_files:,} files (once)", err=True)
    counts = generate(f"sqlite:///{partial}", n_files, 11 * n_files, 6 * n_files, "district", 2026)
    wal = partial.with_name(partial.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise click.ClickException(f"{wal} still holds data; the database was not finished")
    wal.unlink(missing_ok=True)
    partial.rename(path)
    click.echo(
        f"generated in {counts['seconds']} s: {path.stat().st_size / 2**20:,.0f} MiB", err=True
    )
    return path


@click.command()
@click.option("--files", "n_files", default=50_000, show_default=True, help="database size")
@click.option("--reps", default=100, show_default=True, help="timed runs per operation")
@click.option("--warmup", default=10, show_default=True, help="untimed runs first")
@click.option(
    "--docket-notes", default=200, show_default=True, help="notes in bench.docket's file (0: skip)"
)
def main(n_files: int, reps: int, warmup: int, docket_notes: int) -> None:
    """Generate bench/out/efile-<files>.sqlite3 if missing, then run bench.efile on it, then
    bench.docket (the PDF docket of a long file against WeasyPrint alone)."""
    path = ensure_database(n_files)
    click.echo(main_bench(f"sqlite:///{path}", reps, warmup))
    if docket_notes:
        click.echo()
        click.echo(docket_bench(docket_notes, reps=5, warmup=1))


main()
