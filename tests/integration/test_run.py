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


def start(instance: Path, port: int):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOFFICE_")}
    env["EOFFICE_INSTANCE"] = str(instance)
    return subprocess.Popen(
        [str(BIN), "run", "--port", str(port)],
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
