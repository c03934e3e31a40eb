"""Every e-file page and form for every role, as test_efile_access does for the JSON API: a file
nobody showed you does not exist (404), seeing is not acting (409 for the wrong desk, 403 for
the wrong role), and without a login every page sends you to the login form."""

import datetime as dt

import pytest

from tests.conftest import csrf_from

ROLES = ["anon", "clerk", "officer", "auditor", "other", "admin"]
S = None  # the holder's successful actions are covered by the page workflow tests
L = 302  # to the login form
ALL = [L, 200, 200, 200, 200, 200]
MINE = [L, 200, 404, 200, 404, 404]  # the clerk made it; the auditor's range contains it
NEW = [L, 200, 200, 403, 200, 403]

RECEIPT_FORM = {
    "received_on": dt.date.today().isoformat(),
    "mode": "post",
    "sender_name": "क",
    "subject": "डाक",
}

# (method, path, (form prefix, fields) for POST) -> expected status per role, in ROLES order
TABLE = [
    ("GET", "/files/inbox", None, ALL),
    ("GET", "/files/parked", None, ALL),
    ("GET", "/files/closed", None, ALL),
    ("GET", "/files/sent", None, ALL),
    ("GET", "/files/", None, ALL),
    ("GET", "/files/new", None, NEW),
    ("GET", "/files/{F}", None, MINE),
    ("GET", "/drafts/{D}", None, MINE),
    ("GET", "/drafts/{D}/compare?a=1&b=1", None, MINE),
    ("GET", "/receipts/", None, ALL),
    ("GET", "/receipts/new", None, NEW),
    ("GET", "/receipts/{R}", None, MINE),
    ("POST", "/files/{F}/notes", ("note", {"text": "x"}), [L, S, 404, 409, 404, 404]),
    ("POST", "/files/{F}/notes/1", ("edit-1", {"text": "x"}), [L, S, 404, 403, 404, 404]),
    ("POST", "/files/{F}/send", ("send", {"to": "SPO-SP"}), [L, S, 404, 409, 404, 404]),
    ("POST", "/files/{F}/pull-back", ("pull", {}), [L, 409, 404, 409, 404, 404]),
    ("POST", "/files/{F}/park", ("park", {}), [L, S, 404, 409, 404, 404]),
    ("POST", "/files/{F}/unpark", ("unpark", {}), [L, 409, 404, 409, 404, 404]),
    ("POST", "/files/{F}/close", ("close", {"remarks": "x"}), [L, 403, 404, 403, 404, 403]),
    ("POST", "/files/{F}/reopen", ("reopen", {"remarks": "x"}), [L, 403, 404, 403, 404, 403]),
    # the auditor's desk has no open receipt to offer, so the form itself is refused
    ("POST", "/files/{F}/receipts", ("receipt", {"receipt_id": "{R}"}), [L, S, 404, 422, 404, 404]),
    (
        "POST",
        "/files/{F}/drafts",
        ("draft", {"title": "t", "body": "b"}),
        [L, S, 404, 409, 404, 404],
    ),
    ("POST", "/drafts/{D}", ("revise", {"body": "b2"}), [L, S, 404, 409, 404, 404]),
    ("POST", "/drafts/{D}/approve", ("approve", {}), [L, 403, 404, 403, 404, 403]),
    ("POST", "/drafts/{D}/issue", ("issue", {}), [L, 409, 404, 409, 404, 404]),
    ("POST", "/receipts/{R}/send", ("send", {"to": "SPO-SP"}), [L, S, 404, 409, 404, 404]),
    ("POST", "/receipts/{R}/close", ("close", {}), [L, S, 404, 409, 404, 404]),
    (
        "POST",
        "/files/new",
        ("", {"subject": "s", "head": "1", "category": "A"}),
        [L, S, S, 403, S, 403],
    ),
    ("POST", "/receipts/new", ("", RECEIPT_FORM), [L, S, S, 403, S, 403]),
]


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
    rid = client.post(
        "/api/v1/receipts",
        headers=clerk,
        json={
            "subject": "डाक",
            "sender": {"name": "क"},
            "mode": "post",
            "received_on": dt.date.today().isoformat(),
        },
    ).get_json()["id"]
    return {"F": fid, "D": did, "R": rid}


@pytest.mark.parametrize("role", ROLES)
def test_every_efile_page_for_every_role(client, auth, ids, role):
    if role != "anon":
        assert auth.login(role).status_code == 302
    token = csrf_from(client.get("/login" if role == "anon" else "/").get_data(as_text=True))
    seen = []
    for method, path, form, expected in TABLE:
        want = expected[ROLES.index(role)]
        if want is None:
            continue
        url = path.format(**ids)
        if method == "GET":
            resp = client.get(url)
        else:
            prefix, fields = form
            key = f"{prefix}-" if prefix else ""
            data = {f"{key}csrf_token": token}
            data.update({f"{key}{k}": str(v).format(**ids) for k, v in fields.items()})
            resp = client.post(url, data=data)
        seen.append((method, path, resp.status_code))
        assert resp.status_code == want, (method, path, role, resp.get_data(as_text=True)[-600:])
        if want == L:
            assert "/login" in resp.headers["Location"]
    assert seen
