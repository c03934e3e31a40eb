"""How long does the docket of a long file take, next to WeasyPrint alone?

    .venv/bin/python -m bench.docket [--notes 200] [--reps 5] [--warmup 1]

A throw-away SQLite database gets the demo district and one file with 200 notes (Hindi, English
and both mixed), five receipts in its correspondence and 21 movements, all made through the
services (a send every 10 notes, opened by the receiver). Then, alternating, in the same run:

- app: GET /api/v1/files/<id>/pdf through Flask's test client (token auth, access check, the
  queries, the template, nh3, WeasyPrint with the locked-down fetcher, the response);
- reference: WeasyPrint rendering the very HTML the app rendered for that file, straight from a
  string, with its own default fetcher and the stylesheet given as a plain file.

The ratio is the app's median over the reference's: what the app adds to WeasyPrint's own work.
A third row times `eoffice.files.docket.docket_html` alone (the app's own part) after each pair.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import platform
import statistics
import tempfile
import time
from pathlib import Path

import click
import sqlalchemy as sa
import weasyprint
import yaml
from pypdf import PdfReader

from eoffice import create_app, migrate
from eoffice.auth.models import configure_hasher
from eoffice.cli import DEMO_FILE
from eoffice.core import kinds
from eoffice.core.db import Database
from eoffice.core.uow import commit
from eoffice.files import service as files
from eoffice.files.docket import docket_html
from eoffice.files.models import File
from eoffice.notings import service as notings
from eoffice.org.service import load_org
from eoffice.pdf.fetcher import STATIC_ROOT
from eoffice.receipts import service as receipts

from .efile import Clock

kinds.load_modules()

NOTES = [
    "प्रार्थी का अवकाश खाता संलग्न है (देखें C/{c})। आकस्मिक अवकाश शेष है। अवलोकनार्थ प्रस्तुत।",
    "SHO Tirwa की आख्या दिनांक {d} को प्राप्त, placed below for kind perusal (C/{c}).",
    "The enquiry officer has examined the witnesses named in the complaint; statements are "
    "placed below. Orders are solicited on the further course of action.",
    "थानाध्यक्ष को निर्देशित किया जाए कि विवेचना 15 दिवस में पूर्ण कर आख्या प्रस्तुत करें।\nअनुपालन सुनिश्चित करें।",
]


def build(url: str, n_notes: int) -> tuple[int, str, str]:
    """The demo district and one long file; returns (file id, username, password)."""
    from eoffice.auth.models import User
    from eoffice.org.models import Desk

    migrate.upgrade(url)
    database = Database(url)
    org = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    password = {u["username"]: u["password"] for u in org["users"]}
    # services only flush: each use case is committed here, as a request would commit it
    with database.write_sessionmaker() as session:
        load_org(session, org)
        commit(session)

        def actor(username, desk_code):
            user = session.scalars(sa.select(User).where(User.username == username)).one()
            return user, session.scalars(sa.select(Desk).where(Desk.code == desk_code)).one()

        hc, asp = actor("hc.estt", "SPKNJ-HC-ESTT"), actor("asp.knj", "SPKNJ-ASP")
        dak = []
        for i in range(5):
            receipt = receipts.diarise(
                session,
                *hc,
                {
                    "subject": f"शिकायती प्रार्थना पत्र {i} / complaint {i}",
                    "mode": "hand",
                    "received_on": dt.date.today(),
                    "sender_name": f"प्रार्थी {i}",
                },
            )
            commit(session)
            dak.append(receipt.id)
        file = files.create_file(
            session,
            *hc,
            {"subject": "भूमि विवाद की शिकायत / land dispute", "head": "21", "category": "B"},
            dak,
        )
        commit(session)
        holder, other = hc, asp
        for i in range(n_notes):
            text = NOTES[i % len(NOTES)].format(c=i % 5 + 1, d=dt.date.today().isoformat())
            notings.add_note(session, *holder, file.id, f"{text} ({i + 1})")
            commit(session)
            if i % 10 == 9:  # a movement every 10 notes: 20 sends, 20 openings
                files.send_file(session, *holder, file.id, other[1].code, "अवलोकनार्थ")
                commit(session)
                files.open_file(session, other[0], other[1], file.id)
                commit(session)
                holder, other = other, holder
        file_id = file.id
    database.dispose()
    return file_id, "asp.knj" if holder is asp else "hc.estt", password


def main_bench(n_notes: int, reps: int, warmup: int) -> str:
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/docket.sqlite3"
        file_id, username, passwords = build(url, n_notes)
        app = create_app({"DATABASE_URL": url, "INSTANCE": Path(tmp) / "instance"})
        client = app.test_client()
        resp = client.post(
            "/api/v1/token", json={"username": username, "password": passwords[username]}
        )
        headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        with app.app_context():
            session = app.extensions["eoffice.db"].sessionmaker()
            html, _stamp = docket_html(session, session.get(File, file_id))
            session.close()
        # the same HTML for WeasyPrint alone: the stylesheet as a plain file, default fetcher
        css = (STATIC_ROOT / "pdf" / "print.css").as_uri()
        plain = html.replace("eoffice:static/pdf/print.css", css)

        def through_app() -> tuple[float, bytes]:
            with Clock() as clock:
                r = client.get(f"/api/v1/files/{file_id}/pdf", headers=headers)
            assert r.status_code == 200, r.status_code
            return clock.elapsed, r.data

        def weasyprint_alone() -> tuple[float, bytes]:
            with Clock() as clock:
                data = weasyprint.HTML(string=plain).write_pdf(custom_metadata=True)
            return clock.elapsed, data

        def html_only() -> float:
            """The app's own part: the queries, the template and nh3, without WeasyPrint."""
            with app.app_context():
                session = app.extensions["eoffice.db"].sessionmaker()
                with Clock() as clock:
                    docket_html(session, session.get(File, file_id))
                session.close()
            return clock.elapsed

        for _ in range(warmup):
            through_app()
            weasyprint_alone()
        times = {"app": [], "ref": [], "html": []}
        pages = {"html": 0}
        ops = [("app", through_app), ("ref", weasyprint_alone)]
        for rep in range(reps):
            for name, op in ops if rep % 2 == 0 else ops[::-1]:  # ABBA: neither always first
                gc.collect()  # the garbage of one run is not collected inside the other's clock
                seconds, data = op()
                times[name].append(seconds)
                pages[name] = len(PdfReader(io.BytesIO(data)).pages)
            times["html"].append(html_only())
        app.extensions["eoffice.db"].dispose()

    def row(label, name, ratio):
        t = times[name]
        return (
            f"| {label:<58} | {pages[name] or '':>5} | {statistics.median(t):>8.3f} | "
            f"{max(t):>7.3f} | {ratio:>6} |"
        )

    ratio = statistics.median(times["app"]) / statistics.median(times["ref"])
    html_share = f"{statistics.median(times['html']) / statistics.median(times['app']):.3f}"
    lines = [
        f"eoffice docket benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"one file of {n_notes} notes, 5 receipts, {1 + n_notes // 10} movements; "
        f"HTML {len(html) / 1024:,.0f} KiB",
        f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"{platform.machine()}; {reps} runs each after {warmup} warm-up, alternating (ABBA)",
        "",
        f"| {'what':<58} | pages | median s |   max s |  ratio |",
        f"|{'-' * 60}|-------|----------|---------|--------|",
        row("GET /api/v1/files/<id>/pdf (app)", "app", f"{ratio:.2f}"),
        row("WeasyPrint alone, the same HTML from a string", "ref", "ref"),
        row("app's own part: docket_html (queries, template, nh3)", "html", html_share),
        "",
        "ratio: median of the app / median of WeasyPrint alone (docket_html: of the app's).",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--notes", "n_notes", default=200, show_default=True)
@click.option("--reps", default=5, show_default=True)
@click.option("--warmup", default=1, show_default=True)
def main(n_notes: int, reps: int, warmup: int) -> None:
    """Docket render time through the app, as a ratio to WeasyPrint alone."""
    start = time.perf_counter()
    click.echo(main_bench(n_notes, reps, warmup))
    click.echo(f"(whole run {time.perf_counter() - start:.0f} s)", err=True)


if __name__ == "__main__":
    main()
