"""The one indexer: drains the outbox into the index, and rebuilds the index from the database.

Order of work in a drain: read a batch of outbox rows, build the documents from the database,
write them with one Whoosh writer and commit the index, and only then delete the outbox rows that
were handled. A crash in between leaves the rows; the next drain writes the same documents again
(`update_document` on a unique id), so every change ends up indexed exactly once."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from eoffice.core import kinds
from eoffice.core.db import Database
from eoffice.core.errors import ObjectMissing, Unavailable
from eoffice.core.outbox import SearchDeadLetter, SearchOutbox
from eoffice.search import documents
from eoffice.search.extract import extract_text
from eoffice.search.index import Busy, IndexHome, writer
from eoffice.search.schema import column_types, kinds_indexed
from eoffice.storage.models import Attachment, AttachmentText

log = logging.getLogger(__name__)

BATCH = 500
# Fault injection for the crash test: the process kills itself at this point of a drain.
FAULT_ENV = "EOFFICE_INDEXER_FAULT"


# the index's numeric columns and the values each holds (whoosh.columns.NumericColumn codes)
_COLUMN_RANGES = {"B": 2**8, "I": 2**32, "Q": 2**64}


def check_document(doc: dict) -> str | None:
    """Why the index could not take this document (a value out of its column's range, text
    that is not Unicode), or None. Checked before the writer sees it: a value Whoosh cannot pack
    would fail the whole batch, again at every retry."""
    for name, kind in column_types().items():
        value = doc.get(name)
        if value is not None and not 0 <= value < _COLUMN_RANGES[kind]:
            return f"{name} = {value} is outside what the index keeps"
    for name in ("number", "title", "body"):
        text = doc.get(name)
        if text is not None:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return f"{name} holds characters that are not Unicode text"
    return None


def record_dead_letters(session, refs, failed: dict[tuple[str, int], str]) -> None:
    """Set aside the documents that failed; forget the old failures of those that went in."""
    done = [r for r in refs if r not in failed]
    for kind in {k for k, _ in list(done) + list(failed)}:
        ids = [i for k, i in done if k == kind] + [i for k, i in failed if k == kind]
        for chunk in range(0, len(ids), 500):
            session.execute(
                sa.delete(SearchDeadLetter).where(
                    SearchDeadLetter.kind == kind,
                    SearchDeadLetter.obj_id.in_(ids[chunk : chunk + 500]),
                )
            )
    session.add_all(
        SearchDeadLetter(kind=kind, obj_id=obj_id, error=error)
        for (kind, obj_id), error in sorted(failed.items())
    )


@dataclass
class RebuildReport:
    documents: int
    folder: str


class Indexer:
    def __init__(self, database: Database, home: IndexHome, store_factory: Callable | None = None):
        self.database = database
        self.home = home
        self.store_factory = store_factory
        self.failed: dict[tuple[str, int], str] = {}  # records whose document could not be made

    # --- attachment texts --------------------------------------------------------------------

    def _extract_missing(self, attachment_ids: list[int] | None = None) -> set[int]:
        """Fill attachment_texts for attachments that have none yet (kept for snippets).
        Returns the attachments whose object could not be fetched because the store is down:
        they are indexed by name now and queued again for their text."""
        if self.store_factory is None:
            return set()
        stmt = (
            sa.select(Attachment.id, Attachment.key, Attachment.content_type)
            .outerjoin(AttachmentText, AttachmentText.attachment_id == Attachment.id)
            .where(AttachmentText.attachment_id.is_(None))
        )
        if attachment_ids is not None:
            if not attachment_ids:
                return set()
            stmt = stmt.where(Attachment.id.in_(attachment_ids))
        with self.database.sessionmaker() as session:
            todo = session.execute(stmt).all()
        if not todo:
            return set()
        try:
            store = self.store_factory()
        except Unavailable as exc:  # no store configured for this process
            log.warning("no object store here, attachments indexed by name only: %s", exc)
            return set()
        retry: set[int] = set()
        for att_id, key, content_type in todo:
            try:
                data = store.get(key)
            except ObjectMissing:
                log.warning("attachment %s: its object is missing; indexed by name", att_id)
                data = b""
            except Unavailable as exc:
                log.warning("attachment %s not read for the index, will retry: %s", att_id, exc)
                retry.add(att_id)
                continue
            text = extract_text(data, content_type) if data else ""
            with self.database.write_sessionmaker() as session:
                if session.get(AttachmentText, att_id) is None:
                    session.add(AttachmentText(attachment_id=att_id, text=text))
                    session.commit()
        return retry

    # --- draining the outbox -----------------------------------------------------------------

    def drain(self, limit: int = BATCH) -> int:
        """Index one batch of queued changes; returns how many outbox rows it handled.
        Returns 0 without waiting if a rebuild holds the writer lock."""
        try:
            with self.home.lock("writer", wait=False):
                if not self.home.is_current():
                    self._rebuild_locked()
                return self._drain_locked(limit)
        except Busy:
            return 0

    def _drain_locked(self, limit: int) -> int:
        with self.database.sessionmaker() as session:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.obj_id)
                .order_by(SearchOutbox.id)
                .limit(limit)
            ).all()
        if not rows:
            return 0
        indexed = kinds_indexed()
        refs = {(r.kind, r.obj_id) for r in rows if r.kind in indexed}
        retry = self._extract_missing([i for k, i in refs if k == "attachment"])
        ix = self.home.open()
        with self.database.sessionmaker() as session, ix.searcher() as searcher:
            docs = self._documents(session, refs)
            # children copy fields of their parent (a file's status and category, a receipt's
            # desks): follow them, but only when a field they copy changed
            for kind, obj_id in list(refs):
                doc = docs.get((kind, obj_id))
                spec = kinds.get(kind).search
                if doc is None or spec.children is None:
                    continue
                if spec.inherited:
                    docnum = searcher.document_number(doc_id=doc["doc_id"])
                    if docnum is None:  # a new record has no children yet
                        continue
                    reader = searcher.reader()
                    columns = [f"c_{name}" for name in spec.inherited]
                    old = tuple(reader.column_reader(c)[docnum] for c in columns)
                    if old == tuple(doc[c] for c in columns):
                        continue
                extra = set(documents.children(session, kind, obj_id)) - refs
                if extra:
                    retry |= self._extract_missing([i for k, i in extra if k == "attachment"])
                    docs.update(self._documents(session, extra))
                    refs |= extra
        failed = dict(self.failed)
        self.failed.clear()
        out = writer(ix, timeout=30, delay=0.1)
        try:
            for kind, obj_id in sorted(refs):
                doc = docs.get((kind, obj_id))
                problem = check_document(doc) if doc is not None else None
                if doc is None or problem:
                    out.delete_by_term("doc_id", f"{kind}:{obj_id}")
                    if problem:
                        failed[(kind, obj_id)] = problem
                else:
                    out.update_document(**doc)
        except BaseException:
            out.cancel()
            raise
        out.commit()
        if os.environ.get(FAULT_ENV) == "after-index-commit":
            os.kill(os.getpid(), signal.SIGKILL)
        with self.database.write_sessionmaker() as session:
            ids = [r.id for r in rows]
            for chunk in range(0, len(ids), 500):
                session.execute(
                    sa.delete(SearchOutbox).where(SearchOutbox.id.in_(ids[chunk : chunk + 500]))
                )
            # attachments the store could not give us go to the back of the queue
            session.add_all(SearchOutbox(kind="attachment", obj_id=i) for i in sorted(retry))
            record_dead_letters(session, refs, failed)
            session.commit()
        # a batch of nothing but retries counts as no progress, so the loop waits before the
        # next attempt instead of asking a store that is down again at once
        return sum(1 for r in rows if not (r.kind == "attachment" and r.obj_id in retry))

    def _documents(self, session, refs) -> dict[tuple[str, int], dict]:
        """The documents of these records. A kind whose batch fails is built one record at a
        time, so that only the records that fail are set aside (`self.failed`)."""
        out: dict[tuple[str, int], dict] = {}
        for kind in kinds_indexed():
            ids = sorted(i for k, i in refs if k == kind)
            if not ids:
                continue
            try:
                built = documents.documents(session, kind, ids)
            except Exception:  # noqa: BLE001 - one bad record must not stall the others
                session.rollback()
                built = {}
                for obj_id in ids:
                    try:
                        built.update(documents.documents(session, kind, [obj_id]))
                    except Exception as exc:  # noqa: BLE001
                        session.rollback()
                        log.exception("search: %s %s cannot be indexed", kind, obj_id)
                        self.failed[(kind, obj_id)] = f"{type(exc).__name__}: {exc}"[:2000]
            for obj_id, doc in built.items():
                out[(kind, obj_id)] = doc
        return out

    def drain_all(self) -> int:
        total = 0
        while n := self.drain():
            total += n
        return total

    # --- rebuilding --------------------------------------------------------------------------

    def rebuild(self, progress: Callable[[int], None] | None = None, total: Callable | None = None):
        """Build a fresh index from the database in a new folder and swap it in at the end.
        Waits for a running drain to finish; drains wait for the rebuild."""
        with self.home.lock("writer", wait=True):
            return self._rebuild_locked(progress, total)

    def count_documents(self) -> int:
        with self.database.sessionmaker() as session:
            return sum(documents.count(session, kind) for kind in kinds_indexed())

    def _rebuild_locked(self, progress=None, total=None) -> RebuildReport:
        if total is not None:
            total(self.count_documents())
        self._extract_missing()
        folder = self.home.new_generation()
        written = 0
        failed: dict[tuple[str, int], str] = {}
        try:
            from whoosh import index as whoosh_index

            ix = whoosh_index.open_dir(str(folder))
            out = writer(ix, limitmb=128)
            try:
                with self.database.sessionmaker() as session:
                    for kind in kinds_indexed():
                        with contextlib.closing(documents.all_documents(session, kind)) as docs:
                            for doc in docs:
                                if progress is not None:
                                    progress(1)
                                problem = check_document(doc)
                                if problem:
                                    failed[(kind, int(doc["obj_id"]))] = problem
                                    continue
                                out.add_document(**doc)
                                written += 1
            except BaseException:
                out.cancel()
                raise
            out.commit()
            self.home.seal(folder)
        except BaseException:
            self.home.discard(folder)
            raise
        self.home.swap(folder)
        with self.database.sessionmaker() as session:
            had_failures = session.scalar(sa.select(SearchDeadLetter.kind).limit(1)) is not None
        if had_failures or failed:  # no write transaction when there is nothing to record
            with self.database.write_sessionmaker() as session:
                session.execute(sa.delete(SearchDeadLetter))  # every record was tried again
                record_dead_letters(session, set(failed), failed)
                session.commit()
        log.info("search index rebuilt: %s documents, %s set aside", written, len(failed))
        return RebuildReport(written, folder.name)

    # --- running -----------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, interval: float = 1.0, wait_turn: bool = True) -> None:
        """Drain until `stop` is set. Only one indexer runs: a second one waits for the first to
        go away (wait_turn) or raises Busy."""
        while not stop.is_set():
            try:
                with self.home.lock("indexer", wait=False):
                    self._loop(stop, interval)
                    return
            except Busy:
                if not wait_turn:
                    raise
                log.info(
                    "another indexer is running (pid %s); waiting", self.home.holder_pid("indexer")
                )
                stop.wait(5)

    def _loop(self, stop: threading.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                handled = self.drain()
            except Exception:
                log.exception("indexing failed; retrying")
                stop.wait(5)
                continue
            if handled == 0:
                stop.wait(interval)
