"""What `eoffice search status` and /healthz report about the index."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from eoffice.core.outbox import SearchDeadLetter, SearchOutbox
from eoffice.search.index import Busy
from eoffice.search.schema import SCHEMA_VERSION


def index_status(database, home) -> dict:
    with database.sessionmaker() as session:
        backlog = session.scalar(sa.select(sa.func.count(SearchOutbox.id))) or 0
        dead = session.execute(
            sa.select(SearchDeadLetter.kind, SearchDeadLetter.obj_id, SearchDeadLetter.error)
            .order_by(SearchDeadLetter.id)
            .limit(20)
        ).all()
        dead_total = session.scalar(sa.select(sa.func.count(SearchDeadLetter.id))) or 0
    folder = home.current_dir()
    documents = 0
    last = None
    if folder is not None and home.is_current():
        ix = home.open()
        documents = ix.doc_count()
        last = dt.datetime.fromtimestamp(ix.last_modified(), dt.UTC).replace(microsecond=0)
    try:
        with home.lock("indexer", wait=False):
            running = False
    except Busy:
        running = True
    return {
        "folder": str(folder) if folder else None,
        "version": home.version(),
        "expected_version": SCHEMA_VERSION,
        "documents": documents,
        "backlog": backlog,
        "dead_letters": dead_total,
        "dead_letter_list": [{"kind": k, "id": i, "error": e} for k, i, e in dead],
        "last_indexed": last.isoformat() if last else None,
        "indexer_running": running,
        "indexer_pid": home.holder_pid("indexer") if running else None,
    }
