"""Searching: parse what the user typed, restrict to what they may see, and build the hits
(titles and snippets) from the database, re-checking every hit against the database first."""

from __future__ import annotations

import datetime as dt
import itertools
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
from eoffice.search.analysis import normalise
from eoffice.search.documents import day_key, from_micros
from eoffice.search.index import IndexHome
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


@dataclass
class Scope:
    """A coarse first filter from the database: the offices the user audits, the files their
    desks handled, their desks. Every hit shown is then checked by its kind's own rule."""

    offices: set[int]
    files: set[int]
    desks: set[int]


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


def matching_docs(searcher, q, scope: Scope, sq: SearchQuery) -> set[int]:
    """The documents `q` matches that the user may see and the filters keep, read from the
    index's columns in one pass over the matches."""
    kind = kind_codes()[sq.kind] if sq.kind else None
    status = status_codes().get(sq.status, -1) if sq.status else None
    category = CATEGORY_CODES.get(sq.category, -1) if sq.category else None
    day_from = int(day_key(sq.date_from)) if sq.date_from else None
    day_to = int(day_key(sq.date_to)) if sq.date_to else None
    out: set[int] = set()
    if searcher.doc_count_all() == 0:  # an empty index has no columns to read
        return out
    context = searcher.boolean_context()
    for leaf, offset in searcher.leaf_searchers():
        matches = iter(q.matcher(leaf, context).all_ids())
        first = next(matches, None)
        if first is None:
            continue
        # a column reader costs a read of the segment's column: only those this query needs
        reader = leaf.reader()
        office_c, file_c = reader.column_reader("c_office"), reader.column_reader("c_file")
        desk1_c = reader.column_reader("c_desk1") if scope.desks else None
        desk2_c = reader.column_reader("c_desk2") if scope.desks else None
        checks = [
            (reader.column_reader(name), wanted)
            for name, wanted in (
                ("c_kind", kind),
                ("c_office", sq.office_id or None),
                ("c_status", status),
                ("c_category", category),
            )
            if wanted is not None
        ]
        day_c = reader.column_reader("c_day") if (day_from or day_to) else None
        for d in itertools.chain((first,), matches):
            if not (
                office_c[d] in scope.offices
                or file_c[d] in scope.files
                or (
                    desk1_c is not None and (desk1_c[d] in scope.desks or desk2_c[d] in scope.desks)
                )
            ):
                continue
            if any(column[d] != wanted for column, wanted in checks):
                continue
            if day_c is not None:
                day = _column_value(day_c, d)
                if not day or not (day_from or 0) <= day <= (day_to or 99999999):
                    continue
            out.add(d + offset)
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
    ix = home.open()
    scope = scope_for(session, user)
    if scope is None:
        return Results(0, sq.page, sq.per_page)
    if sq.q.strip():
        words = parse(ix.schema, sq.q)
    else:  # filters alone
        words = wq.Term("kind", sq.kind) if sq.kind else wq.Every()
    with ix.searcher() as searcher:
        allowed = matching_docs(searcher, words, scope, sq)
        total = len(allowed)
        # never hand Whoosh an empty filter: it reads one as "no filter at all"
        if not allowed:
            return Results(0, sq.page, sq.per_page)
        kwargs = {"terms": True, "filter": allowed}
        if sq.sort == "date":
            kwargs.update(sortedby="at", reverse=True)
        results = searcher.search(words, limit=sq.page * sq.per_page, **kwargs)
        results.formatter = highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … ")
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=50)
        first = (sq.page - 1) * sq.per_page
        stored = [(h.fields(), h) for h in results[first : first + sq.per_page]]
        texts = _texts(session, [f for f, _ in stored])
        visible = _visible(session, user, [f for f, _ in stored])
        at = searcher.reader().column_reader("at")
        hits = []
        for fields_, hit in stored:
            key = (fields_["kind"], int(fields_["obj_id"]))
            if key not in visible:
                total -= 1  # the index was behind the database: say nothing about it
                continue
            info = texts.get(key)
            if info is None:
                total -= 1
                continue
            when = from_micros(_column_value(at, hit.docnum))
            hits.append(_hit(fields_, hit, info, when))
    return Results(max(total, 0), sq.page, sq.per_page, hits)


def _column_value(column, docnum: int) -> int:
    """A document's value in a numeric column; 0 when it has none (a kind whose records carry
    no date: Whoosh keeps no column at all for a segment where no document has one)."""
    try:
        return column[docnum]
    except IndexError:
        return 0


def _snippet(hit, fieldname: str, text: str | None) -> str:
    if not text:
        return ""
    return hit.highlights(fieldname, text=text[:SNIPPET_SOURCE], top=2) if hit else ""


def _hit(fields_: dict, hit, info: dict, when: dt.datetime | None) -> Hit:
    snippet = _snippet(hit, "body", info.body) or _snippet(hit, "title", info.title)
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
