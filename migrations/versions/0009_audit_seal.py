"""The audit log sealed with a key kept outside the database

Every event gets `mac`, an HMAC of its hash with the instance's audit key (EOFFICE_AUDIT_KEY, or
`audit_key` in the instance folder), and so does the head; the events already logged are sealed
here, with the key of the instance that runs the migration.

Revision ID: a0000000s009
Revises: a0000000h008
"""

import hashlib
import hmac
import json

import sqlalchemy as sa
from alembic import context, op

revision = "a0000000s009"
down_revision = "a0000000h008"
branch_labels = None
depends_on = None


def _seal(key: str, *parts) -> str:
    text = json.dumps(list(parts), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mac", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    if not conn.execute(sa.text("SELECT 1 FROM audit_events LIMIT 1")).first():
        head = conn.execute(sa.text("SELECT seq FROM audit_head WHERE id = 1")).first()
        if head is None or not head.seq:
            return  # nothing logged yet: nothing to seal
    key = context.config.attributes.get("audit_key")
    if not key:
        from eoffice.core.config import load_config

        key = load_config()["AUDIT_KEY"]
    events = sa.table("audit_events", sa.column("id"), sa.column("hash"), sa.column("mac"))
    rows = conn.execute(sa.select(events.c.id, events.c.hash)).all()
    for row in rows:
        conn.execute(events.update().where(events.c.id == row.id).values(mac=_seal(key, row.hash)))
    head = conn.execute(sa.text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).first()
    if head is not None:
        conn.execute(
            sa.text("UPDATE audit_head SET mac = :mac WHERE id = 1"),
            {"mac": _seal(key, head.seq, head.last_hash)},
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("mac")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("mac")
