"""No N+1: the inbox and the file page cost the same number of queries for 2 items or 20."""

import contextlib

from sqlalchemy import event

from tests.factories import sent_files


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


def inbox_queries(app, officer):
    with count_queries(app) as statements:
        resp = officer.get("/api/v1/inbox?desk=SPO-SP&per_page=50")
    assert resp.status_code == 200
    return len(statements), len(resp.get_json()["items"])


def test_inbox_query_count_does_not_grow(app, api):
    clerk, officer = api("clerk"), api("officer")
    sent_files(clerk, 2)
    small, n_small = inbox_queries(app, officer)
    sent_files(clerk, 18)
    large, n_large = inbox_queries(app, officer)
    assert (n_small, n_large) == (2, 20)
    assert large == small


def file_page_queries(app, officer, fid):
    officer.get(f"/api/v1/files/{fid}?desk=SPO-SP")  # opens it
    with count_queries(app) as statements:
        resp = officer.get(f"/api/v1/files/{fid}?desk=SPO-SP")
    assert resp.status_code == 200
    return len(statements), resp.get_json()


def test_file_page_query_count_does_not_grow(app, api):
    clerk, officer = api("clerk"), api("officer")
    (few,) = sent_files(clerk, 1, notes=2)
    (many,) = sent_files(clerk, 1, notes=20)
    small, body_small = file_page_queries(app, officer, few)
    large, body_large = file_page_queries(app, officer, many)
    assert (len(body_small["notes"]), len(body_large["notes"])) == (2, 20)
    assert large == small
