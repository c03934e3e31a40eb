"""Fixtures: a real `weed mini` S3 server, a real database (SQLite, or PostgreSQL when
EOFFICE_TEST_DATABASE_URL is set), the app, clients and factories."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time

import pytest
import sqlalchemy as sa

from eoffice import create_app, migrate
from eoffice.auth.models import configure_hasher
from eoffice.core import kinds
from eoffice.core.db import Base
from eoffice.storage.embedded import EmbeddedS3

PG_URL = os.environ.get("EOFFICE_TEST_DATABASE_URL")
# The tests count days as the offices do (India Standard Time), whatever the machine's clock
# zone: a test's date.today() is then the app's office_today(), at any hour of a UTC day.
os.environ["TZ"] = "Asia/Kolkata"
time.tzset()
kinds.load_modules()  # every mapped class, for the metadata the fixtures truncate
# The suite's apps and the commands it runs (each with an instance folder of its own) seal one
# audit log, as one office's processes do: they share its key. Processes a test starts with a
# clean environment keep their instance's own.
os.environ.setdefault("EOFFICE_AUDIT_KEY", "test-audit-key-" + secrets.token_hex(16))

# Still argon2id, at a cost that lets the suite create hundreds of users quickly.
configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)


def _share_url_builders() -> None:
    """The suite makes an app per test, and Werkzeug compiles two Python functions for each of
    its few hundred URL rules (most of the second an app takes). A builder is made only of the
    rule's parsed parts and the names of its defaults, and calls the rule's own converters
    through the rule it is bound to, so one compiled function serves every app's copy of the
    rule. Rules whose defaults fill a part of the path are compiled as usual."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def shared(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (append_unknown, tuple(self._trace), tuple(defaults))
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = shared


_share_url_builders()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "search: on the PostgreSQL search backend in the PostgreSQL pass"
    )
    config.addinivalue_line("markers", "whoosh: a test of the Whoosh index itself, in both passes")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        # what does not depend on the database runs in the SQLite pass only: the pages in
        # Chromium (their data layer is the same services the API tests run on both) and the
        # OCR engine; deselected here, so the PostgreSQL pass reports them as such, not skipped
        once = [i for i in items if "once" in i.keywords or "e2e" in i.keywords]
        if once:
            config.hook.pytest_deselected(items=once)
            items[:] = [i for i in items if i not in once]
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (EOFFICE_TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("s3")
    server = EmbeddedS3(folder, "test" + secrets.token_hex(6), secrets.token_hex(16)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Migrate once per session: a SQLite file to copy, or the PostgreSQL schema to truncate."""
    if PG_URL:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(PG_URL)
        return None
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


_PG_ENGINE = None


def _reset_postgres() -> None:
    """Empty every table and restart every sequence. DELETE with the foreign-key triggers off
    (the suite's server runs as its superuser) is three times quicker than a TRUNCATE of some
    sixty tables, before every test; without the right to do that, TRUNCATE."""
    global _PG_ENGINE
    if _PG_ENGINE is None:
        _PG_ENGINE = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
    names = [t.name for t in Base.metadata.sorted_tables]
    try:
        with _PG_ENGINE.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for name in names:
                conn.execute(sa.text(f'DELETE FROM "{name}"'))
            conn.execute(
                sa.text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
            )
            _seed_audit_head(conn)
    except sa.exc.ProgrammingError:
        with _PG_ENGINE.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            _seed_audit_head(conn)


def _seed_audit_head(conn) -> None:
    conn.execute(
        sa.text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"),
        {"h": "0" * 64},
    )


def new_database(migrated_template, folder) -> str:
    """A migrated, empty database: a copy of the template in `folder`, or PostgreSQL emptied."""
    if PG_URL:
        _reset_postgres()
        return PG_URL
    path = folder / "eoffice.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


def config_for(database_url, s3_server, folder) -> dict:
    return {
        "INSTANCE": folder / "instance",
        "DATABASE_URL": database_url,
        "S3_ENDPOINT": s3_server.endpoint,
        "S3_ACCESS_KEY": s3_server.access_key,
        "S3_SECRET_KEY": s3_server.secret_key,
        "S3_BUCKET": "eoffice-test",
        "INDEX_DIR": folder / "index",
        "TESTING": True,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PDF_RATE_LIMIT": "1000 per minute",
        "PUBLIC_RATE_LIMIT": "10000 per minute",
        "POW_MAX_NUMBER": 300,  # solved in a few milliseconds
        "POW_FORM_SECONDS": 0,
    }


def start_app(config):
    app = create_app(config)
    app.extensions["eoffice.store"]().ensure_bucket()
    return app


@pytest.fixture
def database_url(migrated_template, tmp_path):
    return new_database(migrated_template, tmp_path)


# Search tests (marked `search`) run on the Whoosh index in the SQLite pass and on the PostgreSQL
# backend in the PostgreSQL pass (EOFFICE_TEST_SEARCH_BACKEND=whoosh keeps Whoosh there); tests
# of the Whoosh indexer itself are marked `whoosh` and keep it in both.
PG_SEARCH = PG_URL and os.environ.get("EOFFICE_TEST_SEARCH_BACKEND", "postgres") == "postgres"


@pytest.fixture
def app_config(database_url, s3_server, tmp_path, request):
    cfg = config_for(database_url, s3_server, tmp_path)
    node = request.node
    if PG_SEARCH and node.get_closest_marker("search") and not node.get_closest_marker("whoosh"):
        cfg["SEARCH_BACKEND"] = "postgres"
    return cfg


@pytest.fixture
def app(app_config):
    app = start_app(app_config)
    yield app
    app.extensions["eoffice.db"].dispose()


@pytest.fixture
def db(app):
    """A session outside any request, for arranging and checking."""
    session = app.extensions["eoffice.db"].sessionmaker()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories ---------------------------------------------------------------------------------

PASSWORD = "correct horse 2026"

SMALL_ORG = {
    "offices": [
        {"code": "RNG", "name": "Range Office", "name_hi": "परिक्षेत्र कार्यालय", "kind": "range"},
        {
            "code": "SPO",
            "name": "SP Office",
            "name_hi": "पुलिस अधीक्षक कार्यालय",
            "kind": "district",
            "parent": "RNG",
            "sections": [{"code": "Estt", "name": "Establishment", "name_hi": "अधिष्ठान"}],
        },
        {
            "code": "PS1",
            "name": "Thana One",
            "name_hi": "थाना एक",
            "kind": "thana",
            "parent": "SPO",
        },
        {"code": "OTHER", "name": "Other District", "kind": "district"},
    ],
    "desks": [
        {"code": "SPO-SP", "title": "SP", "title_hi": "पुलिस अधीक्षक", "office": "SPO"},
        {
            "code": "SPO-HC",
            "title": "Head Clerk",
            "title_hi": "प्रधान लिपिक",
            "office": "SPO",
            "section": "Estt",
            "reports_to": "SPO-SP",
        },
        {"code": "PS1-SHO", "title": "SHO", "office": "PS1", "reports_to": "SPO-SP"},
        {"code": "RNG-INSP", "title": "Inspection", "office": "RNG"},
        {"code": "OTHER-SP", "title": "SP Other", "office": "OTHER"},
    ],
    "users": [
        {
            "username": "clerk",
            "name": "Ram Kumar",
            "name_hi": "राम कुमार",
            "password": PASSWORD,
            "roles": ["clerk"],
            "desks": ["SPO-HC"],
        },
        {
            "username": "officer",
            "name": "Meera",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["SPO-SP", "PS1-SHO"],
        },
        {
            "username": "auditor",
            "name": "Pradeep",
            "password": PASSWORD,
            "roles": ["auditor"],
            "desks": ["RNG-INSP"],
        },
        {"username": "admin", "name": "Admin", "password": PASSWORD, "roles": ["admin"]},
        {
            "username": "other",
            "name": "Other SP",
            "password": PASSWORD,
            "roles": ["officer"],
            "desks": ["OTHER-SP"],
        },
    ],
}


def load_small_org(session) -> dict:
    """Load the small organisation above through the real loader, and commit."""
    import copy

    from eoffice.org.service import load_org

    load_org(session, copy.deepcopy(SMALL_ORG))
    session.commit()
    return SMALL_ORG


@pytest.fixture
def org(db):
    """The small organisation above, loaded through the real loader."""
    return load_small_org(db)


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1) or m.group(2)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):
        page = self.client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def csrf(self, path: str = "/") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf()})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def token_for(client):
    def get(username: str, password: str = PASSWORD) -> dict:
        resp = client.post("/api/v1/token", json={"username": username, "password": password})
        assert resp.status_code == 200, resp.get_json()
        return {"Authorization": f"Bearer {resp.get_json()['token']}"}

    return get


@pytest.fixture
def api(client, org, token_for):
    """api("clerk").post(path, json) with that user's Bearer token (a tests.factories.Caller)."""
    from tests.factories import Caller

    def caller(username: str) -> Caller:
        return Caller(client, token_for(username))

    return caller


def audit_count(db) -> int:
    from eoffice.audit.models import AuditEvent

    db.rollback()  # end the read snapshot: see what the app committed
    return db.scalar(sa.select(sa.func.count(AuditEvent.id)))
