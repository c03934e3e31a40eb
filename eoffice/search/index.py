"""Where the index lives and who may write it.

    INDEX_DIR/
      current -> gen-20261123T170501-1a2b   (symlink, swapped atomically by a rebuild)
      gen-.../                               (a Whoosh index plus `schema_version`)
      indexer.lock                           (held by the one running indexer)
      writer.lock                            (held while anyone writes: a drain or a rebuild)

Web processes only read: they open whatever `current` points to. The indexer and `eoffice
search rebuild` write, one at a time, serialised by `writer.lock`."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import shutil
import threading
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.writing import PostingPool, SegmentWriter

from eoffice.core.errors import Unavailable
from eoffice.search.schema import SCHEMA_VERSION, make_schema

_THREAD = threading.local()


class IndexUnavailable(Unavailable):
    """No usable index yet (never built, or built with another schema version)."""


class Busy(Exception):
    """Another process holds the lock."""


class IndexHome:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.current = self.folder / "current"

    # --- reading -----------------------------------------------------------------------------

    def current_dir(self) -> Path | None:
        if not self.current.is_symlink() and not self.current.exists():
            return None
        target = self.current.resolve()
        return target if target.is_dir() else None

    def version(self) -> int | None:
        folder = self.current_dir()
        if folder is None:
            return None
        try:
            return int((folder / "schema_version").read_text().strip())
        except (OSError, ValueError):
            return None

    def is_current(self) -> bool:
        return self.version() == SCHEMA_VERSION

    def open(self):
        """The index the web reads; IndexUnavailable until a build with this schema exists."""
        folder = self.current_dir()
        if folder is None or self.version() != SCHEMA_VERSION:
            raise IndexUnavailable("the search index is being built")
        return whoosh_index.open_dir(str(folder))

    def searcher(self):
        """A searcher of the current index, kept open for the calling thread's next search
        until the index changes. Opening one costs more than many a search; a searcher is not
        shared between threads."""
        folder = self.current_dir()
        if folder is None or self.version() != SCHEMA_VERSION:
            raise IndexUnavailable("the search index is being built")
        kept = getattr(_THREAD, "searchers", None)
        if kept is None:
            kept = _THREAD.searchers = {}
        entry = kept.get(self.folder)
        if entry is not None and entry[0] == folder and entry[1].up_to_date():
            searcher = entry[1]
        else:
            # a fresh one: Whoosh's refresh() reuses a segment's reader even when the segment
            # has new deletions, and would show a document that was replaced
            if entry is not None:
                entry[1].close()
            from eoffice.search.matching import Weighting

            searcher = whoosh_index.open_dir(str(folder)).searcher(weighting=Weighting())
        kept[self.folder] = (folder, searcher)
        return searcher

    # --- building ----------------------------------------------------------------------------

    def new_generation(self) -> Path:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        folder = self.folder / f"gen-{stamp}-{secrets.token_hex(3)}"
        folder.mkdir(parents=True)
        whoosh_index.create_in(str(folder), make_schema())
        return folder

    def seal(self, folder: Path) -> None:
        (folder / "schema_version").write_text(f"{SCHEMA_VERSION}\n")

    def swap(self, folder: Path) -> None:
        """Point `current` at `folder` in one rename. The generation it replaces stays until the
        next swap (a search that opened it a moment ago can finish); older ones are removed."""
        previous = self.current_dir()
        tmp = self.folder / f".current-{secrets.token_hex(4)}"
        os.symlink(folder.name, tmp)
        os.replace(tmp, self.current)
        keep = {folder.name, previous.name if previous else None}
        for old in self.folder.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def discard(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    # --- locks -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, name: str, *, wait: bool):
        """An exclusive lock file (flock): released when the holder exits, even by a crash."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError as exc:
                raise Busy(name) from exc
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            yield
        finally:
            os.close(fd)  # closing the descriptor drops the lock

    def holder_pid(self, name: str) -> int | None:
        try:
            return int((self.folder / f"{name}.lock").read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None


# --- writing ---------------------------------------------------------------------------------


class _Lengths:
    """The new segment's field lengths for the postings writer, read once per field into a
    list (Whoosh reads the length column again for every posting it writes)."""

    def __init__(self, perdoc, size: int):
        self._perdoc = perdoc
        self._size = size
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.field_lengths(fieldname, default)[docnum]

    def field_lengths(self, fieldname: str, default: int = 0) -> list[int]:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            lengths = self._fields[fieldname] = self._load(fieldname, default)
        return lengths

    def _load(self, fieldname: str, default: int) -> list[int]:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        from eoffice.search.matching import _load_numeric

        name = _lenfield(fieldname)
        if not self._perdoc.has_column(name):
            return [default] * (self._size + 1)
        raw = _load_numeric(self._perdoc.column_reader(name, LENGTHS_COLUMN), self._size)
        if raw is None:
            return [self._perdoc.doc_field_length(d, fieldname, default) for d in range(self._size)]
        table = [default] + [byte_to_length(b) for b in range(1, 256)]
        return [*map(table.__getitem__, raw), default]

    def __getattr__(self, name):
        return getattr(self._perdoc, name)


class Writer(SegmentWriter):
    """Whoosh's segment writer with a shorter path for documents like ours (no boosts, no
    spelling, no vectors): each field's handling is worked out once, and a document's
    postings go to the pool together. The postings and columns written are Whoosh's own."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        plan = {}
        for name, field in self.schema.items():
            plan[name] = (
                field,
                field.indexed,
                field.scorable,
                field.stored,
                field.column_type,
                field.separate_spelling() or bool(field.vector),
            )
        self._plan = plan

    def add_document(self, **fields):
        plan = self._plan
        if type(self.pool) is not PostingPool or any(
            k[0] == "_" or k not in plan or plan[k][5] for k in fields
        ):
            return super().add_document(**fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        pool = self.pool
        postings = []
        size = 0
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field, indexed, scorable, stored, column, _ = plan[fieldname]
                length = 0
                if indexed:
                    pool.fieldnames.add(fieldname)
                    base = 28 + 20 + 21 + len(fieldname) + 26 + 18 + 16 + 21
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if scorable:
                            length += freq
                        postings.append((fieldname, tbytes, docnum, weight, vbytes))
                        size += base + len(tbytes) * 2 + len(vbytes or b"")
                perdocwriter.add_field(fieldname, field, value if stored else None, length)
                if column:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        pool.current.extend(postings)
        pool.currentsize += size
        if pool.currentsize > pool.limit:
            pool.save()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(pdr, self.docnum) if pdr is not None else None
        fw = self.fieldwriter
        if type(fw) is W3FieldWriter and lengths is not None:
            _add_postings(fw, self.schema, lengths, self.pool.iter_postings())
        else:
            fw.add_postings(self.schema, lengths, self.pool.iter_postings())
        fw.close()
        if pdr:
            pdr.close()


def _add_postings(fw, schema, lengths: _Lengths, items) -> None:
    """Whoosh's FieldWriter.add_postings for its own W3 codec, with the per-posting work of
    W3PostingsWriter.add_posting done in the loop (same blocks, same statistics). The pool
    hands the postings over sorted (field, term, document)."""
    lastfn = lasttext = None
    pw = None
    ids = weights = values = None
    flen: list[int] = []
    limit = 0
    for fieldname, btext, docnum, weight, value in items:
        if fieldname != lastfn:
            if lasttext is not None:
                fw.finish_term()
            if lastfn is not None:
                fw.finish_field()
            fw.start_field(fieldname, schema[fieldname])
            flen = lengths.field_lengths(fieldname)
            lastfn, lasttext = fieldname, None
        if btext != lasttext:
            if lasttext is not None:
                fw.finish_term()
            fw.start_term(btext)
            lasttext = btext
            pw = fw._postwriter
            limit = pw._blocklimit
            ids, weights, values = pw._ids, pw._weights, pw._values
        if len(ids) >= limit:
            pw._write_block()
            ids, weights, values = pw._ids, pw._weights, pw._values
        ids.append(docnum)
        weights.append(weight)
        if weight > pw._maxweight:
            pw._maxweight = weight
        if value:
            values.append(value)
        length = flen[docnum]
        if length:
            if pw._minlength is None or length < pw._minlength:
                pw._minlength = length
            if length > pw._maxlength:
                pw._maxlength = length
    if lasttext is not None:
        fw.finish_term()
    if lastfn is not None:
        fw.finish_field()


def writer(ix, **kwargs) -> Writer:
    """A writer for the index (rebuilds and the indexer's drains)."""
    return Writer(ix, **kwargs)
