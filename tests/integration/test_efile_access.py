"""Every e-file route for every role: a file nobody showed you does not exist (404); seeing is
not acting (409 for the wrong desk, 403 for the wrong role); no token is 401. The officer holds
two desks and names none here, so every write is refused first for the missing `desk` (422),
which says nothing about the file."""

import datetime as dt

import pytest

ROLES = ["anon", "clerk", "officer", "auditor", "other", "admin"]
S = None  # the holder's successful writes are covered by the workflow tests

# (method, path, body) -> expected status per role, in ROLES order
TABLE = [
    ("GET", "/api/v1/files/{F}", None, [401, 200, 404, 200, 404, 404]),
    ("POST", "/api/v1/files/{F}/notes", {"text": "x"}, [401, S, 422, 409, 404, 404]),
    ("PUT", "/api/v1/files/{F}/notes/1", {"text": "x"}, [401, S, 422, 403, 404, 404]),
    ("POST", "/api/v1/files/{F}/send", {"to": "SPO-SP"}, [401, S, 422, 409, 404, 404]),
    ("POST", "/api/v1/files/{F}/pull-back", {}, [401, 409, 422, 409, 404, 404]),
    ("POST", "/api/v1/files/{F}/park", {}, [401, S, 422, 409, 404, 404]),
    ("POST", "/api/v1/files/{F}/unpark", {}, [401, 409, 422, 409, 404, 404]),
    ("POST", "/api/v1/files/{F}/close", {"remarks": "x"}, [401, 403, 422, 403, 404, 404]),
    ("POST", "/api/v1/files/{F}/reopen", {"remarks": "x"}, [401, 403, 422, 403, 404, 404]),
    ("POST", "/api/v1/files/{F}/receipts", {"receipt_id": "{R}"}, [401, S, 422, 409, 404, 404]),
    ("POST", "/api/v1/files/{F}/drafts", {"title": "t", "body": "b"}, [401, S, 422, 409, 404, 404]),
    ("PUT", "/api/v1/drafts/{D}", {"body": "b2"}, [401, S, 422, 409, 404, 404]),
    ("GET", "/api/v1/drafts/{D}/versions", None, [401, 200, 404, 200, 404, 404]),
    ("POST", "/api/v1/drafts/{D}/approve", {}, [401, 403, 422, 403, 404, 404]),
    ("POST", "/api/v1/drafts/{D}/issue", {}, [401, 409, 422, 409, 404, 404]),
    ("GET", "/api/v1/receipts/{R}", None, [401, 200, 404, 200, 404, 404]),
    ("POST", "/api/v1/receipts/{R}/send", {"to": "SPO-SP"}, [401, S, 422, 409, 404, 404]),
    ("POST", "/api/v1/receipts/{R}/close", {}, [401, S, 422, 409, 404, 404]),
    ("POST", "/api/v1/receipts", "RECEIPT", [401, S, 422, 403, S, 403]),
    (
        "POST",
        "/api/v1/files",
        {"subject": "s", "head": "1", "category": "A"},
        [401, S, 422, 403, S, 403],
    ),
    ("GET", "/api/v1/inbox", None, [401, 200, 422, 200, 200, 403]),
    ("GET", "/api/v1/sent", None, [401, 200, 422, 200, 200, 403]),
]

RECEIPT = {
    "subject": "डाक",
    "sender": {"name": "क"},
    "mode": "post",
    "received_on": dt.date.today().isoformat(),
}


@pytest.fixture
def ids(client, org, token_for):
    clerk = token_for("clerk")
    fid = client.post(
        "/api/v1/files",
        headers=clerk,
        json={"subject": "गोपनीय पत्रावली", "head": "3", "category": "A"},
    ).get_json()["id"]
    client.post(f"/api/v1/files/{fid}/notes", headers=clerk, json={"text": "पहली टिप्पणी"})
    did = client.post(
        f"/api/v1/files/{fid}/drafts", headers=clerk, json={"title": "पत्र", "body": "मसौदा"}
    ).get_json()["id"]
    rid = client.post("/api/v1/receipts", headers=clerk, json=RECEIPT).get_json()["id"]
    return {"F": fid, "D": did, "R": rid}


def fill(value, ids):
    if value == "RECEIPT":
        return RECEIPT
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") else value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
def test_every_efile_route_for_every_role(client, ids, token_for, role):
    headers = {} if role == "anon" else token_for(role)
    seen = []
    for method, path, body, expected in TABLE:
        want = expected[ROLES.index(role)]
        if want is None:
            continue
        resp = client.open(
            path.format(**ids),
            method=method,
            headers=headers,
            json=fill(body, ids) if body is not None else None,
        )
        seen.append((method, path, resp.status_code))
        assert resp.status_code == want, (method, path, role, resp.get_json())
        if want >= 400:
            assert set(resp.get_json()["error"]) >= {"code", "message"}
    assert seen


def test_naming_a_desk_does_not_reveal_a_file(client, ids, token_for):
    officer = token_for("officer")
    for method, path, body, _expected in TABLE:
        if "{" not in path or method == "GET":
            continue
        resp = client.open(
            path.format(**ids) + "?desk=SPO-SP",
            method=method,
            headers=officer,
            json=fill(body, ids),
        )
        assert resp.status_code == 404, (method, path)
