"""Confidential tips and their conversations (the sender's receipt only as a keyed slow hash;
nothing of the sender's address, browser or device)

Revision ID: a0000000t019
Revises: a0000000x018
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000t019"
down_revision = "a0000000x018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("when_text", sa.String(length=200), nullable=True),
        sa.Column("vehicle_number", sa.String(length=20), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("details_place", sa.Text(), nullable=True),
        sa.Column("details_time", sa.String(length=200), nullable=True),
        sa.Column("identity_name", sa.String(length=200), nullable=True),
        sa.Column("identity_mobile", sa.String(length=20), nullable=True),
        sa.Column("identity_email", sa.String(length=200), nullable=True),
        sa.Column("receipt_hash", sa.String(length=120), nullable=False),
        sa.Column("dak_receipt_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("received_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_remarks", sa.Text(), nullable=True),
        sa.Column("abuse", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("abuse_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("abuse_remarks", sa.Text(), nullable=True),
        sa.Column("banned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("banned_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ban_remarks", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["offices.id"], name=op.f("fk_tips_district_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["offices.id"], name=op.f("fk_tips_station_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["dak_receipt_id"], ["receipts.id"], name=op.f("fk_tips_dak_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(["desk_id"], ["desks.id"], name=op.f("fk_tips_desk_id_desks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tips")),
        sa.UniqueConstraint("number", name=op.f("uq_tips_number")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_tips_receipt_hash")),
    )
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.create_index("ix_tips_district_status", ["district_id", "status"], unique=False)
        batch_op.create_index("ix_tips_station", ["station_id"], unique=False)

    op.create_table(
        "tip_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_tip_messages_tip_id_tips")),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_tip_messages_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_tip_messages_desk_id_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_messages")),
    )
    with op.batch_alter_table("tip_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tip_messages_tip_id"), ["tip_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tip_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tip_messages_tip_id"))
    op.drop_table("tip_messages")
    with op.batch_alter_table("tips", schema=None) as batch_op:
        batch_op.drop_index("ix_tips_station")
        batch_op.drop_index("ix_tips_district_status")
    op.drop_table("tips")
