"""The PostgreSQL search backend's table (search_docs: one row per indexed record, its filter and
access fields and a tsvector with a GIN index). PostgreSQL only: nothing on SQLite, where search
is always the Whoosh index.

Revision ID: a0000000s023
Revises: a0000000x018
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a0000000s023"
down_revision = "a0000000x018"
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgres():
        return
    op.create_table(
        "search_docs",
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("obj_id", sa.BigInteger(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("desk1", sa.Integer(), nullable=True),
        sa.Column("desk2", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("category", sa.String(length=1), nullable=True),
        sa.Column("holder", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=True),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column(
            "indexed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("kind", "obj_id", name=op.f("pk_search_docs")),
    )
    op.create_index("ix_search_docs_tsv", "search_docs", ["tsv"], postgresql_using="gin")
    for column in ("office_id", "file_id", "desk1", "desk2", "at"):
        op.create_index(f"ix_search_docs_{column}", "search_docs", [column])


def downgrade() -> None:
    if not _postgres():
        return
    op.drop_table("search_docs")
