"""e-file indexes and small fixes

Revision ID: a0000000e005
Revises: a0000000s004
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a0000000e005"
down_revision = "a0000000s004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
