"""Requests a second through a real server: `eoffice run --workers N` against a hello-world
Flask app served the same way (waitress, N processes on one port, the same threads each).

    .venv/bin/python -m bench.serve --db sqlite:///bench/out/efile-50000-copy-req.sqlite3

For each number of workers: the app is started as a user starts it (the console script, its
embedded S3 server, migrations), then a bounded load client (`--clients` threads on loopback,
each with one keep-alive connection, sending the next request when the last one is answered)
sends `GET /api/v1/inbox` for the busiest desk with a Bearer token for `--seconds`, then the
same client sends `GET /hello` to the hello-world app for as long, alternating for `--rounds`
rounds so both see the same machine. The figure is the median of the rounds' requests a
second; the ratio is hello's over the inbox's (how many hello-world requests the server answers
in the time of one inbox). The search indexer of `eoffice run` is kept waiting (this process
holds its lock, as an `eoffice worker` elsewhere would), so rebuilding the district's index does
not run beside the measurement. The client is Python too, on the same cores: it caps what
either server can be shown to do, the same for both.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import flask

from eoffice.cli import serving

from .efile import find_scene
from .generate import passwords

BIN = Path(sys.executable).parent / "eoffice"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise click.ClickException(f"the server on port {port} exited ({proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise click.ClickException(f"the server on port {port} did not answer {path}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- the load client ---------------------------------------------------------------------------


def load(port: int, path: str, headers: dict, clients: int, seconds: float) -> dict:
    """`clients` threads, one keep-alive connection each, for `seconds`: requests a second and
    the latencies of the answers (every answer must be 200)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start = threading.Barrier(clients + 1)
    until = [0.0]

    def client(mine: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        try:
            while (t0 := time.perf_counter()) < until[0]:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    errors.append(f"{resp.status}")
                    return
                mine.append(time.perf_counter() - t0)
        except OSError as exc:
            errors.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    for t in threads:
        t.start()
    until[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise click.ClickException(f"GET {path} on port {port}: {errors[:3]}")
    every = sorted(x for mine in latencies for x in mine)
    return {
        "rps": len(every) / elapsed,
        "p50": statistics.median(every) * 1000,
        "p95": every[max(0, int(0.95 * len(every)) - 1)] * 1000,
        "n": len(every),
    }


# --- the hello-world app, served as eoffice is -------------------------------------------------


def hello_app() -> flask.Flask:
    app = flask.Flask("hello")
    app.get("/hello")(lambda: flask.jsonify(hello="world"))
    return app


def start_hello(port: int, workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.serve",
            "--hello-server",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=Path(__file__).resolve().parent.parent,
    )


def serve_hello(port: int, workers: int, threads: int) -> None:
    """The hello-world app on `port`: N waitress processes on one socket, as `eoffice run`."""
    sock = serving.listen("127.0.0.1", port)
    command = [sys.executable, "-m", "bench.serve", "--hello-worker", "--threads", str(threads)]
    stop_event = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_event.set())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    serving.supervise(sock, workers, command, env, lambda _msg: None, stop_event)


# --- the run -----------------------------------------------------------------------------------


def measure(url: str, workers_list: list[int], threads: int, clients: int, seconds, rounds):
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    scene = find_scene(engine)
    engine.dispose()
    password = passwords()[scene.busy_user]
    results = []
    with tempfile.TemporaryDirectory(prefix="eoffice-serve-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
        env |= {
            "EOFFICE_INSTANCE": tmp,
            "EOFFICE_DATABASE_URL": url,
            "EOFFICE_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        from eoffice.search.index import IndexHome

        # an indexer "elsewhere": the app's indexer thread waits for this lock all along
        with IndexHome(Path(tmp) / "index").lock("indexer", wait=False):
            for workers in workers_list:
                results.append(
                    _one(env, scene, password, workers, threads, clients, seconds, rounds)
                )
    return scene, results


def _one(env, scene, password, workers, threads, clients, seconds, rounds) -> dict:
    port, hello_port = free_port(), free_port()
    app = subprocess.Popen(
        [
            str(BIN),
            "run",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    hello = start_hello(hello_port, workers, threads)
    try:
        wait_ready(port, "/healthz", app)
        wait_ready(hello_port, "/hello", hello)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"username": scene.busy_user, "password": password})
        conn.request("POST", "/api/v1/token", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        token = json.loads(resp.read())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        inbox_path = f"/api/v1/inbox?desk={scene.busy_code}"
        # warm up every worker's caches and pools
        load(port, inbox_path, headers, clients, 2)
        load(hello_port, "/hello", {}, clients, 2)
        inbox, hellos = [], []
        for i in range(rounds):
            order = [("inbox", port, inbox_path, headers), ("hello", hello_port, "/hello", {})]
            for name, p, path, h in order if i % 2 == 0 else reversed(order):
                (inbox if name == "inbox" else hellos).append(load(p, path, h, clients, seconds))
    finally:
        stop(app)
        stop(hello)
    return {"workers": workers, "inbox": inbox, "hello": hellos}


def report(url: str, scene, results, threads: int, clients: int, seconds, rounds) -> str:
    lines = [
        f"eoffice serving benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{url.rsplit('/', 1)[-1]}: busy desk {scene.busy_code} ({scene.busy_open} open files, "
        f"user {scene.busy_user}); waitress, {threads} threads a process",
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; "
        f"load client: {clients} threads on loopback, keep-alive, {seconds:g} s a round, "
        f"{rounds} rounds alternating; medians of the rounds",
        "",
        f"| {'server':<46} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'ratio':>6} |",
        f"|{'-' * 48}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|",
    ]
    for r in results:
        w = r["workers"]
        rows = [
            (f"GET /api/v1/inbox, eoffice run --workers {w}", r["inbox"]),
            (f"GET /hello, hello-world app, {w} process{'es' if w > 1 else ''}", r["hello"]),
        ]
        hello_rps = statistics.median(x["rps"] for x in r["hello"])
        for name, runs in rows:
            rps = statistics.median(x["rps"] for x in runs)
            p50 = statistics.median(x["p50"] for x in runs)
            p95 = statistics.median(x["p95"] for x in runs)
            ratio = f"{hello_rps / rps:6.2f}" if runs is r["inbox"] else "   ref"
            lines.append(f"| {name:<46} | {rps:7.0f} | {p50:7.2f} | {p95:7.2f} | {ratio} |")
    lines += [
        "",
        "ratio: hello-world requests a second / the inbox's, same server layout, same client.",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--db", "url", help="a database made by bench.generate (a copy: runs migrate it)")
@click.option("--workers", "workers_list", default="1,2", show_default=True)
@click.option("--threads", default=4, show_default=True, help="waitress threads a process")
@click.option("--clients", default=8, show_default=True, help="load client threads")
@click.option("--seconds", default=5.0, show_default=True, help="length of a round")
@click.option("--rounds", default=3, show_default=True)
@click.option("--port", default=0, hidden=True)
@click.option("--hello-server", is_flag=True, hidden=True)
@click.option("--hello-worker", is_flag=True, hidden=True)
def main(url, workers_list, threads, clients, seconds, rounds, port, hello_server, hello_worker):
    """Requests a second for the inbox under `eoffice run --workers N`, against hello-world."""
    if hello_worker:
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 3"
        serving.serve_worker(hello_app(), threads, ident="hello")
        return
    if hello_server:
        serve_hello(port, int(workers_list), threads)
        return
    if not url:
        raise click.UsageError("--db is required")
    workers = [int(w) for w in str(workers_list).split(",")]
    scene, results = measure(url, workers, threads, clients, seconds, rounds)
    click.echo(report(url, scene, results, threads, clients, seconds, rounds))


if __name__ == "__main__":
    main()
