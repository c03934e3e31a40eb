"""The search engine behind one interface: `index`, `search`, `rebuild`, `status`.

Callers (the pages, the JSON API, the command line, the worker) use only these, so another
engine (a PostgreSQL full-text backend, say) can stand in without touching them. This one is
Whoosh: an index folder written by exactly one indexer, which drains the outbox."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from eoffice.search.index import IndexHome
from eoffice.search.indexer import Indexer, RebuildReport
from eoffice.search.query import Results, SearchQuery, search
from eoffice.search.status import index_status


class WhooshSearch:
    name = "whoosh"

    def __init__(self, database, index_dir: Path, store_factory: Callable | None = None):
        self.database = database
        self.home = IndexHome(index_dir)
        self.indexer = Indexer(database, self.home, store_factory)

    def search(self, session: Session, user, query: SearchQuery) -> Results:
        """What `user` may see of what `query` finds, each hit checked against the database."""
        return search(session, user, self.home, query)

    def index(self) -> int:
        """Bring the index up to date with the outbox; returns the changes indexed."""
        return self.indexer.drain_all()

    def rebuild(self, progress=None, total=None) -> RebuildReport:
        """A fresh index from the database, swapped in at the end; the old one serves till then."""
        return self.indexer.rebuild(progress=progress, total=total)

    def status(self) -> dict:
        return index_status(self.database, self.home)

    def run(self, stop: threading.Event, *, interval: float = 1.0, wait_turn: bool = True):
        """Index changes as they come until `stop` is set (the worker)."""
        self.indexer.run(stop, interval=interval, wait_turn=wait_turn)

    def start_thread(self, interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
        """The indexer thread `eoffice run` starts beside the web server."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run,
            args=(stop,),
            kwargs={"interval": interval},
            name="eoffice-indexer",
            daemon=True,
        )
        thread.start()
        return thread, stop


def make_engine(database, config: dict, store_factory: Callable | None = None):
    """Whoosh, or with SEARCH_BACKEND=postgres the PostgreSQL backend (eoffice.search.pg)."""
    backend = config.get("SEARCH_BACKEND") or "whoosh"
    if backend == "postgres":
        from eoffice.search.pg import PgSearch

        return PgSearch(database, store_factory)
    if backend != "whoosh":
        raise ValueError(f"EOFFICE_SEARCH_BACKEND must be whoosh or postgres, not {backend!r}")
    return WhooshSearch(database, config["INDEX_DIR"], store_factory)
