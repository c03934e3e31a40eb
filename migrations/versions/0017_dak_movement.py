"""Receipts move like files (their movement register, copies, the desks they reached); files may
be marked to copy desks; receipts and files carry a security grading; the indexes of the dak
register and of complaints' pendency

Revision ID: a0000000m017
Revises: a0000000c012
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000m017"
down_revision = "a0000000c012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("from_desk_id", sa.Integer(), nullable=True),
        sa.Column("to_desk_id", sa.Integer(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("opened_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_receipt_movements_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_desk_id"], ["desks.id"], name=op.f("fk_receipt_movements_from_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_receipt_movements_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_movements_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["to_desk_id"], ["desks.id"], name=op.f("fk_receipt_movements_to_desk_id_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_movements")),
    )
    with op.batch_alter_table("receipt_movements") as batch_op:
        batch_op.create_index("ix_receipt_movements_to_kind", ["to_desk_id", "kind", "opened_at"])
        batch_op.create_index("ix_receipt_movements_from_desk", ["from_desk_id", "id"])
        batch_op.create_index(batch_op.f("ix_receipt_movements_receipt_id"), ["receipt_id"])
    op.create_table(
        "receipt_access",
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_receipt_access_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_access_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("receipt_id", "desk_id", name=op.f("pk_receipt_access")),
    )
    with op.batch_alter_table("receipt_access") as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_access_desk_id"), ["desk_id"])
    op.create_table(
        "file_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("from_desk_id", sa.Integer(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=True),
        sa.Column("seen_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_file_copies_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_file_copies_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_file_copies_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["from_desk_id"], ["desks.id"], name=op.f("fk_file_copies_from_desk_id_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_copies")),
    )
    with op.batch_alter_table("file_copies") as batch_op:
        batch_op.create_index("ix_file_copies_desk_seen", ["desk_id", "seen_at"])
        batch_op.create_index(batch_op.f("ix_file_copies_file_id"), ["file_id"])
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.add_column(
            sa.Column("security", sa.String(length=12), server_default="normal", nullable=False)
        )
        batch_op.add_column(
            sa.Column("priority", sa.String(length=20), server_default="normal", nullable=False)
        )
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        # the dak register: an office's receipts by date received, one page without a sort
        batch_op.create_index(
            "ix_receipts_office_received", ["office_id", "received_on", "serial"], unique=False
        )
    with op.batch_alter_table("files") as batch_op:
        batch_op.add_column(
            sa.Column("security", sa.String(length=12), server_default="normal", nullable=False)
        )
    # pendency reads what stands at each office, not closed
    with op.batch_alter_table("complaints") as batch_op:
        batch_op.drop_index("ix_complaints_level_office_id")
        batch_op.create_index(
            "ix_complaints_level_office_status", ["level_office_id", "status"], unique=False
        )
    # the receipts already out: their diarising desk and the desk holding them reached them
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO receipt_access (receipt_id, desk_id) "
            "SELECT id, created_desk_id FROM receipts"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO receipt_access (receipt_id, desk_id) SELECT id, holder_desk_id "
            "FROM receipts WHERE holder_desk_id IS NOT NULL AND holder_desk_id <> created_desk_id"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch_op:
        batch_op.drop_index("ix_complaints_level_office_status")
        batch_op.create_index("ix_complaints_level_office_id", ["level_office_id"], unique=False)
    with op.batch_alter_table("files") as batch_op:
        batch_op.drop_column("security")
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.drop_index("ix_receipts_office_received")
        batch_op.drop_column("due_on")
        batch_op.drop_column("priority")
        batch_op.drop_column("security")
    op.drop_table("file_copies")
    op.drop_table("receipt_access")
    op.drop_table("receipt_movements")
