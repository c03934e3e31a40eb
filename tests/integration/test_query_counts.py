"""No N+1: the inbox and the file page cost the same number of queries for 2 items or 20."""

import contextlib

import pytest
from sqlalchemy import event


@contextlib.contextmanager
def count_queries(app):
    engine = app.extensions["eoffice.db"].engine
    statements = []

    def before(conn, cursor, statement, *args):
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def headers(org, token_for):
    return {"clerk": token_for("clerk"), "officer": token_for("officer")}


def make_files(client, headers, n, notes=0):
    ids = []
    for i in range(n):
        fid = client.post(
            "/api/v1/files",
            headers=headers["clerk"],
            json={"subject": f"विषय {i}", "head": "7", "category": "B"},
        ).get_json()["id"]
        for j in range(notes):
            client.post(
                f"/api/v1/files/{fid}/notes", headers=headers["clerk"], json={"text": f"अनुच्छेद {j}"}
            )
        client.post(f"/api/v1/files/{fid}/send", headers=headers["clerk"], json={"to": "SPO-SP"})
        ids.append(fid)
    return ids


def inbox_queries(app, client, headers):
    with count_queries(app) as statements:
        resp = client.get("/api/v1/inbox?desk=SPO-SP&per_page=50", headers=headers["officer"])
    assert resp.status_code == 200
    return len(statements), len(resp.get_json()["items"])


def test_inbox_query_count_does_not_grow(app, client, headers):
    make_files(client, headers, 2)
    small, n_small = inbox_queries(app, client, headers)
    make_files(client, headers, 18)
    large, n_large = inbox_queries(app, client, headers)
    assert (n_small, n_large) == (2, 20)
    assert large == small


def file_page_queries(app, client, headers, fid):
    client.get(f"/api/v1/files/{fid}?desk=SPO-SP", headers=headers["officer"])  # opens it
    with count_queries(app) as statements:
        resp = client.get(f"/api/v1/files/{fid}?desk=SPO-SP", headers=headers["officer"])
    assert resp.status_code == 200
    return len(statements), resp.get_json()


def test_file_page_query_count_does_not_grow(app, client, headers):
    (few,) = make_files(client, headers, 1, notes=2)
    (many,) = make_files(client, headers, 1, notes=20)
    small, body_small = file_page_queries(app, client, headers, few)
    large, body_large = file_page_queries(app, client, headers, many)
    assert (len(body_small["notes"]), len(body_large["notes"])) == (2, 20)
    assert large == small
