"""budget stripes: an allotment per stripe of a shared operator budget

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quota_counters") as batch:
        batch.add_column(sa.Column("allotment", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quota_counters") as batch:
        batch.drop_column("allotment")
