"""Attachments belong to any kind of record (owner_kind, owner_id); receipts get a version

Every existing attachment keeps its owner: file_id becomes ("file", id), receipt_id becomes
("receipt", id). Receipts get the version column that files have, so two concurrent writers of
one receipt collide.

Revision ID: a0000000k007
Revises: a0000000p006
"""

import sqlalchemy as sa
from alembic import op

revision = "a0000000k007"
down_revision = "a0000000p006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE attachments SET owner_kind = CASE WHEN file_id IS NOT NULL "
        "THEN 'file' ELSE 'receipt' END, owner_id = COALESCE(file_id, receipt_id)"
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("owner_kind", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("owner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(op.f("ck_attachments_belongs_to_file_or_receipt"), type_="check")
        batch_op.drop_index(op.f("ix_attachments_file_id"))
        batch_op.drop_index(op.f("ix_attachments_receipt_id"))
        batch_op.drop_constraint(op.f("fk_attachments_file_id_files"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_attachments_receipt_id_receipts"), type_="foreignkey")
        batch_op.drop_column("file_id")
        batch_op.drop_column("receipt_id")
        batch_op.create_index(
            op.f("ix_attachments_owner"), ["owner_kind", "owner_id"], unique=False
        )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("version")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receipt_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE attachments SET file_id = CASE WHEN owner_kind = 'file' THEN owner_id END, "
        "receipt_id = CASE WHEN owner_kind = 'receipt' THEN owner_id END"
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_attachments_owner"))
        batch_op.drop_column("owner_kind")
        batch_op.drop_column("owner_id")
        batch_op.create_foreign_key("fk_attachments_file_id_files", "files", ["file_id"], ["id"])
        batch_op.create_foreign_key(
            "fk_attachments_receipt_id_receipts", "receipts", ["receipt_id"], ["id"]
        )
        batch_op.create_index("ix_attachments_file_id", ["file_id"], unique=False)
        batch_op.create_index("ix_attachments_receipt_id", ["receipt_id"], unique=False)
        batch_op.create_check_constraint(
            op.f("ck_attachments_belongs_to_file_or_receipt"),
            "(file_id IS NULL) <> (receipt_id IS NULL)",
        )
