"""Searching: parse what the user typed, restrict to what they may see, and build the hits
(titles and snippets) from the database, re-checking every hit against the database first.

What the words match and what of it the user may see is worked out per segment with set
operations on posting lists and columns (matching.py); Whoosh ranks only the allowed documents,
and phrases rank by their word pairs."""

from __future__ import annotations

import datetime as dt
import fnmatch
import heapq
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh import highlight, qparser
from whoosh import query as wq

from eoffice.core import kinds
from eoffice.core.errors import Invalid
from eoffice.files.models import FileAccess
from eoffice.org.service import audited_office_ids, desk_ids
from eoffice.search.analysis import normalise, text_analyzer
from eoffice.search.documents import day_key, from_micros
from eoffice.search.index import IndexHome
from eoffice.search.matching import Filters, Scope, match, scoring_query
from eoffice.search.schema import (
    CATEGORY_CODES,
    TEXT_FIELDS,
    kind_codes,
    kinds_indexed,
    status_codes,
)

MAX_QUERY = 500
MIN_PREFIX = 2
SORTS = ("relevance", "date")


class BadQuery(Invalid):
    code = "bad_query"


@dataclass
class SearchQuery:
    q: str = ""
    kind: str | None = None
    office_id: int | None = None
    status: str | None = None
    category: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @property
    def has_filters(self) -> bool:
        return any(
            (self.kind, self.office_id, self.status, self.category, self.date_from, self.date_to)
        )


@dataclass
class Hit:
    kind: str
    obj_id: int
    file_id: int | None
    receipt_id: int | None
    number: str
    title: str
    snippet: Markup
    date: dt.datetime | None
    note_number: int | None = None
    # the page the hit opens: (endpoint, url arguments, #anchor)
    page: tuple[str, dict, str | None] | None = None


@dataclass
class Results:
    total: int
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# --- parsing -----------------------------------------------------------------------------------


def parser_for(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema)
    # field:value would let people query the filter fields, and ranges ([a TO z]) or *:* walk
    # every term: the words, phrases, prefixes and operators are all that is searched
    for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin):
        parser.remove_plugin_class(plugin)
    return parser


def parse(schema, text: str):
    text = text.strip()
    if len(text) > MAX_QUERY:
        raise BadQuery(f"the query is too long (at most {MAX_QUERY} characters)", field="q")
    # NFC and nukta folding before parsing, so wildcards see the indexed spelling; the operators
    # AND, OR and NOT keep their case
    text = normalise_keep_case(text)
    try:
        parsed = parser_for(schema).parse(text)
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


def normalise_keep_case(text: str) -> str:
    words = text.split(" ")
    return " ".join(
        w if w in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE") else normalise(w) for w in words
    )


# --- who may see what ---------------------------------------------------------------------------


def scope_for(session: Session, user) -> Scope | None:
    offices = audited_office_ids(session, user)
    desks = desk_ids(user)
    files: set[int] = set()
    if desks:
        files = set(
            session.scalars(
                sa.select(FileAccess.file_id).where(FileAccess.desk_id.in_(desks)).distinct()
            )
        )
    if not offices and not desks:
        return None
    return Scope(set(offices), files, set(desks))


def filters_for(sq: SearchQuery) -> Filters:
    return Filters(
        kind=kind_codes()[sq.kind] if sq.kind else None,
        office=sq.office_id or None,
        status=status_codes().get(sq.status, -1) if sq.status else None,
        category=CATEGORY_CODES.get(sq.category, -1) if sq.category else None,
        day_from=int(day_key(sq.date_from)) if sq.date_from else None,
        day_to=int(day_key(sq.date_to)) if sq.date_to else None,
    )


def matching_docs(searcher, q, scope: Scope, sq: SearchQuery) -> set[int]:
    """The documents `q` matches (None: the filters alone) that the user may see and the
    filters keep, as the searcher's document numbers."""
    out: set[int] = set()
    for part in match(searcher, q, scope, filters_for(sq)):
        out.update(map(part.offset.__add__, part.allowed) if part.offset else part.allowed)
    return out


def validate(sq: SearchQuery) -> None:
    if sq.kind is not None and sq.kind not in kinds_indexed():
        raise Invalid(f"kind must be one of {', '.join(kinds_indexed())}", field="kind")
    if sq.sort not in SORTS:
        raise Invalid("sort must be relevance or date", field="sort")
    if sq.date_from and sq.date_to and sq.date_from > sq.date_to:
        raise Invalid("the start date is after the end date", field="from")
    if not sq.q.strip() and not sq.has_filters:
        raise Invalid("type what to search for", field="q")
    if not 1 <= sq.per_page <= 100:
        raise Invalid("per_page must be between 1 and 100", field="per_page")


# --- searching ---------------------------------------------------------------------------------


SNIPPET_SOURCE = 50_000  # characters of a long text (an attachment's) that snippets look into


def search(session: Session, user, home: IndexHome, sq: SearchQuery) -> Results:
    validate(sq)
    searcher = home.searcher()
    scope = scope_for(session, user)
    if scope is None:
        return Results(0, sq.page, sq.per_page)
    words = parse(searcher.schema, sq.q) if sq.q.strip() else None  # None: the filters alone
    # the searcher stays open for this thread's next search (IndexHome.searcher)
    parts = match(searcher, words, scope, filters_for(sq))
    total = sum(len(p.allowed) for p in parts)
    if not total:
        return Results(0, sq.page, sq.per_page)
    first, wanted = (sq.page - 1) * sq.per_page, sq.page * sq.per_page
    if first >= total:
        return Results(total, sq.page, sq.per_page)
    if sq.sort == "date" or words is None:
        page = _newest(parts, wanted)[first:]
    else:
        page = _best(searcher, words, parts, wanted)[first:]
    stored = [searcher.stored_fields(d) for d in page]
    texts = _texts(session, stored)
    visible = _visible(session, user, stored)
    at = searcher.reader().column_reader("at")
    marks = Marks(words, searcher.reader()) if words is not None else None
    formatter = highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … ")
    hits = []
    for docnum, fields_ in zip(page, stored, strict=True):
        key = (fields_["kind"], int(fields_["obj_id"]))
        if key not in visible:
            total -= 1  # the index was behind the database: say nothing about it
            continue
        info = texts.get(key)
        if info is None:
            total -= 1
            continue
        when = from_micros(_column_value(at, docnum))
        hits.append(_hit(fields_, marks, formatter, info, when))
    return Results(max(total, 0), sq.page, sq.per_page, hits)


def _newest(parts, n: int) -> list[int]:
    """The n newest allowed documents (the `at` column), newest first."""
    best: list[tuple[int, int]] = []
    for p in parts:
        if not p.allowed:
            continue
        at, offset = p.data.column("at"), p.offset
        top = heapq.nlargest(n, p.allowed, key=lambda d, at=at: (at[d], d))
        best = heapq.nlargest(n, [*best, *((at[d], d + offset) for d in top)])
    return [d for _, d in best]


def _best(searcher, words, parts, n: int) -> list[int]:
    """The n best allowed documents by relevance: Whoosh ranks (BM25F, skipping blocks that
    cannot make the page) with phrases as their word pairs, given the allowed documents as its
    filter unless they are every document the ranking query matches."""
    ranking, exact = scoring_query(words)
    allowed = sum(len(p.allowed) for p in parts)
    matched = sum(len(p.matched) for p in parts)
    if exact and allowed == matched:
        return [hit.docnum for hit in searcher.search(ranking, limit=n)]
    if allowed <= SCORE_EACH or allowed * 4 <= matched:
        # few allowed among many matches: score just those, each reached by a skip
        context = searcher.context()
        scored = []
        for p in parts:
            if not p.allowed:
                continue
            m = ranking.matcher(p.searcher, context)
            for d in sorted(p.allowed):
                if not m.is_active():
                    break
                m.skip_to(d)
                if m.is_active() and m.id() == d:
                    scored.append((m.score(), -(d + p.offset)))
        return [-d for _, d in heapq.nlargest(n, scored)]
    # most of the matches: Whoosh's collector (it skips blocks that cannot make the page),
    # told which documents to leave out, or which to keep, whichever is fewer
    keep, drop = set(), set()
    for p in parts:
        keep.update(map(p.offset.__add__, p.allowed) if p.offset else p.allowed)
        if exact:
            gone = p.matched - p.allowed
            drop.update(map(p.offset.__add__, gone) if p.offset else gone)
    if exact and len(drop) < len(keep):
        return [hit.docnum for hit in searcher.search(ranking, limit=n, mask=drop)]
    return [hit.docnum for hit in searcher.search(ranking, limit=n, filter=keep)]


SCORE_EACH = 200  # allowed documents scored one by one rather than through Whoosh's collector


def _column_value(column, docnum: int) -> int:
    """A document's value in a numeric column; 0 when it has none (a kind whose records carry
    no date: Whoosh keeps no column at all for a segment where no document has one)."""
    try:
        return column[docnum]
    except IndexError:
        return 0


class Marks:
    """Which words of a text to mark in a snippet: the words the query looks for in each text
    field (a phrase's words, what a prefix or a wildcard matches), not those it excludes."""

    def __init__(self, q, reader=None):
        self.exact: dict[str, set[str]] = {}
        self.patterns: dict[str, list[re.Pattern]] = {}
        self._walk(q)

    def _walk(self, q) -> None:
        if isinstance(q, wq.Not):
            return
        if isinstance(q, wq.AndNot):
            self._walk(q.a)
            return
        if isinstance(q, wq.Term):
            self.exact.setdefault(q.fieldname, set()).add(q.text)
        elif isinstance(q, wq.Phrase):
            self.exact.setdefault(q.fieldname, set()).update(q.words)
        elif isinstance(q, wq.Prefix):
            pattern = re.compile(re.escape(q.text) + ".*", re.DOTALL)
            self.patterns.setdefault(q.fieldname, []).append(pattern)
        elif isinstance(q, wq.Wildcard):
            pattern = re.compile(fnmatch.translate(q.text))
            self.patterns.setdefault(q.fieldname, []).append(pattern)
        for child in q.children():
            self._walk(child)

    def matches(self, fieldname: str):
        exact = self.exact.get(fieldname, set())
        patterns = self.patterns.get(fieldname, [])
        if not exact and not patterns:
            return None
        if not patterns:
            return exact.__contains__
        return lambda w: w in exact or any(p.fullmatch(w) for p in patterns)


_ANALYZER = text_analyzer()
_FRAGMENTER = highlight.ContextFragmenter(maxchars=240, surround=50)
_SCORER = highlight.BasicFragmentScorer()


def _snippet(marks: Marks | None, formatter, fieldname: str, text: str | None) -> str:
    """Whoosh's highlighting (retokenise the text, mark the words, best two fragments) with the
    words the query looks for."""
    if not text or marks is None:
        return ""
    wanted = marks.matches(fieldname)
    if wanted is None:
        return ""
    text = text[:SNIPPET_SOURCE]

    def marked(tokens):
        for t in tokens:
            t.matched = wanted(t.text)
            yield t

    tokens = _ANALYZER(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = highlight.Highlighter._merge_matched_tokens(marked(tokens))
    fragments = _FRAGMENTER.fragment_tokens(text, tokens)
    fragments = highlight.top_fragments(fragments, 2, _SCORER, highlight.FIRST, minscore=1)
    return formatter.format(fragments)


def _hit(fields_: dict, marks, formatter, info, when: dt.datetime | None) -> Hit:
    snippet = _snippet(marks, formatter, "body", info.body) or _snippet(
        marks, formatter, "title", info.title
    )
    if not snippet:
        source = info.body or info.title
        snippet = escape(source[:240] + ("…" if len(source) > 240 else ""))
    file_id = fields_.get("file_id")
    receipt_id = fields_.get("receipt_id")
    return Hit(
        kind=fields_["kind"],
        obj_id=int(fields_["obj_id"]),
        file_id=int(file_id) if file_id else None,
        receipt_id=int(receipt_id) if receipt_id else None,
        number=info.number,
        title=info.title,
        snippet=Markup(snippet),  # noqa: S704 - whoosh's HtmlFormatter escapes the text it quotes
        date=when,
        note_number=info.extra.get("note_number"),
        page=info.page,
    )


def _ids(stored: list[dict], kind: str) -> list[int]:
    return [int(f["obj_id"]) for f in stored if f["kind"] == kind]


def _texts(session: Session, stored: list[dict]) -> dict[tuple[str, int], kinds.HitText]:
    """Titles, numbers and the text for snippets, from the database (the index keeps none):
    one call per kind on the page."""
    out: dict[tuple[str, int], kinds.HitText] = {}
    for name in sorted({f["kind"] for f in stored}):
        kind = kinds.find(name)
        if kind is None or kind.search is None:
            continue
        for obj_id, text in kind.search.texts(session, _ids(stored, name)).items():
            out[(name, obj_id)] = text
    return out


def _visible(session: Session, user, stored: list[dict]) -> set[tuple[str, int]]:
    """Re-check each hit against the database with its kind's own rule (the one can() uses),
    a query or two per kind on the page rather than one per hit."""
    out = set()
    for name in sorted({f["kind"] for f in stored}):
        kind = kinds.find(name)
        if kind is not None:
            out |= {(name, i) for i in kind.visible_ids(session, user, _ids(stored, name))}
    return out
