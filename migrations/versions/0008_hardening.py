"""Hardening: a desk's clock on the file, the approving officer's desk on a draft, the index's
dead letters

- files.clock_from and files.due_on: since when the holding desk has had the file and by when it
  is due (parking and unparking no longer restart it); filled from each file's last movement.
- movements.sender_clock_from and sender_due_on: the sender's clock on a send, which a pull-back
  gives back.
- drafts.approved_desk_id: the desk the officer approved from (the letter is signed so).
- search_dead_letters: documents the index could not take, kept apart so the others go on.

Revision ID: a0000000h008
Revises: a0000000k007
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000h008"
down_revision = "a0000000k007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clock_from", eoffice.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sender_clock_from", eoffice.core.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("sender_due_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE files SET clock_from = (SELECT m.at FROM movements m "
        "WHERE m.id = files.last_movement_id), due_on = (SELECT m.due_on FROM movements m "
        "WHERE m.id = files.last_movement_id)"
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_desk_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_drafts_approved_desk_id_desks"), "desks", ["approved_desk_id"], ["id"]
        )
    op.create_table(
        "search_dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("obj_id", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_dead_letters")),
        sa.UniqueConstraint("kind", "obj_id", name=op.f("uq_search_dead_letters_kind")),
    )


def downgrade() -> None:
    op.drop_table("search_dead_letters")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_drafts_approved_desk_id_desks"), type_="foreignkey")
        batch_op.drop_column("approved_desk_id")
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_column("sender_due_on")
        batch_op.drop_column("sender_clock_from")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("due_on")
        batch_op.drop_column("clock_from")
