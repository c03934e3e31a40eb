"""pow_spent: proof-of-work solutions already used, until they expire

Revision ID: a0000000p024
Revises: a0000000x018
"""

import sqlalchemy as sa
from alembic import op

revision = "a0000000p024"
down_revision = "a0000000x018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pow_spent",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_pow_spent")),
    )
    op.create_index(op.f("ix_pow_spent_expires_at"), "pow_spent", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pow_spent_expires_at"), table_name="pow_spent")
    op.drop_table("pow_spent")
