"""A `limits` storage kept in the database, so every web process counts the same attempts.

Flask-Limiter's memory storage would give each gunicorn worker its own counters; Redis is not part
of the embedded setup. A fixed-window counter is one upsert per hit.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from eoffice.auth.models import RateLimitCounter

_table = RateLimitCounter.__table__


class SQLStorage(Storage):
    STORAGE_SCHEME = ["eoffice+sql"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine: sa.Engine = options["engine"]

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def _insert(self):
        return (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(_table)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        stmt = self._insert().values(key=key, count=amount, expires_at=now + expiry)
        expired = _table.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": sa.case((expired, amount), else_=_table.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=_table.c.expires_at),
            },
        ).returning(_table.c.count)
        with self.engine.begin() as conn:
            return conn.execute(stmt).scalar_one()

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(_table.c.count).where(
                    _table.c.key == key, _table.c.expires_at > time.time()
                )
            ).first()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(_table.c.expires_at).where(_table.c.key == key)).first()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(_table)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(_table).where(_table.c.key == key))
