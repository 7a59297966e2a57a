"""unit of work: the operation behind each idempotency key; SQLite indexes asset words itself

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# A migration is a snapshot: these repeat tables.py's full-text triggers as they are at 0007.
_INDEX_NEW_WORDS = """
    INSERT OR IGNORE INTO assets_fts_rows (asset_id) VALUES (new.id);
    DELETE FROM assets_fts
        WHERE rowid = (SELECT rowid FROM assets_fts_rows WHERE asset_id = new.id);
    INSERT INTO assets_fts (rowid, words)
        SELECT rowid, new.prompt_words FROM assets_fts_rows WHERE asset_id = new.id;
END"""
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER assets_fts_index AFTER INSERT ON assets BEGIN{_INDEX_NEW_WORDS}",
    f"CREATE TRIGGER assets_fts_reindex AFTER UPDATE OF prompt_words ON assets BEGIN"
    f"{_INDEX_NEW_WORDS}",
)

# Keys claimed before this revision name no operation; a running one gets the newest operation
# run under it, so it is not taken for stale while that operation may still be recovered.
BACKFILL = """
UPDATE idempotency_keys SET operation_id = (
    SELECT operations.id FROM operations
    WHERE operations.user_id = idempotency_keys.user_id
      AND operations.idempotency_key = idempotency_keys.key
    ORDER BY operations.created_at DESC LIMIT 1
)
WHERE outcome IS NULL
"""


def upgrade() -> None:
    op.add_column(
        "idempotency_keys", sa.Column("operation_id", sa.String(length=128), nullable=True)
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER assets_fts_reindex")
        op.execute("DROP TRIGGER assets_fts_index")
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.drop_column("operation_id")
