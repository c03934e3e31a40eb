"""One way to page a list: the HTML lists, the JSON lists and the services all use it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, stmt, page: int, per_page: int, *, rows: bool = False) -> Page:
    """Count and fetch one page of `stmt`: ORM objects, or whole rows when `rows` is set."""
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    result = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = result.all() if rows else result.scalars().all()
    return Page(list(items), total, page, per_page)
