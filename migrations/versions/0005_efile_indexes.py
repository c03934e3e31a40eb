"""e-file indexes: the desk lists read one page from an index

Revision ID: a0000000e005
Revises: a0000000s004
"""

from alembic import op

revision = "a0000000e005"
down_revision = "a0000000s004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (holder_desk_id, status) is a prefix of the new index: it serves the counts as before
    op.create_index(
        "ix_files_holder_desk_id_status_last_movement_id",
        "files",
        ["holder_desk_id", "status", "last_movement_id"],
        unique=False,
    )
    op.drop_index("ix_files_holder_desk_id_status", table_name="files")


def downgrade() -> None:
    op.create_index(
        "ix_files_holder_desk_id_status", "files", ["holder_desk_id", "status"], unique=False
    )
    op.drop_index("ix_files_holder_desk_id_status_last_movement_id", table_name="files")
