"""`.venv/bin/python -m bench.portal_load`: 200 concurrent citizens filing lost reports, security
requests and complaints for 60 s against the app served by waitress (as `eoffice run` serves it:
8 threads), on loopback, on a copy of a small demo database; then a hello-world endpoint under the
same server with the same concurrency, as the reference. Prints the counts, errors and the
p50/p95 of each, and the ratios.

Bounded: every citizen is a thread that files one request at a time (a fresh connection each, as
phones come and go) until the clock runs out; nothing leaves 127.0.0.1. The public rate limit is
raised through the environment (EOFFICE_PUBLIC_RATE_LIMIT), as an installation would set it:
all the citizens share one address here."""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import click

OUT = Path(__file__).resolve().parent / "out"
DEMO = Path(__file__).resolve().parent.parent / "eoffice" / "demo" / "district.yaml"


def demo_database() -> Path:
    """bench/out/portal-demo.sqlite3: migrated, with the demo district (made once)."""
    import yaml

    from eoffice import migrate
    from eoffice.auth.models import configure_hasher
    from eoffice.core.db import Database
    from eoffice.core.uow import unit_of_work
    from eoffice.org.service import load_org

    path = OUT / "portal-demo.sqlite3"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    migrate.upgrade(url)
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    database = Database.from_config({"DATABASE_URL": url, "AUDIT_KEY": "bench-portal-load"})
    with unit_of_work(database) as session:
        load_org(session, yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    database.dispose()
    partial.rename(path)
    return path


def hello_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def serve(db_path: Path, instance: Path):
    """The app and /hello in one waitress server on a free loopback port: (server, port)."""
    import waitress
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from eoffice import create_app

    app = create_app(
        {"INSTANCE": instance, "DATABASE_URL": f"sqlite:///{db_path}", "S3_ENDPOINT": "127.0.0.1:9"}
    )
    wsgi = DispatcherMiddleware(app, {"/hello": hello_app})
    server = waitress.create_server(wsgi, host="127.0.0.1", port=0, threads=8, ident="eoffice")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, server.effective_port, app


def bodies(district: str, stations: list[str]):
    """What a citizen files: each kind in turn, Hindi text, a different mobile each time."""
    n = random.randrange(10**8)
    mobile = f"98{n:08d}"
    station = random.choice(stations + [None])
    kind = random.choice(("lost", "security", "complaint"))
    if kind == "lost":
        return "/api/v1/public/lost-reports", {
            "district": district,
            "station": station,
            "article": {
                "kind": "mobile",
                "description": "काले रंग का मोबाइल फ़ोन",
                "identifiers": {"imei": f"35{n:013d}"},
            },
            "lost": {"on": "2026-11-30", "place": "बस अड्डा"},
            "reporter": {"name": "सुनीता देवी", "mobile": mobile},
        }
    if kind == "security":
        return "/api/v1/public/security-requests", {
            "district": district,
            "station": station,
            "for": random.choice(("senior_citizen", "woman", "child")),
            "name": "रामेश्वर दयाल",
            "mobile": mobile,
            "address": "सराय मीरा",
            "need": "रात में गश्त चाहिए",
        }
    return "/api/v1/public/complaints", {
        "district": district,
        "station": station,
        "category": "theft",
        "description": "मोटरसाइकिल चोरी हो गई",
        "complainant": {"name": "मोहन लाल", "mobile": mobile},
    }


def one(port: int, method: str, path: str, body=None) -> tuple[int, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        headers = {"Connection": "close"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        resp.read()
        status = resp.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - start


def crowd(users: int, seconds: float, work) -> list[tuple[str, int, float]]:
    """`users` threads, each doing `work()` -> (label, status, seconds) until the time is up."""
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start = threading.Barrier(users)

    def citizen():
        start.wait()
        mine = []
        while time.monotonic() < deadline:
            mine.append(work())
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=citizen, daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 180)
    return results


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


@click.command()
@click.option("--users", default=200, show_default=True)
@click.option("--seconds", default=60.0, show_default=True, help="filing, per run")
@click.option("--hello-seconds", default=20.0, show_default=True, help="the reference run")
def main(users: int, seconds: float, hello_seconds: float) -> None:
    os.environ["EOFFICE_PUBLIC_RATE_LIMIT"] = "1000000 per minute"  # one shared address here
    logging.getLogger("waitress").setLevel(logging.ERROR)  # its queue warnings are the point here
    from eoffice.core import kinds

    kinds.load_modules()
    template = demo_database()
    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    db_path = folder / "eoffice.sqlite3"
    shutil.copy(template, db_path)
    server, port, app = serve(db_path, folder / "instance")
    try:
        import sqlalchemy as sa

        from eoffice.org.models import Office

        with app.extensions["eoffice.db"].sessionmaker() as session:
            district = session.scalar(sa.select(Office.code).where(Office.kind == "district"))
            stations = list(session.scalars(sa.select(Office.code).where(Office.kind == "thana")))
        # warm up: one of each, and the reference
        for _ in range(3):
            path, body = bodies(district, stations)
            status, _s = one(port, "POST", path, body)
            assert status == 201, (path, status)
        one(port, "GET", "/hello")

        def hello():
            status, took = one(port, "GET", "/hello")
            return "hello", status, took

        def file():
            path, body = bodies(district, stations)
            status, took = one(port, "POST", path, body)
            return path.rsplit("/", 1)[-1], status, took

        ref = crowd(users, hello_seconds, hello)
        load = crowd(users, seconds, file)
    finally:
        server.close()
        app.extensions["eoffice.db"].dispose()
        shutil.rmtree(folder, ignore_errors=True)

    ref_ok = [t for _l, s, t in ref if s == 200]
    ref_p50, ref_p95 = pct(ref_ok, 0.5), pct(ref_ok, 0.95)
    lines = [
        f"{users} concurrent citizens, waitress 8 threads, SQLite (WAL), loopback",
        f"{'endpoint':<20} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p95 ratio':>9}",
        f"{'GET /hello':<20} {len(ref):>8} {len(ref) - len(ref_ok):>6} "
        f"{len(ref) / hello_seconds:>7.1f} {ref_p50 * 1000:>8.1f} {ref_p95 * 1000:>8.1f} "
        f"{1:>9.1f}",
    ]
    labels = sorted({label for label, _s, _t in load})
    for label in [*labels, "all filings"]:
        rows = [r for r in load if label == "all filings" or r[0] == label]
        ok = [t for _l, s, t in rows if s == 201]
        p95 = pct(ok, 0.95)
        lines.append(
            f"{'POST ' + label:<20} {len(rows):>8} {len(rows) - len(ok):>6} "
            f"{len(rows) / seconds:>7.1f} {pct(ok, 0.5) * 1000:>8.1f} {p95 * 1000:>8.1f} "
            f"{p95 / ref_p95:>9.1f}"
        )
    errors = [s for _l, s, _t in load if s != 201]
    lines.append(f"errors: {len(errors)}" + (f" {sorted(set(errors))}" if errors else ""))
    lines.append(
        f"median of all filings: {statistics.median([t for *_x, t in load]) * 1000:.1f} ms"
    )
    click.echo("\n".join(lines))
    if errors or len(ref_ok) != len(ref):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
