"""Full-text search over every searchable kind of record (files, notes, receipts, drafts,
attachments, and whatever registers later).

The package's interface is the engine (`engine.make_engine`: `index`, `search`, `rebuild`,
`status`) and the query and result types. Everything Whoosh-specific stays inside: the one
indexer (indexer.py), the index folder and its locks (index.py), and the queries that re-check
every hit against the database (query.py). What each kind puts in the index comes from the
registry (eoffice.core.kinds)."""

from eoffice.search.engine import WhooshSearch, make_engine
from eoffice.search.query import BadQuery, Hit, Results, SearchQuery

__all__ = ["BadQuery", "Hit", "Results", "SearchQuery", "WhooshSearch", "make_engine"]
