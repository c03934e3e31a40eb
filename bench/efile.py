"""How fast are the e-file's everyday operations on a district-sized database?

    .venv/bin/python -m bench.efile --db sqlite:///bench/out/efile-50000.sqlite3

Each operation is measured beside a reference measured in the same run, in alternating order, and
reported as a ratio to it (the house rule: no absolute targets, machines differ):

- the inbox of the busiest desk, the file page of the longest file and sending a file, through
  `eoffice.files.service`, against hand-written SQL sent through the same engine that fetches the
  same rows (the same statements the service needs, as plain text, rows left as tuples);
- GET /api/v1/inbox and GET /api/v1/files/<id> through Flask's test client, against a hello-world
  Flask endpoint.

Sends run in a transaction that is rolled back (the commit after the service, as a request makes
it, releases a savepoint), so the database is not changed. Timings cover the operation only:
opening the session, loading the acting user and desk, and rolling back are outside the clock.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
import flask
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from eoffice import create_app, migrate
from eoffice.audit.models import canonical, sha256
from eoffice.auth.models import User
from eoffice.core import kinds, uow
from eoffice.core.db import UTCDateTime, utcnow
from eoffice.files import service
from eoffice.org.models import Desk

from .generate import passwords

kinds.load_modules()

Timed = Callable[[], float]  # runs the operation once, returns the seconds it took
REMARKS = "कृपया अवलोकन करें / please see"


class Clock:
    """Times the block it wraps; counts the SQL statements sent meanwhile when asked to."""

    def __init__(self, engine=None):
        self.engine, self.elapsed, self.statements = engine, 0.0, 0

    def _hit(self, *args) -> None:
        self.statements += 1

    def __enter__(self):
        if self.engine is not None:
            event.listen(self.engine, "before_cursor_execute", self._hit)
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.elapsed = time.perf_counter() - self.start
        if self.engine is not None:
            event.remove(self.engine, "before_cursor_execute", self._hit)


def timed(op: Callable[[Clock], None]) -> Timed:
    def run() -> float:
        clock = Clock()
        op(clock)
        return clock.elapsed

    return run


def count_statements(op: Callable[[Clock], None], engine) -> int:
    clock = Clock(engine)
    op(clock)
    return clock.statements


# --- the hand-written references ---------------------------------------------------------------

INBOX_COUNT = sa.text(
    "SELECT count(*) FROM files f "
    "WHERE f.holder_desk_id = :desk AND f.status = :status AND f.last_movement_id IS NOT NULL"
)
INBOX_PAGE = sa.text(
    "SELECT f.id, f.number, f.subject, f.priority, f.status, f.due_on, f.version, f.clock_from, "
    "m.at, m.remarks, m.opened_at, m.kind, s.code, s.title, s.title_hi, u.name, u.name_hi "
    "FROM files f JOIN movements m ON m.id = f.last_movement_id "
    "LEFT JOIN desks s ON s.id = m.from_desk_id LEFT JOIN users u ON u.id = m.by_user_id "
    "WHERE f.holder_desk_id = :desk AND f.status = :status AND f.last_movement_id IS NOT NULL "
    "ORDER BY f.last_movement_id DESC LIMIT :limit OFFSET :offset"
)
FILE_ROW = sa.text(
    "SELECT f.*, d.* FROM files f JOIN desks d ON d.id = f.holder_desk_id WHERE f.id = :file"
)
FILE_ACCESS = sa.text(
    "SELECT count(*) FROM file_access WHERE file_id = :file AND desk_id IN :desks"
).bindparams(sa.bindparam("desks", expanding=True))
FILE_NOTES = sa.text(
    "SELECT n.*, u.*, d.* FROM notes n JOIN users u ON u.id = n.author_id "
    "JOIN desks d ON d.id = n.desk_id WHERE n.file_id = :file ORDER BY n.number"
)
FILE_CORRESPONDENCE = sa.text("SELECT * FROM correspondence WHERE file_id = :file ORDER BY page")
FILE_DRAFTS = sa.text("SELECT * FROM drafts WHERE file_id = :file ORDER BY id")
FILE_ATTACHMENTS = sa.text(
    "SELECT * FROM attachments WHERE owner_kind = 'file' AND owner_id = :file ORDER BY id"
)
FILE_MOVEMENTS = sa.text(
    "SELECT m.*, fd.*, td.*, u.* FROM movements m LEFT JOIN desks fd ON fd.id = m.from_desk_id "
    "JOIN desks td ON td.id = m.to_desk_id JOIN users u ON u.id = m.by_user_id "
    "WHERE m.file_id = :file ORDER BY m.id"
)
DESK_BY_CODE = sa.text("SELECT * FROM desks WHERE code = :code")
NEW_MOVEMENT = sa.text(
    "INSERT INTO movements (file_id, kind, from_desk_id, to_desk_id, by_user_id, at, remarks, "
    "priority, due_on) VALUES (:file, 'sent', :src, :dst, :user, :at, :remarks, :priority, NULL) "
    "RETURNING id"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))
MOVE_FILE = sa.text(
    "UPDATE files SET holder_desk_id = :dst, status = 'open', last_movement_id = :movement, "
    "updated_at = :at, version = version + 1 WHERE id = :file AND version = :version"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))
FINAL_NOTES = sa.text("UPDATE notes SET final = :yes WHERE file_id = :file AND final = :no")
GRANT = sa.text(
    "INSERT INTO file_access (file_id, desk_id) VALUES (:file, :desk) ON CONFLICT DO NOTHING"
)
OUTBOX = sa.text(
    "INSERT INTO search_outbox (kind, obj_id, queued_at) VALUES ('file', :file, :at)"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))
AUDIT_HEAD = "SELECT seq, last_hash FROM audit_head WHERE id = 1"
AUDIT_EVENT = sa.text(
    "INSERT INTO audit_events (seq, at, user_id, username, desk_code, action, object_type, "
    "object_id, data, digest, prev_hash, hash) VALUES (:seq, :at, :user_id, :username, :desk, "
    "'file.sent', 'file', :object_id, :data, :digest, :prev_hash, :hash)"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))
AUDIT_MOVE = sa.text("UPDATE audit_head SET seq = :seq, last_hash = :hash WHERE id = 1")


def raw_inbox(conn, desk_id: int, per_page: int = 25):
    total = conn.execute(INBOX_COUNT, {"desk": desk_id, "status": "open"}).scalar_one()
    rows = conn.execute(
        INBOX_PAGE, {"desk": desk_id, "status": "open", "limit": per_page, "offset": 0}
    ).all()
    return total, rows


def raw_file_page(conn, file_id: int, desk_ids: list[int]) -> dict:
    file = conn.execute(FILE_ROW, {"file": file_id}).one()
    if not conn.execute(FILE_ACCESS, {"file": file_id, "desks": desk_ids}).scalar_one():
        raise LookupError("no such file")
    return {
        "file": file,
        "attachments": conn.execute(FILE_ATTACHMENTS, {"file": file_id}).all(),
        "notes": conn.execute(FILE_NOTES, {"file": file_id}).all(),
        "correspondence": conn.execute(FILE_CORRESPONDENCE, {"file": file_id}).all(),
        "drafts": conn.execute(FILE_DRAFTS, {"file": file_id}).all(),
        "movements": conn.execute(FILE_MOVEMENTS, {"file": file_id}).all(),
    }


def raw_send(conn, user: dict, desk: dict, file_id: int, to_code: str, remarks: str) -> int:
    """send_file in plain SQL: the same reads, checks and writes, audit event included."""
    file = conn.execute(FILE_ROW, {"file": file_id}).mappings().one()
    if not conn.execute(FILE_ACCESS, {"file": file_id, "desks": user["desks"]}).scalar_one():
        raise LookupError("no such file")
    to = conn.execute(DESK_BY_CODE, {"code": to_code}).mappings().one()
    if file["status"] == "closed" or file["holder_desk_id"] != desk["id"] or to["id"] == desk["id"]:
        raise RuntimeError("not sendable")
    now = utcnow()
    params = {"file": file_id, "src": desk["id"], "dst": to["id"], "user": user["id"], "at": now}
    params |= {"remarks": remarks, "priority": file["priority"]}
    movement = conn.execute(NEW_MOVEMENT, params).scalar_one()
    moved = conn.execute(
        MOVE_FILE,
        {
            "dst": to["id"],
            "movement": movement,
            "at": now,
            "file": file_id,
            "version": file["version"],
        },
    )
    if moved.rowcount != 1:
        raise RuntimeError("stale version")
    conn.execute(OUTBOX, {"file": file_id, "at": now})  # the search index's note of the change
    conn.execute(FINAL_NOTES, {"yes": True, "no": False, "file": file_id})
    conn.execute(GRANT, {"file": file_id, "desk": to["id"]})
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    seq, prev = conn.execute(sa.text(AUDIT_HEAD + lock)).one()
    data = {"to": to_code, "remarks": remarks, "priority": file["priority"], "due_on": None}
    event_data = json.dumps(data, sort_keys=True, ensure_ascii=False)
    digest = sha256(canonical(data))
    at = utcnow()
    hashed = sha256(
        canonical(
            [
                seq + 1,
                at.isoformat(timespec="microseconds"),
                user["id"],
                user["username"],
                desk["code"],
                "file.sent",
                "file",
                str(file_id),
                digest,
                prev,
            ]
        )
    )
    conn.execute(
        AUDIT_EVENT,
        {
            "seq": seq + 1,
            "at": at,
            "user_id": user["id"],
            "username": user["username"],
            "desk": desk["code"],
            "object_id": str(file_id),
            "data": event_data,
            "digest": digest,
            "prev_hash": prev,
            "hash": hashed,
        },
    )
    conn.execute(AUDIT_MOVE, {"seq": seq + 1, "hash": hashed})
    return movement


# --- the scene ---------------------------------------------------------------------------------


@dataclass
class Scene:
    busy_desk: int
    busy_code: str
    busy_open: int
    busy_user: str
    long_file: int
    long_number: str
    long_notes: int
    long_movements: int
    viewer: int
    viewer_name: str
    viewer_desk: str
    sender: int
    sender_desk: int
    send_to: str
    send_files: list[int]
    counts: dict


def holder_of(conn, desk_id: int) -> tuple[int, str]:
    return conn.execute(
        sa.text(
            "SELECT u.id, u.username FROM desk_holdings h JOIN users u ON u.id = h.user_id "
            "WHERE h.desk_id = :d AND h.until IS NULL ORDER BY h.since LIMIT 1"
        ),
        {"d": desk_id},
    ).one()


def find_scene(engine) -> Scene:
    """The busiest inbox, the longest file, and a desk with open files to send."""
    with engine.connect() as conn:
        q = conn.execute
        counts = {
            t: q(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("files", "movements", "notes", "file_access", "desks", "users")
        }
        if not counts["files"]:
            raise click.ClickException("the database has no files: run bench.generate first")
        busy, busy_open = q(
            sa.text(
                "SELECT holder_desk_id, count(*) FROM files WHERE status = 'open' "
                "GROUP BY holder_desk_id ORDER BY count(*) DESC, holder_desk_id LIMIT 1"
            )
        ).one()
        busy_code = q(sa.text("SELECT code FROM desks WHERE id = :d"), {"d": busy}).scalar_one()
        long_file, long_movements = q(
            sa.text(
                "SELECT m.file_id, count(*) FROM movements m JOIN files f ON f.id = m.file_id "
                "WHERE f.status = 'open' GROUP BY m.file_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        long_number, long_holder = q(
            sa.text("SELECT number, holder_desk_id FROM files WHERE id = :f"), {"f": long_file}
        ).one()
        long_notes = q(
            sa.text("SELECT count(*) FROM notes WHERE file_id = :f"), {"f": long_file}
        ).scalar_one()
        viewer, viewer_name = holder_of(conn, long_holder)
        viewer_desk = q(
            sa.text("SELECT code FROM desks WHERE id = :d"), {"d": long_holder}
        ).scalar_one()
        # a desk other than the busy one, holding open files, that reports to someone
        sender_desk, send_to = q(
            sa.text(
                "SELECT d.id, up.code FROM files f JOIN desks d ON d.id = f.holder_desk_id "
                "JOIN desks up ON up.id = d.reports_to_id "
                "WHERE f.status = 'open' AND d.id != :busy AND d.id != :long "
                "GROUP BY d.id, up.code ORDER BY count(*) DESC LIMIT 1"
            ),
            {"busy": busy, "long": long_holder},
        ).one()
        send_files = list(
            q(
                sa.text(
                    "SELECT id FROM files WHERE holder_desk_id = :d AND status = 'open' "
                    "ORDER BY id LIMIT 200"
                ),
                {"d": sender_desk},
            ).scalars()
        )
        sender, _ = holder_of(conn, sender_desk)
        _, busy_user = holder_of(conn, busy)
    return Scene(
        busy,
        busy_code,
        busy_open,
        busy_user,
        long_file,
        long_number,
        long_notes,
        long_movements,
        viewer,
        viewer_name,
        viewer_desk,
        sender,
        sender_desk,
        send_to,
        send_files,
        counts,
    )


# --- the measurements --------------------------------------------------------------------------


class Bench:
    """The operations. Each sets up outside the clock (session, acting user and desk) and runs
    the operation itself inside it."""

    def __init__(self, app: flask.Flask, scene: Scene):
        self.app, self.scene = app, scene
        self.db = app.extensions["eoffice.db"]
        self.engine = self.db.engine
        self.write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.send_turn = 0

    def inbox_service(self, clock: Clock) -> None:
        with self.db.sessionmaker() as session:
            # with its office, as a request's login loads the acting desk
            desk = session.get(Desk, self.scene.busy_desk, options=[joinedload(Desk.office)])
            with clock:
                service.desk_files(session, desk, "open", "received", 1, 25)

    def inbox_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            with clock:
                raw_inbox(conn, self.scene.busy_desk)
            conn.rollback()

    def page_service(self, clock: Clock) -> None:
        with self.db.sessionmaker() as session:
            user = session.get(User, self.scene.viewer)
            user.current_desks()  # known from the request's login by then
            with clock:
                file = service.get_file(session, user, self.scene.long_file)
                service.file_detail(session, file)

    def page_raw(self, clock: Clock) -> None:
        with self.engine.connect() as conn:
            conn.begin()
            desks = list(
                conn.execute(
                    sa.text(
                        "SELECT desk_id FROM desk_holdings WHERE user_id = :u AND until IS NULL"
                    ),
                    {"u": self.scene.viewer},
                ).scalars()
            )
            with clock:
                raw_file_page(conn, self.scene.long_file, desks)
            conn.rollback()

    def _next_send(self) -> int:
        """A different file each time (all held by the sending desk), so no run is a replay."""
        self.send_turn += 1
        return self.scene.send_files[self.send_turn % len(self.scene.send_files)]

    def send_service(self, clock: Clock) -> None:
        file_id = self._next_send()
        with self.write_engine.connect() as conn:
            outer = conn.begin()
            # the commit after the use case (services only flush; a request commits once):
            # here it releases a savepoint inside `outer`
            session = Session(
                bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
            )
            user = session.get(User, self.scene.sender)
            desk = session.get(Desk, self.scene.sender_desk)
            user.current_desks()
            with clock:
                service.send_file(session, user, desk, file_id, self.scene.send_to, REMARKS)
                uow.commit(session)
            session.close()
            outer.rollback()

    def send_raw(self, clock: Clock) -> None:
        file_id = self._next_send()
        with self.write_engine.connect() as conn:
            outer = conn.begin()
            user = conn.execute(
                sa.text("SELECT id, username FROM users WHERE id = :u"), {"u": self.scene.sender}
            ).one()
            desk = conn.execute(
                sa.text("SELECT id, code FROM desks WHERE id = :d"), {"d": self.scene.sender_desk}
            ).one()
            user = {"id": user.id, "username": user.username, "desks": [desk.id]}
            desk = {"id": desk.id, "code": desk.code}
            nested = conn.begin_nested()  # as the session's, released at the end
            with clock:
                raw_send(conn, user, desk, file_id, self.scene.send_to, REMARKS)
                nested.commit()
            outer.rollback()


def summarise(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def run_pair(op: Timed, ref: Timed, reps: int, warmup: int) -> tuple[list[float], list[float]]:
    """Alternate the operation and its reference so both see the same machine."""
    for _ in range(warmup):
        op()
        ref()
    gc.collect()
    a, b = [], []
    for i in range(reps):
        if i % 2:
            b.append(ref())
            a.append(op())
        else:
            a.append(op())
            b.append(ref())
    return a, b


def main_bench(url: str, reps: int, warmup: int) -> str:
    # the code measured is today's, so the database follows today's schema (a no-op when current)
    migrate.upgrade(url)
    with tempfile.TemporaryDirectory(prefix="eoffice-bench-") as tmp:
        app = create_app(
            {
                "INSTANCE": Path(tmp),
                "DATABASE_URL": url,
                "S3_ENDPOINT": "127.0.0.1:9",  # not needed for these operations
                "S3_ACCESS_KEY": "unused",
                "S3_SECRET_KEY": "unused",
                "INDEX_DIR": Path(tmp) / "index",
                "LOGIN_RATE_LIMIT": "1000 per minute",
            }
        )
        try:
            return _bench(app, url, reps, warmup)
        finally:
            app.extensions["eoffice.db"].dispose()


def _bench(app: flask.Flask, url: str, reps: int, warmup: int) -> str:
    db = app.extensions["eoffice.db"]
    scene = find_scene(db.engine)
    bench = Bench(app, scene)
    check_equivalence(bench)

    client = app.test_client()
    pw = passwords()
    tokens = {}
    for username in {scene.busy_user, scene.viewer_name}:
        resp = client.post("/api/v1/token", json={"username": username, "password": pw[username]})
        if resp.status_code != 200:
            raise click.ClickException(f"no token for {username}: {resp.get_data(as_text=True)}")
        tokens[username] = resp.get_json()["token"]

    def api(path: str, username: str):
        headers = {"Authorization": f"Bearer {tokens[username]}"}

        def call(clock: Clock) -> None:
            with clock:
                resp = client.get(path, headers=headers)
                body = resp.get_data()
            if resp.status_code != 200:
                raise click.ClickException(f"GET {path}: {resp.status_code} {body[:300]!r}")

        return call

    hello_app = flask.Flask("hello")
    hello_app.get("/hello")(lambda: flask.jsonify(hello="world"))
    hello_client = hello_app.test_client()

    def hello(clock: Clock) -> None:
        with clock:
            hello_client.get("/hello").get_data()

    inbox_path = f"/api/v1/inbox?desk={scene.busy_code}"
    file_path = f"/api/v1/files/{scene.long_file}?desk={scene.viewer_desk}"
    inbox_api = api(inbox_path, scene.busy_user)
    file_api = api(file_path, scene.viewer_name)

    long = f"{scene.long_notes} notes, {scene.long_movements} movements"
    rows = []
    pairs = [
        (
            f"inbox: service.desk_files ({scene.busy_open} open, page 1)",
            bench.inbox_service,
            "inbox: raw SQL, the same statements",
            bench.inbox_raw,
        ),
        (
            f"file page: get_file + file_detail ({long})",
            bench.page_service,
            "file page: raw SQL, the same statements",
            bench.page_raw,
        ),
        (
            "send: service.send_file (rolled back)",
            bench.send_service,
            "send: raw SQL, same reads and writes",
            bench.send_raw,
        ),
    ]
    statements = {}
    for name, op, ref_name, ref in pairs:
        for label, fn in ((name, op), (ref_name, ref)):
            statements[label] = count_statements(fn, db.engine)
        a, b = run_pair(timed(op), timed(ref), reps, warmup)
        rows.append((name, a, b, ref_name))
        rows.append((ref_name, b, b, None))
    api_reps = max(10, reps // 2)
    hello_times: list[float] = []
    for name, op in (("GET /api/v1/inbox", inbox_api), ("GET /api/v1/files/<id>", file_api)):
        statements[name] = count_statements(op, db.engine)
        a, b = run_pair(timed(op), timed(hello), api_reps, warmup)
        rows.append((name, a, b, "GET /hello"))
        hello_times += b
    hello_name = "GET /hello: hello-world Flask app"
    rows.append((hello_name, hello_times, hello_times, None))
    statements[hello_name] = 0

    return report(url, scene, rows, statements, reps, api_reps, db.engine)


def check_equivalence(bench: Bench) -> None:
    """The references must fetch what the service fetches, or the ratios mean nothing."""
    scene = bench.scene
    with bench.db.sessionmaker() as session, bench.engine.connect() as conn:
        page = service.desk_files(session, session.get(Desk, scene.busy_desk))
        total, rows = raw_inbox(conn, scene.busy_desk)
        ids = [item["file"].id for item in page.items]
        if total != page.total or ids != [r[0] for r in rows]:
            raise click.ClickException("the raw inbox differs from service.desk_files")
        user = session.get(User, scene.viewer)
        file = service.get_file(session, user, scene.long_file)
        detail = service.file_detail(session, file)
        raw = raw_file_page(conn, scene.long_file, [d.id for d in user.current_desks()])
        for key, items in detail.items():
            if key not in raw:
                raise click.ClickException(
                    f"file_detail now also loads {key!r}: add it to bench.efile.raw_file_page"
                )
            if [x.id for x in items] != [r[0] for r in raw[key]]:
                raise click.ClickException(f"the raw file page differs in its {key}")


def report(url, scene, rows, statements, reps, api_reps, engine) -> str:
    where = url
    size = ""
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        size = f", {path.stat().st_size / 2**20:,.0f} MiB"
        where = f"SQLite {sqlite3.sqlite_version} {path.name}"
    else:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
            mib = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
        where = f"PostgreSQL {version}"
        size = f", {mib / 2**20:,.0f} MiB"
    c = scene.counts
    lines = [
        f"eoffice e-file benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"{where}{size}: {c['files']:,} files, {c['movements']:,} movements, "
        f"{c['notes']:,} notes, {c['file_access']:,} file_access rows, {c['desks']} desks",
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, "
        f"{platform.machine()} {platform.processor() or ''}".rstrip(),
        f"busy desk {scene.busy_code} ({scene.busy_open} open files, user {scene.busy_user}); "
        f"long file {scene.long_number} (id {scene.long_file}); "
        f"{reps} runs each ({api_reps} for HTTP), medians and 95th percentiles",
        "",
        f"| {'operation':<62} | {'SQL':>3} | {'median ms':>9} | {'p95 ms':>8} | {'ratio':>6} "
        f"| {'min ms':>8} | {'min ratio':>9} |",
        f"|{'-' * 64}|{'-' * 5}|{'-' * 11}|{'-' * 10}|{'-' * 8}|{'-' * 10}|{'-' * 11}|",
    ]
    for name, times, ref_times, ref_name in rows:
        median, p95 = summarise(times)
        ratio = median / summarise(ref_times)[0] if ref_name else 1.0
        ratio_text = f"{ratio:6.2f}" if ref_name else "   ref"
        fastest = min(times) * 1000
        min_text = f"{min(times) / min(ref_times):9.2f}" if ref_name else "      ref"
        lines.append(
            f"| {name:<62} | {statements.get(name, ''):>3} | {median:9.3f} | {p95:8.3f} "
            f"| {ratio_text} | {fastest:8.3f} | {min_text} |"
        )
    lines.append("")
    lines.append(
        "ratio: median of the operation / median of its reference (the next 'ref' row below "
        "it; GET /hello for HTTP). min ratio: the same with the fastest run of each, what is "
        "left when the machine's other work is taken out (on a busy machine a longer operation "
        "is interrupted more often than its short reference, which inflates the median ratio). "
        "SQL: statements sent to the database by one run."
    )
    return "\n".join(lines)


@click.command()
@click.option("--db", "url", required=True, help="a database made by bench.generate")
@click.option("--reps", default=100, show_default=True, help="timed runs per operation")
@click.option("--warmup", default=10, show_default=True, help="untimed runs first")
def main(url: str, reps: int, warmup: int) -> None:
    """Measure inbox, file page, send and their JSON endpoints against references."""
    click.echo(main_bench(url, reps, warmup))


if __name__ == "__main__":
    main()
