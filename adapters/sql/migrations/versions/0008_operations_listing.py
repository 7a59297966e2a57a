"""operations listing: a user's operations newest first, by index

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_operations_user_created_at_id", "operations", ["user_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_operations_user_created_at_id", table_name="operations")
