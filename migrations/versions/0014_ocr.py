"""OCR of scans: `attachments.ocr` (pending, done or failed; none when no OCR is needed) and
`attachments.ocr_error`

Revision ID: a0000000o014
Revises: a0000000c012
"""

import sqlalchemy as sa
from alembic import op

revision = "a0000000o014"
down_revision = "a0000000c012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ocr", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("ocr_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("ocr_error")
        batch_op.drop_column("ocr")
