"""The index schema: one definition, one version. Changing the schema means bumping
SCHEMA_VERSION, which makes the indexer rebuild the index from the database.

The index keeps ids and filter fields; the texts it matches on are not stored, and snippets are
built from the database text."""

from __future__ import annotations

import functools

from whoosh import columns, fields
from whoosh.system import pack_uint

from eoffice.core import kinds
from eoffice.search.analysis import (
    cached_words,
    exact_analyzer,
    pair_analyzer,
    pairs_of,
    text_analyzer,
)

SCHEMA_VERSION = 9

# Codes kept in the index's columns (0: none). Each kind fixes its own code and those of its
# statuses when it registers (eoffice.core.kinds); the registry refuses a code taken twice.
CATEGORY_CODES = {"A": 1, "B": 2, "C": 3}


def kinds_indexed() -> tuple[str, ...]:
    return tuple(k.name for k in kinds.searchable())


def kind_codes() -> dict[str, int]:
    return {k.name: k.search.code for k in kinds.searchable()}


def status_codes() -> dict[str, int]:
    return kinds.status_codes()


class WordsField(fields.TEXT):
    """A text field with positions whose words come from `analysis.words` when indexing: the
    same terms, positions and weights as the analyzer gives (Whoosh's Positions format), without
    a token object per word. Queries and highlights still use the analyzer."""

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        poses: dict[str, list[int]] = {}
        for i, w in enumerate(cached_words(value)):
            p = poses.get(w)
            if p is None:
                poses[w] = [i]
            else:
                p.append(i)
        boost = self.format.field_boost
        encode = self.format.encode
        for w, p in poses.items():
            yield w.encode("utf-8"), len(p), len(p) * boost, encode(p)


_FREQ: dict[int, bytes] = {}  # frequency -> its encoding (Whoosh's Frequency format: pack_uint)


class PairsField(fields.TEXT):
    """The word pairs of a text (see analysis.py): a two-word phrase is one term here. Counts
    only (the Frequency format): the positions of a longer phrase are checked in the words
    field, on the few documents that hold all its pairs."""

    def __init__(self, field_boost: float = 1.0):
        super().__init__(analyzer=pair_analyzer(), phrase=False, field_boost=field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        counts: dict[str, int] = {}
        for pair in pairs_of(cached_words(value)):
            counts[pair] = counts.get(pair, 0) + 1
        boost = self.format.field_boost
        for pair, n in counts.items():
            value_bytes = _FREQ.get(n)
            if value_bytes is None:
                value_bytes = _FREQ[n] = pack_uint(n)
            yield pair.encode("utf-8"), n, n * boost, value_bytes


# the pairs field of each words field (phrases in the number field are rare and short: Whoosh's
# own phrase matching serves them)
PAIRS = {"title": "tpairs", "body": "bpairs"}


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
        title=WordsField(analyzer=text_analyzer(), field_boost=2.0),
        body=WordsField(analyzer=text_analyzer()),
        tpairs=PairsField(field_boost=2.0),
        bpairs=PairsField(),
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
