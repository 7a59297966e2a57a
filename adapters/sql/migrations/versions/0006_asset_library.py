"""asset library: assets with their labels, lineage and full-text search

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import imagestudio.adapters.sql.column_types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A migration is a snapshot: these repeat tables.py's full-text DDL as it was at 0006.
SQLITE_FULL_TEXT = (
    """CREATE TABLE assets_fts_rows (
    rowid INTEGER PRIMARY KEY,
    asset_id VARCHAR(128) NOT NULL UNIQUE REFERENCES assets (id) ON DELETE CASCADE
)""",
    "CREATE VIRTUAL TABLE assets_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 0')",
    """CREATE TRIGGER assets_fts_forget AFTER DELETE ON assets_fts_rows BEGIN
    DELETE FROM assets_fts WHERE rowid = old.rowid;
END""",
)
POSTGRESQL_FULL_TEXT = (
    "CREATE INDEX assets_fts ON assets "
    "USING gin (array_to_tsvector(string_to_array(prompt_words, ' ')))",
)


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("operation_id", sa.String(length=128), nullable=False),
        sa.Column("model_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
        sa.Column("vertex_count", sa.BigInteger(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("prompt_words", sa.Text(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            imagestudio.adapters.sql.column_types.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("favourite", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
    )
    op.create_index(
        "ix_assets_owner_created_at_id", "assets", ["owner", "created_at", "id"], unique=False
    )
    for table, label in (("asset_tags", "tag"), ("asset_collections", "collection")):
        op.create_table(
            table,
            sa.Column("asset_id", sa.String(length=128), nullable=False),
            sa.Column(label, sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["asset_id"],
                ["assets.id"],
                name=op.f(f"fk_{table}_asset_id_assets"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("asset_id", label, name=op.f(f"pk_{table}")),
        )
        op.create_index(f"ix_{table}_{label}", table, [label], unique=False)
    op.create_table(
        "asset_lineage",
        sa.Column("asset_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_lineage_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "position", name=op.f("pk_asset_lineage")),
    )
    op.create_table(
        "asset_owners",
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("assets", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_asset_owners")),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_FULL_TEXT, "postgresql": POSTGRESQL_FULL_TEXT}[dialect]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE assets_fts_rows")
        op.execute("DROP TABLE assets_fts")
    op.drop_table("asset_owners")
    op.drop_table("asset_lineage")
    for table, label in (("asset_collections", "collection"), ("asset_tags", "tag")):
        op.drop_index(f"ix_{table}_{label}", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_assets_owner_created_at_id", table_name="assets")
    op.drop_table("assets")
