"""Full-text search over files, notes, receipts, drafts and attachments (Whoosh).

Everything Whoosh-specific stays inside this package, so another engine can replace it without
touching the rest: the outbox hook (outbox.py), the one indexer (indexer.py), the index folder
and its locks (index.py), and the queries that re-check every hit against the database
(query.py)."""

from __future__ import annotations

from flask import current_app

from eoffice.search.index import IndexHome


def get_home() -> IndexHome:
    return current_app.extensions["eoffice.search"]
