"""Search with the real indexer thread, a real Whoosh index and the real database: Hindi and
English, every query form, filters, access, freshness, crash safety, one indexer, rebuild."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from eoffice.core.outbox import SearchOutbox
from eoffice.search.index import Busy
from tests.factories import PNG, docx_bytes, new_draft, new_file, note, receipt, upload

# the PostgreSQL pass runs these on the PostgreSQL backend (tests/conftest.py), except the
# tests of the Whoosh indexer (marked whoosh)
pytestmark = pytest.mark.search

TODAY = dt.date.today().isoformat()
OCTETS = "application/octet-stream"  # what a browser declares: the app looks at the bytes


@pytest.fixture
def indexer(app):
    """The real indexer thread, as `eoffice run` starts it (polling fast for the tests)."""
    thread, stop = app.extensions["eoffice.search"].start_thread(interval=0.1)
    yield SimpleNamespace(thread=thread, stop=stop)
    stop.set()
    thread.join(timeout=30)


def outbox_size(app) -> int:
    with app.extensions["eoffice.db"].sessionmaker() as s:
        return s.scalar(sa.select(sa.func.count(SearchOutbox.id)))


def wait_indexed(app, timeout: float = 5.0) -> float:
    """Wait until the indexer has drained everything; returns the seconds it took."""
    start = time.monotonic()
    engine = app.extensions["eoffice.search"]
    while time.monotonic() - start < timeout:
        if engine.name == "postgres":  # written at the commit; attachments wait for their text
            if engine.backlog() == 0:
                return time.monotonic() - start
        elif outbox_size(app) == 0 and engine.home.is_current():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"not indexed within {timeout} s ({outbox_size(app)} waiting)")


def find(caller, q="", **params) -> dict:
    resp = caller.get("/api/v1/search", query_string={"q": q, **params})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def cli(env, *args, **extra_env):
    """Run `eoffice ARGS` as its own process, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "eoffice.cli", *args],
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def corpus(api, app, indexer):
    """Hindi and English files, notes and receipts at the SP office's head clerk desk."""
    clerk = api("clerk")
    f1 = new_file(clerk, "थाना कोतवाली में साइकिल चोरी की शिकायत")
    note(clerk, f1["id"], "पुलिस अधीक्षक महोदय, शिकायतकर्ता की फ़ाइल प्रस्तुत है।")
    note(clerk, f1["id"], "सिटीजन पोर्टल से प्राप्त शिकायत की जाँच थानाध्यक्ष से कराई जाए।")
    f2 = new_file(clerk, "Leave application of constable Ram Singh", category="C")
    note(clerk, f2["id"], "Constable requests casual leave for two days; theft case pending.")
    f3 = new_file(clerk, "Purchase of bicycles for beat police", category="A")
    note(clerk, f3["id"], "Quotations for bicycle purchase placed below <script>alert(1)</script>.")
    r1 = receipt(clerk, "मोबाइल फोन गुम होने की सूचना", sender={"name": "अमित कुमार"})
    r2 = receipt(clerk, "Complaint about noise at night", sender={"name": "Rakesh Gupta"})
    wait_indexed(app)
    return {"f1": f1, "f2": f2, "f3": f3, "r1": r1, "r2": r2}


def kinds_and_ids(result):
    return {(h["kind"], h.get("file_id") or h.get("receipt_id")) for h in result["hits"]}


# --- the query forms ---------------------------------------------------------------------------


def test_hindi_words_the_stock_analyzer_loses_are_found(api, corpus):
    clerk = api("clerk")
    for word in ("पुलिस", "शिकायत", "सिटीजन"):
        result = find(clerk, word)
        assert result["total"] >= 1, word
        assert all(corpus["f1"]["id"] == h.get("file_id") for h in result["hits"]), word
    # the file itself, by its subject
    assert ("file", corpus["f1"]["id"]) in kinds_and_ids(find(clerk, "साइकिल"))


def test_english_words_any_case(api, corpus):
    clerk = api("clerk")
    hits = kinds_and_ids(find(clerk, "THEFT"))
    assert ("note", corpus["f2"]["id"]) in hits
    assert kinds_and_ids(find(clerk, "constable")) >= {
        ("file", corpus["f2"]["id"]),
        ("note", corpus["f2"]["id"]),
    }


def test_nukta_spellings_find_each_other(api, corpus):
    clerk = api("clerk")
    with_nukta = find(clerk, "फ़ाइल")
    without = find(clerk, "फाइल")
    assert with_nukta["total"] == without["total"] == 1
    assert with_nukta["hits"][0]["file_id"] == corpus["f1"]["id"]


def test_phrases_in_quotes(api, corpus):
    clerk = api("clerk")
    assert find(clerk, '"पुलिस अधीक्षक"')["total"] == 1
    assert find(clerk, '"अधीक्षक पुलिस"')["total"] == 0
    assert find(clerk, '"casual leave"')["total"] == 1
    assert find(clerk, '"leave casual"')["total"] == 0


def test_prefix(api, corpus):
    clerk = api("clerk")
    result = find(clerk, "शिका*")  # शिकायत, शिकायतकर्ता
    assert {h["file_id"] for h in result["hits"]} == {corpus["f1"]["id"]}
    assert result["total"] >= 3  # the file's subject and both notes
    assert ("file", corpus["f3"]["id"]) in kinds_and_ids(find(clerk, "bicyc*"))


def test_and_or_not(api, corpus):
    clerk = api("clerk")
    f2, f3 = corpus["f2"]["id"], corpus["f3"]["id"]
    assert kinds_and_ids(find(clerk, "leave AND theft")) == {("note", f2)}
    both = {h["file_id"] for h in find(clerk, "constable OR bicycle")["hits"]}
    assert both == {f2, f3}
    # the note names theft, the file's subject does not
    assert kinds_and_ids(find(clerk, "constable NOT theft")) == {("file", f2)}
    assert find(clerk, "(पुलिस OR police) AND NOT शिकायत")["total"] >= 1


def test_file_and_receipt_numbers_are_exact_values(api, corpus):
    clerk = api("clerk")
    number = corpus["f2"]["number"]  # 11/2/2026-Estt
    result = find(clerk, number)
    assert result["hits"][0]["kind"] == "file" and result["hits"][0]["number"] == number
    assert ("file", corpus["f2"]["id"]) in kinds_and_ids(find(clerk, number.lower()))
    r = find(clerk, corpus["r1"]["number"])
    assert r["hits"][0] == {
        **r["hits"][0],
        "kind": "receipt",
        "receipt_id": corpus["r1"]["id"],
        "number": corpus["r1"]["number"],
    }


def test_a_receipt_is_found_by_its_number_and_by_the_senders_letter_number(api, app, indexer):
    clerk = api("clerk")
    r = receipt(clerk, "जिलाधिकारी का पत्र", letter_number="45/डीएम/2026")
    wait_indexed(app)
    for q in (r["number"], "45/डीएम/2026", "45/डीएम/२०२६"):
        assert [h["receipt_id"] for h in find(clerk, q)["hits"]] == [r["id"]], q


def test_receipts_by_sender_and_subject(api, corpus):
    clerk = api("clerk")
    assert ("receipt", corpus["r1"]["id"]) in kinds_and_ids(find(clerk, "अमित"))
    assert ("receipt", corpus["r2"]["id"]) in kinds_and_ids(find(clerk, "noise"))


def test_filters_kind_status_category_office_and_dates(api, corpus, app, db):
    clerk = api("clerk")
    f1 = corpus["f1"]["id"]
    assert {h["kind"] for h in find(clerk, "शिकायत", kind="note")["hits"]} == {"note"}
    assert {h["kind"] for h in find(clerk, "शिकायत", kind="file")["hits"]} == {"file"}
    assert kinds_and_ids(find(clerk, "bicycle* OR constable", category="A")) == {
        ("file", corpus["f3"]["id"]),
        ("note", corpus["f3"]["id"]),
    }
    from eoffice.org.models import Office

    spo = db.scalar(sa.select(Office.id).where(Office.code == "SPO"))
    other = db.scalar(sa.select(Office.id).where(Office.code == "OTHER"))
    assert find(clerk, "शिकायत", office=spo)["total"] == 2  # the subject and a note
    assert find(clerk, "शिकायत", office=other)["total"] == 0
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert find(clerk, "शिकायत", **{"from": TODAY, "to": TODAY})["total"] == 2
    assert find(clerk, "शिकायत", **{"from": tomorrow})["total"] == 0
    # the filters alone, without words
    assert find(clerk, "", kind="receipt")["total"] == 2
    # parking the file changes the status its notes are filtered by, too
    officer = api("officer")
    assert clerk.post(f"/api/v1/files/{f1}/send", {"to": "SPO-SP"}).status_code == 200
    assert officer.get(f"/api/v1/files/{f1}?desk=SPO-SP").status_code == 200
    resp = officer.post(f"/api/v1/files/{f1}/park", {"remarks": "बाद में", "desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    wait_indexed(app)
    parked = find(clerk, "शिकायत", status="parked")
    assert parked["total"] == 2 and {h["file_id"] for h in parked["hits"]} == {f1}
    assert find(clerk, "शिकायत", status="open", kind="note")["total"] == 0


def test_order_by_date_and_pagination(api, app, indexer, org):
    clerk = api("clerk")
    ids = [new_file(clerk, f"वेतन बिल माह {i}")["id"] for i in range(25)]
    wait_indexed(app)
    first = find(clerk, "वेतन", sort="date", per_page=10)
    assert first["total"] == 25 and len(first["hits"]) == 10
    assert [h["file_id"] for h in first["hits"]] == list(reversed(ids))[:10]
    third = find(clerk, "वेतन", sort="date", per_page=10, page=3)
    assert [h["file_id"] for h in third["hits"]] == list(reversed(ids))[20:]
    assert find(clerk, "वेतन", page=9, per_page=10)["hits"] == []


def test_snippets_highlight_and_escape(api, corpus):
    clerk = api("clerk")
    hit = find(clerk, "quotations")["hits"][0]
    assert '<mark class="hit' in hit["snippet"] and "Quotations</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    hindi = find(clerk, "जाँच", kind="note")["hits"][0]
    assert "जाँच</mark>" in hindi["snippet"]
    assert hindi["note_number"] == 2 and hindi["title"] == corpus["f1"]["subject"]


@pytest.mark.parametrize(
    "q",
    ["(", "*", "a*", "?x", "x" * 501],
)
def test_unparseable_queries_get_a_clear_message(api, corpus, q):
    resp = api("clerk").get("/api/v1/search", query_string={"q": q})
    assert resp.status_code == 422
    err = resp.get_json()["error"]
    assert err["field"] == "q" and err["message"]


def test_bad_parameters(api, corpus):
    clerk = api("clerk")
    for params in ({"q": "x", "kind": "secret"}, {"q": "x", "page": "0"}, {"q": ""}):
        assert clerk.get("/api/v1/search", query_string=params).status_code == 422, params
    resp = clerk.get(
        "/api/v1/search", query_string={"q": "x", "from": "2026-02-01", "to": "2026-01-01"}
    )
    assert resp.status_code == 422


def test_search_needs_a_login(client, corpus):
    assert client.get("/api/v1/search?q=x").status_code == 401


# --- who sees what ---------------------------------------------------------------------------


def test_no_hit_count_or_snippet_leaks_across_offices(api, corpus, app):
    other = api("other")  # an SP in another district
    # nothing of theirs in the index yet: an empty access set must not mean "no restriction"
    assert find(other, "शिकायत") == {"total": 0, "page": 1, "per_page": 20, "hits": []}
    assert find(api("clerk"), "शिकायत", kind="draft")["total"] == 0
    mine = new_file(other, "दूसरे जिले की शिकायत: गोपनीय")
    note(other, mine["id"], "गोपनीय जाँच रिपोर्ट")
    wait_indexed(app)
    for q in ("शिकायत", "पुलिस", "constable", corpus["f1"]["number"], "शिका*", "गोपनीय"):
        result = find(other, q)
        assert {h.get("file_id") for h in result["hits"]} <= {mine["id"]}, q
        leaked = [h for h in result["hits"] if "कोतवाली" in h["snippet"] + h["title"]]
        assert not leaked
    assert find(other, "साइकिल")["total"] == 0
    assert find(other, "", kind="receipt")["total"] == 0
    # and the other way round
    clerk = api("clerk")
    assert find(clerk, "गोपनीय")["total"] == 0
    # the range auditor sees the SP office below the range, not the other district
    auditor = api("auditor")
    assert find(auditor, "साइकिल")["total"] >= 1
    assert find(auditor, "गोपनीय")["total"] == 0


def test_desks_see_files_that_passed_through_them(api, corpus, app):
    officer = api("officer")
    assert find(officer, "साइकिल")["total"] == 0  # never on the SP's desks
    clerk = api("clerk")
    resp = clerk.post(f"/api/v1/files/{corpus['f1']['id']}/send", {"to": "PS1-SHO"})
    assert resp.status_code == 200
    wait_indexed(app)
    assert find(officer, "साइकिल")["total"] >= 1
    assert find(officer, "constable")["total"] == 0
    # a receipt outside any file: its diarising desk and the desk holding it
    r1 = corpus["r1"]
    assert find(officer, "मोबाइल")["total"] == 0
    resp = clerk.post(f"/api/v1/receipts/{r1['id']}/send", {"to": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    wait_indexed(app)
    assert [h["receipt_id"] for h in find(officer, "मोबाइल")["hits"]] == [r1["id"]]
    assert [h["receipt_id"] for h in find(clerk, "मोबाइल")["hits"]] == [r1["id"]]


def test_a_stale_index_hit_is_rechecked_against_the_database(api, corpus, app, db):
    """Access comes from the database: a file the index still lists but the user may no longer
    see (here: the access row removed behind the index's back) gives no hit and no count."""
    from eoffice.files.models import FileAccess

    clerk = api("clerk")
    before = find(clerk, "साइकिल")
    assert before["total"] >= 1
    db.execute(sa.delete(FileAccess).where(FileAccess.file_id == corpus["f1"]["id"]))
    db.commit()
    after = find(clerk, "साइकिल")
    assert after["total"] == 0 and after["hits"] == []


def test_drafts_are_found_by_title_and_every_new_version(api, corpus, app):
    clerk = api("clerk")
    f2 = corpus["f2"]["id"]
    draft = new_draft(clerk, f2, "अवकाश स्वीकृति आदेश", "आरक्षी राम सिंह को दो दिवस का आकस्मिक अवकाश")
    wait_indexed(app)
    hit = find(clerk, "आकस्मिक")["hits"][0]
    assert hit["kind"] == "draft" and hit["draft_id"] == draft["id"] and hit["file_id"] == f2
    edit = clerk.put(
        f"/api/v1/drafts/{draft['id']}", {"body": "आरक्षी राम सिंह को तीन दिवस का अर्जित अवकाश"}
    )
    assert edit.status_code == 200, edit.get_json()
    wait_indexed(app)
    assert find(clerk, "अर्जित", kind="draft")["total"] == 1
    assert find(clerk, "आकस्मिक", kind="draft")["total"] == 0  # the newest version counts


# --- attachments -------------------------------------------------------------------------------


def test_attachments_are_found_by_their_text_and_name(api, corpus, app):
    clerk = api("clerk")
    f2 = corpus["f2"]["id"]
    text = "चिकित्सा प्रमाण पत्र: कांस्टेबल राम सिंह को बुखार है। Medical certificate attached.\n"
    path = f"/api/v1/files/{f2}/attachments"
    resp = upload(clerk, path, text.encode(), "प्रमाण.txt", OCTETS)
    assert resp.status_code == 201, resp.get_json()
    resp = upload(clerk, path, docx_bytes("Duty roster for Holi"), "roster.docx", OCTETS)
    assert resp.status_code == 201, resp.get_json()
    r2 = corpus["r2"]["id"]
    resp = upload(clerk, f"/api/v1/receipts/{r2}/attachments", PNG, "scan-noise.png", OCTETS)
    assert resp.status_code == 201, resp.get_json()
    wait_indexed(app)
    hit = find(clerk, "बुखार")["hits"][0]
    assert hit["kind"] == "attachment" and hit["file_id"] == f2 and hit["title"] == "प्रमाण.txt"
    assert "बुखार</mark>" in hit["snippet"]
    assert find(clerk, "holi", kind="attachment")["hits"][0]["title"] == "roster.docx"
    scan = find(clerk, "scan", kind="attachment")["hits"]
    assert [h["receipt_id"] for h in scan] == [r2]
    assert find(api("other"), "बुखार")["total"] == 0


@pytest.mark.whoosh
def test_attachment_text_waits_for_a_store_that_is_down(api, app, org, s3_server):
    """No text is lost to an outage: the attachment is found by its name at once, and by its
    text once the store answers again."""
    from eoffice.search.indexer import Indexer
    from eoffice.storage.store import ObjectStore

    clerk = api("clerk")
    f = new_file(clerk, "निरीक्षण टिप्पणी")
    text = "वार्षिक निरीक्षण में अभिलेख अद्यतन पाए गए।".encode()
    resp = upload(clerk, f"/api/v1/files/{f['id']}/attachments", text, "निरीक्षण.txt", OCTETS)
    assert resp.status_code == 201
    db, home = app.extensions["eoffice.db"], app.extensions["eoffice.search"].home
    down = Indexer(db, home, lambda: ObjectStore("127.0.0.1:9", "x", "y", "eoffice-test"))
    down.drain_all()
    assert outbox_size(app) == 1  # the attachment, queued again for its text
    assert find(clerk, "अभिलेख")["total"] == 0
    assert [h["kind"] for h in find(clerk, "निरीक्षण", kind="attachment")["hits"]] == ["attachment"]
    app.extensions["eoffice.search"].indexer.drain_all()
    assert outbox_size(app) == 0
    hit = find(clerk, "अभिलेख")["hits"][0]
    assert hit["kind"] == "attachment" and "अभिलेख</mark>" in hit["snippet"]


def test_an_issued_letter_is_found_by_its_source_text(api, app, indexer, org):
    clerk, officer = api("clerk"), api("officer")
    f = new_file(clerk, "थाना एक को गश्त हेतु पत्र")
    draft = new_draft(clerk, f["id"], "रात्रि गश्त बढ़ाने हेतु", "कृपया ग्राम रामपुर में रात्रि गश्त बढ़ाएँ।")
    assert clerk.post(f"/api/v1/files/{f['id']}/send", {"to": "SPO-SP"}).status_code == 200
    assert officer.get(f"/api/v1/files/{f['id']}?desk=SPO-SP").status_code == 200
    resp = officer.post(f"/api/v1/drafts/{draft['id']}/approve", {"desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    resp = officer.post(f"/api/v1/drafts/{draft['id']}/issue", {"desk": "SPO-SP"})
    assert resp.status_code == 200, resp.get_json()
    dispatch = resp.get_json()["dispatch_number"]
    wait_indexed(app)
    letters = find(officer, "रामपुर", kind="attachment")["hits"]
    assert len(letters) == 1 and "रामपुर</mark>" in letters[0]["snippet"]  # clean Hindi
    assert {h["kind"] for h in find(officer, dispatch)["hits"]} >= {"draft", "attachment"}


# --- freshness, the one indexer, crashes, rebuilds ---------------------------------------------


def test_a_write_is_findable_within_five_seconds(api, app, indexer, org):
    clerk = api("clerk")
    new_file(clerk, "ताज़ा फ़ाइल जो अभी खुली")
    assert wait_indexed(app, timeout=5.0) < 5.0
    assert find(clerk, "ताजा")["total"] == 1


@pytest.mark.whoosh
def test_a_second_indexer_waits_or_exits(app, indexer, api):
    second = app.extensions["eoffice.search"].indexer
    with pytest.raises(Busy):
        second.run(threading.Event(), wait_turn=False)
    # one that waits takes over when the first stops, and no change is lost
    stop = threading.Event()
    waiting = threading.Thread(target=second.run, args=(stop,), kwargs={"interval": 0.1})
    waiting.start()
    try:
        clerk = api("clerk")
        new_file(clerk, "पहली फाइल")
        wait_indexed(app)
        indexer.stop.set()
        indexer.thread.join(timeout=30)
        new_file(clerk, "दूसरी फाइल")  # only the waiting indexer can index this one
        wait_indexed(app, timeout=15)  # it looks for its turn every 5 s
        assert find(clerk, "दूसरी")["total"] == 1
    finally:
        stop.set()
        waiting.join(timeout=30)
    assert not waiting.is_alive()


@pytest.mark.whoosh
def test_second_indexer_process_exits_with_a_message(app, indexer, worker_env):
    proc = cli(worker_env, "worker")
    assert proc.returncode == 1
    assert "another indexer is running" in proc.stderr


@pytest.fixture
def worker_env(app_config):
    env = dict(os.environ)
    env.update(
        EOFFICE_INSTANCE=str(app_config["INSTANCE"]),
        EOFFICE_DATABASE_URL=app_config["DATABASE_URL"],
        EOFFICE_INDEX_DIR=str(app_config["INDEX_DIR"]),
        EOFFICE_S3_ENDPOINT=app_config["S3_ENDPOINT"],
        EOFFICE_S3_ACCESS_KEY=app_config["S3_ACCESS_KEY"],
        EOFFICE_S3_SECRET_KEY=app_config["S3_SECRET_KEY"],
        EOFFICE_S3_BUCKET=app_config["S3_BUCKET"],
    )
    return env


def doc_ids(app) -> list[str]:
    ix = app.extensions["eoffice.search"].home.open()
    with ix.searcher() as s:
        return [d["doc_id"] for d in s.all_stored_fields()]


@pytest.mark.whoosh
def test_killed_between_index_commit_and_outbox_delete_then_restarted(api, app, worker_env, org):
    """No indexer thread here: a real worker process does the work and is killed mid-drain."""
    clerk = api("clerk")
    f = new_file(clerk, "अपराध समीक्षा बैठक")
    note(clerk, f["id"], "बैठक का कार्यवृत्त संलग्न")
    receipt(clerk, "बैठक की सूचना")
    assert outbox_size(app) >= 3
    crash = cli(worker_env, "worker", "--once", EOFFICE_INDEXER_FAULT="after-index-commit")
    assert crash.returncode == -9, crash.stderr  # SIGKILL, as a crash would be
    assert outbox_size(app) >= 3  # the index was committed but the outbox rows are still there
    done = cli(worker_env, "worker", "--once")
    assert done.returncode == 0, done.stderr
    assert outbox_size(app) == 0
    ids = doc_ids(app)
    assert len(ids) == len(set(ids))  # every change indexed once
    assert {f"file:{f['id']}", f"note:{note_id(app, f['id'])}"} <= set(ids)
    assert find(api("clerk"), "बैठक")["total"] == 3


def note_id(app, file_id):
    from eoffice.notings.models import Note

    with app.extensions["eoffice.db"].sessionmaker() as s:
        return s.scalar(sa.select(Note.id).where(Note.file_id == file_id))


@pytest.mark.whoosh
def test_rebuild_swaps_in_a_fresh_index_and_a_failure_keeps_the_old(api, app, corpus, indexer):
    home = app.extensions["eoffice.search"].home
    old = home.current_dir()
    clerk = api("clerk")
    before = find(clerk, "शिकायत")["total"]
    idx = app.extensions["eoffice.search"].indexer

    def explode(_n):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        idx.rebuild(progress=explode)
    assert home.current_dir() == old
    assert find(clerk, "शिकायत")["total"] == before
    assert len(list(home.folder.glob("gen-*"))) == 1  # the half-built one is gone
    report = idx.rebuild()
    assert home.current_dir() != old and old.exists()  # kept for searches still reading it
    idx.rebuild()
    assert not old.exists()  # and removed at the next swap
    assert report.documents == len(doc_ids(app))
    assert find(clerk, "शिकायत")["total"] == before


@pytest.mark.whoosh
def test_schema_version_change_triggers_a_rebuild(api, app, corpus, indexer):
    home = app.extensions["eoffice.search"].home
    old = home.current_dir()
    (old / "schema_version").write_text("0\n")
    assert not home.is_current()
    new_file(api("clerk"), "नई फाइल")  # the next drain notices and rebuilds first
    wait_indexed(app)
    assert home.current_dir() != old
    assert find(api("clerk"), "शिकायत")["total"] == 2


@pytest.mark.whoosh
def test_cli_rebuild_and_status(app, corpus, worker_env):
    proc = cli(worker_env, "search", "rebuild")
    assert proc.returncode == 0, proc.stderr
    assert "indexed" in proc.stdout
    status = cli(worker_env, "search", "status")
    assert status.returncode == 0, status.stderr
    assert "outbox backlog: 0" in status.stdout
    assert "indexer:        running" in status.stdout  # the test's indexer thread


# --- the page ----------------------------------------------------------------------------------


def test_search_page_in_hindi_and_english(client, auth, corpus):
    auth.login("clerk")
    page = client.get("/search/", query_string={"q": "शिकायत"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="search-results"' in html and "शिकायत</mark>" in html
    assert f"/files/{corpus['f1']['id']}" in html
    bad = client.get("/search/", query_string={"q": "("})
    assert bad.status_code == 422 and 'id="q-error"' in bad.get_data(as_text=True)
    hostile = client.get("/search/", query_string={"q": "quotations"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in hostile


# --- phrases by word pairs, access from the index's columns ------------------------------------


def whoosh_own_matches(app, q: str) -> set[tuple[str, int]]:
    """What Whoosh's own matchers find for `q` on the same index (phrases by the positions of
    their words, as search did before word pairs), every document, no access rule."""
    from eoffice.search.query import parse

    ix = app.extensions["eoffice.search"].home.open()
    with ix.searcher() as s:
        docnums = s.docs_for_query(parse(ix.schema, q))
        return {(f["kind"], int(f["obj_id"])) for f in map(s.stored_fields, docnums)}


def engine_hits(app, db, username: str, q: str = "", **filters) -> set[tuple[str, int]]:
    from eoffice.auth.models import User
    from eoffice.search import SearchQuery

    db.rollback()  # a fresh look at the database: what other requests committed since
    user = db.scalar(sa.select(User).where(User.username == username))
    engine = app.extensions["eoffice.search"]
    with app.app_context():
        result = engine.search(db, user, SearchQuery(q=q, per_page=100, **filters))
    hits = {(h.kind, h.obj_id) for h in result.hits}
    assert result.total == len(hits) <= 100
    return hits


def allowed_by_database(app, db, username: str, found: set[tuple[str, int]]):
    """Of these records, those the database lets the user see (each kind's own rule)."""
    from eoffice.auth.models import User
    from eoffice.core import kinds

    db.rollback()
    user = db.scalar(sa.select(User).where(User.username == username))
    out = set()
    for name in {k for k, _ in found}:
        ids = [i for k, i in found if k == name]
        out |= {(name, i) for i in kinds.get(name).visible_ids(db, user, ids)}
    return out


@pytest.fixture
def phrases(api, app, indexer):
    """Texts where phrase words stand together, apart, reversed, and spelt two ways."""
    clerk = api("clerk")
    f = new_file(clerk, "अवकाश प्रकरण: आरक्षी राम सिंह")
    texts = {
        "adjacent": "आरक्षी राम सिंह को अर्जित अवकाश स्वीकृत किया गया।",
        "apart": "अर्जित किया गया अवकाश अभी शेष है।",
        "reversed": "अवकाश अर्जित नहीं हुआ।",
        "folded": "जाँच रिपोर्ट फ़ाइल में संलग्न है।",  # candrabindu and nukta
        "plain": "जांच रिपोर्ट फाइल में लगी है।",
        "triple": "Casual leave sanctioned today.",
        "pairs only": "Casual leave was refused; leave sanctioned later.",
        "charge": "Charge sheet filed. The charge was read, the sheet signed.",
    }
    for text in texts.values():
        note(clerk, f["id"], text)
    wait_indexed(app)
    return f


PHRASE_QUERIES = [
    '"अर्जित अवकाश"',
    '"अवकाश अर्जित"',
    '"जांच रिपोर्ट"',
    '"जाँच रिपोर्ट फ़ाइल"',
    '"जांच रिपोर्ट फाइल में संलग्न"',
    '"casual leave sanctioned"',
    '"leave sanctioned"',
    '"Charge Sheet"',
    '"sheet filed the charge"',
    '"राम सिंह"',  # the file's subject and a note
    '"सिंह को अर्जित अवकाश स्वीकृत"',
    'अर्जित AND NOT "अर्जित अवकाश"',
    '"casual leave" OR स्वीकृ*',
    'leave NOT "leave sanctioned"',
    "रिपो* AND संल*",
    "अव?श",
    '"अर्जित"',
]


@pytest.mark.whoosh
def test_phrases_find_what_word_positions_find(api, app, phrases, db):
    """A phrase is its words one after the other, in order, across the folding: the word pairs
    find the same documents as Whoosh's position check did, two words or more."""
    clerk = api("clerk")
    for q in PHRASE_QUERIES:
        expected = whoosh_own_matches(app, q)
        got = {(h["kind"], h[f"{h['kind']}_id"]) for h in find(clerk, q, per_page=100)["hits"]}
        assert got == expected == engine_hits(app, db, "clerk", q), q

    def notes(q):
        return [h["snippet"] for h in find(clerk, q)["hits"] if h["kind"] == "note"]

    assert len(notes('"अर्जित अवकाश"')) == 1  # not apart, not reversed
    assert len(notes('"अवकाश अर्जित"')) == 1
    assert len(notes('"जांच रिपोर्ट"')) == 2 == len(notes('"जाँच रिपोर्ट"'))  # both spellings
    assert len(notes('"जांच रिपोर्ट फाइल में संलग्न"')) == 1
    assert len(notes('"casual leave sanctioned"')) == 1  # each pair alone is not enough
    assert len(notes('"leave sanctioned"')) == 2
    # the phrase's words are marked in the snippet, in the spelling of the text
    # (equal ranks come in no fixed order: the note written with the nukta is among them)
    snippets = notes('"जांच रिपोर्ट फाइल"')
    assert any("जाँच</mark>" in s and "फ़ाइल</mark>" in s for s in snippets), snippets
    assert find(clerk, '"Sheet Filed"')["total"] == 1


@pytest.mark.whoosh
def test_whoosh_index_holds_word_pairs_in_fields_of_their_own(api, app, phrases):
    home = app.extensions["eoffice.search"].home
    ix = home.open()
    with ix.reader() as r:
        assert r.doc_frequency("bpairs", "अर्जित अवकाश") == 1
        assert r.doc_frequency("bpairs", "जांच रिपोर्ट") == 2  # folded like the words
        assert r.doc_frequency("tpairs", "राम सिंह") >= 1  # the file and its notes (their title)
        # a prefix of the words never reaches the pairs
        assert not [t for t in r.expand_prefix("body", "अर्जित") if b" " in t]


@pytest.mark.whoosh
def test_hits_are_what_the_database_allows_for_every_user(api, app, corpus, db):
    """Whatever the access path (an auditor of the range, a few desks, another district), the
    hits are exactly the matching records the database lets the user see; after a file moves
    or a desk is given up, at once, before the index knows."""
    from eoffice.org.models import Desk, DeskHolding

    queries = ["शिकायत", "constable OR bicycle*", '"पुलिस अधीक्षक"', "शिका*", "noise OR मोबाइल"]

    def check(username):
        for q in queries:
            found = whoosh_own_matches(app, q)
            assert engine_hits(app, db, username, q) == allowed_by_database(
                app, db, username, found
            ), (username, q)

    for username in ("clerk", "officer", "other", "auditor"):
        check(username)
    assert engine_hits(app, db, "auditor", "शिकायत")  # the range's auditor sees the SP office
    assert not engine_hits(app, db, "officer", "साइकिल")
    # the file goes to the thana: its SHO sees it at once (access from the database)
    clerk = api("clerk")
    sent = clerk.post(f"/api/v1/files/{corpus['f1']['id']}/send", {"to": "PS1-SHO"})
    assert sent.status_code == 200, sent.get_json()
    assert engine_hits(app, db, "officer", "साइकिल") == {("file", corpus["f1"]["id"])}
    check("officer")
    # the officer gives up the thana's desk: nothing of the file any more
    sho = db.scalar(sa.select(Desk.id).where(Desk.code == "PS1-SHO"))
    # a new transaction for the write: on SQLite a read snapshot older than the indexer's last
    # write cannot become a write (it fails at once, "database is locked")
    db.rollback()
    db.execute(
        sa.update(DeskHolding)
        .where(DeskHolding.desk_id == sho, DeskHolding.until.is_(None))
        .values(until=dt.datetime.now(dt.UTC))
    )
    db.commit()
    assert engine_hits(app, db, "officer", "साइकिल") == set()
    check("officer")
    # filters read from the columns agree with the database too
    f1 = corpus["f1"]["id"]
    assert engine_hits(app, db, "clerk", "शिकायत", kind="note") == {
        k for k in engine_hits(app, db, "clerk", "शिकायत") if k[0] == "note"
    }
    assert engine_hits(app, db, "auditor", "", kind="file") >= {("file", f1)}
