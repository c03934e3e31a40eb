"""Which documents a query matches and which of them a user may see, per segment of the index,
with set operations on decoded posting lists and on the index's columns loaded as arrays.

Whoosh's own matchers walk the matches one by one in Python (a skip, a position check, a
column read for each), which is what made a common phrase cost seconds. Here:

- a term is its posting list, decoded a block at a time (`term_docs`);
- a phrase in a text field is its word pairs (analysis.py): a two-word phrase is one pair term,
  a longer one the intersection of its pairs, with the word positions checked only on the
  documents that hold every pair;
- AND, OR, NOT are set operations; a prefix or a wildcard is the union of the terms it expands
  to; anything else falls back to Whoosh's matcher for that part of the query;
- access: the offices, files and desks that may see a document are columns. Each segment's
  columns are read once into arrays, and which documents each office, file and desk holds is
  built from them the first time it is needed (a segment never changes; its deletions are part
  of the cache key). A user whose scope covers every office of a segment costs nothing there;
  a user with a few offices, files or desks is answered from their documents (few) intersected
  with the matches; otherwise the matches are filtered through the columns, in C (map over
  `array.__getitem__`), never a Python loop per match.

What is shown is then checked again against the database, hit by hit (query.search)."""

from __future__ import annotations

import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress, repeat

from whoosh import columns as wcolumns
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from eoffice.search.analysis import PAIR_SEP
from eoffice.search.schema import PAIRS

_LITTLE = sys.byteorder == "little"


# --- one segment's columns ----------------------------------------------------------------------


class SegmentData:
    """A segment's numeric columns as arrays, and which documents hold each value of the
    access columns (built on first use). Shared by the searches of a process: it keeps no
    reader, each call brings its own (`view`)."""

    def __init__(self, reader):
        self.size = reader.doc_count_all()
        self.deleted = frozenset(reader.deleted_docs_set) if reader.has_deletions() else None
        self.columns: dict[str, array | list] = {}
        self.holders: dict[str, dict[int, list[int]]] = {}
        self.lock = threading.Lock()

    def view(self, reader) -> Segment:
        return Segment(self, reader)


class Segment:
    """A segment's data as one search reads it, with the reader it opened."""

    def __init__(self, data: SegmentData, reader):
        self.data = data
        self.reader = reader
        self.size = data.size
        self.deleted = data.deleted

    def column(self, name: str):
        col = self.data.columns.get(name)
        if col is None:
            col = self.data.columns[name] = _load_column(self.reader, name, self.size)
        return col

    def lengths(self, fieldname: str):
        """Each document's length in a text field (what BM25F reads for every document it
        scores), or None when the segment keeps none."""
        key = "len:" + fieldname
        out = self.data.columns.get(key)
        if out is None:
            perdoc = getattr(self.reader, "_perdoc", None)
            name = _lenfield(fieldname)
            if perdoc is None or not perdoc.has_column(name):
                return None
            creader = perdoc.column_reader(name, LENGTHS_COLUMN)
            raw = _load_numeric(creader, self.size)
            if raw is None:
                return None
            out = self.data.columns[key] = array("I", map(_LENGTHS.__getitem__, raw))
        return out

    def holders(self, name: str) -> dict[int, list[int]]:
        """value -> the documents with it, for one column (the document numbers in order)."""
        out = self.data.holders.get(name)
        if out is None:
            with self.data.lock:
                out = self.data.holders.get(name)
                if out is None:
                    out = {}
                    for docnum, value in enumerate(self.column(name)):
                        docs = out.get(value)
                        if docs is None:
                            out[value] = [docnum]
                        else:
                            docs.append(docnum)
                    self.data.holders[name] = out
        return out


# a length as Whoosh keeps it (one byte) -> the length BM25F uses (0: none, read as 1)
_LENGTHS = [1] + [byte_to_length(b) for b in range(1, 256)]


def _load_numeric(creader, size: int) -> array | None:
    """A numeric column read whole into an array (one read, no call per document)."""
    if not isinstance(creader, wcolumns.NumericColumn.Reader):
        return None
    values = array(creader._typecode)
    if values.itemsize != creader._fixedlen:
        return None
    raw = creader._dbfile.get(creader._basepos, creader._count * creader._fixedlen)
    values.frombytes(bytes(raw))
    if _LITTLE and values.itemsize > 1:
        values.byteswap()  # whoosh writes them big-endian ("!")
    if len(values) < size:  # trailing documents with the default are not written
        values.extend(repeat(creader._default, size - len(values)))
    return values


def _load_column(reader, name: str, size: int):
    creader = reader.column_reader(name, translate=False)
    values = _load_numeric(creader, size)
    if values is not None:
        return values
    if isinstance(creader, wcolumns.EmptyColumnReader):
        return array("B", bytes(size)) if not creader._default else [creader._default] * size
    return [creader[d] for d in range(size)]


_CACHE: OrderedDict[tuple, SegmentData] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def segment_data(reader) -> Segment:
    segment = reader.segment()
    # a segment's id is random and never reused; its deletions only grow
    key = (segment.segment_id(), segment.deleted_count(), reader.doc_count_all())
    with _CACHE_LOCK:
        data = _CACHE.get(key)
        if data is not None:
            _CACHE.move_to_end(key)
            return data.view(reader)
        data = _CACHE[key] = SegmentData(reader)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return data.view(reader)


# --- ranking -------------------------------------------------------------------------------------


class Weighting(scoring.BM25F):
    """Whoosh's BM25F, reading document lengths from the segment's arrays (Whoosh reads the
    length column for each document it scores)."""

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        b = self._field_B.get(fieldname, self.B)
        return _Scorer(searcher, fieldname, text, b, self.K1, qf=qf)


class _Scorer(scoring.BM25FScorer):
    def setup(self, searcher, fieldname, text):
        super().setup(searcher, fieldname, text)
        reader = searcher.reader()
        if reader.is_atomic():
            lengths = segment_data(reader).lengths(fieldname)
            if lengths is not None:
                self.dfl = lengths.__getitem__

    def score(self, matcher):
        idf, k1, b = self.idf, self.K1, self.B
        tf = matcher.weight()
        return idf * (
            (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * self.dfl(matcher.id()) / self.avgfl))
        )


# --- what the words match -------------------------------------------------------------------------


def term_docs(reader, fieldname: str, text) -> list[int]:
    """The documents holding a term (deleted ones included: the caller takes those off)."""
    btext = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
    try:
        m = reader.postings(fieldname, btext)
    except (TermNotFound, KeyError):
        return []
    if isinstance(m, FilterMatcher):
        m = m.child
    if not isinstance(m, W3LeafMatcher) or m._byteids:
        return list(m.all_ids())
    out: list[int] = []
    while m.is_active():
        if m._data is None:
            m._read_data()
        out.extend(accumulate(m._data[0]))  # ids are deltas within a block
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return out


class Evaluation:
    """Evaluates a parsed query on one segment to a set of document numbers (local to the
    segment). `exact_scoring` turns False when the query Whoosh ranks with matches more than
    this set (a phrase of three words or more: its pairs, not their positions)."""

    def __init__(self, searcher, reader, data: Segment):
        self.searcher = searcher
        self.reader = reader
        self.data = data
        self._all: set[int] | None = None

    def all_docs(self) -> set[int]:
        if self._all is None:
            self._all = set(range(self.data.size))
        return self._all

    def docs(self, q) -> set[int]:
        if isinstance(q, wq.Term):
            return set(term_docs(self.reader, q.fieldname, q.text))
        if isinstance(q, wq.Phrase):
            return self.phrase(q)
        if isinstance(q, wq.Prefix | wq.Wildcard):
            out: set[int] = set()
            for btext in q._btexts(self.reader):
                out.update(term_docs(self.reader, q.fieldname, btext))
            return out
        if isinstance(q, wq.And):
            positive = [s for s in q.subqueries if not isinstance(s, wq.Not)]
            negative = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
            return self._and(positive, negative)
        if isinstance(q, wq.Or | wq.DisjunctionMax) and not getattr(q, "minmatch", 0):
            out = set()
            for sub in q.subqueries:
                out |= self.docs(sub)
            return out
        if isinstance(q, wq.Not):
            return self.all_docs() - self.docs(q.query)
        if isinstance(q, wq.AndNot):
            return self.docs(q.a) - self.docs(q.b)
        if isinstance(q, wq.AndMaybe):
            return self.docs(q.a)
        if isinstance(q, wq.Require):
            return self.docs(q.a) & self.docs(q.b)
        if isinstance(q, wq.Every):
            return set(self.all_docs())
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return set()
        # anything else: Whoosh's own matcher (it leaves out deleted documents itself)
        matcher = q.matcher(self.searcher, self.searcher.boolean_context())
        return set(matcher.all_ids())

    def _and(self, positive, negative) -> set[int]:
        if not positive:
            out = set(self.all_docs())
        else:
            sets = sorted((self.docs(s) for s in positive), key=len)
            out = sets[0]
            for other in sets[1:]:
                if not out:
                    break
                out = out & other
        for sub in negative:
            if not out:
                break
            out = out - self.docs(sub)
        return out

    def phrase(self, q: wq.Phrase) -> set[int]:
        words = list(q.words)
        pairs_field = PAIRS.get(q.fieldname)
        if pairs_field is None or q.slop != 1 or not words:
            matcher = q.matcher(self.searcher, self.searcher.boolean_context())
            return set(matcher.all_ids())
        if len(words) == 1:
            return set(term_docs(self.reader, q.fieldname, words[0]))
        pair_terms = [a + PAIR_SEP + b for a, b in zip(words, words[1:], strict=False)]
        freq = self.reader.doc_frequency
        order = sorted(set(pair_terms), key=lambda t: freq(pairs_field, t))
        out = set(term_docs(self.reader, pairs_field, order[0]))
        for term in order[1:]:
            if not out:
                return out
            out.intersection_update(term_docs(self.reader, pairs_field, term))
        if len(words) == 2 or not out:
            return out  # a pair term is two adjacent words, in order
        return self._check_positions(q.fieldname, words, out)

    def _check_positions(self, fieldname: str, words: list[str], candidates: set[int]) -> set[int]:
        """The candidates (documents holding every pair) where the words stand one after the
        other: positions read for these documents only."""
        matchers = {}
        for w in set(words):
            try:
                matchers[w] = self.reader.postings(fieldname, w)
            except TermNotFound:
                return set()
        out = set()
        for docnum in sorted(candidates):
            positions: dict[str, set[int]] = {}
            for w, m in matchers.items():
                if m.is_active():
                    m.skip_to(docnum)
                if not m.is_active() or m.id() != docnum:
                    break
                positions[w] = set(m.value_as("positions"))
            else:
                first = positions[words[0]]
                if any(
                    all(p + i in positions[w] for i, w in enumerate(words[1:], 1)) for p in first
                ):
                    out.add(docnum)
        return out


def scoring_query(q):
    """The query Whoosh ranks the allowed documents with: a phrase in a text field becomes its
    pair terms (one term for two words). Returns (query, exact): exact when it matches the same
    documents as `q`."""
    exact = True

    def rewrite(node):
        nonlocal exact
        if isinstance(node, wq.Phrase) and node.fieldname in PAIRS and node.slop == 1:
            words = list(node.words)
            if len(words) == 1:
                return wq.Term(node.fieldname, words[0], boost=node.boost)
            if len(words) > 2:
                exact = False
            field = PAIRS[node.fieldname]
            terms = [
                wq.Term(field, a + PAIR_SEP + b) for a, b in zip(words, words[1:], strict=False)
            ]
            return (
                terms[0].with_boost(node.boost)
                if len(terms) == 1
                else wq.And(terms, boost=node.boost)
            )
        return node.apply(rewrite)

    out = rewrite(q)
    return out, exact


# --- who may see it ----------------------------------------------------------------------------


@dataclass
class Scope:
    """A coarse first filter from the database: the offices the user audits, the files their
    desks handled, their desks. Every hit shown is then checked by its kind's own rule."""

    offices: set[int]
    files: set[int]
    desks: set[int]


def _where(ids: Iterable[int], column, wanted: set[int]) -> list[int]:
    ids = ids if isinstance(ids, list) else list(ids)
    return list(compress(ids, map(wanted.__contains__, map(column.__getitem__, ids))))


def visible_in(data: Segment, ids: set[int], scope: Scope) -> set[int]:
    """The documents of `ids` the scope reaches: in an audited office, in a file the user's
    desks handled, or at one of their desks."""
    if not ids:
        return ids
    offices_here = data.holders("c_office")
    if scope.offices and scope.offices.issuperset(offices_here):
        return ids  # every document of this segment is in an office the user audits
    offices = scope.offices.intersection(offices_here)
    sources: list[list[int]] = [offices_here[o] for o in offices]
    if scope.files:
        files_here = data.holders("c_file")
        sources += [files_here[f] for f in scope.files.intersection(files_here)]
    if scope.desks:
        for name in ("c_desk1", "c_desk2"):
            desks_here = data.holders(name)
            sources += [desks_here[d] for d in scope.desks.intersection(desks_here)]
    if sum(len(s) for s in sources) <= len(ids):
        # few documents the user may see: those, among the matches
        reach: set[int] = set()
        for s in sources:
            reach.update(s)
        return ids & reach
    # many: the matches, kept by their columns
    out = set(_where(ids, data.column("c_office"), offices)) if offices else set()
    rest = ids - out if out else ids
    if scope.files and rest:
        kept = _where(rest, data.column("c_file"), scope.files)
        if kept:
            out.update(kept)
            rest = ids - out
    if scope.desks and rest:
        out.update(_where(rest, data.column("c_desk1"), scope.desks))
        out.update(_where(rest, data.column("c_desk2"), scope.desks))
    return out


@dataclass
class Filters:
    """The filters as the columns hold them (None: not filtered on)."""

    kind: int | None = None
    office: int | None = None
    status: int | None = None
    category: int | None = None
    day_from: int | None = None
    day_to: int | None = None

    def equal(self) -> list[tuple[str, int]]:
        return [
            (name, value)
            for name, value in (
                ("c_kind", self.kind),
                ("c_office", self.office),
                ("c_status", self.status),
                ("c_category", self.category),
            )
            if value is not None
        ]


def filtered(data: Segment, ids: set[int], f: Filters) -> set[int]:
    for name, wanted in f.equal():
        if not ids:
            return ids
        column = data.column(name)
        listed = list(ids)
        ids = set(compress(listed, map(wanted.__eq__, map(column.__getitem__, listed))))
    if (f.day_from or f.day_to) and ids:
        lo, hi = f.day_from or 1, f.day_to or 99999999  # 0: no date, outside every range
        column = data.column("c_day")
        listed = list(ids)
        ids = set(compress(listed, (lo <= v <= hi for v in map(column.__getitem__, listed))))
    return ids


@dataclass
class SegmentMatch:
    offset: int
    data: Segment
    searcher: object  # the segment's own searcher (Whoosh's leaf searcher)
    matched: set[int]  # what the words match here (deleted documents left out)
    allowed: set[int]  # of those, what the scope and the filters keep (local numbers)


def match(searcher, q, scope: Scope, f: Filters) -> list[SegmentMatch]:
    """For each segment: what `q` matches (None: the filters alone) and what of it the user may
    see through the scope and the filters keep."""
    out = []
    if searcher.doc_count_all() == 0:
        return out
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        data = segment_data(reader)
        if q is None:  # the filters alone
            if f.kind is not None:
                ids = set(data.holders("c_kind").get(f.kind, ()))
            else:
                ids = set(range(data.size))
        else:
            ids = Evaluation(leaf, reader, data).docs(q)
        if data.deleted and ids:
            ids = ids - data.deleted
        matched = ids
        ids = filtered(data, ids, f)
        ids = visible_in(data, ids, scope)
        out.append(SegmentMatch(offset, data, leaf, matched, ids))
    return out
