"""Retention and the record room: category C files carry a retention period and a review
date; weeded files leave a tombstone

Existing category C files get the default retention (3 years); those already closed are due
for review 3 years after the day they were closed (in Indian time), the others once closed.

Revision ID: a0000000r015
Revises: a0000000c012
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import eoffice.core.db

revision = "a0000000r015"
down_revision = "a0000000c012"
branch_labels = None
depends_on = None

DEFAULT_RETENTION_YEARS = 3


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_years", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_files_review_on"), ["review_on"], unique=False)

    op.create_table(
        "weeded_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("desk_id", sa.Integer(), nullable=False),
        sa.Column("weeded_at", eoffice.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("letters", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_weeded_files_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["desk_id"], ["desks.id"], name=op.f("fk_weeded_files_desk_id_desks")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["files.id"], name=op.f("fk_weeded_files_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_weeded_files_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weeded_files")),
        sa.UniqueConstraint("file_id", name=op.f("uq_weeded_files_file_id")),
    )
    with op.batch_alter_table("weeded_files", schema=None) as batch_op:
        batch_op.create_index(
            "ix_weeded_files_office_id_weeded_at", ["office_id", "weeded_at"], unique=False
        )

    # existing C files: the default retention; closed ones are due that long after closing
    conn = op.get_bind()
    conn.execute(
        sa.text("UPDATE files SET retention_years = :y WHERE category = 'C'"),
        {"y": DEFAULT_RETENTION_YEARS},
    )
    rows = conn.execute(
        sa.text(
            "SELECT f.id, o.time_zone, MAX(m.at) AS closed_at FROM files f "
            "JOIN offices o ON o.id = f.office_id "
            "JOIN movements m ON m.file_id = f.id AND m.kind = 'closed' "
            "WHERE f.category = 'C' AND f.status = 'closed' GROUP BY f.id, o.time_zone"
        )
    ).all()
    for file_id, zone_name, closed_at in rows:
        if isinstance(closed_at, str):  # SQLite hands back text
            closed_at = dt.datetime.fromisoformat(closed_at)
        if closed_at.tzinfo is None:
            closed_at = closed_at.replace(tzinfo=dt.UTC)
        day = closed_at.astimezone(ZoneInfo(zone_name or "Asia/Kolkata")).date()
        conn.execute(
            sa.text("UPDATE files SET review_on = :d WHERE id = :i"),
            {"d": _add_years(day, DEFAULT_RETENTION_YEARS), "i": file_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("weeded_files", schema=None) as batch_op:
        batch_op.drop_index("ix_weeded_files_office_id_weeded_at")
    op.drop_table("weeded_files")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_files_review_on"))
        batch_op.drop_column("review_on")
        batch_op.drop_column("retention_years")
