"""The index schema: one definition, one version. Changing the schema means bumping
SCHEMA_VERSION, which makes the indexer rebuild the index from the database.

The index keeps ids and filter fields; the texts it matches on are not stored, and snippets are
built from the database text."""

from __future__ import annotations

import functools

from whoosh import columns, fields

from eoffice.core import kinds
from eoffice.search.analysis import exact_analyzer, text_analyzer

SCHEMA_VERSION = 7

# Codes kept in the index's columns (0: none). Each kind fixes its own code and those of its
# statuses when it registers (eoffice.core.kinds); the registry refuses a code taken twice.
CATEGORY_CODES = {"A": 1, "B": 2, "C": 3}


def kinds_indexed() -> tuple[str, ...]:
    return tuple(k.name for k in kinds.searchable())


def kind_codes() -> dict[str, int]:
    return {k.name: k.search.code for k in kinds.searchable()}


def status_codes() -> dict[str, int]:
    return kinds.status_codes()


def make_schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),  # "note:42"
        kind=fields.ID(stored=True),
        obj_id=fields.STORED(),
        file_id=fields.STORED(),  # the file it belongs to (links)
        receipt_id=fields.STORED(),
        # Who may see a document and the filters are columns, read for each document the words
        # match (query.matching_docs): a restriction written as query terms (every file a desk
        # handled, every office an auditor covers) costs Whoosh far more to intersect.
        c_office=fields.COLUMN(columns.NumericColumn("I")),
        c_file=fields.COLUMN(columns.NumericColumn("I")),  # 0: not in a file
        # receipts (and their attachments): the diarising and the holding desk
        c_desk1=fields.COLUMN(columns.NumericColumn("I")),
        c_desk2=fields.COLUMN(columns.NumericColumn("I")),
        # small codes, not text: a numeric column is an array, read without decoding every row
        c_kind=fields.COLUMN(columns.NumericColumn("B")),
        c_status=fields.COLUMN(columns.NumericColumn("B")),
        c_category=fields.COLUMN(columns.NumericColumn("B")),
        c_holder=fields.COLUMN(columns.NumericColumn("I")),
        c_day=fields.COLUMN(columns.NumericColumn("I")),  # 20261123
        at=fields.COLUMN(columns.NumericColumn("Q")),  # microseconds since year 1, UTC: sorting
        number=fields.TEXT(analyzer=exact_analyzer(), field_boost=4.0),
        title=fields.TEXT(analyzer=text_analyzer(), field_boost=2.0),
        body=fields.TEXT(analyzer=text_analyzer()),
    )


TEXT_FIELDS = ("number", "title", "body")


@functools.cache
def column_types() -> dict[str, str]:
    """Each numeric column of the schema and its type code (B: byte, I: 32 bits, Q: 64 bits)."""
    out = {}
    for name, field in make_schema().items():
        column = getattr(field, "column_type", None)
        if isinstance(column, columns.NumericColumn):
            out[name] = column._typecode
    return out
