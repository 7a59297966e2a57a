"""operations: partial indexes for the sweep, none that every status change rewrites

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FOLLOW_UP = "follow_up IS NOT NULL"
_UNKNOWN = "status = 'unknown'"


def upgrade() -> None:
    # `user_id` leads `ix_operations_user_created_at_id`, which serves every query by user.
    op.drop_index("ix_operations_user_id", table_name="operations")
    op.drop_index("ix_operations_status", table_name="operations")
    op.drop_index("ix_operations_follow_up", table_name="operations")
    op.create_index(
        "ix_operations_follow_up",
        "operations",
        ["follow_up"],
        sqlite_where=sa.text(_FOLLOW_UP),
        postgresql_where=sa.text(_FOLLOW_UP),
    )
    op.create_index(
        "ix_operations_unknown_updated_at",
        "operations",
        ["updated_at"],
        sqlite_where=sa.text(_UNKNOWN),
        postgresql_where=sa.text(_UNKNOWN),
    )


def downgrade() -> None:
    op.drop_index("ix_operations_unknown_updated_at", table_name="operations")
    op.drop_index("ix_operations_follow_up", table_name="operations")
    op.create_index("ix_operations_follow_up", "operations", ["follow_up"], unique=False)
    op.create_index("ix_operations_status", "operations", ["status"], unique=False)
    op.create_index("ix_operations_user_id", "operations", ["user_id"], unique=False)
