"""API tokens expire: `expires_at`, 30 days after issue for the tokens already out

Revision ID: a0000000t010
Revises: a0000000s009
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000t010"
down_revision = "a0000000s009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    tokens = sa.table(
        "api_tokens",
        sa.column("id"),
        sa.column("created_at", eoffice.core.db.UTCDateTime(timezone=True)),
        sa.column("expires_at", eoffice.core.db.UTCDateTime(timezone=True)),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        conn.execute(
            tokens.update()
            .where(tokens.c.id == row.id)
            .values(expires_at=row.created_at + dt.timedelta(days=30))
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
