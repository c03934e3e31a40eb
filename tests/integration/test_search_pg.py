"""The PostgreSQL search backend (eoffice.search.pg): written in the transaction of the change,
the same hits as the Whoosh index for the same database, rebuild and status, and refused on
SQLite. tests/integration/test_search.py runs on it too in the PostgreSQL pass."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from eoffice.core.outbox import SearchOutbox
from eoffice.search.index import Busy
from eoffice.search.query import SearchQuery
from tests.factories import docx_bytes, new_draft, new_file, note, receipt, upload
from tests.factories import user as load_user

PG = bool(os.environ.get("EOFFICE_TEST_DATABASE_URL"))
pytestmark = pytest.mark.search
OCTETS = "application/octet-stream"


# --- what does not need PostgreSQL --------------------------------------------------------------


@pytest.mark.once
def test_the_tsvector_keeps_hindi_words_whole_and_fields_apart():
    from eoffice.search.pg import tsvector_text

    tsv = tsvector_text("11/2/2026-Estt O'B\\x", "फ़ाइल जाँच", "पुलिस अधीक्षक, २०२६ पुलिस")
    assert tsv.split(" ") == [
        "'11/2/2026-estt':1A",
        "'o''b\\\\x':2A",  # quoted for the literal
        "'फाइल':5B",
        "'जांच':6B",
        "'पुलिस':9,12",
        "'अधीक्षक':10",
        "'2026':11",
    ]
    # a word too long for PostgreSQL is left out rather than failing the writer's transaction
    assert "'x" not in tsvector_text(None, None, "x" * 3000)


def test_refused_on_sqlite(tmp_path):
    from eoffice.core.db import Database
    from eoffice.search import make_engine
    from eoffice.search.pg import NotPostgres

    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}", audit_key="k")
    try:
        with pytest.raises(NotPostgres, match="needs a PostgreSQL database"):
            make_engine(db, {"SEARCH_BACKEND": "postgres", "INDEX_DIR": tmp_path / "ix"})
        with pytest.raises(ValueError, match="whoosh or postgres"):
            make_engine(db, {"SEARCH_BACKEND": "solr", "INDEX_DIR": tmp_path / "ix"})
    finally:
        db.dispose()


def test_the_migration_makes_the_table_on_postgresql_only(app):
    engine = app.extensions["eoffice.db"].engine
    tables = sa.inspect(engine).get_table_names()
    if engine.dialect.name == "sqlite":
        assert "search_docs" not in tables
        return
    assert "search_docs" in tables
    with engine.connect() as conn:
        index = conn.scalar(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_docs_tsv'")
        )
    assert "USING gin (tsv)" in index


# --- the backend -------------------------------------------------------------------------------

needs_pg = pytest.mark.postgres_only


@pytest.fixture
def texts_loop(app):
    """The loop that reads attachments' text (`eoffice run` starts it)."""
    thread, stop = app.extensions["eoffice.search"].start_thread(interval=0.1)
    yield SimpleNamespace(thread=thread, stop=stop)
    stop.set()
    thread.join(timeout=30)


def find(caller, q="", **params) -> dict:
    resp = caller.get("/api/v1/search", query_string={"q": q, **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def settle(app, timeout=10.0) -> None:
    import time

    engine = app.extensions["eoffice.search"]
    end = time.monotonic() + timeout
    while engine.backlog():
        assert time.monotonic() < end, "attachment texts not read"
        time.sleep(0.05)


@needs_pg
def test_written_in_the_transaction_of_the_change_with_no_outbox_row(api, app, db):
    engine = app.extensions["eoffice.search"]
    assert engine.name == "postgres"
    clerk = api("clerk")
    f = new_file(clerk, "थाना सदर में वाहन चोरी")
    # found at once: no indexer ran, no outbox row waits
    assert [h["file_id"] for h in find(clerk, "वाहन")["hits"]] == [f["id"]]
    assert db.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0
    # a rolled-back change leaves the index as it was
    from eoffice.files.models import File

    session = app.extensions["eoffice.db"].write_sessionmaker()
    row = session.get(File, f["id"])
    row.subject = "बदला हुआ विषय"
    session.flush()
    session.rollback()
    session.close()
    assert find(clerk, "बदला")["total"] == 0 and find(clerk, "वाहन")["total"] == 1


@pytest.fixture
def corpus(api, app, texts_loop):
    clerk, other = api("clerk"), api("other")
    f1 = new_file(clerk, "थाना कोतवाली में साइकिल चोरी की शिकायत")
    note(clerk, f1["id"], "पुलिस अधीक्षक महोदय, शिकायतकर्ता की फ़ाइल प्रस्तुत है।")
    note(clerk, f1["id"], "सिटीजन पोर्टल से प्राप्त शिकायत की जाँच थानाध्यक्ष से कराई जाए।")
    f2 = new_file(clerk, "Leave application of constable Ram Singh", category="C")
    note(clerk, f2["id"], "Constable requests casual leave for two days; theft case pending.")
    new_draft(clerk, f2["id"], "अवकाश स्वीकृति आदेश", "आरक्षी राम सिंह को दो दिवस का अर्जित अवकाश")
    path = f"/api/v1/files/{f2['id']}/attachments"
    body = "चिकित्सा प्रमाण पत्र: कांस्टेबल राम सिंह को बुखार है। अर्जित अवकाश".encode()
    assert upload(clerk, path, body, "प्रमाण.txt", OCTETS).status_code == 201
    assert upload(clerk, path, docx_bytes("Duty roster for Holi"), "r.docx", OCTETS).status_code
    receipt(clerk, "मोबाइल फोन गुम होने की सूचना", sender={"name": "अमित कुमार"})
    receipt(clerk, "जिलाधिकारी का पत्र", letter_number="45/डीएम/2026")
    mine = new_file(other, "दूसरे जिले की शिकायत: गोपनीय")
    note(other, mine["id"], "गोपनीय जाँच रिपोर्ट, पुलिस अधीक्षक")
    assert clerk.post(f"/api/v1/files/{f1['id']}/send", {"to": "PS1-SHO"}).status_code == 200
    settle(app)
    return {"f1": f1, "f2": f2}


# The Hindi (and English) query set both backends must answer alike
QUERIES = [
    "पुलिस",
    "फ़ाइल",
    "फाइल",
    "जाँच",
    "जांच",
    '"पुलिस अधीक्षक"',
    '"अधीक्षक पुलिस"',
    '"अर्जित अवकाश"',
    "शिका*",
    "अव*",
    "शि?ायत",
    "शि*त",
    "constable",
    "THEFT",
    '"casual leave"',
    "leave AND theft",
    "constable OR साइकिल",
    "constable NOT theft",
    "(पुलिस OR police) AND NOT शिकायत",
    "शिकायत ANDNOT गोपनीय",
    "45/डीएम/२०२६",
    "11/1/2026-estt",
    "बुखार",
    "प्रमाण",
    "holi",
    "अमित",
    "राम सिंह",
    "'राम सिंह'",
]
FILTERS = [{}, {"kind": "note", "status": "open"}, {"category": "C", "sort": "date"}]


def _answer(engine, session, user, q, **filters):
    result = engine.search(session, user, SearchQuery(q=q, per_page=100, **filters))
    return result.total, sorted((h.kind, h.obj_id) for h in result.hits)


@needs_pg
def test_the_same_hits_as_the_whoosh_index(app, corpus, tmp_path):
    from eoffice.search.engine import WhooshSearch

    db = app.extensions["eoffice.db"]
    pg = app.extensions["eoffice.search"]
    whoosh = WhooshSearch(db, tmp_path / "whoosh", app.extensions["eoffice.store"])
    whoosh.rebuild()
    with db.sessionmaker() as session:
        users = [load_user(session, n) for n in ("clerk", "auditor", "other")]
        answered = 0
        for user in users:
            for q in QUERIES:
                for filters in FILTERS:
                    expected = _answer(whoosh, session, user, q, **filters)
                    assert _answer(pg, session, user, q, **filters) == expected, (
                        user.username,
                        q,
                        filters,
                    )
                    answered += expected[0]
        assert answered > 100  # the set finds things
        # filters alone, without words
        for user in users:
            for kind in ("file", "note", "receipt", "draft", "attachment"):
                assert _answer(pg, session, user, "", kind=kind) == _answer(
                    whoosh, session, user, "", kind=kind
                )


@needs_pg
def test_snippets_and_ranking(api, corpus):
    clerk = api("clerk")
    hits = find(clerk, "अर्जित")["hits"]
    assert {h["kind"] for h in hits} == {"draft", "attachment"}
    assert all("अर्जित</mark>" in h["snippet"] for h in hits)
    # a number is matched as a whole value, first
    number = corpus["f2"]["number"]
    assert find(clerk, number)["hits"][0]["number"] == number
    # a word in the title ranks above the same word in a note's body
    ranked = find(clerk, "constable")["hits"]
    assert ranked[0]["kind"] == "file" and ranked[0]["file_id"] == corpus["f2"]["id"]
    wild = find(clerk, "शि?ायत", kind="note")["hits"]
    assert wild and all("शिकायत</mark>" in h["snippet"] for h in wild)


@needs_pg
def test_bad_queries_are_422(api, corpus):
    for q in ("(", "*", "a*", "?x", '"', "x" * 501, "NOT", "AND OR"):
        resp = api("clerk").get("/api/v1/search", query_string={"q": q})
        assert resp.status_code in (200, 422), (q, resp.status_code)
        if resp.status_code == 422:
            assert resp.get_json()["error"]["field"] == "q"


@needs_pg
def test_outbox_rows_left_by_others_are_applied_and_a_rebuild_repairs(
    api, app, corpus, texts_loop, db
):
    engine = app.extensions["eoffice.search"]
    # the corpus's loop would apply the outbox row first: this test calls index() itself
    texts_loop.stop.set()
    texts_loop.thread.join(timeout=30)
    assert not texts_loop.thread.is_alive()
    clerk = api("clerk")
    f2 = corpus["f2"]["id"]
    before = find(clerk, "constable")["total"]
    # rows behind the backend's back: one deleted, one stale, an outbox row another process left
    db.execute(sa.text("DELETE FROM search_docs WHERE kind = 'file' AND obj_id = :i"), {"i": f2})
    db.execute(sa.text("UPDATE search_docs SET tsv = ''::tsvector WHERE kind = 'note'"))
    db.execute(sa.insert(SearchOutbox.__table__), [{"kind": "file", "obj_id": f2}])
    db.commit()
    assert find(clerk, "constable")["total"] == 0
    assert engine.index() >= 1
    assert db.scalar(sa.select(sa.func.count(SearchOutbox.id))) == 0
    assert find(clerk, "constable")["total"] == 1  # the file again; its note not yet
    seen = []
    report = engine.rebuild(progress=seen.append, total=seen.append)
    assert report.documents == sum(seen[1:]) == seen[0]
    assert find(clerk, "constable")["total"] == before
    status = engine.status()
    assert status["documents"] == report.documents and status["backlog"] == 0


@needs_pg
def test_attachment_text_waits_for_a_store_that_is_down(api, app, org):
    from eoffice.search.pg import PgSearch
    from eoffice.storage.store import ObjectStore

    clerk = api("clerk")
    f = new_file(clerk, "निरीक्षण टिप्पणी")
    text = "वार्षिक निरीक्षण में अभिलेख अद्यतन पाए गए।".encode()
    resp = upload(clerk, f"/api/v1/files/{f['id']}/attachments", text, "निरीक्षण.txt", OCTETS)
    assert resp.status_code == 201
    # found by its name at once
    assert [h["kind"] for h in find(clerk, "निरीक्षण", kind="attachment")["hits"]] == ["attachment"]
    db = app.extensions["eoffice.db"]
    down = PgSearch(db, lambda: ObjectStore("127.0.0.1:9", "x", "y", "eoffice-test"))
    assert down.fill_attachment_texts() == 0 and down.backlog() == 1
    assert find(clerk, "अभिलेख")["total"] == 0
    assert app.extensions["eoffice.search"].index() == 1
    hit = find(clerk, "अभिलेख")["hits"][0]
    assert hit["kind"] == "attachment" and "अभिलेख</mark>" in hit["snippet"]


@needs_pg
def test_cli_rebuild_and_status_and_one_loop(app, app_config, corpus):
    env = dict(os.environ)
    env.update(
        EOFFICE_INSTANCE=str(app_config["INSTANCE"]),
        EOFFICE_DATABASE_URL=app_config["DATABASE_URL"],
        EOFFICE_INDEX_DIR=str(app_config["INDEX_DIR"]),
        EOFFICE_S3_ENDPOINT=app_config["S3_ENDPOINT"],
        EOFFICE_S3_ACCESS_KEY=app_config["S3_ACCESS_KEY"],
        EOFFICE_S3_SECRET_KEY=app_config["S3_SECRET_KEY"],
        EOFFICE_S3_BUCKET=app_config["S3_BUCKET"],
        EOFFICE_SEARCH_BACKEND="postgres",
    )

    def cli(*args):
        return subprocess.run(
            [str(Path(sys.executable).parent / "eoffice"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    rebuilt = cli("search", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "indexed" in rebuilt.stdout and "indexing" in rebuilt.stderr  # the progress bar
    status = cli("search", "status")
    assert status.returncode == 0, status.stderr
    assert "outbox backlog: 0" in status.stdout and "search_docs" in status.stdout
    assert "indexer:        running" in status.stdout  # the fixture's loop holds the turn
    # one loop for the installation: a second one that may not wait is refused
    with pytest.raises(Busy):
        app.extensions["eoffice.search"].run(threading.Event(), wait_turn=False)
