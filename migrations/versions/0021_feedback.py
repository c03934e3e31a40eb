"""Station feedback: visitors' responses, the grade each station holds, the SP's alerts

Revision ID: a0000000f021
Revises: a0000000x018
"""

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000f021"
down_revision = "a0000000x018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("created_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("behaviour", sa.SmallInteger(), nullable=False),
        sa.Column("responsiveness", sa.SmallInteger(), nullable=False),
        sa.Column("cleanliness", sa.SmallInteger(), nullable=False),
        sa.Column("recommend", sa.SmallInteger(), nullable=False),
        sa.Column("bribe_asked", sa.Boolean(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.CheckConstraint("behaviour BETWEEN 1 AND 5", name=op.f("ck_feedback_behaviour_range")),
        sa.CheckConstraint(
            "cleanliness BETWEEN 1 AND 5", name=op.f("ck_feedback_cleanliness_range")
        ),
        sa.CheckConstraint("recommend BETWEEN 0 AND 10", name=op.f("ck_feedback_recommend_range")),
        sa.CheckConstraint(
            "responsiveness BETWEEN 1 AND 5", name=op.f("ck_feedback_responsiveness_range")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_feedback_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_office_id_created_at", ["office_id", "created_at"], unique=False
        )

    op.create_table(
        "feedback_station_grades",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("best", sa.String(length=1), nullable=True),
        sa.Column("updated_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_feedback_station_grades_office_id_offices"),
        ),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_feedback_station_grades")),
    )
    op.create_table(
        "feedback_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grade_from", sa.String(length=1), nullable=True),
        sa.Column("grade_to", sa.String(length=1), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.Column("created_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_feedback_alerts_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_feedback_alerts_feedback_id_feedback")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_feedback_alerts_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_alerts")),
    )
    with op.batch_alter_table("feedback_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_alerts_desk_id_created_at", ["desk_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_alerts_desk_id_created_at")
    op.drop_table("feedback_alerts")
    op.drop_table("feedback_station_grades")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_office_id_created_at")
    op.drop_table("feedback")
