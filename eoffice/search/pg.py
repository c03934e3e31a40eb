"""The PostgreSQL full-text backend: the index is a table of the database itself.

Chosen with EOFFICE_SEARCH_BACKEND=postgres on a PostgreSQL database; Whoosh stays the embedded
default. It answers the same interface as the Whoosh engine (`search`, `index`, `rebuild`,
`status`, `run`, `start_thread`) with the same hits.

One table, `search_docs`, keyed by (kind, obj_id), rather than a tsvector column on each kind's
table: the index is written in the same transaction as the change (no outbox lag) from the same
place for every kind, whatever table its text comes from (an attachment's text and the fields it
copies from its owner, a receipt's sender), and one query ranks across kinds. Each row keeps the
filter and access fields the Whoosh index keeps in its columns and a `tsvector`:

- Built from the tokens of the Whoosh analyzer (eoffice.search.analysis: NFC, nukta folded,
  candrabindu as anusvara, Devanagari digits, lower case) and handed to PostgreSQL as a tsvector
  literal. PostgreSQL's own parser is not used at all: it cuts Devanagari words at their vowel
  signs in some locales and keeps a danda in a word in others, so both backends tokenise alike.
- Weights tell the fields apart: the number (exact values) A, the title B, the body D, so a query
  word meant for one field matches there only, and ts_rank_cd weighs them as Whoosh boosts them
  (4, 2, 1). Each field's positions are apart from the next one's: no phrase runs across fields.

Writes: the outbox hook (eoffice.core.outbox) hands this backend the records a flush changed
instead of writing outbox rows; at the commit they are built from the database and upserted in
that transaction (with the children that copy a changed parent's fields), so a search sees what
the commit made. No outbox rows are written and no indexer is needed for freshness. Rows already
in search_outbox (left by a process without this backend, or from Whoosh days) are applied by
`index()` (the worker's loop) and cleared by a rebuild. The loop's one other job is the text of
uploaded attachments, read from the object store outside the request as the Whoosh indexer does:
until it has run an attachment is found by its name.

Queries: what the user typed is parsed by the same Whoosh query language (words, "phrases",
prefix*, wildcards, AND/OR/NOT/ANDNOT, brackets) and translated into a tsquery (phrases with
`<->`, prefixes with `:*`); a wildcard other than a trailing * is a prefix for the GIN index plus
a check of the document's lexemes. Access is the Whoosh index's first filter as a join (the
offices the user audits, the files their desks handled through file_access, their desks), and
every hit on the page is then checked by its kind's own rule, as with Whoosh. The count and the
page ranked with ts_rank_cd are one statement (the matches are read once); titles and snippets
come from the database, highlighted the same way, for the hits shown only.

Rebuild: each kind's ids in ranges of BATCH, each range one REPEATABLE READ transaction (read
through the kind, tokenised here, sent by COPY, merged in one statement that leaves a row already
right alone); two ranges at a time, so Python tokenises one while the server writes the other."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TSQUERY, TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column
from whoosh import fields, highlight, qparser
from whoosh import query as wq
from whoosh.analysis import Token

from eoffice.core import kinds
from eoffice.core.db import Base
from eoffice.core.errors import ObjectMissing, Unavailable
from eoffice.core.outbox import SearchDeadLetter, SearchOutbox
from eoffice.files.models import FileAccess
from eoffice.org.service import audited_office_ids, desk_ids
from eoffice.search.analysis import TOKEN_PATTERN, exact_analyzer, normalise, text_analyzer
from eoffice.search.documents import day_start
from eoffice.search.extract import extract_text
from eoffice.search.query import BadQuery, Hit, Results, SearchQuery, validate
from eoffice.storage.models import Attachment, AttachmentText

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1  # of the table's contents: a change of tokenising means a rebuild
REFS_HOOK = "search_refs_handler"  # the session.info key eoffice.core.outbox looks for
_PENDING = "pg_search_pending"
ADVISORY_KEY = 0x5EA2C4  # held by the one loop that fills attachment texts

# --- the table ---------------------------------------------------------------------------------


class SearchDocRow(Base):
    """One record in the index (PostgreSQL only: the migration creates it there alone)."""

    __tablename__ = "search_docs"
    __table_args__ = (
        sa.Index("ix_search_docs_tsv", "tsv", postgresql_using="gin"),
        sa.Index("ix_search_docs_office_id", "office_id"),
        sa.Index("ix_search_docs_file_id", "file_id"),
        sa.Index("ix_search_docs_desk1", "desk1"),
        sa.Index("ix_search_docs_desk2", "desk2"),
        sa.Index("ix_search_docs_at", "at"),
    )

    kind: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    obj_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.Integer)
    file_id: Mapped[int | None] = mapped_column(sa.Integer)
    receipt_id: Mapped[int | None] = mapped_column(sa.Integer)
    desk1: Mapped[int | None] = mapped_column(sa.Integer)
    desk2: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[str | None] = mapped_column(sa.String(20))
    category: Mapped[str | None] = mapped_column(sa.String(1))
    holder: Mapped[int | None] = mapped_column(sa.Integer)
    at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime())  # UTC, as the Whoosh `at`
    tsv: Mapped[str] = mapped_column(TSVECTOR)
    indexed_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


DOCS = SearchDocRow.__table__


# --- tokens and tsvectors ----------------------------------------------------------------------

_TOKEN = re.compile(TOKEN_PATTERN)
MAX_POS = 16383  # PostgreSQL's last position: later words share it
MAX_POSITIONS = 256  # positions kept per lexeme
MAX_LEXEME_BYTES = 2046
MAX_TSVECTOR_BYTES = 900_000  # under PostgreSQL's 1 MB; words past it are not indexed
WEIGHTS = {"number": "A", "title": "B", "body": "D"}
# ts_rank_cd's weights, for {D, C, B, A}: the Whoosh field boosts (body 1, title 2, number 4)
RANK_WEIGHTS = "{0.25,0.25,0.5,1.0}"


@functools.lru_cache(maxsize=262_144)
def _norm(word: str) -> str:
    return normalise(word)


def text_tokens(text: str) -> list[str]:
    """The analyzer's tokens (analysis.text_analyzer) of a title or a body, normalised."""
    return [_norm(w) for w in _FINDALL(text)]


def exact_tokens(text: str) -> list[str]:
    """The number field's tokens (analysis.exact_analyzer): whitespace-separated values."""
    return [_norm(w) for w in text.split()]


def lexeme(text: str) -> str:
    """A quoted lexeme for a tsvector or tsquery literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


_FINDALL = _TOKEN.findall
# a word as written -> (its quoted lexeme, its bytes in a tsvector), None when it normalises to
# nothing: each spelling is normalised and quoted once (a district's vocabulary fits easily)
_LEXEMES: dict[str, tuple[str, int] | None] = {}
_LEXEMES_MAX = 500_000
_MISSING = object()
# "12", "12A", "12B" for every position: a position is looked up, not formatted
_POSITIONS = {w: [f"{i}{w}" for i in range(MAX_POS + 1)] for w in ("A", "B", "")}


def _lexeme_info(word: str) -> tuple[str, int] | None:
    token = normalise(word)
    info = (lexeme(token), len(token.encode()) + 4) if token else None
    if len(_LEXEMES) >= _LEXEMES_MAX:
        _LEXEMES.clear()
    _LEXEMES[word] = info
    return info


def tsvector_text(number: str | None, title: str | None, body: str | None) -> str:
    """The tsvector literal of a document: every token with its positions and field weight.

    The number's tokens are its whitespace-separated values (analysis.exact_analyzer), the
    title's and the body's those of analysis.text_analyzer, all normalised; a word that
    normalises to nothing still takes its position. One pass over the words of each field,
    each spelling's lexeme memoised: this is most of a rebuild's Python time."""
    positions: dict[str, list[str]] = {}
    size = 0
    pos = 0
    known = _LEXEMES
    for text, exact, table in (
        (number, True, _POSITIONS["A"]),
        (title, False, _POSITIONS["B"]),
        (body, False, _POSITIONS[""]),  # D, the default weight
    ):
        if not text:
            continue
        for word in text.split() if exact else _FINDALL(text):
            pos += 1
            info = known.get(word, _MISSING)
            if info is _MISSING:
                info = _lexeme_info(word)
            if info is None:
                continue
            quoted, n = info
            found = positions.get(quoted)
            if found is None:
                if n > MAX_LEXEME_BYTES or size + n > MAX_TSVECTOR_BYTES:
                    continue
                size += n
                found = positions[quoted] = []
            if len(found) < MAX_POSITIONS:
                found.append(table[pos if pos < MAX_POS else MAX_POS])
                size += 2
        pos += 2  # a gap: a phrase never runs from one field into the next
    return " ".join([w + ":" + ",".join(p) for w, p in positions.items()])


# --- documents ---------------------------------------------------------------------------------


def _at(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime(value.year, value.month, value.day)


def doc_row(kind_name: str, d: kinds.SearchDoc) -> dict:
    return {
        "kind": kind_name,
        "obj_id": d.obj_id,
        "office_id": d.office_id or 0,
        "file_id": d.file_id,
        "receipt_id": d.receipt_id,
        "desk1": d.desks[0],
        "desk2": d.desks[1],
        "status": d.status,
        "category": d.category,
        "holder": d.holder,
        "at": _at(d.date),
        "tsv": tsvector_text(d.number, d.title, d.body),
    }


def indexed_kinds() -> tuple[str, ...]:
    return tuple(k.name for k in kinds.searchable())


_COLUMNS = (
    "kind",
    "obj_id",
    "office_id",
    "file_id",
    "receipt_id",
    "desk1",
    "desk2",
    "status",
    "category",
    "holder",
    "at",
    "tsv",
)
# every row of a batch in one statement, one array a column (no parameters per row); the
# tsvector literals built in Python are cast by the server
_UPSERT_SQL = """INSERT INTO search_docs (kind, obj_id, office_id, file_id, receipt_id, desk1,
    desk2, status, category, holder, at, tsv, indexed_at)
  SELECT kind, obj_id, office_id, file_id, receipt_id, desk1, desk2, status, category, holder,
    at, CAST(tsv AS tsvector), clock_timestamp()
  FROM unnest(CAST(:kind AS text[]), CAST(:obj_id AS bigint[]), CAST(:office_id AS integer[]),
    CAST(:file_id AS integer[]), CAST(:receipt_id AS integer[]), CAST(:desk1 AS integer[]),
    CAST(:desk2 AS integer[]), CAST(:status AS text[]), CAST(:category AS text[]),
    CAST(:holder AS integer[]), CAST(:at AS timestamp[]), CAST(:tsv AS text[]))
    AS u(kind, obj_id, office_id, file_id, receipt_id, desk1, desk2, status, category, holder,
      at, tsv)
  ON CONFLICT (kind, obj_id) DO UPDATE SET office_id = excluded.office_id,
    file_id = excluded.file_id, receipt_id = excluded.receipt_id, desk1 = excluded.desk1,
    desk2 = excluded.desk2, status = excluded.status, category = excluded.category,
    holder = excluded.holder, at = excluded.at, tsv = excluded.tsv,
    indexed_at = excluded.indexed_at"""
_UPSERT = sa.text(_UPSERT_SQL)


def upsert(conn, rows: list[dict]) -> None:
    """Write these rows (unique by kind and id) in one statement."""
    if rows:
        conn.execute(_UPSERT, {c: [r[c] for r in rows] for c in _COLUMNS})


# a rebuild's batch goes in by COPY (rows formatted by the driver's C code, the tsvector
# literals parsed by the server as they arrive) to a temporary table of the connection, emptied
# at each commit, then into search_docs in one statement that leaves a row already right alone
# (no new row version, no GIN entries)
_LOAD_TABLE = sa.text(
    "CREATE TEMP TABLE IF NOT EXISTS search_docs_load (kind text, obj_id bigint,"
    " office_id integer, file_id integer, receipt_id integer, desk1 integer, desk2 integer,"
    " status text, category text, holder integer, at timestamp, tsv tsvector)"
    " ON COMMIT DELETE ROWS"
)
_COPY_LOAD = (
    "COPY search_docs_load (kind, obj_id, office_id, file_id, receipt_id, desk1, desk2, status,"
    " category, holder, at, tsv) FROM STDIN"
)
_MERGE_LOAD = sa.text(
    """INSERT INTO search_docs (kind, obj_id, office_id, file_id, receipt_id, desk1, desk2,
    status, category, holder, at, tsv, indexed_at)
  SELECT kind, obj_id, office_id, file_id, receipt_id, desk1, desk2, status, category, holder,
    at, tsv, clock_timestamp() FROM search_docs_load
  ON CONFLICT (kind, obj_id) DO UPDATE SET office_id = excluded.office_id,
    file_id = excluded.file_id, receipt_id = excluded.receipt_id, desk1 = excluded.desk1,
    desk2 = excluded.desk2, status = excluded.status, category = excluded.category,
    holder = excluded.holder, at = excluded.at, tsv = excluded.tsv,
    indexed_at = excluded.indexed_at
  WHERE (search_docs.office_id, search_docs.file_id, search_docs.receipt_id, search_docs.desk1,
    search_docs.desk2, search_docs.status, search_docs.category, search_docs.holder,
    search_docs.at, search_docs.tsv)
  IS DISTINCT FROM (excluded.office_id, excluded.file_id, excluded.receipt_id, excluded.desk1,
    excluded.desk2, excluded.status, excluded.category, excluded.holder, excluded.at,
    excluded.tsv)"""
)


def load(conn, rows: list[dict]) -> None:
    """Write a rebuild's batch (unique by kind and id): rows that changed only."""
    if not rows:
        return
    conn.execute(_LOAD_TABLE)
    with conn.connection.driver_connection.cursor() as cur, cur.copy(_COPY_LOAD) as copy:
        for r in rows:
            copy.write_row([r[c] for c in _COLUMNS])
    conn.execute(_MERGE_LOAD)


def build(session: Session, refs: Iterable[tuple[str, int]], failed: dict) -> dict:
    """The rows of these records ({(kind, id): row}); a record with no row is absent. A kind
    whose batch fails is built one record at a time; those that fail go to `failed`."""
    out: dict[tuple[str, int], dict] = {}
    refs = set(refs)
    for name in indexed_kinds():
        ids = sorted(i for k, i in refs if k == name)
        if not ids:
            continue
        spec = kinds.get(name).search
        try:
            rows = [doc_row(name, d) for d in spec.documents(session, ids)]
        except sa.exc.DBAPIError:
            raise  # the transaction is gone: the caller's write fails with it
        except Exception:  # noqa: BLE001 - one bad record must not stop the others
            rows = []
            for obj_id in ids:
                try:
                    rows += [doc_row(name, d) for d in spec.documents(session, [obj_id])]
                except sa.exc.DBAPIError:
                    raise
                except Exception as exc:  # noqa: BLE001
                    log.exception("search: %s %s cannot be indexed", name, obj_id)
                    failed[(name, obj_id)] = f"{type(exc).__name__}: {exc}"[:2000]
        for row in rows:
            out[(name, row["obj_id"])] = row
    return out


def _children(session: Session, refs: set, docs: dict) -> set:
    """Records that copy fields of a changed one (a file's notes and attachments follow its
    status and category): only when a field they copy changed, as the Whoosh indexer does."""
    extra: set = set()
    for name, obj_id in sorted(refs):
        spec = kinds.get(name).search
        row = docs.get((name, obj_id))
        if row is None or spec.children is None:
            continue
        if spec.inherited:
            columns = [c for c in spec.inherited if c in DOCS.c]
            old = session.connection().execute(
                sa.select(*(DOCS.c[c] for c in columns)).where(
                    DOCS.c.kind == name, DOCS.c.obj_id == obj_id
                )
            )
            old = old.first()
            if old is None or tuple(old) == tuple(row[c] for c in columns):
                continue
        extra |= set(kinds.get(name).search.children(session, obj_id))
    return extra - refs


def write(session: Session, refs: Iterable[tuple[str, int]]) -> int:
    """Bring these records' rows up to date in the session's transaction; returns the rows
    written or removed."""
    indexed = set(indexed_kinds())
    refs = {(k, int(i)) for k, i in refs if k in indexed}
    if not refs:
        return 0
    failed: dict[tuple[str, int], str] = {}
    docs = build(session, refs, failed)
    extra = _children(session, refs, docs)
    if extra:
        docs.update(build(session, extra, failed))
        refs |= extra
    conn = session.connection()
    upsert(conn, [docs[r] for r in sorted(docs)])
    gone = sorted(r for r in refs if r not in docs)
    for name in sorted({k for k, _ in gone}):
        ids = [i for k, i in gone if k == name]
        conn.execute(sa.delete(DOCS).where(DOCS.c.kind == name, DOCS.c.obj_id.in_(ids)))
    _dead_letters(conn, refs, failed)
    return len(refs)


def _dead_letters(conn, refs: set, failed: dict) -> None:
    """Forget the old failures of these records, and set aside those that failed now."""
    dead = SearchDeadLetter.__table__
    for name in sorted({k for k, _ in refs}):
        ids = [i for k, i in refs if k == name]
        for start in range(0, len(ids), 1000):
            conn.execute(
                sa.delete(dead).where(
                    dead.c.kind == name, dead.c.obj_id.in_(ids[start : start + 1000])
                )
            )
    if failed:
        conn.execute(
            sa.insert(dead),
            [{"kind": k, "obj_id": i, "error": e} for (k, i), e in sorted(failed.items())],
        )


# --- the session hooks: written in the same transaction ------------------------------------------


def _queue(session: Session, refs: set) -> None:
    """Called by the outbox hook after each flush, in place of writing outbox rows."""
    session.info.setdefault(_PENDING, set()).update(refs)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # the outermost commit writes them
    session.flush()
    refs = session.info.pop(_PENDING, None)
    if refs:
        write(session, refs)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back, or written at the commit


def install(database) -> None:
    """Make every session of this database write the index in its own transaction."""
    for maker in (database.sessionmaker, database.write_sessionmaker):
        maker.kw.setdefault("info", {})[REFS_HOOK] = _queue
        if not event.contains(maker, "before_commit", _before_commit):
            event.listen(maker, "before_commit", _before_commit)
            event.listen(maker, "after_transaction_end", _after_transaction_end)


# --- parsing what the user typed ---------------------------------------------------------------

MAX_QUERY = 500
MIN_PREFIX = 2
_FIELDS = ("number", "title", "body")


@functools.cache
def _schema() -> fields.Schema:
    """The fields a query names, with the analyzers of the Whoosh schema."""
    return fields.Schema(
        number=fields.TEXT(analyzer=exact_analyzer()),
        title=fields.TEXT(analyzer=text_analyzer()),
        body=fields.TEXT(analyzer=text_analyzer()),
    )


def _parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(_FIELDS), _schema())
    for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin):
        parser.remove_plugin_class(plugin)
    return parser


def _keep_operators(text: str) -> str:
    operators = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
    return " ".join(w if w in operators else normalise(w) for w in text.split(" "))


def parse(text: str):
    """The query language of the Whoosh backend, with its messages."""
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise BadQuery(f"the query is too long (at most {MAX_QUERY} characters)", field="q")
    try:
        parsed = _parser().parse(_keep_operators(text))
    except Exception as exc:  # whoosh raises assorted errors on odd syntax
        raise BadQuery(f"the query could not be understood: {exc}", field="q") from exc
    if parsed is wq.NullQuery:
        raise BadQuery("the query could not be understood; check brackets and quotes", field="q")
    for leaf in parsed.leaves():
        if isinstance(leaf, wq.Every):
            raise BadQuery("a lone * would match everything; add some letters", field="q")
        if isinstance(leaf, wq.Wildcard | wq.Prefix):
            stem = leaf.text.split("*")[0].split("?")[0]
            if len(stem) < MIN_PREFIX:
                raise BadQuery(
                    f"put at least {MIN_PREFIX} letters before * or ? ({leaf.text})", field="q"
                )
    return parsed


# --- from the parsed query to SQL --------------------------------------------------------------


@dataclass(frozen=True)
class TS:
    """A tsquery literal."""

    text: str


ALL, NONE = "all", "none"


def _weights(fields_: Iterable[str]) -> str:
    letters = "".join(sorted({WEIGHTS[f] for f in fields_}))
    return "" if len(letters) == len(WEIGHTS) else letters


def _stem(pattern: str) -> str:
    return re.split(r"[*?]", pattern, maxsplit=1)[0]


def _wildcard_regex(pattern: str) -> str:
    out = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return f"^{out}$"


class Translator:
    """A Whoosh query tree as a tsquery (TS), or as a SQL condition where it holds a wildcard
    other than a trailing *. `for_rank` turns those into their prefixes (ranking only)."""

    def __init__(self, tsv, for_rank: bool = False):
        self.tsv = tsv
        self.for_rank = for_rank

    def match(self, node):
        if isinstance(node, TS):
            return self.tsv.bool_op("@@")(_tsquery(node.text))
        if node == ALL:
            return sa.true()
        if node == NONE:
            return sa.false()
        return node

    def __call__(self, q):
        if isinstance(q, wq.Term):
            return TS(f"{lexeme(q.text)}:{_weights([q.fieldname])}".rstrip(":"))
        if isinstance(q, wq.Prefix):
            return TS(f"{lexeme(q.text)}:*{_weights([q.fieldname])}")
        if isinstance(q, wq.Phrase):
            w = _weights([q.fieldname])
            return TS("(" + " <-> ".join(f"{lexeme(t)}:{w}".rstrip(":") for t in q.words) + ")")
        if isinstance(q, wq.Wildcard):
            return self._wildcard(q.text, [q.fieldname])
        if isinstance(q, wq.Every):
            return ALL
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return NONE
        if isinstance(q, wq.Not):
            inner = self(q.query)
            return self._not(inner)
        if isinstance(q, wq.AndNot):
            return self._and([self(q.a), self._not(self(q.b))])
        if isinstance(q, wq.AndMaybe):
            return self(q.a)
        if isinstance(q, wq.Require):
            return self._and([self(q.a), self(q.b)])
        if isinstance(q, wq.And):
            return self._and([self(s) for s in q.subqueries])
        if isinstance(q, wq.Or | wq.DisjunctionMax):
            return self._or(q.subqueries)
        raise BadQuery(f"this kind of query is not supported: {q}", field="q")

    def _wildcard(self, pattern: str, fields_: list[str]):
        stem = TS(f"{lexeme(_stem(pattern))}:*{_weights(fields_)}")
        if self.for_rank:
            return stem
        u = sa.func.unnest(self.tsv).table_valued("lexeme", "positions", "weights").alias("u")
        check = u.c.lexeme.op("~")(_wildcard_regex(pattern))
        letters = _weights(fields_)
        if letters:
            check = sa.and_(
                check,
                u.c.weights.op("&&")(sa.cast(sa.literal(list(letters)), sa.ARRAY(sa.Text))),
            )
        return sa.and_(self.match(stem), sa.exists(sa.select(1).select_from(u).where(check)))

    def _not(self, inner):
        if isinstance(inner, TS):
            return TS(f"!{inner.text}")
        if inner == ALL:
            return NONE
        if inner == NONE:
            return ALL
        return sa.not_(inner)

    def _and(self, parts):
        parts = [p for p in parts if p != ALL]
        if any(p == NONE for p in parts):
            return NONE
        if not parts:
            return ALL
        if len(parts) == 1:
            return parts[0]
        if all(isinstance(p, TS) for p in parts):
            return TS("(" + " & ".join(p.text for p in parts) + ")")
        return sa.and_(*(self.match(p) for p in parts))

    def _or(self, subqueries):
        # the same word (prefix, phrase, wildcard) in several fields: one lexeme with their
        # weights, as the fields' positions never touch
        merged: dict[tuple, list[str]] = {}
        order: list = []
        rest = []
        for s in subqueries:
            key = None
            if isinstance(s, wq.Term):
                key = ("term", s.text)
            elif isinstance(s, wq.Prefix):
                key = ("prefix", s.text)
            elif isinstance(s, wq.Phrase):
                key = ("phrase", tuple(s.words))
            elif isinstance(s, wq.Wildcard):
                key = ("wildcard", s.text)
            if key is None:
                rest.append(s)
                continue
            if key not in merged:
                merged[key] = []
                order.append(key)
            merged[key].append(s.fieldname)
        parts = []
        for key in order:
            what, value = key
            w = _weights(merged[key])
            if what == "term":
                parts.append(TS(f"{lexeme(value)}:{w}".rstrip(":")))
            elif what == "prefix":
                parts.append(TS(f"{lexeme(value)}:*{w}"))
            elif what == "phrase":
                words = " <-> ".join(f"{lexeme(t)}:{w}".rstrip(":") for t in value)
                parts.append(TS(f"({words})"))
            else:
                parts.append(self._wildcard(value, merged[key]))
        parts += [self(s) for s in rest]
        parts = [p for p in parts if p != NONE]
        if any(p == ALL for p in parts):
            return ALL
        if not parts:
            return NONE
        if len(parts) == 1:
            return parts[0]
        if all(isinstance(p, TS) for p in parts):
            return TS("(" + " | ".join(p.text for p in parts) + ")")
        return sa.or_(*(self.match(p) for p in parts))


def highlight_words(q, fieldname: str) -> tuple[set[str], list[str], list[re.Pattern]]:
    """What a snippet of this field marks: the query's words, prefixes and wildcards for it,
    outside any NOT."""
    words: set[str] = set()
    prefixes: list[str] = []
    patterns: list[re.Pattern] = []

    def walk(node, negated: bool) -> None:
        if isinstance(node, wq.Not):
            walk(node.query, True)
            return
        if isinstance(node, wq.AndNot):
            walk(node.a, negated)
            walk(node.b, True)
            return
        if isinstance(node, wq.CompoundQuery | wq.BinaryQuery):
            for s in node.children():
                walk(s, negated)
            return
        if negated or getattr(node, "fieldname", None) != fieldname:
            return
        if isinstance(node, wq.Term):
            words.add(node.text)
        elif isinstance(node, wq.Phrase):
            words.update(node.words)
        elif isinstance(node, wq.Prefix):
            prefixes.append(node.text)
        elif isinstance(node, wq.Wildcard):
            patterns.append(re.compile(_wildcard_regex(node.text)))

    walk(q, False)
    return words, prefixes, patterns


# --- searching ---------------------------------------------------------------------------------

SNIPPET_SOURCE = 50_000


@dataclass
class Scope:
    offices: set[int]
    desks: set[int]


def scope_for(session: Session, user) -> Scope | None:
    offices = set(audited_office_ids(session, user))
    desks = set(desk_ids(user))
    if not offices and not desks:
        return None
    return Scope(offices, desks)


def access_clause(scope: Scope):
    """The Whoosh index's first filter, as a join: a document passes when the user audits its
    office, one of their desks handled its file, or holds one of its desks. Each hit shown is
    then checked by its kind's own rule."""
    c = DOCS.c
    clauses = []
    if scope.offices:
        clauses.append(c.office_id.in_(sorted(scope.offices)))
    if scope.desks:
        desks = sorted(scope.desks)
        handled = sa.select(FileAccess.file_id).where(FileAccess.desk_id.in_(desks))
        clauses += [c.file_id.in_(handled), c.desk1.in_(desks), c.desk2.in_(desks)]
    return sa.or_(*clauses)


def filter_clauses(sq: SearchQuery) -> list:
    c = DOCS.c
    out = []
    if sq.kind:
        out.append(c.kind == sq.kind)
    if sq.office_id:
        out.append(c.office_id == sq.office_id)
    if sq.status:
        out.append(c.status == sq.status)
    if sq.category:
        out.append(c.category == sq.category)
    # days as the Whoosh index keeps them: the UTC day of the record's date
    if sq.date_from:
        out.append(c.at >= day_start(sq.date_from))
    if sq.date_to:
        out.append(c.at < day_start(sq.date_to + dt.timedelta(days=1)))
    return out


@dataclass
class Plan:
    """The SQL of one search: its WHERE, and the tsquery that ranks."""

    where: list
    rank: str | None
    parsed: object | None


def plan(session: Session, user, sq: SearchQuery) -> Plan | None:
    """None: the user may see nothing at all."""
    validate(sq)
    scope = scope_for(session, user)
    if scope is None:
        return None
    where = [access_clause(scope), *filter_clauses(sq)]
    if not sq.q.strip():
        return Plan(where, None, None)
    parsed = parse(sq.q)
    matched = Translator(DOCS.c.tsv)(parsed)
    rank = Translator(DOCS.c.tsv, for_rank=True)(parsed)
    if matched == NONE:
        where.append(sa.false())
    elif matched != ALL:
        where.insert(0, Translator(DOCS.c.tsv).match(matched))
    return Plan(where, rank.text if isinstance(rank, TS) else None, parsed)


def _tsquery(text: str):
    return sa.cast(sa.literal(text, sa.Text), TSQUERY)


def search(session: Session, user, sq: SearchQuery) -> Results:
    p = plan(session, user, sq)
    if p is None:
        return Results(0, sq.page, sq.per_page)
    c = DOCS.c
    first = (sq.page - 1) * sq.per_page
    # the count and the page in one statement: the matches are found (and their tsvectors
    # read) once; a page past the end asks for the count alone
    columns = [c.kind, c.obj_id, c.file_id, c.receipt_id, c.at]
    if sq.sort != "date" and p.rank is not None:
        rank = sa.func.ts_rank_cd(
            sa.cast(sa.literal(RANK_WEIGHTS, sa.Text), ARRAY(REAL)), c.tsv, _tsquery(p.rank)
        )
        columns.append(rank.label("rank"))
    # the matches with their rank, computed in the scan (OFFSET 0 keeps the subquery apart:
    # the window would otherwise carry every match's tsvector up to the sort, and spill)
    m = sa.select(*columns).where(*p.where).offset(0).subquery("m")
    tie = (m.c.kind, m.c.obj_id)
    if sq.sort == "date":
        order = [m.c.at.desc().nulls_last(), *tie]
    elif p.rank is not None:
        order = [m.c.rank.desc(), *tie]
    else:
        order = list(tie)
    page = session.execute(
        sa.select(m.c.kind, m.c.obj_id, m.c.file_id, m.c.receipt_id, m.c.at, sa.func.count().over())
        .order_by(*order)
        .offset(first)
        .limit(sq.per_page)
    ).all()
    if not page:
        total = 0
        if first:
            total = session.scalar(sa.select(sa.func.count()).select_from(DOCS).where(*p.where))
        return Results(total or 0, sq.page, sq.per_page)
    total = page[0][-1]
    stored = [(r.kind, int(r.obj_id)) for r in page]
    texts = _texts(session, stored)
    visible = _visible(session, user, stored)
    hits = []
    for r in page:
        key = (r.kind, int(r.obj_id))
        info = texts.get(key)
        if key not in visible or info is None:
            total -= 1  # the database changed since: say nothing about it
            continue
        when = r.at.replace(tzinfo=dt.UTC) if r.at is not None else None
        hits.append(_hit(r, info, when, p.parsed))
    return Results(max(total, 0), sq.page, sq.per_page, hits)


def _by_kind(stored: list[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for name, obj_id in stored:
        out.setdefault(name, []).append(obj_id)
    return out


def _texts(session: Session, stored) -> dict[tuple[str, int], kinds.HitText]:
    out = {}
    for name, ids in sorted(_by_kind(stored).items()):
        kind = kinds.find(name)
        if kind is None or kind.search is None:
            continue
        for obj_id, text in kind.search.texts(session, ids).items():
            out[(name, obj_id)] = text
    return out


def _visible(session: Session, user, stored) -> set[tuple[str, int]]:
    """Each hit checked against the database with its kind's own rule (the one can() uses)."""
    out = set()
    for name, ids in sorted(_by_kind(stored).items()):
        kind = kinds.find(name)
        if kind is not None:
            out |= {(name, i) for i in kind.visible_ids(session, user, ids)}
    return out


@functools.cache
def _highlighter() -> highlight.Highlighter:
    return highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=240, surround=50),
        formatter=highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … "),
    )


def _marked_tokens(text: str, is_match: Callable[[str], bool]):
    """The tokens the fields' analyzer (text_analyzer, mode "index") gives the highlighter,
    each marked matched or not: the same Token, text, positions and characters, without a
    generator per filter and with each spelling normalised once."""
    t = Token(positions=True, chars=True, removestops=False, mode="index")
    for pos, m in enumerate(_TOKEN.finditer(text)):
        t.text = _norm(m.group(0))
        t.boost = 1.0
        t.stopped = False
        t.pos = pos
        t.startchar, t.endchar = m.span()
        t.matched = is_match(t.text)
        yield t


def snippet(parsed, fieldname: str, text: str | None) -> str:
    """The Whoosh highlighter's snippet of the database text, marking what the query matched."""
    if not text or parsed is None:
        return ""
    text = text[:SNIPPET_SOURCE]
    words, prefixes, patterns = highlight_words(parsed, fieldname)
    if not (words or prefixes or patterns):
        return ""
    hl = _highlighter()
    seen: dict[str, bool] = {}

    def is_match(token: str) -> bool:
        found = seen.get(token)
        if found is None:
            found = seen[token] = (
                token in words
                or any(token.startswith(p) for p in prefixes)
                or any(p.match(token) for p in patterns)
            )
        return found

    if not prefixes and not patterns:
        is_match = words.__contains__  # words only: a set lookup
    distinct = {_norm(w) for w in _FINDALL(text)}
    if words.isdisjoint(distinct) and not any(is_match(w) for w in distinct - words):
        return ""  # nothing to mark (the body when the title matched): no fragments to cut
    tokens = _marked_tokens(text, is_match)
    fragments = hl.fragmenter.fragment_tokens(text, hl._merge_matched_tokens(tokens))
    fragments = highlight.top_fragments(fragments, 2, hl.scorer, hl.order, minscore=1)
    return hl.formatter.format(fragments)


def _hit(r, info: kinds.HitText, when, parsed) -> Hit:
    text = snippet(parsed, "body", info.body) or snippet(parsed, "title", info.title)
    if not text:
        source = info.body or info.title
        text = escape(source[:240] + ("…" if len(source) > 240 else ""))
    return Hit(
        kind=r.kind,
        obj_id=int(r.obj_id),
        file_id=r.file_id or None,
        receipt_id=r.receipt_id or None,
        number=info.number,
        title=info.title,
        snippet=Markup(text),  # noqa: S704 - whoosh's HtmlFormatter escapes the text it quotes
        date=when,
        note_number=info.extra.get("note_number"),
        page=info.page,
    )


# --- the engine --------------------------------------------------------------------------------


_LOOP_HOLDER = sa.text(
    "SELECT coalesce(a.application_name, '') FROM pg_locks l"
    " JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key LIMIT 1"
)


class NotPostgres(RuntimeError):
    pass


@dataclass
class RebuildReport:
    documents: int
    folder: str


BATCH = 5000
REBUILD_WORKERS = 2
LAST_ID = 2**63 - 1
# a batch's rows of records that are gone (deleted since the last rebuild)
_DELETE_ABSENT = sa.text(
    "DELETE FROM search_docs WHERE kind = :kind AND obj_id > :after AND obj_id <= :last"
    " AND obj_id <> ALL(CAST(:kept AS bigint[]))"
)


class PgSearch:
    name = "postgres"

    def __init__(self, database, store_factory: Callable | None = None):
        if database.engine.dialect.name != "postgresql":
            raise NotPostgres(
                "EOFFICE_SEARCH_BACKEND=postgres needs a PostgreSQL database "
                f"(EOFFICE_DATABASE_URL is {database.engine.dialect.name}); leave "
                "EOFFICE_SEARCH_BACKEND unset (or whoosh) for the embedded index"
            )
        self.database = database
        self.store_factory = store_factory
        install(database)

    def search(self, session: Session, user, query: SearchQuery) -> Results:
        return search(session, user, query)

    # --- what is left for a loop to do ---------------------------------------------------------

    def index(self) -> int:
        """Apply outbox rows other processes left, and give attachments their text; returns the
        records brought up to date."""
        done = 0
        while n := self._drain_outbox():
            done += n
        return done + self.fill_attachment_texts()

    def _drain_outbox(self, limit: int = 500) -> int:
        with self.database.write_sessionmaker() as session:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.obj_id)
                .order_by(SearchOutbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            write(session, {(r.kind, r.obj_id) for r in rows})
            session.execute(
                sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows]))
            )
            session.commit()
        return len(rows)

    def _missing_texts(self, session: Session, limit: int | None = None) -> list:
        stmt = (
            sa.select(Attachment.id, Attachment.key, Attachment.content_type)
            .outerjoin(AttachmentText, AttachmentText.attachment_id == Attachment.id)
            .where(AttachmentText.attachment_id.is_(None))
            .order_by(Attachment.id)
        )
        return session.execute(stmt.limit(limit) if limit else stmt).all()

    def fill_attachment_texts(self) -> int:
        """Text out of attachments that have none yet (kept for snippets), each indexed again
        in the transaction that stores its text. An attachment the store cannot give now waits
        for the next round, found by its name meanwhile."""
        if self.store_factory is None:
            return 0
        with self.database.sessionmaker() as session:
            todo = self._missing_texts(session)
        if not todo:
            return 0
        try:
            store = self.store_factory()
        except Unavailable as exc:
            log.warning("no object store here, attachments indexed by name only: %s", exc)
            return 0
        done = 0
        for att_id, key, content_type in todo:
            try:
                data = store.get(key)
            except ObjectMissing:
                log.warning("attachment %s: its object is missing; indexed by name", att_id)
                data = b""
            except Unavailable as exc:
                log.warning("attachment %s not read for the index, will retry: %s", att_id, exc)
                continue
            text = extract_text(data, content_type) if data else ""
            with self.database.write_sessionmaker() as session:
                if session.get(AttachmentText, att_id) is None:
                    session.add(AttachmentText(attachment_id=att_id, text=text))
                    session.flush()
                    _queue(session, {("attachment", att_id)})
                    session.commit()
                    done += 1
        return done

    def backlog(self) -> int:
        """Outbox rows left by others, and attachments waiting for their text."""
        with self.database.sessionmaker() as session:
            outbox = session.scalar(sa.select(sa.func.count(SearchOutbox.id))) or 0
            texts = len(self._missing_texts(session)) if self.store_factory else 0
        return outbox + texts

    # --- rebuilding ------------------------------------------------------------------------------

    def count_documents(self) -> int:
        with self.database.sessionmaker() as session:
            total = 0
            for name in indexed_kinds():
                spec = kinds.get(name).search
                total += spec.count(session) if spec.count is not None else 0
            return total

    def rebuild(self, progress=None, total=None) -> RebuildReport:
        """Every record's row again, in batches written in place: searches keep being answered
        meanwhile and writes keep writing their rows (a batch that meets one written after it
        began is done again, so an older text never overwrites a newer one)."""
        if total is not None:
            total(self.count_documents())
        self.fill_attachment_texts()
        with self.database.sessionmaker() as session:
            last_outbox = session.scalar(sa.select(sa.func.max(SearchOutbox.id))) or 0
        written = 0
        failed: dict[tuple[str, int], str] = {}
        batches = [
            (name, model, lo, hi)
            for name in indexed_kinds()
            for model in [kinds.get(name).model]
            for lo, hi in self._ranges(model)
        ]
        # two batches at a time, each in its own transaction on its own connection: one is
        # tokenised in Python while the server writes the other (the GIL is let go meanwhile)
        with ThreadPoolExecutor(REBUILD_WORKERS, thread_name_prefix="search-rebuild") as pool:
            for n, mine in pool.map(lambda b: self._rebuild_batch(*b), batches):
                failed.update(mine)
                written += n
                if progress is not None and n:
                    progress(n)
        with self.database.write_sessionmaker() as session:
            conn = session.connection()
            conn.execute(sa.delete(DOCS).where(DOCS.c.kind.not_in(indexed_kinds())))
            conn.execute(sa.delete(SearchOutbox.__table__).where(SearchOutbox.id <= last_outbox))
            conn.execute(sa.delete(SearchDeadLetter.__table__))
            _dead_letters(conn, set(), failed)
            session.commit()
        log.info("search rows rebuilt: %s documents, %s set aside", written, len(failed))
        return RebuildReport(written, "search_docs")

    def _ranges(self, model) -> list[tuple[int, int | None]]:
        """A kind's ids cut into ranges (lo, hi] of BATCH ids, the last one open (records
        added meanwhile fall into it)."""
        with self.database.sessionmaker() as session:
            numbered = sa.select(
                model.id, sa.func.row_number().over(order_by=model.id).label("n")
            ).subquery()
            cuts = list(
                session.scalars(
                    sa.select(numbered.c.id).where(numbered.c.n % BATCH == 0).order_by("id")
                )
            )
        los = [0, *cuts]
        return list(zip(los, [*cuts, None], strict=True))

    def _rebuild_batch(self, name: str, model, lo: int, hi: int | None):
        """The rows of a kind's ids in (lo, hi] (hi None: every id above lo), in one
        REPEATABLE READ transaction: (rows written, records that could not be indexed)."""
        for _attempt in range(20):
            with self.database.write_sessionmaker() as session:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                stmt = sa.select(model.id).where(model.id > lo).order_by(model.id)
                ids = list(session.scalars(stmt if hi is None else stmt.where(model.id <= hi)))
                mine: dict = {}
                try:
                    if not ids:
                        gone = sa.delete(DOCS).where(DOCS.c.kind == name)
                        if lo:
                            gone = gone.where(DOCS.c.obj_id > lo)
                        if hi is not None:
                            gone = gone.where(DOCS.c.obj_id <= hi)
                        session.execute(gone)  # nothing of this kind here: none of its rows stay
                        session.commit()
                        return 0, mine
                    docs = build(session, [(name, i) for i in ids], mine)
                    conn = session.connection()
                    load(conn, [docs[k] for k in sorted(docs)])
                    conn.execute(
                        _DELETE_ABSENT,
                        {
                            "kind": name,
                            "after": lo,
                            "last": LAST_ID if hi is None else hi,
                            "kept": [i for _, i in docs],
                        },
                    )
                    session.commit()
                except sa.exc.OperationalError as exc:
                    if getattr(exc.orig, "sqlstate", None) != "40001":
                        raise
                    session.rollback()  # a write went in meanwhile: read the batch again
                    continue
                return len(docs), mine
        raise RuntimeError(f"the {name} rows in ({lo}, {hi}] kept changing; rebuild again")

    # --- status and the loop -------------------------------------------------------------------

    def status(self) -> dict:
        with self.database.sessionmaker() as session:
            documents = session.scalar(sa.select(sa.func.count()).select_from(DOCS)) or 0
            last = session.scalar(sa.select(sa.func.max(DOCS.c.indexed_at)))
            dead = session.execute(
                sa.select(SearchDeadLetter.kind, SearchDeadLetter.obj_id, SearchDeadLetter.error)
                .order_by(SearchDeadLetter.id)
                .limit(20)
            ).all()
            dead_total = session.scalar(sa.select(sa.func.count(SearchDeadLetter.id))) or 0
            holder = session.scalar(_LOOP_HOLDER, {"key": ADVISORY_KEY})
        pid = None
        if holder and holder.startswith("eoffice-search "):
            pid = int(holder.split(" ", 1)[1])
        return {
            "folder": "PostgreSQL table search_docs",
            "version": SCHEMA_VERSION,
            "expected_version": SCHEMA_VERSION,
            "documents": documents,
            "backlog": self.backlog(),
            "dead_letters": dead_total,
            "dead_letter_list": [{"kind": k, "id": i, "error": e} for k, i, e in dead],
            "last_indexed": last.replace(microsecond=0).isoformat() if last else None,
            "indexer_running": holder is not None,
            "indexer_pid": pid,
        }

    @contextlib.contextmanager
    def _turn(self, wait: bool, stop: threading.Event):
        """The one loop of the installation: a session-level advisory lock."""
        from eoffice.search.index import Busy

        with self.database.engine.connect() as conn:
            conn.execute(
                sa.text("SELECT set_config('application_name', :n, false)"),
                {"n": f"eoffice-search {os.getpid()}"},
            )
            while not conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}):
                conn.rollback()
                if not wait:
                    raise Busy("another search loop is running")
                if stop.wait(5):
                    yield False
                    return
            conn.commit()
            try:
                yield True
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()

    def run(self, stop: threading.Event, *, interval: float = 1.0, wait_turn: bool = True):
        """Fill attachment texts (and apply others' outbox rows) until `stop` is set."""
        with self._turn(wait_turn, stop) as mine:
            if not mine:
                return
            while not stop.is_set():
                try:
                    handled = self.index()
                except Exception:
                    log.exception("search: filling attachment texts failed; retrying")
                    stop.wait(5)
                    continue
                if handled == 0:
                    stop.wait(interval)

    def start_thread(self, interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run,
            args=(stop,),
            kwargs={"interval": interval},
            name="eoffice-search-texts",
            daemon=True,
        )
        thread.start()
        return thread, stop
