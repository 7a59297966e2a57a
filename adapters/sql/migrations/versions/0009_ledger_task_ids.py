"""ledger task ids: each line names the provider's task ids and its unconfirmed cost, so the
provider's own book can be matched with the ledger (`imagestudio audit provider`)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(sa.Column("provider_task_ids", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("unconfirmed_cost", sa.BigInteger(), nullable=False, server_default="0")
        )
    # Lines written before: an unresolved line's whole provider cost was never confirmed (a
    # line that also delivered outputs cannot tell its part, and keeps 0). Task ids stay NULL.
    op.execute(
        "UPDATE ledger SET unconfirmed_cost = provider_cost WHERE outcome = 'unknown_unresolved'"
    )


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("unconfirmed_cost")
        batch.drop_column("provider_task_ids")
