"""PDFs: issued letters and acknowledgements

Revision ID: a0000000p006
Revises: a0000000e005
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "a0000000p006"
down_revision = "a0000000e005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
