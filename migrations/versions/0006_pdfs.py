"""PDFs: issued letters and acknowledgements

Revision ID: a0000000p006
Revises: a0000000e005
"""

import sqlalchemy as sa
from alembic import op

revision = "a0000000p006"
down_revision = "a0000000e005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an issued letter's correspondence entry points at the PDF stored when it was issued
    with op.batch_alter_table("correspondence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_correspondence_attachment_id_attachments"),
            "attachments",
            ["attachment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("correspondence", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_correspondence_attachment_id_attachments"), type_="foreignkey"
        )
        batch_op.drop_column("attachment_id")
