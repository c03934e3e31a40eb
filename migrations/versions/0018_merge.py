"""One head again: dispatch, OCR, retention, parts and links, and dak movement were written side
by side from the complaints' revision

Revision ID: a0000000x018
Revises: a0000000d013, a0000000o014, a0000000r015, a0000000p016, a0000000m017
"""

revision = "a0000000x018"
down_revision = (
    "a0000000d013",
    "a0000000o014",
    "a0000000r015",
    "a0000000p016",
    "a0000000m017",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
