"""Issued letters keep how they went out and to whom (the dispatch register): drafts.mode,
addressees and copy_to, and an index on issued_at

Revision ID: a0000000d013
Revises: a0000000c012
"""

import sqlalchemy as sa
from alembic import op

revision = "a0000000d013"
down_revision = "a0000000c012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mode", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("addressees", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("copy_to", sa.JSON(), nullable=True))
        batch_op.create_index("ix_drafts_issued_at", ["issued_at"], unique=False)
    # letters issued before: they went by post, to no one named
    op.execute("UPDATE drafts SET mode = 'post' WHERE status = 'issued'")


def downgrade() -> None:
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_drafts_issued_at")
        batch_op.drop_column("copy_to")
        batch_op.drop_column("addressees")
        batch_op.drop_column("mode")
