"""search outbox (filled by the search work)

Revision ID: a0000000s004
Revises: 8a4587b0951e
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a0000000s004"
down_revision = "8a4587b0951e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
