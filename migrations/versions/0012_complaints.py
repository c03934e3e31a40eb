"""Complaints and their history; visit tokens; offices name routing and duty desks, a state and
a time zone; portal dak and citizens' uploads have no user

Revision ID: a0000000c012
Revises: a0000000j011
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000c012"
down_revision = "a0000000j011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("issued_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_visit_tokens_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_visit_tokens_digest")),
    )
    with op.batch_alter_table("visit_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_tokens_office_id"), ["office_id"], unique=False)

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("incident_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("incident_place", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("complainant_name", sa.String(length=200), nullable=False),
        sa.Column("complainant_mobile", sa.String(length=20), nullable=False),
        sa.Column("complainant_email", sa.String(length=200), nullable=True),
        sa.Column("complainant_address", sa.Text(), nullable=True),
        sa.Column("key_hash", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("level_office_id", sa.Integer(), nullable=False),
        sa.Column("level_desk_id", sa.Integer(), nullable=True),
        sa.Column("io_desk_id", sa.Integer(), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("clock_from", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("escalated_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeals", sa.Integer(), nullable=False),
        sa.Column("action_report", sa.Text(), nullable=True),
        sa.Column("action_report_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("feedback_comment", sa.Text(), nullable=True),
        sa.Column("feedback_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_remarks", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["offices.id"], name=op.f("fk_complaints_district_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_complaints_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["io_desk_id"], ["desks.id"], name=op.f("fk_complaints_io_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["level_desk_id"], ["desks.id"], name=op.f("fk_complaints_level_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["level_office_id"], ["offices.id"], name=op.f("fk_complaints_level_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_complaints_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["offices.id"], name=op.f("fk_complaints_station_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_level_desk_id"), ["level_desk_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaints_level_office_id"), ["level_office_id"], unique=False
        )
        batch_op.create_index(
            "ix_complaints_station_status", ["station_id", "status"], unique=False
        )
        batch_op.create_index("ix_complaints_status_due_on", ["status", "due_on"], unique=False)

    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("desk_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_complaint_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_events_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_complaint_events_desk_id_desks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_events")),
    )
    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_events_complaint_id"), ["complaint_id"], unique=False
        )

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("uploaded_by_id", existing_type=sa.INTEGER(), nullable=True)

    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("routing_desk_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duty_desk_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("state", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=60), nullable=True))
        batch_op.create_foreign_key(
            "fk_offices_duty_desk_id", "desks", ["duty_desk_id"], ["id"], use_alter=True
        )
        batch_op.create_foreign_key(
            "fk_offices_routing_desk_id", "desks", ["routing_desk_id"], ["id"], use_alter=True
        )

    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.alter_column("created_by_id", existing_type=sa.INTEGER(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.alter_column("created_by_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.drop_constraint("fk_offices_routing_desk_id", type_="foreignkey")
        batch_op.drop_constraint("fk_offices_duty_desk_id", type_="foreignkey")
        batch_op.drop_column("time_zone")
        batch_op.drop_column("state")
        batch_op.drop_column("duty_desk_id")
        batch_op.drop_column("routing_desk_id")

    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.alter_column("uploaded_by_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("complaint_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_events_complaint_id"))

    op.drop_table("complaint_events")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_status_due_on")
        batch_op.drop_index("ix_complaints_station_status")
        batch_op.drop_index(batch_op.f("ix_complaints_level_office_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_level_desk_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_district_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("visit_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_tokens_office_id"))

    op.drop_table("visit_tokens")
