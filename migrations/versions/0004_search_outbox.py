"""search: the outbox of changes to index, and text taken out of attachments

Revision ID: a0000000s004
Revises: 8a4587b0951e
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000s004"
down_revision = "8a4587b0951e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("obj_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    op.create_table(
        "attachment_texts",
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extracted_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_attachment_texts_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attachment_id", name=op.f("pk_attachment_texts")),
    )


def downgrade() -> None:
    op.drop_table("attachment_texts")
    op.drop_table("search_outbox")
