"""Race-free serial numbers per office, kind and year (receipts, files, dispatches).

One row per counter, bumped with a single UPDATE ... RETURNING inside the caller's transaction:
the row lock makes concurrent callers wait, and a rolled-back transaction gives its number back,
so numbers are never duplicated and never skipped by a failed request.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from eoffice.core.db import Base


class Counter(Base):
    __tablename__ = "counters"

    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def next_serial(session: Session, office_id: int, kind: str, year: int) -> int:
    table = Counter.__table__
    where = (table.c.office_id == office_id) & (table.c.kind == kind) & (table.c.year == year)
    bump = sa.update(table).where(where).values(value=table.c.value + 1).returning(table.c.value)
    value = session.execute(bump).scalar_one_or_none()
    if value is None:
        dialect = session.get_bind().dialect.name
        insert = (
            sa.dialects.postgresql.insert(table)
            if dialect == "postgresql"
            else sa.dialects.sqlite.insert(table)
        )
        session.execute(
            insert.values(
                office_id=office_id, kind=kind, year=year, value=0
            ).on_conflict_do_nothing()
        )
        value = session.execute(bump).scalar_one()
    return value
