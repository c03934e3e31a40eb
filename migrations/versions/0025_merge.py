"""One head again: proof-of-work, tips, the portal's reports, station feedback and the
PostgreSQL search backend were written side by side from the dak movement's merge

Revision ID: a0000000x025
Revises: a0000000t019, a0000000l020, a0000000f021, a0000000s023, a0000000p024
"""

revision = "a0000000x025"
down_revision = (
    "a0000000t019",
    "a0000000l020",
    "a0000000f021",
    "a0000000s023",
    "a0000000p024",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
