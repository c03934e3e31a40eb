"""Part files (a main file's Part-1, Part-2, ...) and links between files; a receipt filed in
one file may be copied into another (correspondence kind "copy", no new column)

Revision ID: a0000000p016
Revises: a0000000c012
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000p016"
down_revision = "a0000000c012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_links",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("linked_id", sa.Integer(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_file_links_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_file_links_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["linked_id"], ["files.id"], name=op.f("fk_file_links_linked_id_files")
        ),
        sa.PrimaryKeyConstraint("file_id", "linked_id", name=op.f("pk_file_links")),
    )
    with op.batch_alter_table("file_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_links_linked_id"), ["linked_id"], unique=False)

    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("part_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("part_number", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_files_part_of_id"), ["part_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_files_part_of_id_files"), "files", ["part_of_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_files_part_of_id_files"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_files_part_of_id"))
        batch_op.drop_column("part_number")
        batch_op.drop_column("part_of_id")

    with op.batch_alter_table("file_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_links_linked_id"))

    op.drop_table("file_links")
