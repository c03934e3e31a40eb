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
        """A searcher of the current index, kept open for the calling thread's next search and
        refreshed when the index has changed (Whoosh reopens only the segments that did).
        Opening one costs more than many a search; a searcher is not shared between threads."""
        folder = self.current_dir()
        if folder is None or self.version() != SCHEMA_VERSION:
            raise IndexUnavailable("the search index is being built")
        kept = getattr(_THREAD, "searchers", None)
        if kept is None:
            kept = _THREAD.searchers = {}
        entry = kept.get(self.folder)
        if entry is not None and entry[0] == folder:
            searcher = entry[1]
            if not searcher.up_to_date():
                searcher = searcher.refresh()
        else:
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
