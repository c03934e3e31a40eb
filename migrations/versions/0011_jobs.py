"""jobs: the queue of work (mail, SMS, sweeps), the schedule of periodic jobs, messages sent

Revision ID: a0000000j011
Revises: a0000000t010
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000j011"
down_revision = "a0000000t010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("locked_until", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    op.create_index("ix_jobs_status_run_at", "jobs", ["status", "run_at"], unique=False)
    op.create_table(
        "job_schedule",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("next_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_job_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_schedule")),
    )
    op.create_table(
        "sent_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_messages")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sent_messages_message_id")),
    )


def downgrade() -> None:
    op.drop_table("sent_messages")
    op.drop_table("job_schedule")
    op.drop_index("ix_jobs_status_run_at", table_name="jobs")
    op.drop_table("jobs")
