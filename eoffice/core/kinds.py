"""The registry of record kinds, and of what each module adds to the whole.

A module (a folder under eoffice/) says what it brings in one place, its `module.py`: the kinds
of record it keeps (files, receipts, notes, ...) with who may see one, how it is searched and
whether it owns attachments; the role actions it defines; its blueprints. Permissions (`can()`),
the search outbox, the indexer and its queries, attachments and the app's blueprint list read
this registry, so a new area is one folder plus a migration, with no edits to central lists.

Nothing here imports a feature module: `load_modules()` imports each `eoffice.<name>.module`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

# --- search ------------------------------------------------------------------------------------


@dataclass
class SearchDoc:
    """What the index keeps of one record: ids and filter fields, and the text it matches on.

    The index's first, coarse access filter passes a document when the user audits its office,
    may see its file, or holds one of its desks; `Kind.visible_ids` then decides. So office,
    file and desks must name every way the record can be visible."""

    obj_id: int
    office_id: int
    date: dt.date | dt.datetime | None = None
    file_id: int | None = None  # the file it belongs to, if any (links, access)
    receipt_id: int | None = None  # the receipt it belongs to, if any (links)
    desks: tuple[int | None, int | None] = (None, None)
    status: str | None = None
    category: str | None = None
    holder: int | None = None
    number: str | None = None
    title: str | None = None
    body: str | None = None


@dataclass
class HitText:
    """A hit as shown: built from the database, never from the index."""

    number: str
    title: str
    body: str | None = None
    # the page it opens: (endpoint, url arguments, #anchor)
    page: tuple[str, dict, str | None] | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class DocScope:
    """Where an owner of attachments sits: its attachments' documents copy these fields."""

    office_id: int
    file_id: int | None = None
    receipt_id: int | None = None
    desks: tuple[int | None, int | None] = (None, None)
    status: str | None = None
    category: str | None = None
    number: str = ""
    page: tuple[str, dict, str | None] | None = None


@dataclass
class SearchSpec:
    code: int  # the kind's number in the index's columns: fixed for good, never reused
    # documents for these ids (None: every row, streamed for a rebuild)
    documents: Callable[[Session, list[int] | None], Iterable[SearchDoc]]
    texts: Callable[[Session, list[int]], dict[int, HitText]]
    count: Callable[[Session], int] | None = None
    # documents that copy fields of this one and must follow its changes
    children: Callable[[Session, int], list[tuple[str, int]]] | None = None
    # the fields children copy: they are re-indexed only when one of these changed
    # (empty: whenever this one changes)
    inherited: tuple[str, ...] = ()
    # status values of this kind, with their codes in the index (shared across kinds)
    statuses: dict[str, int] = field(default_factory=dict)
    # other mapped classes whose change re-indexes a record of this kind: (class, its id)
    triggers: tuple[tuple[type, Callable[[Any], int | None]], ...] = ()


# --- attachments -------------------------------------------------------------------------------


@dataclass
class AttachmentOwner:
    """A kind whose records carry attachments (scans, enclosures, issued letters)."""

    # load the owner for a write, row-locked, or raise NotFound when the user may not see it
    load_for_update: Callable[[Session, Any, int], Any]
    # may this desk attach to it now? raises a domain error if not
    check: Callable[[Any, Any], None]
    # the attachments' documents copy where their owner sits
    scope: Callable[[Session, list[int]], dict[int, DocScope]]
    # after an attachment is added: (session, owner, attachment); a file records the change
    # and gives the document its page on the correspondence side
    attached: Callable[[Session, Any, Any], None] | None = None


# --- kinds -------------------------------------------------------------------------------------


@dataclass
class Kind:
    name: str  # "file": also the prefix of its actions ("file.view") and its audit object type
    model: type
    # may `user` see this one record?
    can_view: Callable[[Session, Any, Any], bool]
    # which of these ids may `user` see? (one query or two, whatever the number)
    visible_ids: Callable[[Session, Any, Collection[int]], set[int]]
    # the record's own page: (endpoint, name of its id argument)
    page: tuple[str, str] | None = None
    search: SearchSpec | None = None
    attachments: AttachmentOwner | None = None

    @property
    def audit_name(self) -> str:
        return self.name


@dataclass
class Part:
    """Records of one kind that are parts of a record of another (a file's notes, its drafts).
    The parent's page, JSON, docket and index take them from here, so the parent's module need
    not import the module of its parts (which imports the parent's)."""

    kind: str  # the part's kind: "note"
    parent: str  # the kind it is part of: "file"
    name: str  # its key on the parent's page and in the parent's JSON: "notes"
    # the parts of one parent, in their order
    load: Callable[[Session, Any], list]
    to_json: Callable[[Any], dict] | None = None
    # the parent left its desk (a file sent on): its notes become final
    on_left_desk: Callable[[Session, Any], None] | None = None
    # ids of the parts of a parent, for the index (the parts copy the parent's fields)
    ids_of: Callable[[Session, int], list[int]] | None = None


class RegistryError(LookupError):
    pass


_kinds: dict[str, Kind] = {}
_by_model: dict[type, Kind] = {}
_triggers: dict[type, list[tuple[str, Callable]]] = {}
_parts: dict[str, list[Part]] = {}
_status_codes: dict[str, int] = {}
_actions: dict[str, frozenset[str]] = {}
_blueprints: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def register(kind: Kind) -> Kind:
    if kind.name in _kinds and _kinds[kind.name] is not kind:
        raise RegistryError(f"kind {kind.name!r} is registered twice")
    if kind.search is not None:
        for other in searchable():
            if other.name != kind.name and other.search.code == kind.search.code:
                raise RegistryError(f"kinds {other.name} and {kind.name} share index code")
        codes = status_codes()
        for status, code in kind.search.statuses.items():
            taken = status not in codes and code in codes.values()
            if codes.get(status, code) != code or taken:
                raise RegistryError(f"status {status!r} of {kind.name}: code {code} is taken")
    _kinds[kind.name] = kind
    _by_model[kind.model] = kind
    if kind.search is not None:
        for model, get_id in kind.search.triggers:
            _triggers.setdefault(model, []).append((kind.name, get_id))
        _recount_statuses()
    return kind


def unregister(name: str) -> None:
    """Take a kind out again (tests that register a throw-away kind)."""
    for parent in list(_parts):
        _parts[parent] = [p for p in _parts[parent] if p.kind != name]
    kind = _kinds.pop(name, None)
    if kind is None:
        return
    _by_model.pop(kind.model, None)
    _recount_statuses()
    for model in list(_triggers):
        _triggers[model] = [t for t in _triggers[model] if t[0] != name]
        if not _triggers[model]:
            del _triggers[model]


def get(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise RegistryError(f"no kind {name!r}") from None


def find(name: str) -> Kind | None:
    return _kinds.get(name)


def kind_of(obj) -> Kind:
    """The kind of a record (an instance of a registered model)."""
    for cls in type(obj).__mro__:
        if cls in _by_model:
            return _by_model[cls]
    raise RegistryError(f"{type(obj).__name__} is not a registered kind")


def all_kinds() -> list[Kind]:
    return list(_kinds.values())


def searchable() -> list[Kind]:
    """Kinds the index holds, in the order of their index codes."""
    return sorted((k for k in _kinds.values() if k.search), key=lambda k: k.search.code)


def attachment_owners() -> list[Kind]:
    return [k for k in _kinds.values() if k.attachments is not None]


def status_codes() -> dict[str, int]:
    """Every searchable kind's statuses with their codes; kept as kinds register, since the
    indexer asks for it for every document."""
    return _status_codes


def _recount_statuses() -> None:
    _status_codes.clear()
    for kind in searchable():
        _status_codes.update(kind.search.statuses)


def search_refs(obj) -> list[tuple[str, int]]:
    """The index documents a changed mapped object stands for (the outbox rows it queues)."""
    refs = []
    for cls in type(obj).__mro__:
        kind = _by_model.get(cls)
        if kind is not None and kind.search is not None:
            refs.append((kind.name, obj.id))
        for name, get_id in _triggers.get(cls, ()):
            refs.append((name, get_id(obj)))
    return [r for r in refs if r[1] is not None]


def register_part(part: Part) -> Part:
    existing = _parts.setdefault(part.parent, [])
    if any(p.name == part.name for p in existing):
        raise RegistryError(f"{part.parent} already has a part {part.name!r}")
    existing.append(part)
    return part


def parts(parent: str) -> list[Part]:
    return list(_parts.get(parent, ()))


# --- actions and blueprints --------------------------------------------------------------------

# what a route open to everyone, or to anyone logged in, declares (eoffice.web.access)
PUBLIC = "public"
LOGGED_IN = "logged_in"


def register_actions(actions: dict[str, Collection[str]]) -> None:
    """Object-free actions and the roles that may do them ("file.create": clerks, officers)."""
    for action, roles in actions.items():
        if action in _actions and _actions[action] != frozenset(roles):
            raise RegistryError(f"action {action!r} is registered twice")
        _actions[action] = frozenset(roles)


def roles_for(action: str) -> frozenset[str] | None:
    return _actions.get(action)


def register_blueprints(module: str, *, pages: Iterable[str] = (), api: Iterable[str] = ()):
    """A module's blueprints as "package.module:name": pages take CSRF-checked forms, the JSON
    API takes Bearer tokens only. The app imports them; the domain never does."""
    _blueprints[module] = (tuple(pages), tuple(api))


def blueprints() -> Iterator[tuple[str, str, bool]]:
    """(module, "package.module:name", is_api) in a fixed order."""
    for module in sorted(_blueprints):
        pages, api = _blueprints[module]
        for ref in pages:
            yield module, ref, False
        for ref in api:
            yield module, ref, True


# --- verifiers: what the verify page shows of a citizen's document, by its number --------------


@dataclass
class Verified:
    """A genuine citizen document as a clerk who scans its QR sees it: nothing more."""

    kind: str  # "complaint", "lost_report", ...
    number: str
    date: dt.date
    office: Any  # the station (or district) that issued it
    summary: str | None = None  # what it is about (a lost report: the article)
    detail: str | None = None  # a code the page words in its language (the article's kind)


_verifiers: list[tuple[re.Pattern, Callable[[Session, str], Verified | None]]] = []


def register_verifier(pattern: str, find: Callable[[Session, str], Verified | None]) -> None:
    """Numbers matching `pattern` (a whole-number regex) are looked up by `find`."""
    _verifiers.append((re.compile(pattern), find))


def verified(session: Session, number: str) -> Verified | None:
    """The document a (check-code-verified) number names, if any kind issued it."""
    for pattern, find in _verifiers:
        if pattern.fullmatch(number):
            return find(session, number)
    return None


# --- hooks: a module above answers a question a module below asks -----------------------------

_hooks: dict[str, Callable] = {}


def register_hook(name: str, fn: Callable) -> None:
    """`fn` answers `name` for the whole app (the org module says which audit events an
    auditor's jurisdiction covers, for the audit module, which sits below it)."""
    if name in _hooks and _hooks[name] is not fn:
        raise RegistryError(f"hook {name!r} is registered twice")
    _hooks[name] = fn


def hook(name: str) -> Callable | None:
    return _hooks.get(name)


# --- loading the modules -----------------------------------------------------------------------

# packages that are layers of the application, not modules of it
_NOT_MODULES = {"core", "web", "app", "cli", "demo", "translations"}
_loaded = False


def load_modules() -> None:
    """Import every module's `module.py` (eoffice/<name>/module.py), in name order, once."""
    global _loaded
    if _loaded:
        return
    # the core's own tables: counters, and the outbox with the hook that fills it
    importlib.import_module("eoffice.core.numbering")
    importlib.import_module("eoffice.core.outbox")
    # the jobs queue, and the mail and SMS jobs (their tables, their handlers)
    importlib.import_module("eoffice.core.jobs")
    importlib.import_module("eoffice.core.mail")
    importlib.import_module("eoffice.core.sms")
    # proof-of-work solutions already spent
    importlib.import_module("eoffice.core.pow")
    package = Path(__file__).resolve().parent.parent  # eoffice/, without importing it
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if not info.ispkg or info.name in _NOT_MODULES:
            continue
        try:
            importlib.import_module(f"eoffice.{info.name}.module")
        except ModuleNotFoundError as exc:
            if exc.name != f"eoffice.{info.name}.module":
                raise
    _loaded = True


# --- helpers for a kind's search documents -----------------------------------------------------


def stream_rows(
    session: Session, stmt, id_column, ids: list[int] | None, *, batch: int = 2000
) -> Iterator:
    """Rows of `stmt` for these ids (in chunks), or every row streamed in id order (None)."""
    if ids is not None:
        for start in range(0, len(ids), 500):
            yield from session.execute(stmt.where(id_column.in_(ids[start : start + 500])))
        return
    result = session.execute(stmt.order_by(id_column).execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        result.close()  # a server-side cursor on PostgreSQL, when the caller stops early


def count_rows(model) -> Callable[[Session], int]:
    def count(session: Session) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    return count
