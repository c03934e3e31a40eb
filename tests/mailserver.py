"""A real SMTP server (aiosmtpd) and a tiny HTTP SMS gateway on free local ports, recording what
they were sent. Use the fixtures in a test module with

    from tests.mailserver import sms_gateway, smtp_server

    __all__ = ["sms_gateway", "smtp_server"]  # the fixtures are used (by pytest), says ruff

- `smtp_server.messages`: the mails that arrived, as `email.message.EmailMessage` (parsed with
  the default policy); `.envelopes`: `(mail_from, rcpt_tos)` of each; `.host`, `.port`;
  `.stop()` / `.start()` take the server down and bring it back on the same port; `.config()`
  the EOFFICE settings that send to it; `.wait_for(n)` waits for n messages.
- `sms_gateway.url`, `.posts` (the JSON bodies posted), `.headers` (their request headers, as
  dicts), `.token` (the bearer token it expects; `.config()` gives it), `.fail(n, status=500)`
  answers the next n posts with that status.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Recorder:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(msg)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SMTPServer:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host = host
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SMTPServer:
        if self._controller is None:
            controller = Controller(
                _Recorder(self), hostname=self.host, port=self.port, ready_timeout=10
            )
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        """Take the server down: connections to its port are refused until start()."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self) -> dict:
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port}

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


class _GatewayHandler(BaseHTTPRequestHandler):
    server: _GatewayHTTPServer

    def do_POST(self):  # noqa: N802 - http.server's name
        gateway = self.server.gateway
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with gateway.lock:
            failing = gateway._failures > 0
            if failing:
                gateway._failures -= 1
            else:
                gateway.posts.append(json.loads(body.decode("utf-8")))
                gateway.headers.append(dict(self.headers.items()))
            gateway.attempts += 1
        status = gateway._fail_status if failing else 200
        answer = json.dumps({"ok": not failing}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # quiet
        pass


class _GatewayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    gateway: SMSGateway


class SMSGateway:
    def __init__(self, token: str = "sms-test-token"):  # noqa: S107 - a test gateway's
        self.token = token
        self.posts: list[dict] = []
        self.headers: list[dict] = []
        self.attempts = 0  # posts received, failed ones included
        self.lock = threading.Lock()
        self._failures = 0
        self._fail_status = 500
        self._server = _GatewayHTTPServer(("127.0.0.1", 0), _GatewayHandler)
        self._server.gateway = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/send"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> SMSGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def fail(self, times: int = 1, status: int = 500) -> None:
        """Answer the next `times` posts with `status` (and record nothing of them)."""
        with self.lock:
            self._failures = times
            self._fail_status = status

    def config(self) -> dict:
        return {"SMS_URL": self.url, "SMS_TOKEN": self.token}


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway():
    gateway = SMSGateway().start()
    yield gateway
    gateway.stop()
