"""The API fuzzed with schemathesis against a real server: whatever it sends, within its own
reading of the OpenAPI document or not, the answer is never a 5xx. Bounded and seeded, so a run
is repeatable and quick; `make fuzz` runs more examples."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# on PostgreSQL, the second pass, fewer examples of the same seeded run (its database errors
# are what it checks there); `make fuzz` runs many more
EXAMPLES = int(
    os.environ.get(
        "EOFFICE_FUZZ_EXAMPLES", "8" if os.environ.get("EOFFICE_TEST_DATABASE_URL") else "15"
    )
)
SEED = int(os.environ.get("EOFFICE_FUZZ_SEED", "2026"))


@pytest.fixture
def served(app, api):
    """The app on a real socket (waitress), with a file, a receipt and an attachment to find."""
    import io

    import waitress

    clerk = api("clerk")
    f = clerk.post("/api/v1/files", {"subject": "जांच", "head": "11", "category": "B"}).get_json()
    clerk.post(
        "/api/v1/receipts",
        {
            "subject": "शिकायत",
            "sender": {"name": "राम"},
            "mode": "post",
            "received_on": "2026-11-30",
        },
    )
    clerk.post(
        f"/api/v1/files/{f['id']}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")},
        content_type="multipart/form-data",
    )
    app.extensions["eoffice.search"].index()  # the index exists: search answers, never 503
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", clerk.headers["Authorization"]
    finally:
        server.close()
        thread.join(timeout=10)


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed")
def test_no_request_gets_a_server_error(served, tmp_path):
    base, bearer = served
    done = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{base}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--header",
            f"Authorization: {bearer}",
            # revoking the run's own token would leave the rest of it unauthenticated
            "--exclude-method",
            "DELETE",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
