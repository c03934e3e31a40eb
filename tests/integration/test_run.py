"""`eoffice run` as a user starts it: embedded S3, migrations, the web server; two instances
side by side share nothing; SIGTERM stops everything it started."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "eoffice"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, proc, timeout: float = 60) -> dict:
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return json.loads(r.read())
        except OSError:
            time.sleep(0.3)
    raise AssertionError("eoffice run did not become healthy")


def instance_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env["EOFFICE_INSTANCE"] = str(instance)
    return env


def start(instance: Path, port: int, *args: str):
    env = instance_env(instance)
    return subprocess.Popen(
        [str(BIN), "run", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return out.decode()


@pytest.mark.skipif(not BIN.exists(), reason="the eoffice console script is not installed")
def test_two_independent_instances(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    pa, pb = free_port(), free_port()
    proc_a, proc_b = start(a, pa), start(b, pb)
    try:
        assert wait_healthy(pa, proc_a)["ok"] is True
        assert wait_healthy(pb, proc_b)["ok"] is True
        for port in (pa, pb):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
                assert r.status == 200
        # the indexer thread builds each instance's search index in its own folder
        for folder in (a, b):
            deadline = time.monotonic() + 30
            while not (folder / "index" / "current" / "schema_version").exists():
                assert time.monotonic() < deadline, "the indexer did not build the index"
                time.sleep(0.2)
    finally:
        out_a, out_b = stop(proc_a), stop(proc_b)
    assert "stopping the embedded S3 server" in out_b
    assert proc_a.returncode == 0 and proc_b.returncode == 0
    assert "stopping the embedded S3 server" in out_a
    for folder in (a, b):
        assert (folder / "eoffice.sqlite3").exists()
        assert (folder / "s3" / "data").is_dir()
        assert (folder / "secret_key").exists()
    assert (a / "secret_key").read_text() != (b / "secret_key").read_text()
    # nothing left listening: the weed processes went with their parent
    leftover = subprocess.run(
        ["pgrep", "-f", "--", f"-dir={a / 's3' / 'data'}"], capture_output=True
    )
    assert leftover.stdout == b""


def web_workers(parent: int) -> list[int]:
    """The `eoffice web-worker` processes `parent` started."""
    found = subprocess.run(["pgrep", "-P", str(parent), "-f", "web-worker"], capture_output=True)
    return sorted(int(pid) for pid in found.stdout.split())


def get_ok(port: int, times: int = 1) -> None:
    for _ in range(times):  # a new connection each time (waits for a worker still starting)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as r:
            assert r.status == 200


def wait_for(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return value


@pytest.mark.once
@pytest.mark.skipif(not BIN.exists(), reason="the eoffice console script is not installed")
def test_workers_share_one_port(tmp_path):
    """`eoffice run --workers 2`: two web processes answer on the one port, each on its own
    (the other stopped); the indexer runs in the parent only; a worker that dies is replaced;
    SIGTERM stops them all."""
    instance, port = tmp_path / "w", free_port()
    proc = start(instance, port, "--workers", "2", "--threads", "2")
    workers, replaced = [], []
    try:
        # the parent starts the store, then each worker builds its app: slower on a busy machine
        assert wait_healthy(port, proc, timeout=180)["ok"] is True
        workers = wait_for(lambda: len(web_workers(proc.pid)) == 2 and web_workers(proc.pid), "2")
        for paused in workers:
            os.kill(paused, signal.SIGSTOP)  # the other one alone must answer
            try:
                get_ok(port, times=5)
            finally:
                os.kill(paused, signal.SIGCONT)
        # the search indexer runs once, in the parent (its lock names the pid holding it)
        status = wait_for(
            lambda: (
                (
                    out := subprocess.run(
                        [str(BIN), "search", "status"],
                        env=instance_env(instance),
                        capture_output=True,
                        text=True,
                    ).stdout
                )
                and "running (pid" in out
                and out
            ),
            "the indexer did not start",
        )
        assert f"running (pid {proc.pid})" in status
        os.kill(workers[0], signal.SIGKILL)
        replaced = wait_for(
            lambda: (
                (now := web_workers(proc.pid)) and len(now) == 2 and workers[0] not in now and now
            ),
            "the dead worker was not replaced",
        )
        get_ok(port, times=5)
    finally:
        out = stop(proc)
    assert proc.returncode == 0, out
    assert "2 web workers" in out and "stopping the embedded S3 server" in out
    for pid in set(workers) | set(replaced):
        assert not Path(f"/proc/{pid}").exists(), f"web worker {pid} outlived its parent"
