"""Migrations keep what is there: attachments of files and receipts keep their owners through
the generic owner (0007), and a downgrade gives them back their old columns."""

from __future__ import annotations

import sqlalchemy as sa

from eoffice import migrate
from tests.factories import make_file, make_receipt, user


def test_attachment_owners_survive_the_upgrade_and_back(database_url, org, db):
    f = make_file(db)
    r = make_receipt(db)
    clerk = user(db, "clerk")
    desk_id = db.scalar(sa.text("SELECT id FROM desks WHERE code = 'SPO-HC'"))
    db.close()
    engine = sa.create_engine(database_url)
    try:
        migrate.downgrade(database_url, "a0000000p006")
        with engine.begin() as conn:
            for column, owner in (("file_id", f.id), ("receipt_id", r.id)):
                conn.execute(
                    sa.text(
                        f"INSERT INTO attachments ({column}, name, size, content_type, sha256, "  # noqa: S608
                        "key, uploaded_by_id, desk_id, created_at) VALUES (:o, :n, 1, "
                        "'application/pdf', :h, :k, :u, :d, CURRENT_TIMESTAMP)"
                    ),
                    {
                        "o": owner,
                        "n": f"{column}.pdf",
                        "h": column.ljust(64, "0"),
                        "k": f"sha256/{column}",
                        "u": clerk.id,
                        "d": desk_id,
                    },
                )
        migrate.upgrade(database_url)
        with engine.connect() as conn:
            owners = conn.execute(
                sa.text("SELECT name, owner_kind, owner_id FROM attachments ORDER BY name")
            ).all()
        assert [tuple(o) for o in owners] == [
            ("file_id.pdf", "file", f.id),
            ("receipt_id.pdf", "receipt", r.id),
        ]
        migrate.downgrade(database_url, "a0000000p006")
        with engine.connect() as conn:
            back = conn.execute(
                sa.text("SELECT name, file_id, receipt_id FROM attachments ORDER BY name")
            ).all()
        assert [tuple(b) for b in back] == [
            ("file_id.pdf", f.id, None),
            ("receipt_id.pdf", None, r.id),
        ]
    finally:
        migrate.upgrade(database_url)
        engine.dispose()
