"""Searching: parse what the user typed, restrict to what they may see, and build the hits
(titles and snippets) from the database, re-checking every hit against the database first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh import highlight, qparser
from whoosh import query as wq

from eoffice.errors import Invalid
from eoffice.files import access
from eoffice.files.models import File, FileAccess
from eoffice.notings.models import Draft, DraftVersion, Note
from eoffice.receipts.models import Receipt
from eoffice.search.analysis import normalise
from eoffice.search.documents import day_key
from eoffice.search.index import IndexHome
from eoffice.search.models import AttachmentText
from eoffice.search.schema import KINDS, TEXT_FIELDS
from eoffice.storage.models import Attachment

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


# --- who may see what --------------------------------------------------------------------------


def access_filter(session: Session, user):
    """A query matching exactly the documents the user may see (None: nothing at all)."""
    terms = []
    offices = access.audited_office_ids(session, user)
    terms += [wq.Term("office_id", str(o), boost=0.0) for o in sorted(offices)]
    desks = access.desk_ids(user)
    if desks:
        file_ids = session.scalars(
            sa.select(FileAccess.file_id).where(FileAccess.desk_id.in_(desks)).distinct()
        )
        terms += [wq.Term("file_id", str(f), boost=0.0) for f in file_ids]
        terms += [wq.Term("desks", str(d), boost=0.0) for d in sorted(desks)]
    if not terms:
        return None
    return wq.Or(terms)


def filters(sq: SearchQuery):
    parts = []
    if sq.kind:
        parts.append(wq.Term("kind", sq.kind, boost=0.0))
    if sq.office_id:
        parts.append(wq.Term("office_id", str(sq.office_id), boost=0.0))
    if sq.status:
        parts.append(wq.Term("status", sq.status, boost=0.0))
    if sq.category:
        parts.append(wq.Term("category", sq.category, boost=0.0))
    if sq.date_from or sq.date_to:
        start = day_key(sq.date_from) if sq.date_from else None
        end = day_key(sq.date_to) if sq.date_to else None
        parts.append(wq.TermRange("day", start, end, boost=0.0))
    return parts


def validate(sq: SearchQuery) -> None:
    if sq.kind is not None and sq.kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
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
    allowed = access_filter(session, user)
    if allowed is None:
        return Results(0, sq.page, sq.per_page)
    words = parse(ix.schema, sq.q) if sq.q.strip() else wq.Every()
    restrict = wq.And([allowed, *filters(sq)]) if filters(sq) else allowed
    # The restriction is part of the query, not a Whoosh `filter`: a filter that matches nothing
    # is read by Whoosh as "no filter" (and counts would include everything), and a filter or a
    # ConstantScoreQuery lists every document an auditor may see before searching, while a plain
    # query part is intersected lazily. Its terms have boost 0, so relevance comes from the words.
    final = wq.And([words, restrict])
    with ix.searcher() as searcher:
        kwargs = {"terms": True}
        if sq.sort == "date":
            kwargs.update(sortedby="at", reverse=True)
        results = searcher.search(final, limit=sq.page * sq.per_page, **kwargs)
        results.formatter = highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … ")
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=50)
        total = count_matches(searcher, final)
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
            micros = at[hit.docnum]
            when = dt.datetime.fromtimestamp(micros / 1e6, dt.UTC) if micros else None
            hits.append(_hit(fields_, hit, info, when))
    return Results(max(total, 0), sq.page, sq.per_page, hits)


def count_matches(searcher, q) -> int:
    """How many documents match, stepping the matcher. (Whoosh's own count intersects by
    building the set of every document on each side, which for an auditor's restriction is
    the whole district.)"""
    total = 0
    context = searcher.boolean_context()
    for leaf, _offset in searcher.leaf_searchers():
        m = q.matcher(leaf, context)
        while m.is_active():
            total += 1
            m.next()
    return total


def _snippet(hit, fieldname: str, text: str | None) -> str:
    if not text:
        return ""
    return hit.highlights(fieldname, text=text[:SNIPPET_SOURCE], top=2) if hit else ""


def _hit(fields_: dict, hit, info: dict, when: dt.datetime | None) -> Hit:
    snippet = _snippet(hit, "body", info.get("body")) or _snippet(hit, "title", info["title"])
    if not snippet:
        source = info.get("body") or info["title"]
        snippet = escape(source[:240] + ("…" if len(source) > 240 else ""))
    file_id = fields_.get("file_id")
    receipt_id = fields_.get("receipt_id")
    return Hit(
        kind=fields_["kind"],
        obj_id=int(fields_["obj_id"]),
        file_id=int(file_id) if file_id else None,
        receipt_id=int(receipt_id) if receipt_id else None,
        number=info["number"],
        title=info["title"],
        snippet=Markup(snippet),  # noqa: S704 - whoosh's HtmlFormatter escapes the text it quotes
        date=when,
        note_number=info.get("note_number"),
    )


def _ids(stored: list[dict], kind: str) -> list[int]:
    return [int(f["obj_id"]) for f in stored if f["kind"] == kind]


def _texts(session: Session, stored: list[dict]) -> dict[tuple[str, int], dict]:
    """Titles, numbers and the text for snippets, from the database (the index keeps none)."""
    out: dict[tuple[str, int], dict] = {}
    if ids := _ids(stored, "file"):
        for f in session.execute(
            sa.select(File.id, File.number, File.subject).where(File.id.in_(ids))
        ):
            out[("file", f.id)] = {"number": f.number, "title": f.subject}
    if ids := _ids(stored, "note"):
        rows = session.execute(
            sa.select(
                Note.id, Note.number, Note.text, File.number.label("file_number"), File.subject
            )
            .join(File, File.id == Note.file_id)
            .where(Note.id.in_(ids))
        )
        for n in rows:
            out[("note", n.id)] = {
                "number": n.file_number,
                "title": n.subject,
                "body": n.text,
                "note_number": n.number,
            }
    if ids := _ids(stored, "receipt"):
        for r in session.scalars(sa.select(Receipt).where(Receipt.id.in_(ids))):
            body = "\n".join(
                p
                for p in (
                    r.sender_name,
                    r.sender_designation,
                    r.sender_organisation,
                    r.letter_number,
                    r.enclosures,
                    r.remarks,
                )
                if p
            )
            out[("receipt", r.id)] = {"number": r.number, "title": r.subject, "body": body}
    if ids := _ids(stored, "draft"):
        latest = (
            sa.select(DraftVersion.body)
            .where(DraftVersion.draft_id == Draft.id, DraftVersion.version == Draft.version)
            .scalar_subquery()
        )
        rows = session.execute(
            sa.select(
                Draft.id, Draft.title, Draft.dispatch_number, latest.label("body"), File.number
            )
            .join(File, File.id == Draft.file_id)
            .where(Draft.id.in_(ids))
        )
        for d in rows:
            out[("draft", d.id)] = {
                "number": d.dispatch_number or d.number,
                "title": d.title,
                "body": d.body,
            }
    if ids := _ids(stored, "attachment"):
        owner_file = sa.func.coalesce(Attachment.file_id, Receipt.file_id)
        rows = session.execute(
            sa.select(
                Attachment.id,
                Attachment.name,
                AttachmentText.text,
                File.number.label("file_number"),
                Receipt.number.label("receipt_number"),
            )
            .outerjoin(Receipt, Receipt.id == Attachment.receipt_id)
            .outerjoin(File, File.id == owner_file)
            .outerjoin(AttachmentText, AttachmentText.attachment_id == Attachment.id)
            .where(Attachment.id.in_(ids))
        )
        for a in rows:
            out[("attachment", a.id)] = {
                "number": a.file_number or a.receipt_number or "",
                "title": a.name,
                "body": a.text,
            }
    return out


def _visible(session: Session, user, stored: list[dict]) -> set[tuple[str, int]]:
    """Re-check each hit against the database, the way can() decides, in two queries."""
    file_ids = {int(f["file_id"]) for f in stored if f.get("file_id")}
    seen_files = set()
    if file_ids:
        seen_files = set(
            session.scalars(
                sa.select(File.id).where(
                    File.id.in_(file_ids), access.visible_files_clause(session, user)
                )
            )
        )
    receipt_ids = {int(f["receipt_id"]) for f in stored if f.get("receipt_id")}
    seen_receipts = set()
    if receipt_ids:
        for r in session.scalars(sa.select(Receipt).where(Receipt.id.in_(receipt_ids))):
            if access.can_view_receipt(session, user, r):
                seen_receipts.add(r.id)
    out = set()
    for f in stored:
        fid = int(f["file_id"]) if f.get("file_id") else None
        rid = int(f["receipt_id"]) if f.get("receipt_id") else None
        if (fid is not None and fid in seen_files) or (rid is not None and rid in seen_receipts):
            out.add((f["kind"], int(f["obj_id"])))
    return out
