"""Several web processes on one port: `eoffice run --workers N`.

waitress serves with threads in one process, and one Python process runs Python on one core at
a time. With N workers the parent binds the listening socket once and starts N processes of
`eoffice web-worker` that inherit it (a pre-fork of waitress servers: each accepts connections
from the same socket, the kernel hands each connection to one of them). The workers share
nothing in memory: each builds its own app, engine and caches, and reads the same settings
from the environment. Only the parent runs the search indexer and the job runner, so each runs
once, as with one process; a worker that dies is replaced; SIGTERM to the parent stops them
all. Each worker also leaves when its parent is gone."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

LISTEN_FD = "EOFFICE_LISTEN_FD"  # the inherited listening socket, in the worker's environment
PARENT_PID = "EOFFICE_PARENT_PID"
QUICK_DEATH = 5.0  # a worker that fails this soon after starting is not restarted (broken setup)


def listen(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """The listening socket the workers share."""
    sock = socket.create_server((host, port), backlog=backlog)  # SO_REUSEADDR on POSIX
    sock.set_inheritable(True)
    return sock


def worker_command(threads: int) -> list[str]:
    return [sys.executable, "-m", "eoffice.cli", "web-worker", "--threads", str(threads)]


def supervise(
    sock: socket.socket,
    workers: int,
    command: Sequence[str],
    env: dict[str, str],
    echo: Callable[[str], None],
    stop: threading.Event | None = None,
) -> int:
    """Run `workers` copies of `command` on `sock` until SIGTERM / Ctrl-C (or `stop`); replace a
    worker that dies. Returns the exit status (1 when a worker could not start at all)."""
    env = {**env, LISTEN_FD: str(sock.fileno()), PARENT_PID: str(os.getpid())}
    stop = stop or threading.Event()

    def spawn() -> tuple[subprocess.Popen, float]:
        proc = subprocess.Popen(list(command), env=env, pass_fds=(sock.fileno(),))
        return proc, time.monotonic()

    procs = [spawn() for _ in range(workers)]
    echo(f"{workers} web workers: pids {', '.join(str(p.pid) for p, _ in procs)}")
    try:
        while not stop.wait(0.5):
            for i, (proc, started) in enumerate(procs):
                code = proc.poll()
                if code is None:
                    continue
                if code > 0 and time.monotonic() - started < QUICK_DEATH:
                    # it failed by itself on starting (not killed): another would fail alike
                    echo(f"web worker {proc.pid} could not start (status {code}); stopping")
                    return 1
                procs[i] = spawn()
                echo(f"web worker {proc.pid} exited (status {code}); started {procs[i][0].pid}")
    except KeyboardInterrupt:
        pass
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc, _ in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        sock.close()
    return 0


def inherited_socket() -> socket.socket:
    """In a worker: the listening socket the parent passed down."""
    fd = os.environ.get(LISTEN_FD)
    if not fd:
        raise SystemExit("web-worker is started by `eoffice run --workers N`, not by hand")
    return socket.socket(fileno=int(fd))


def watch_parent() -> None:
    """Leave (as on SIGTERM) once the parent is gone, whichever way it went."""
    parent = int(os.environ.get(PARENT_PID) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="eoffice-parent-watch", daemon=True).start()


def serve_worker(app, threads: int, ident: str = "eoffice") -> None:
    """Serve `app` on the inherited socket until SIGTERM."""
    import waitress

    def _stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    sock = inherited_socket()
    watch_parent()
    # what start-up built lives as long as the process: the collector need not walk it again
    gc.collect()
    gc.freeze()
    try:
        waitress.serve(app, sockets=[sock], threads=threads, ident=ident, _quiet=True)
    except KeyboardInterrupt:
        pass
