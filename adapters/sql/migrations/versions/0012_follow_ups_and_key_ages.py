"""the sweep's lists: operations awaiting a follow-up, running keys by age

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows settled before this revision carry no `follow_up`: the keyed ones are still found
    # through their running keys; an unkeyed one is read as failed once the grace is over.
    with op.batch_alter_table("operations") as batch:
        batch.add_column(sa.Column("follow_up", sa.String(128), nullable=True))
    op.create_index("ix_operations_follow_up", "operations", ["follow_up"], unique=False)
    op.create_index(
        "ix_idempotency_keys_claimed_at", "idempotency_keys", ["claimed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_claimed_at", table_name="idempotency_keys")
    op.drop_index("ix_operations_follow_up", table_name="operations")
    with op.batch_alter_table("operations") as batch:
        batch.drop_column("follow_up")
