"""The index schema: one definition, one version. Changing the schema means bumping
SCHEMA_VERSION, which makes the indexer rebuild the index from the database.

The index keeps ids and filter fields; the texts it matches on are not stored, and snippets are
built from the database text."""

from __future__ import annotations

from whoosh import columns, fields

from eoffice.search.analysis import exact_analyzer, text_analyzer

SCHEMA_VERSION = 3

KINDS = ("file", "note", "receipt", "draft", "attachment")


def make_schema() -> fields.Schema:
    # ids are kept as ID strings: filters are plain Term queries on them
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),  # "note:42"
        kind=fields.ID(stored=True),
        obj_id=fields.STORED(),
        file_id=fields.ID(stored=True),  # the file it belongs to (access, links)
        receipt_id=fields.STORED(),
        desks=fields.KEYWORD(commas=True),  # receipts not in a file: diarising and holding desks
        office_id=fields.ID(stored=True),
        status=fields.ID(stored=True),
        category=fields.ID(stored=True),
        holder=fields.ID(),
        # The day to filter on as one exact term (a numeric field writes eight per value); the
        # exact time (microseconds since 1970, UTC) as a column to sort by and to show.
        day=fields.ID(),
        at=fields.COLUMN(columns.NumericColumn("Q")),
        number=fields.TEXT(analyzer=exact_analyzer(), field_boost=4.0),
        title=fields.TEXT(analyzer=text_analyzer(), field_boost=2.0),
        body=fields.TEXT(analyzer=text_analyzer()),
    )


TEXT_FIELDS = ("number", "title", "body")
